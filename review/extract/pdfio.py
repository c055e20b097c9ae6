"""Open + validate a PDF, then turn each page into rows of cells (tables and text lines)."""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from review.config import Settings
from review.errors import InputError
from review.normalize import join_lines

log = logging.getLogger(__name__)

LINE_TOL = 3.0  # points: chars whose tops differ less than this share a line
CELL_GAP = 1.6  # gaps wider than this many font sizes split a text line into cells
SPACE_GAP = 0.3  # gaps wider than this many font sizes become a space
PIECE_GAP = 0.5  # inside interleaved lines (borderless tables), gaps wider than this many font sizes split columns
MIN_TEXT_CHARS = 20  # pages with fewer chars are treated as having no text layer
MAX_CONTENT_BYTES = 1_000_000  # a page whose content inflates beyond this is read by OCR (the parser needs minutes)


@dataclass
class Cell:
    """One piece of text with its page and box (x0, top, x1, bottom in PDF points)."""

    text: str
    page: int
    bbox: Optional[tuple[float, float, float, float]]
    source: str = "text"
    lines: Optional[list[str]] = None  # a table cell's own text lines (wrapped text), when it has several


@dataclass
class Row:
    """A table row or a text line: cells left to right."""

    cells: list[Cell]
    page: int
    top: float = 0.0
    table: int = -1  # table id (unique per document), -1 for text lines

    @property
    def text(self) -> str:
        """All cell texts joined by a space."""
        return " ".join(c.text for c in self.cells if c.text)


@dataclass
class PageRows:
    """Rows of one page plus what we learned about it."""

    number: int
    rows: list[Row] = field(default_factory=list)
    chars: int = 0
    tables: int = 0
    width: float = 0.0
    height: float = 0.0


def _bad(zh: str, en: str) -> InputError:
    return InputError(zh, en)


def validate(path: Path, settings: Settings) -> Any:
    """Check size, magic bytes, encryption and page count; return an open pypdf reader."""
    if not path.is_file():
        raise _bad("找不到文件，请重新上传", f"file not found: {path}")
    size = path.stat().st_size
    if size == 0:
        raise _bad("文件为空，请上传申报书 PDF", "empty file")
    if size > settings.max_mb * 1024 * 1024:
        raise _bad(f"文件超过 {settings.max_mb:g} MB，请压缩后再上传", f"file larger than {settings.max_mb} MB")
    with path.open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        raise _bad("这不是 PDF 文件，请上传申报书的 PDF 版本", "not a PDF (no %PDF- header)")
    try:
        reader = _open_tolerant(path)
        if reader.is_encrypted:
            try:
                ok = bool(reader.decrypt(""))
            except Exception:  # noqa: BLE001 - any decrypt failure means still encrypted
                ok = False
            if not ok:
                raise _bad("文件已加密，请上传未加密的 PDF", "encrypted PDF (empty password rejected)")
        n = len(reader.pages)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on broken files
        raise _bad("PDF 文件已损坏或不完整，请重新导出后上传", f"corrupt PDF: {exc}") from exc
    if n == 0:
        raise _bad("PDF 没有任何页面，请检查文件", "PDF has zero pages")
    if n > settings.max_pages:
        raise _bad(f"PDF 共 {n} 页，超过 {settings.max_pages} 页的上限，请只上传申报书", f"too many pages: {n}")
    from review.extract.guard import MAX_STREAM_BYTES, bomb_stream

    bomb = bomb_stream(reader)
    if bomb is not None:
        raise _bad(
            f"PDF 含解压后超过 {MAX_STREAM_BYTES // 1_000_000} MB 的异常数据（疑似压缩炸弹），已拒绝读取",
            f"object {bomb} inflates beyond {MAX_STREAM_BYTES} bytes",
        )
    return reader


def _open_tolerant(path: Path) -> Any:
    """pypdf in tolerant mode; a file whose xref/trailer it cannot rebuild is re-saved by pdfium and re-read."""
    import pypdf

    from review.extract.guard import repair

    try:
        reader = pypdf.PdfReader(str(path), strict=False)
        if not reader.is_encrypted:
            len(reader.pages)  # the page tree is where a broken xref shows
        return reader
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on broken files
        fixed = repair(path)
        if fixed is None:
            raise
        log.warning("pypdf could not read %s (%s); using pdfium's repaired copy", path.name, exc)
        reader = pypdf.PdfReader(str(fixed), strict=False)
        reader.cme_path = fixed  # type: ignore[attr-defined]  # read_pages reads the repaired copy (pdfplumber, OCR)
        return reader


def _line_clusters(items: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Group chars (dicts with top/bottom/x0) into lines by vertical overlap."""
    lines: list[list[dict[str, Any]]] = []
    for ch in sorted(items, key=lambda c: (round(c["top"], 1), c["x0"])):
        if lines:
            last = lines[-1]
            ref = last[0]
            if abs(ch["top"] - ref["top"]) <= LINE_TOL or (
                ch["top"] < ref["bottom"] - 0.5 * (ref["bottom"] - ref["top"])
            ):
                last.append(ch)
                continue
        lines.append([ch])
    for ln in lines:
        ln.sort(key=lambda c: c["x0"])
    return lines


def _chars_text(chars: list[dict[str, Any]]) -> str:
    """Text of chars on one line, with a space where the gap is wide."""
    out: list[str] = []
    prev = None
    for ch in chars:
        if prev is not None:
            gap = ch["x0"] - prev["x1"]
            size = max(prev.get("size", 10.0), 1.0)
            if gap > SPACE_GAP * size and out and out[-1] != " " and ch["text"] != " ":
                out.append(" ")
        out.append(ch["text"])
        prev = ch
    return "".join(out).strip()


def _bbox(chars: list[dict[str, Any]]) -> tuple[float, float, float, float]:
    return (
        round(min(c["x0"] for c in chars), 1),
        round(min(c["top"] for c in chars), 1),
        round(max(c["x1"] for c in chars), 1),
        round(max(c["bottom"] for c in chars), 1),
    )


def line_cells(chars: list[dict[str, Any]], page: int, gap: float = CELL_GAP, source: str = "text") -> list[Cell]:
    """Split one line of chars into cells at gaps wider than `gap` font sizes."""
    groups: list[list[dict[str, Any]]] = [[]]
    prev = None
    for ch in chars:
        if prev is not None and ch["x0"] - prev["x1"] > gap * max(prev.get("size", 10.0), 1.0):
            groups.append([])
        if ch["text"].strip() or groups[-1]:
            groups[-1].append(ch)
        prev = ch
    cells = []
    for g in groups:
        text = _chars_text(g)
        if text:
            cells.append(Cell(text, page, _bbox([c for c in g if c["text"].strip()] or g), source))
    return cells


def _cell_lines(chars: list[dict[str, Any]]) -> list[str]:
    """A table cell's text lines, top to bottom."""
    return [t for t in (_chars_text(ln) for ln in _line_clusters(chars)) if t]


def _invisible(ch: dict[str, Any]) -> bool:
    """White (or fully transparent-looking) text that a reader of the printed page cannot see."""
    color = ch.get("non_stroking_color")
    if isinstance(color, (int, float)):
        color = (color,)
    if not color or not isinstance(color, (tuple, list)):
        return False
    try:
        vals = [float(v) for v in color]
    except (TypeError, ValueError):
        return False
    if len(vals) == 4:  # CMYK: no ink at all
        return all(v == 0 for v in vals)
    return all(v >= 0.99 for v in vals)


def _cy(ch: dict[str, Any]) -> float:
    return (ch["top"] + ch["bottom"]) / 2


def _inside(ch: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def page_rows(page: Any, number: int, table_base: int) -> PageRows:
    """Rows of one pdfplumber page: table rows from ruled tables, text lines elsewhere."""
    from review.extract.furniture import watermark_free
    from review.extract.visible import visible_chars

    chars = visible_chars(page)  # only what a reader sees: no hidden, clipped, off-page, white or tiny text
    chars = watermark_free(chars)
    out = PageRows(number=number, chars=sum(1 for c in chars if c["text"].strip()))
    out.width, out.height = float(page.width), float(page.height)
    tables = page.find_tables() if (page.rects or page.lines) else []
    used: set[int] = set()
    rows: list[Row] = []
    order = sorted(range(len(chars)), key=lambda i: _cy(chars[i]))
    ys = [_cy(chars[i]) for i in order]
    for ti, table in enumerate(tables):
        tid = table_base + ti
        for trow in table.rows:
            lo, hi = bisect_left(ys, trow.bbox[1]), bisect_right(ys, trow.bbox[3])
            band = [order[k] for k in range(lo, hi) if order[k] not in used]
            cells: list[Cell] = []
            for box in trow.cells:
                if box is None:
                    continue
                members = [i for i in band if i not in used and _inside(chars[i], box)]
                used.update(members)
                lines = _cell_lines([chars[i] for i in members])
                box = tuple(round(v, 1) for v in box)
                cells.append(Cell(join_lines(lines), number, box, "table", lines if len(lines) > 1 else None))  # type: ignore[arg-type]
            cells += _beside(chars, band, used, trow.bbox, table.bbox, number)
            if cells:
                rows.append(Row(cells, number, float(trow.bbox[1]), tid))
    out.tables = len(tables)
    rest = [c for i, c in enumerate(chars) if i not in used]
    text_lines: list[tuple[Row, list[Cell]]] = []
    for ln in _line_clusters(rest):
        cells = line_cells(ln, number)
        if cells:
            text_lines.append((Row(cells, number, min(c["top"] for c in ln)), line_cells(ln, number, PIECE_GAP)))
    rows.extend(overlap_bands(text_lines))
    rows.sort(key=lambda r: r.top)
    out.rows = rows
    return out


def _extent(row: Row) -> tuple[float, float]:
    boxes = [c.bbox for c in row.cells if c.bbox]
    return (min(b[1] for b in boxes), max(b[3] for b in boxes)) if boxes else (row.top, row.top)


def overlap_bands(lines: list[tuple[Row, list[Cell]]]) -> list[Row]:
    """Text lines that overlap vertically become one row, its cells the columns of text (wrapped lines joined).

    A borderless table with vertically centred cells prints a two-line cell's lines above and below
    its neighbour's single line, so the lines of one table row interleave; lines of running text
    never overlap. Cells spanning neighbouring columns are split at their spaces before the columns
    are formed: each line is given with its pieces split at narrow gaps.
    """
    out: list[Row] = []
    band: list[tuple[Row, list[Cell]]] = []
    bottom = -1e9
    for item in sorted(lines, key=lambda it: it[0].top):
        top, bot = _extent(item[0])
        if band and top < bottom - 1.0:
            band.append(item)
            bottom = max(bottom, bot)
            continue
        if band:
            out.append(_band_row(band))
        band, bottom = [item], bot
    if band:
        out.append(_band_row(band))
    return out


def _band_row(items: list[tuple[Row, list[Cell]]]) -> Row:
    """One row from a band of interleaved lines (a single line is returned unchanged)."""
    band = [r for r, _ in items]
    if len(band) == 1:
        return band[0]
    pieces = [p for _, ps in items for p in ps]
    cols: list[list[Cell]] = []
    for piece in sorted(pieces, key=lambda c: c.bbox[0] if c.bbox else 0.0):
        assert piece.bbox is not None
        hit = next(
            (
                col
                for col in cols
                if min(piece.bbox[2], max(c.bbox[2] for c in col if c.bbox))
                - max(piece.bbox[0], min(c.bbox[0] for c in col if c.bbox))
                > 0
            ),
            None,
        )
        if hit is None:
            cols.append([piece])
        else:
            hit.append(piece)
    cells = []
    for col in cols:
        col.sort(key=lambda c: (c.bbox[1] if c.bbox else 0.0, c.bbox[0] if c.bbox else 0.0))
        boxes = [c.bbox for c in col if c.bbox]
        box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        texts = [c.text for c in col]
        cells.append(Cell(join_lines(texts), col[0].page, box, col[0].source, texts if len(texts) > 1 else None))
    cells.sort(key=lambda c: c.bbox[0] if c.bbox else 0.0)
    return Row(cells, band[0].page, min(r.top for r in band))


def _beside(
    chars: list[dict[str, Any]],
    band: list[int],
    used: set[int],
    row_box: tuple[float, float, float, float],
    table_box: tuple[float, float, float, float],
    number: int,
) -> list[Cell]:
    """Unruled text right of a table row, within its height: online systems shade only the label cells.

    Such a "table" is a column of grey label boxes and its values stand beside it without lines;
    they belong to the row they are level with, one cell per column of text (wrapped lines joined).
    """
    top, bottom = row_box[1], row_box[3]
    members = [
        i for i in band if i not in used and chars[i]["x0"] >= table_box[2] - 1.0 and top <= _cy(chars[i]) <= bottom
    ]
    if not members:
        return []
    used.update(members)
    cols: list[tuple[list[float], list[str]]] = []
    for ln in _line_clusters([chars[i] for i in members]):
        for cell in line_cells(ln, number):
            assert cell.bbox is not None
            x0, _, x1, _ = cell.bbox
            hit = next((c for c in cols if min(x1, c[0][2]) - max(x0, c[0][0]) > 0), None)
            if hit is None:
                cols.append((list(cell.bbox), [cell.text]))
            else:
                box = hit[0]
                box[0], box[1], box[2], box[3] = (
                    min(box[0], x0),
                    min(box[1], cell.bbox[1]),
                    max(box[2], x1),
                    max(box[3], cell.bbox[3]),
                )
                hit[1].append(cell.text)
    cols.sort(key=lambda c: c[0][0])
    return [
        Cell(join_lines(texts), number, tuple(box), "text", texts if len(texts) > 1 else None)  # type: ignore[arg-type]
        for box, texts in cols
    ]


def layout_rows(reader: Any, index: int) -> PageRows:
    """Row-preserving fallback from pypdf's layout text (no boxes)."""
    import re

    number = index + 1
    text = reader.pages[index].extract_text(extraction_mode="layout") or ""
    out = PageRows(number=number)
    for i, line in enumerate(text.splitlines()):
        parts = [p.strip() for p in re.split(r"\s{3,}", line) if p.strip()]
        if parts:
            out.rows.append(Row([Cell(p, number, None, "layout") for p in parts], number, float(i)))
            out.chars += sum(len(p) for p in parts)
    return out


def content_bytes(reader: Any, index: int) -> int:
    """Decompressed size of a page's content (streams + form XObjects), measured without inflating past the cap."""
    from review.extract.guard import content_size

    return content_size(reader, index, MAX_CONTENT_BYTES)
