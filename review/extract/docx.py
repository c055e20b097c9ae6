"""Word (.docx) draft -> ExtractResult: the document's own tables and paragraphs as rows, then the PDF steps."""

from __future__ import annotations

import logging
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Optional

from review.config import Settings, load_settings
from review.errors import InputError
from review.extract.pdfio import Cell, Row
from review.form import Evidence, ExtractResult, Form

log = logging.getLogger(__name__)
Progress = Callable[[str], None]

STYLE = "docx"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, or a password-protected .docx
MAX_XML_BYTES = 60_000_000  # uncompressed word/document.xml larger than this is refused (zip bombs)
MAX_ENTRIES = 2_000
MAX_ROWS = 20_000  # paragraphs + table rows
MAX_DEPTH = 6  # nested tables deeper than this are read as text only
COL_W = 100.0  # synthetic geometry: one grid column is COL_W points wide ...
ROW_H = 20.0  # ... and one row ROW_H points high, so the PDF steps see a regular grid;
PARA_GAP = 60.0  # a paragraph ends with a gap: a Word paragraph is whole, it never wraps into the next one
_GAP = re.compile(r"\t+| {4,}|\u3000{2,}")
_CHECKED = {"F052", "F053", "F0FE", "F0FD", "F078", "F0FC", "F0B2"}
_UNCHECKED = {"F0A3", "F06F", "F0A8", "F030", "F0A1", "F071"}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

OLD_DOC_ZH = "这是旧版 Word（.doc）文件或已加密的 Word 文件，无法直接读取。请在 Word 中“另存为”.docx 格式，或导出为 PDF 后再上传。"


def sniff(path: Path) -> str:
    """'pdf', 'docx', 'doc' (OLE container) or 'unknown', from the first bytes (the file name only breaks ties)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError:
        return "unknown"
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(OLE_MAGIC):
        return "doc"
    if head.startswith(ZIP_MAGIC):
        return "docx" if path.suffix.lower() in (".docx", ".docm", "") or _has_document_xml(path) else "unknown"
    return "unknown"


def _has_document_xml(path: Path) -> bool:
    """True when the zip holds word/document.xml."""
    try:
        with zipfile.ZipFile(path) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def validate_docx(path: Path, settings: Settings) -> None:
    """Size, container type and zip sanity; raises InputError with a Chinese message."""
    if not path.is_file():
        raise InputError("找不到文件，请重新上传", f"file not found: {path}")
    size = path.stat().st_size
    if size == 0:
        raise InputError("文件为空，请上传申报书", "empty file")
    if size > settings.max_mb * 1024 * 1024:
        raise InputError(f"文件超过 {settings.max_mb:g} MB，请压缩后再上传", f"file larger than {settings.max_mb} MB")
    kind = sniff(path)
    if kind == "doc":
        raise InputError(OLD_DOC_ZH, "legacy .doc or encrypted OOXML (OLE container)")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            doc = next((i for i in infos if i.filename == "word/document.xml"), None)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError("Word 文件已损坏或不完整，请重新保存为 .docx 或导出为 PDF 后上传", f"bad zip: {exc}") from exc
    if doc is None:
        raise InputError("这不是 Word 文档（.docx），请上传申报书的 .docx 或 PDF 版本", "zip without word/document.xml")
    if len(infos) > MAX_ENTRIES or doc.file_size > MAX_XML_BYTES:
        raise InputError("Word 文件内容异常庞大，无法读取，请另存后重试或导出为 PDF", "docx too large uncompressed")
    _check_pages(path, settings)


def _check_pages(path: Path, settings: Settings) -> None:
    """Refuse a document whose saved page count (docProps/app.xml, written by Word) exceeds the limit."""
    try:
        with zipfile.ZipFile(path) as z:
            if "docProps/app.xml" not in z.namelist() or z.getinfo("docProps/app.xml").file_size > 1_000_000:
                return
            text = z.read("docProps/app.xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return
    m = re.search(r"<(?:\w+:)?Pages>\s*(\d+)\s*<", text)
    if m and int(m.group(1)) > settings.max_pages:
        n = int(m.group(1))
        raise InputError(f"文档共 {n} 页，超过 {settings.max_pages} 页的上限，请只上传申报书", f"too many pages: {n}")


# ---- document -> rows ----------------------------------------------------------------------------


def _run_text(run: Any) -> str:
    """Visible text of one w:r (hidden runs dropped; tabs, breaks and Wingdings checkboxes kept)."""
    rpr = run.find(f"{W}rPr")
    if rpr is not None and rpr.find(f"{W}vanish") is not None:
        v = rpr.find(f"{W}vanish").get(f"{W}val", "true")
        if v not in ("0", "false", "off"):
            return ""
    out: list[str] = []
    for el in run:
        tag = el.tag
        if tag == f"{W}t":
            out.append(el.text or "")
        elif tag == f"{W}tab":
            out.append("\t")
        elif tag in (f"{W}br", f"{W}cr"):
            out.append("\n")
        elif tag == f"{W}noBreakHyphen":
            out.append("-")
        elif tag == f"{W}sym":
            out.append(_sym(el.get(f"{W}char", "")))
    return "".join(out)


def _sym(code: str) -> str:
    """A Wingdings checkbox symbol as ■ / □ (other symbols dropped)."""
    code = code.upper()
    if code in _CHECKED:
        return "■"
    if code in _UNCHECKED:
        return "□"
    return ""


def paragraph_text(p: Any) -> str:
    """Text of a w:p in reading order, including runs inside hyperlinks, insertions and content controls."""
    parts = []
    for run in p.iter(f"{W}r"):
        if _inside_textbox(run, p):
            continue
        parts.append(_run_text(run))
    return "".join(parts)


def _inside_textbox(run: Any, p: Any) -> bool:
    """True when the run belongs to a nested paragraph (text box) rather than to `p` itself."""
    node = run.getparent()
    while node is not None and node is not p:
        if node.tag == f"{W}p":
            return True
        node = node.getparent()
    return False


def _blocks(parent: Any) -> Iterator[Any]:
    """w:p and w:tbl children in order, looking through content controls (w:sdt) and custom XML."""
    for el in parent:
        if el.tag in (f"{W}p", f"{W}tbl"):
            yield el
        elif el.tag in (f"{W}sdt", f"{W}customXml", f"{W}sdtContent"):
            inner = el.find(f"{W}sdtContent") if el.tag == f"{W}sdt" else el
            if inner is not None:
                yield from _blocks(inner)


class _Reader:
    """Walks the body once, producing rows with a regular synthetic grid and each row's (table, row) place."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.places: list[tuple[int, int]] = []  # per row: (table number or 0, row number or paragraph number)
        self.tables = 0
        self.paragraphs = 0
        self._y = 0.0  # top of the next row in the synthetic geometry

    def _add(self, cells: list[Cell], table: int, place: tuple[int, int]) -> None:
        if len(self.rows) >= MAX_ROWS:
            raise InputError("文档过长，无法读取，请只上传申报书本身", f"more than {MAX_ROWS} rows")
        self.rows.append(Row(cells, 1, self._y, table))
        self.places.append(place)
        self._y += ROW_H if table >= 0 else PARA_GAP

    def _top(self) -> tuple[float, float]:
        return self._y, self._y + ROW_H - 2

    def body(self, parent: Any, depth: int = 0) -> None:
        """Every block of a body or a cell."""
        for el in _blocks(parent):
            if el.tag == f"{W}p":
                self.paragraph(el)
            else:
                self.table(el, depth)

    def paragraph(self, p: Any) -> None:
        """A paragraph as one text line, split into cells at tabs and wide spaces (like a PDF line)."""
        for line in paragraph_text(p).split("\n"):
            parts = [x.strip() for x in _GAP.split(line) if x.strip()]
            if not parts:
                continue
            self.paragraphs += 1
            top, bottom = self._top()
            x = _indent(p)
            cells = [
                Cell(t, 1, (x + i * COL_W, top, x + i * COL_W + COL_W - 2, bottom), "text") for i, t in enumerate(parts)
            ]
            self._add(cells, -1, (0, self.paragraphs))

    def table(self, tbl: Any, depth: int) -> None:
        """One table: merged cells once (gridSpan wide, vMerge continuations empty), nested tables after the row."""
        self.tables += 1
        number = self.tables
        tid = number - 1
        for ri, tr in enumerate(tbl.findall(f"{W}tr"), 1):
            cells, nested = self._row_cells(tr)
            if cells:
                self._add(cells, tid, (number, ri))
            for inner in nested:
                if depth + 1 < MAX_DEPTH:
                    self.table(inner, depth + 1)

    def _row_cells(self, tr: Any) -> tuple[list[Cell], list[Any]]:
        """Cells of one w:tr with grid positions, and the nested tables found in them."""
        top, bottom = self._top()
        col = _grid_before(tr)
        cells: list[Cell] = []
        nested: list[Any] = []
        for tc in _row_tcs(tr):
            span = _span(tc)
            if not _is_vmerge_continue(tc):
                texts = [paragraph_text(p) for p in _blocks(tc) if p.tag == f"{W}p"]
                text = "\n".join(t.strip() for t in texts if t.strip())
                bbox = (col * COL_W, top, (col + span) * COL_W - 2, bottom)
                cells.append(Cell(text, 1, bbox, "table"))
                nested += [b for b in _blocks(tc) if b.tag == f"{W}tbl"]
            col += span
        if not any(c.text for c in cells):
            return [], nested
        return cells, nested


def _indent(p: Any) -> float:
    """Where a paragraph starts in the synthetic geometry: centred and right-aligned lines sit right of the margin."""
    jc = p.find(f"{W}pPr/{W}jc")
    val = jc.get(f"{W}val", "") if jc is not None else ""
    return {"center": 2 * COL_W, "right": 4 * COL_W, "end": 4 * COL_W}.get(val, 0.0)


def _row_tcs(tr: Any) -> list[Any]:
    """The w:tc of a row, looking through content controls."""
    out = []
    for el in tr:
        if el.tag == f"{W}tc":
            out.append(el)
        elif el.tag in (f"{W}sdt", f"{W}customXml"):
            inner = el.find(f"{W}sdtContent") if el.tag == f"{W}sdt" else el
            if inner is not None:
                out += [c for c in inner if c.tag == f"{W}tc"]
    return out


def _int_val(el: Any, default: int) -> int:
    try:
        return max(1, min(64, int(el.get(f"{W}val", default))))
    except (TypeError, ValueError):
        return default


def _span(tc: Any) -> int:
    """Grid columns a cell covers (w:gridSpan)."""
    el = tc.find(f"{W}tcPr/{W}gridSpan")
    return _int_val(el, 1) if el is not None else 1


def _grid_before(tr: Any) -> int:
    """Grid columns skipped before the first cell (w:gridBefore)."""
    el = tr.find(f"{W}trPr/{W}gridBefore")
    return _int_val(el, 0) if el is not None else 0


def _is_vmerge_continue(tc: Any) -> bool:
    """True for the lower parts of a vertically merged cell (their text belongs to the top cell)."""
    el = tc.find(f"{W}tcPr/{W}vMerge")
    return el is not None and el.get(f"{W}val", "continue") != "restart"


def docx_rows(path: Path) -> tuple[list[Row], dict[int, tuple[int, int]], int]:
    """Rows of the whole document, each row's (table, row) place, and the number of tables."""
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx/lxml raise many types on broken packages
        raise InputError(
            "Word 文件已损坏或无法解析，请重新保存为 .docx 或导出为 PDF 后上传", f"python-docx: {exc!r}"
        ) from exc
    reader = _Reader()
    reader.body(document.element.body)
    return reader.rows, {int(r.top): pl for r, pl in zip(reader.rows, reader.places, strict=True)}, reader.tables


# ---- evidence: synthetic grid -> table/row/cell --------------------------------------------------


def locate(ev: Evidence, places: dict[int, tuple[int, int]]) -> Evidence:
    """Evidence in Word terms: (table, row, column) from the synthetic box; no page, no box."""
    if ev.bbox is None:
        return Evidence(raw=ev.raw, source="docx" if ev.source != "none" else "none")
    col = int(ev.bbox[0] // COL_W) + 1
    place = places.get(int(ev.bbox[1]))
    if place is None:
        return Evidence(raw=ev.raw, source="docx")
    table, row = place
    return Evidence(raw=ev.raw, source="docx", cell=(table, row, col if table else 1))


def where_zh(ev: Evidence) -> str:
    """'表 2 第 3 行第 2 列' / '正文第 5 段' for Word evidence, '' otherwise."""
    if ev.cell is None:
        return ""
    table, row, col = ev.cell
    if table == 0:
        return f"正文第 {row} 段"
    return f"表 {table} 第 {row} 行第 {col} 列"


def extract_docx(
    path: str | Path, settings: Optional[Settings] = None, progress: Optional[Progress] = None
) -> ExtractResult:
    """Read a Word draft into the same Form/Evidence as extract_pdf; bad files raise InputError."""
    try:
        return _extract(Path(path), settings or load_settings(), progress)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - the contract: a result or InputError, never a parser traceback
        log.exception("docx extraction failed")
        raise InputError("Word 文件已损坏或无法解析，请重新保存为 .docx 或导出为 PDF 后上传", f"docx: {exc!r}") from exc


def _extract(path: Path, settings: Settings, progress: Optional[Progress]) -> ExtractResult:
    """extract_docx without the last-resort guard."""
    from review.extract import extract_rows

    t0 = time.perf_counter()
    validate_docx(path, settings)
    if progress:
        progress("识别表格/OCR")
    rows, places, tables = docx_rows(path)
    warnings: list[str] = []
    try:
        form, evidence = extract_rows(rows)
    except Exception:  # noqa: BLE001 - a parser bug must degrade to an empty form, not a traceback
        log.exception("field extraction failed (docx)")
        form, evidence = Form(), {}
        warnings.append("部分内容未能识别，请人工核对")
    if not rows:
        warnings.append("未能从 Word 文档中读出任何文字")
    log.info("docx: %d rows, %d tables", len(rows), tables)
    return ExtractResult(
        form=form,
        evidence={k: locate(v, places) for k, v in evidence.items()},
        style=STYLE,
        pages=0,
        warnings=warnings,
        seconds=round(time.perf_counter() - t0, 3),
    )
