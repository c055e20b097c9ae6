"""Column tables (课程及教师信息, 多期举办信息): header detection, x-aligned rows, page continuation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from review.extract.labels import inline_pattern, label_key, match_label
from review.extract.pairs import is_page_number
from review.extract.pdfio import Cell, Row
from review.normalize import join_lines

TEACHER_COLS: dict[str, tuple[str, ...]] = {
    "seq": ("序号",),
    "name": ("姓名", "教师姓名", "授课教师"),
    "title": ("专业技术职称", "职称", "技术职称"),
    "method": ("教学方法", "授课方式", "教学形式"),
    "unit": ("所在单位", "工作单位", "单位"),
    "topic": ("讲授题目或实验内容", "讲授题目", "授课题目", "授课内容", "讲授内容"),
    "hours": ("学时", "学时数", "授课学时", "时长"),
}
EVENT_COLS: dict[str, tuple[str, ...]] = {
    "seq": ("期次", "期数", "序号"),
    "time": ("举办时间", "举办日期", "时间"),
    "days": ("举办天数", "天数"),
    "venue": ("举办地点", "地点"),
}
_SECTION = re.compile(
    r"^[一二三四五六七八九十]+、|^[（(][一二三四五六七八九十]+[)）]|^第[一二三四五六七八九十\d]+部分|^\d{4}\s*年.*申报情况"
)
_TOTAL = re.compile(r"^(合\s*计|总\s*计|小\s*计)")


@dataclass
class TableRow:
    """One parsed row: column -> text, and the cells each column came from."""

    values: dict[str, str] = field(default_factory=dict)
    cells: dict[str, Cell] = field(default_factory=dict)
    row_index: int = 0


@dataclass
class Header:
    """A recognised header row: column name -> x-range (or cell index)."""

    cols: dict[str, tuple[float, float]]
    order: list[str]
    row: Row

    def named(self) -> list[str]:
        """The recognised columns (not the skipped ones a template adds: 职务, 从事专业, 备注 …)."""
        return [c for c in self.cols if not c.startswith("_")]


_SPEC_KEYS: dict[int, dict[str, str]] = {}

# header words per column, tried in order on header cells that are no exact synonym (授课教师姓名, 理论学时, …)
TEACHER_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("seq", re.compile(r"^(序号|编号|序)$")),
    ("hours_theory", re.compile(r"理论.*(学时|时长|课时|时数)")),
    ("hours_practice", re.compile(r"(实践|实验|实操|技术示范|操作).*(学时|时长|课时|时数)")),
    ("title", re.compile(r"职称|职务")),
    ("unit", re.compile(r"单位|机构|医院")),
    ("topic", re.compile(r"题目|内容|课程|讲题|课题|主题|专题")),
    ("method", re.compile(r"方法|方式|形式")),
    ("kind", re.compile(r"^(授课|教学|课程)?(类型|类别|性质)$")),
    ("hours", re.compile(r"学时|时长|课时|时数|小时")),
    ("name", re.compile(r"姓名|教师|讲者|授课人|主讲|专家|老师|讲师")),
)
EVENT_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("seq", re.compile(r"^(期次|期数|序号|编号|期)$")),
    ("days", re.compile(r"天数")),
    ("time", re.compile(r"时间|日期")),
    ("venue", re.compile(r"地点|地址|场所")),
)
HISTORY_COLS: dict[str, tuple[str, ...]] = {"year": ("年度", "年份"), "executed": ("是否执行", "执行情况")}
HISTORY_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("national_code", re.compile(r"国家级.*(编号|代码)")),
    ("provincial_code", re.compile(r"(省级|市级|省市级).*(编号|代码)")),
    ("code", re.compile(r"编号|代码")),
    ("executed", re.compile(r"执行")),
    ("level", re.compile(r"级别|申报情况")),
    ("national", re.compile(r"^国家级")),
    ("provincial", re.compile(r"^(省级|市级|北京市级|省市级)")),
    ("year", re.compile(r"年度|年份|^年$")),
)
_SPEC_WORDS = {id(TEACHER_COLS): TEACHER_WORDS, id(EVENT_COLS): EVENT_WORDS, id(HISTORY_COLS): HISTORY_WORDS}
MAX_HEADER_CHARS = 14  # a header cell is short; longer text is data, never a column name


def _col_of(text: str, spec: dict[str, tuple[str, ...]]) -> Optional[str]:
    """Column name for a header cell text: an exact synonym, else the first column whose header words it holds."""
    keys = _SPEC_KEYS.get(id(spec))
    if keys is None:
        keys = {}
        for col, names in spec.items():
            for n in names:
                keys.setdefault(label_key(n), col)
        _SPEC_KEYS[id(spec)] = keys
    k = label_key(text)
    if k in keys:
        return keys[k]
    if not k or len(k) > MAX_HEADER_CHARS:
        return None
    words = _SPEC_WORDS.get(id(spec), ())
    return next((col for col, rx in words if rx.search(k)), None)


def find_header(row: Row, spec: dict[str, tuple[str, ...]], need: tuple[str, ...]) -> Optional[Header]:
    """Header when the row names every needed column (cells split on wide gaps or single spaces)."""
    cells = list(row.cells)
    if len(cells) == 1 and cells[0].text.count(" ") >= len(need) - 1:
        cells = _split_spaced(cells[0])
    cols: dict[str, tuple[float, float]] = {}
    order: list[str] = []
    for i, cell in enumerate(cells):
        col = _col_of(cell.text, spec)
        span = (cell.bbox[0], cell.bbox[2]) if cell.bbox else (float(i), float(i) + 0.5)
        if col and col not in cols:
            cols[col] = span
            order.append(col)
        elif cell.text.strip():
            # a column we do not read (or a second one of a kind): keep its place so its cells go nowhere
            cols[f"_{i}"] = span
            order.append(f"_{i}")
    have = set(cols) | ({"hours"} if {"hours_theory", "hours_practice"} & set(cols) else set())
    if all(n in have for n in need):
        return Header(cols, order, row)
    return None


def _split_spaced(cell: Cell) -> list[Cell]:
    """Split a header cell written with single spaces into word cells (boxes approximated)."""
    parts = cell.text.split()
    if not cell.bbox:
        return [Cell(p, cell.page, None, cell.source) for p in parts]
    x0, top, x1, bottom = cell.bbox
    total = sum(len(p) for p in parts) + len(parts) - 1
    out, pos = [], 0
    for p in parts:
        a = x0 + (x1 - x0) * pos / total
        b = x0 + (x1 - x0) * (pos + len(p)) / total
        out.append(Cell(p, cell.page, (a, top, b, bottom), cell.source))
        pos += len(p) + 1
    return out


def _assign(row: Row, header: Header) -> dict[str, Cell]:
    """Map a row's cells to header columns by x-overlap (by index without boxes)."""
    out: dict[str, Cell] = {}
    cols = [c for c in header.order if c]
    same_grid = row.table >= 0 and row.table == header.row.table and len(row.cells) == len(header.row.cells)
    for i, cell in enumerate(row.cells):
        if same_grid or cell.bbox is None:
            col = header.order[i] if i < len(header.order) else None
        else:
            col = _nearest(cell, header, cols)
        if not col or col.startswith("_") or not cell.text.strip():
            continue
        if col in out:
            prev = out[col]
            out[col] = Cell(join_lines([prev.text, cell.text]), prev.page, prev.bbox, prev.source)
        else:
            out[col] = cell
    return out


def _nearest(cell: Cell, header: Header, cols: list[str]) -> Optional[str]:
    """Column with the largest x-overlap, else the nearest centre."""
    assert cell.bbox is not None
    x0, x1 = cell.bbox[0], cell.bbox[2]
    best, score = None, 0.0
    for col in cols:
        a, b = header.cols[col]
        ov = min(x1, b) - max(x0, a)
        if ov > score:
            best, score = col, ov
    if best:
        return best
    cx = (x0 + x1) / 2
    return min(cols, key=lambda c: abs((header.cols[c][0] + header.cols[c][1]) / 2 - cx)) if cols else None


_SUB_HOURS = re.compile(r"^(?P<kind>理论|讲授|实践|实验|实操|技术示范)(学时|时长|课时|时数)?(\(小时\)|\(h\))?$")


def _sub_header(row: Row, header: Header) -> Optional[Header]:
    """A two-level header's second row (理论 | 实践 under 授课学时): the header with its hours split in two."""
    if "hours" not in header.cols or header.row.page != row.page:
        return None
    texts = [(c, label_key(c.text)) for c in row.cells if c.text.strip()]
    if not texts or len(texts) > 3:
        return None
    kinds = [(c, _SUB_HOURS.match(k)) for c, k in texts]
    if not all(m for _, m in kinds):
        return None
    cols = dict(header.cols)
    order = list(header.order)
    a, b = cols.pop("hours")
    pos = order.index("hours")
    new: list[str] = []
    for cell, m in kinds:
        assert m is not None
        name = "hours_theory" if m.group("kind") in ("理论", "讲授") else "hours_practice"
        if name in cols or cell.bbox is None:
            return None
        cols[name] = (cell.bbox[0], cell.bbox[2])
        new.append(name)
    order[pos : pos + 1] = new
    lo, hi = min(cols[n][0] for n in new), max(cols[n][1] for n in new)
    if hi < a - 2 or lo > b + 2:
        return None  # not under the hours column
    return Header(cols, order, header.row)


def _is_stop(row: Row) -> bool:
    """A row that ends a column table: a known label, a section header or a total line."""
    first = next((c.text for c in row.cells if c.text.strip()), "")
    if not first:
        return False
    if _SECTION.match(first.strip()):
        return True
    key = match_label(first)
    if key is None:
        m = inline_pattern().match(first.strip())
        key = match_label(m.group(1)) if m else None
    return key is not None and key not in ("lead.title", "_ctx")


def parse_table(
    rows: list[Row], start: int, header: Header, spec: dict[str, tuple[str, ...]], min_cols: int
) -> tuple[list[TableRow], set[int]]:
    """Data rows after a header until a stop row; returns parsed rows and the row indices used."""
    out: list[TableRow] = []
    used = {start}
    top = header
    for ri in range(start + 1, len(rows)):
        row = rows[ri]
        texts = [c.text for c in row.cells if c.text.strip()]
        if not texts:
            used.add(ri)
            continue
        if len(texts) == 1 and is_page_number(texts[0]):
            continue
        sub = _sub_header(row, top)
        if sub is not None:
            header = sub
            used.add(ri)
            continue
        again = find_header(row, spec, tuple(top.named())[:2])
        if again:  # the header repeated on a new page (its columns may sit elsewhere there)
            header = top = again if set(again.named()) >= set(top.named()) else top
            used.add(ri)
            continue
        if _TOTAL.match(texts[0]) or _is_stop(row):
            break
        if row.table < 0 and _unruled_body(rows, ri, header):
            band_rows, band_used, ri_end = _band_table(rows, ri, header, min_cols)
            out.extend(band_rows)
            used |= band_used
            again = (
                find_header(rows[ri_end], spec, tuple(top.named())[:2]) if band_rows and ri_end < len(rows) else None
            )
            if again is not None:  # the header repeated after a page break: the table goes on
                more, more_used = parse_table(rows, ri_end, again, spec, min_cols)
                out.extend(more)
                used |= more_used
            break
        cells = _assign(row, header)
        filled = [c for c in cells if c != "seq"]
        if out and "name" not in cells and "seq" not in cells and 0 < len(filled) <= 2:
            prev_row = rows[out[-1].row_index]
            # a wrapped line continues the row above on the same page, inside the same ruled table
            if prev_row.page == row.page and (prev_row.table < 0 or prev_row.table == row.table):
                _merge(out[-1], cells)
                used.add(ri)
                continue
            if len(texts) == 1:  # running header/footer on a new page
                continue
        if len(filled) < min_cols:
            break
        out.append(TableRow({k: c.text for k, c in cells.items()}, cells, ri))
        used.add(ri)
    return out, used


def _unruled_body(rows: list[Row], ri: int, header: Header) -> bool:
    """True when the table's body from rows[ri] is unruled text whose cells must be rebuilt from geometry.

    That is so when the header is a shaded/ruled row but the body is not (online systems shade only
    the header), or when body lines overlap vertically (wrapped cells centred in their row).
    """
    if len(header.named()) < 3 or any(c.bbox is None for c in rows[ri].cells):
        return False
    if header.row.table >= 0 and header.row.page == rows[ri].page:
        return True
    nxt = rows[ri + 1] if ri + 1 < len(rows) else None
    a, b = rows[ri].cells[0].bbox, nxt.cells[0].bbox if nxt and nxt.cells else None
    return bool(
        a
        and b
        and nxt is not None
        and nxt.page == rows[ri].page
        and nxt.table < 0
        and b[1] < max(c.bbox[3] for c in rows[ri].cells if c.bbox) - 0.5
    )


def _pieces(cell: Cell) -> list[Cell]:
    """A text cell split at its spaces (an unruled row's neighbouring columns may be one text run)."""
    return _split_spaced(cell) if " " in cell.text.strip() and cell.bbox else [cell]


def _band_table(rows: list[Row], start: int, header: Header, min_cols: int) -> tuple[list[TableRow], set[int], int]:
    """Rows of an unruled table body: lines grouped into vertical bands, each band one row, columns by x.

    Returns the rows, the indices used and the index of the first row after the body.
    """
    lines: list[tuple[int, list[Cell]]] = []
    ri = start
    page = rows[start].page
    while ri < len(rows):
        row = rows[ri]
        texts = [c.text for c in row.cells if c.text.strip()]
        if row.table >= 0 or row.page != page:
            break
        if texts and (_TOTAL.match(texts[0]) or _is_stop(row) or any(c.bbox is None for c in row.cells)):
            break
        if texts and not (len(texts) == 1 and is_page_number(texts[0])):
            lines.append((ri, [p for c in row.cells if c.text.strip() for p in _pieces(c)]))
        ri += 1
    if not lines:
        return [], set(), ri
    heights = sorted(c.bbox[3] - c.bbox[1] for _, cs in lines for c in cs if c.bbox)
    line_h = heights[0] if heights else 10.0  # one text line (a band of wrapped lines is taller)
    bands: list[list[tuple[int, list[Cell]]]] = []
    bottom = -1e9
    for item in lines:
        top = min(c.bbox[1] for c in item[1] if c.bbox)
        if bands and top - bottom < 0.6 * line_h:
            bands[-1].append(item)
        else:
            bands.append([item])
        bottom = max(bottom if len(bands[-1]) > 1 else -1e9, max(c.bbox[3] for c in item[1] if c.bbox))
    cols = [c for c in header.order if c]
    out: list[TableRow] = []
    used: set[int] = set()
    end = ri
    for band in bands:
        by_col: dict[str, list[Cell]] = {}
        for _, cells in band:
            for cell in cells:
                col = _nearest(cell, header, cols)
                if col and not col.startswith("_"):
                    by_col.setdefault(col, []).append(cell)
        merged: dict[str, Cell] = {}
        for col, cells in by_col.items():
            cells.sort(key=lambda c: (c.bbox[1] if c.bbox else 0.0, c.bbox[0] if c.bbox else 0.0))
            merged[col] = Cell(join_lines([c.text for c in cells]), cells[0].page, cells[0].bbox, cells[0].source)
        if len([c for c in merged if c != "seq"]) < min_cols:
            end = band[0][0]
            break
        out.append(TableRow({k: c.text for k, c in merged.items()}, merged, band[0][0]))
        used.update(i for i, _ in band)
    return out, used, end


def _merge(prev: TableRow, cells: dict[str, Cell]) -> None:
    """Append a wrapped continuation line to the previous row."""
    for col, cell in cells.items():
        prev.values[col] = join_lines([prev.values.get(col, ""), cell.text])
        prev.cells.setdefault(col, cell)


def find_tables(
    rows: list[Row], spec: dict[str, tuple[str, ...]], need: tuple[str, ...], min_cols: int
) -> tuple[list[TableRow], set[int]]:
    """Every table with this header in the document, concatenated (continuations included)."""
    out: list[TableRow] = []
    used: set[int] = set()
    ri = 0
    while ri < len(rows):
        header = None if ri in used else find_header(rows[ri], spec, need)
        if header is None:
            ri += 1
            continue
        parsed, u = parse_table(rows, ri, header, spec, min_cols)
        out.extend(parsed)
        used |= u
        ri = max(u) + 1
    return out, used


_EVENT_LINE = re.compile(
    r"第\s*([\d一二三四五六七八九十]+)\s*期\s*[:：]?\s*举办时间\s*[:：]?\s*(?P<time>.+?)\s*[，,;；]\s*"
    r"(?:举办)?天数\s*[:：]?\s*(?P<days>.+?)\s*[，,;；]\s*(?:举办)?地点\s*[:：]?\s*(?P<venue>.+?)\s*[。.]?$"
)
_EVENT_START = re.compile(r"^\s*第\s*[\d一二三四五六七八九十]+\s*期\s*[:：]?\s*举办时间")
_TEACHER_START = re.compile(r"^\s*\d+\s*[.、)]?\s*(姓\s*名|教师姓名)\s*[:：]")
_TEACHER_FIELD = re.compile(
    r"(姓\s*名|专\s*业\s*技\s*术\s*职\s*称|教\s*学\s*方\s*法|所\s*在\s*单\s*位|讲\s*授\s*题\s*目\s*或\s*实\s*验\s*内\s*容|学\s*时)"
    r"(?:\s*[（(][^）)]{0,6}[）)])?\s*[:：]"
)


def _gather(rows: list[Row], ri: int, start: re.Pattern[str], done: re.Pattern[str] | None) -> tuple[str, list[int]]:
    """Text of a record starting at rows[ri], including wrapped continuation lines."""
    idx, text = [ri], rows[ri].text
    while idx[-1] + 1 < len(rows) and len(idx) < 4:
        nxt = rows[idx[-1] + 1]
        if not nxt.text.strip() or start.match(nxt.text) or _is_stop(nxt) or (done and done.search(text)):
            break
        if nxt.page != rows[idx[-1]].page:
            break
        idx.append(idx[-1] + 1)
        text = join_lines([text, nxt.text])
    return text, idx


_SESSION_START = re.compile(r"^\s*第\s*[\d一二三四五六七八九十]+\s*期\s*[:：]?")
_HAS_DATE = re.compile(r"\d{4}\s*[年\-./]\s*\d{1,2}")


def find_event_lines(rows: list[Row]) -> tuple[list[TableRow], set[int]]:
    """Printout sessions, one per line: '第1期：举办时间 …，举办天数 3天，举办地点 …' or '第1期：日期至日期，地点，N天'."""
    out: list[TableRow] = []
    used: set[int] = set()
    for ri, row in enumerate(rows):
        if ri in used or not _SESSION_START.match(row.text):
            continue
        text, idx = _gather(rows, ri, _SESSION_START, None)
        cell = row.cells[0]
        m = _EVENT_LINE.search(text)
        if m:
            vals = {k: m.group(k) for k in ("time", "days", "venue")}
        elif _HAS_DATE.search(text) and len(_SESSION_START.findall(text)) == 1:
            vals = {"session": _SESSION_START.sub("", text, count=1)}
        else:
            continue
        out.append(TableRow(vals, {k: cell for k in vals}, ri))
        used.update(idx)
    return out, used


_TEACHER_COL_OF = {
    "姓名": "name",
    "专业技术职称": "title",
    "教学方法": "method",
    "所在单位": "unit",
    "讲授题目或实验内容": "topic",
    "学时": "hours",
}


def find_teacher_lines(rows: list[Row]) -> tuple[list[TableRow], set[int]]:
    """Printout teachers written one per line: '1. 姓名：… 专业技术职称：… … 学时：1.5'."""
    out: list[TableRow] = []
    used: set[int] = set()
    done = re.compile(r"学\s*时(?:\s*[（(][^）)]{0,6}[）)])?\s*[:：]\s*\S")
    for ri, row in enumerate(rows):
        if ri in used or not _TEACHER_START.match(row.text):
            continue
        text, idx = _gather(rows, ri, _TEACHER_START, done)
        marks = list(_TEACHER_FIELD.finditer(text))
        vals: dict[str, str] = {}
        for i, m in enumerate(marks):
            col = _TEACHER_COL_OF.get(re.sub(r"\s+", "", m.group(1)))
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            if col and col not in vals:
                vals[col] = text[m.end() : end].strip()
        if "name" in vals:
            cell = row.cells[0]
            out.append(TableRow(vals, {k: cell for k in vals}, ri))
            used.update(idx)
    return out, used
