"""PDF draft -> ExtractResult: validate -> page rows (text/tables/OCR) -> tables -> pairs -> typed form."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

from review.config import Settings, load_settings
from review.errors import InputError
from review.extract.acroform import acroform_values, apply_acroform
from review.extract.build import build_form
from review.extract.furniture import drop_furniture, drop_instructions
from review.extract.history import find_history
from review.extract.labels import match_label
from review.extract.pairs import pair_rows
from review.extract.pdfio import (
    MAX_CONTENT_BYTES,
    MIN_TEXT_CHARS,
    PageRows,
    Row,
    content_bytes,
    layout_rows,
    page_rows,
    validate,
)
from review.extract.tables import EVENT_COLS, TEACHER_COLS, find_event_lines, find_tables, find_teacher_lines
from review.form import ExtractResult, Form

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
STAGE = "识别表格/OCR"

__all__ = ["extract_pdf", "extract_rows", "read_pages"]


def read_pages(
    path: Path, reader: Any, progress: Optional[Progress] = None
) -> tuple[list[PageRows], list[int], list[str]]:
    """Rows of every page; pages without a text layer are OCR'd. Returns pages, OCR page numbers, warnings."""
    import pdfplumber

    if progress:
        progress(STAGE)
    pages: list[PageRows] = []
    ocr_pages: list[int] = []
    warnings: list[str] = []
    table_base = 0
    path = _readable_path(path, reader, warnings)
    try:
        pdf = pdfplumber.open(str(path))
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types on broken files
        raise InputError("PDF 文件已损坏或无法解析，请重新导出后上传", f"pdfplumber cannot open: {exc}") from exc
    try:
        plumber = _plumber_pages(pdf, warnings)
        for i in range(len(reader.pages)):
            if content_bytes(reader, i) > MAX_CONTENT_BYTES:  # measured without inflating past the cap
                warnings.append(
                    f"第 {i + 1} 页内容过于复杂（解压后超过 {MAX_CONTENT_BYTES // 1_000_000} MB），改按图像识别"
                )
                pr = _ocr_or_keep(path, i, PageRows(number=i + 1), warnings, reader)
                if pr.rows and pr.rows[0].cells and pr.rows[0].cells[0].source == "ocr":
                    ocr_pages.append(i + 1)
                pages.append(pr)
                continue
            pr = _page_or_layout(plumber[i] if i < len(plumber) else None, reader, i, table_base, warnings)
            table_base += max(pr.tables, 0) + 1
            unmapped = _visibility_notes(plumber[i] if i < len(plumber) else None, i, pr, warnings)
            if pr.chars < MIN_TEXT_CHARS or unmapped:
                if progress:
                    progress(f"识别第 {i + 1}/{len(reader.pages)} 页")
                pr = _ocr_or_keep(path, i, pr, warnings, reader)
                if pr.rows and pr.rows[0].cells and pr.rows[0].cells[0].source == "ocr":
                    ocr_pages.append(i + 1)
            pages.append(pr)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure on a broken file is a bad input, not a crash
        raise InputError("PDF 文件已损坏或无法解析，请重新导出后上传", f"reading pages failed: {exc!r}") from exc
    finally:
        _close_quietly(pdf)
    from review.extract.guard import is_xfa_only

    if is_xfa_only(reader):
        warnings.append("此 PDF 为 XFA 动态表单，其中填写的内容无法读取；请用“打印为 PDF”另存后重新上传，或人工核对")
    return pages, ocr_pages, warnings


def _readable_path(path: Path, reader: Any, warnings: list[str]) -> Path:
    """The repaired copy when validate had to rebuild a broken xref/trailer (with a notice), else path."""
    fixed = getattr(reader, "cme_path", None)
    if fixed is None:
        return path
    warnings.append("PDF 文件结构（交叉引用表）有损坏，已自动修复后读取，请人工核对")
    return Path(fixed)


def _visibility_notes(page: Any, index: int, pr: PageRows, warnings: list[str]) -> bool:
    """Warn about text a reader cannot see; True when the page's text is mostly unmapped glyphs (OCR it)."""
    from review.extract.visible import hidden_warning, page_stats, unmapped_share

    stats = page_stats(page) if page is not None else None
    if stats is None:
        return False
    if stats.truncated:
        warnings.append(f"第 {index + 1} 页文字或图形异常多，只读取了前一部分，请人工核对该页")
    if stats.hidden and (stats.kept >= MIN_TEXT_CHARS or stats.hidden >= MIN_TEXT_CHARS):
        warnings.append(hidden_warning(index + 1, stats))
    if stats.unmapped and unmapped_share(stats) >= 0.3:
        warnings.append(f"第 {index + 1} 页的文字无法解码（字体缺少 Unicode 映射，显示为 (cid:N)），已按图像 OCR 识别")
        return True
    return False


def _plumber_pages(pdf: Any, warnings: list[str]) -> list[Any]:
    """pdfplumber's pages; empty (every page read from layout text) when its page tree is broken."""
    try:
        return list(pdf.pages)
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types on broken page dictionaries
        log.warning("pdfplumber cannot list pages (%s); using layout text", exc)
        warnings.append("PDF 页面结构有损坏，已按版面文字读取，请人工核对")
        return []


def _page_or_layout(page: Any, reader: Any, index: int, table_base: int, warnings: list[str]) -> PageRows:
    """Rows of one page from pdfplumber, or pypdf's layout text when pdfplumber fails on it."""
    if page is not None:
        try:
            pr = page_rows(page, index + 1, table_base)
            page.flush_cache() if hasattr(page, "flush_cache") else None
            return pr
        except Exception as exc:  # noqa: BLE001 - fall back to pypdf's layout text for this page
            log.warning("page %d: pdfplumber failed (%s); using layout text", index + 1, exc)
            warnings.append(f"第 {index + 1} 页表格解析失败，已按版面文字读取")
    return _layout_or_empty(reader, index)


def _close_quietly(pdf: Any) -> None:
    """Close pdfplumber; closing re-reads the page tree, which fails again on broken files."""
    try:
        pdf.close()
    except Exception as exc:  # noqa: BLE001 - nothing left to read; the file handle is released below
        log.debug("pdfplumber close failed: %s", exc)
        stream = getattr(pdf, "stream", None)
        if stream is not None and getattr(pdf, "stream_is_external", False) is False:
            stream.close()


def _layout_or_empty(reader: Any, index: int) -> PageRows:
    try:
        return layout_rows(reader, index)
    except Exception:  # noqa: BLE001 - an unreadable page stays empty, with a warning
        return PageRows(number=index + 1)


def _ocr_or_keep(path: Path, index: int, pr: PageRows, warnings: list[str], reader: Any = None) -> PageRows:
    """OCR a page with (almost) no text layer; keep what we had if OCR fails or finds nothing."""
    from review.extract import guard, ocr

    big = guard.big_image(reader, index) if reader is not None else None
    if big is not None:
        warnings.append(f"第 {index + 1} 页图像过大（{big[0]}×{big[1]} 像素），未做 OCR，请人工核对该页")
        return pr
    guard.note_ocr_page(index + 1)
    try:
        res = ocr.ocr_page(path, index)
    except Exception as exc:  # noqa: BLE001 - OCR problems must not sink the whole review
        log.warning("page %d: OCR failed: %s", index + 1, exc)
        warnings.append(f"第 {index + 1} 页没有文字层，OCR 识别失败")
        return pr
    if not res.rows:
        warnings.append(f"第 {index + 1} 页没有文字层，OCR 也未识别出文字")
        return pr
    warnings.append(f"第 {index + 1} 页没有文字层，已用 OCR 识别")
    return res


def extract_rows(rows: list[Row]) -> tuple[Any, Any]:
    """The label/value + table steps over rows: (form, evidence)."""
    teachers, used_t = find_tables(rows, TEACHER_COLS, ("name", "hours"), min_cols=3)
    if not teachers:
        teachers, used_t = find_teacher_lines(rows)
    events, used_e = find_tables(rows, EVENT_COLS, ("time", "venue"), min_cols=2)
    if not events:
        events, used_e = find_event_lines(rows)
    history, used_h = find_history(rows)
    found = pair_rows(rows, skip=frozenset(used_t | used_e | used_h))
    has_commitment = any("承诺" in r.text for r in rows)
    return build_form(found, teachers, events, history, rows, has_commitment)


def _style(pages: list[PageRows], ocr_pages: list[int], fillable: bool) -> str:
    """word-table / printout / scan / fillable (unknown when nothing was read)."""
    if fillable:
        return "fillable"
    if not any(p.rows for p in pages):
        return "unknown"
    if ocr_pages and len(ocr_pages) * 2 >= len(pages):
        return "scan"
    table_labels = sum(1 for p in pages for r in p.rows if r.table >= 0 and match_label(r.cells[0].text))
    text_labels = sum(
        1
        for p in pages
        for r in p.rows
        if r.table < 0 and r.cells and match_label(r.cells[0].text.split("：")[0].split(":")[0])
    )
    return "word-table" if table_labels > text_labels else "printout"


def extract_pdf(
    path: str | Path, settings: Optional[Settings] = None, progress: Optional[Progress] = None
) -> ExtractResult:
    """Read a draft PDF into a typed Form with per-field Evidence; bad files raise InputError."""
    try:
        return _extract(Path(path), settings, progress)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - the contract: a result or InputError, never a parser traceback
        log.exception("extraction failed on %s", path)
        raise InputError("PDF 文件已损坏或无法解析，请重新导出后上传", f"extraction failed: {exc!r}") from exc


def _extract(path: Path, settings: Optional[Settings], progress: Optional[Progress]) -> ExtractResult:
    """extract_pdf without the last-resort guard."""
    t0 = time.perf_counter()
    settings = settings or load_settings()
    reader = validate(path, settings)
    pages, ocr_pages, warnings = read_pages(path, reader, progress)
    drop_furniture(pages)
    drop_instructions(pages)
    rows = [r for p in pages for r in p.rows]
    try:
        form, evidence = extract_rows(rows)
    except Exception:  # noqa: BLE001 - a parser bug must degrade to an empty form, not a traceback
        log.exception("field extraction failed")
        form, evidence = Form(), {}
        warnings.append("部分内容未能识别，请人工核对")
    fields = acroform_values(reader)
    if fields:
        try:
            failed = apply_acroform(form, evidence, fields)
            if failed:
                warnings.append(
                    f"{len(failed)} 个表单域内容无法识别（{'、'.join(f[:30] for f in failed[:5])}），其余已读取，请人工核对"
                )
        except Exception:  # noqa: BLE001 - a hostile form field (e.g. named "teachers") must not crash the review
            log.exception("AcroForm values could not be applied")
            warnings.append("表单域内容未能识别，请人工核对")
    if not rows and not fields:
        warnings.append("未能从 PDF 中读出任何文字")
    return ExtractResult(
        form=form,
        evidence=evidence,
        style=_style(pages, ocr_pages, bool(fields)),
        pages=len(pages),
        ocr_pages=ocr_pages,
        warnings=warnings,
        seconds=round(time.perf_counter() - t0, 3),
    )
