"""Label/value pairing over rows: same cell after a colon, the next cell, or the next line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from review.extract.labels import CONTEXT_KEYS, NARRATIVE_KEYS, inline_pattern, label_key, match_label, prefix_label
from review.extract.pdfio import Cell, Row
from review.normalize import join_lines, squash

_PAGE_NO = re.compile(
    r"^(第\s*\d+\s*页(\s*[/，,]?\s*共\s*\d+\s*页)?|[-—]\s*\d+\s*[-—]|\d+\s*/\s*\d+|page\s*\d+)$", re.I
)


@dataclass
class Token:
    """A label or a value piece inside a row."""

    text: str
    cell: Cell
    key: Optional[str] = None  # set for labels
    label: str = ""  # label_key of the label text
    inline: bool = False  # label came with a colon inside a longer cell


@dataclass
class Found:
    """A value found for a key, with the cells it came from; `more` holds later values found for the same key."""

    text: str
    cells: list[Cell] = field(default_factory=list)
    more: list[Found] = field(default_factory=list)

    def candidates(self) -> list[Found]:
        """This value, then the later ones, in document order."""
        return [self, *self.more]


def is_page_number(text: str) -> bool:
    """True for page footers like '第 2 页', '- 2 -', '2/5'."""
    return bool(_PAGE_NO.match(text.strip()))


def _unwrap(text: str) -> str:
    """A value's wrapped lines joined without inventing characters."""
    return join_lines(text.split("\n"))


def _split_cell(cell: Cell) -> list[Token]:
    """Tokens of one cell: a whole-cell label, a long label with its value, 'label：value' pieces, or a value."""
    raw = "\n".join(cell.lines) if cell.lines else cell.text
    whole_pre = prefix_label(cell.text) if cell.lines else None
    if whole_pre is not None and whole_pre[1] >= len(cell.text.rstrip()):
        return [Token(cell.text, cell, whole_pre[0], label_key(cell.text))]  # a label wrapped over its cell's lines
    pre = prefix_label(raw)
    if pre is not None:
        key, end = pre
        lab = _unwrap(raw[:end])
        return [Token(lab, cell, key, label_key(lab))] + _inline_tokens(raw[end:], cell)
    whole = match_label(cell.text)
    if whole:
        return [Token(cell.text, cell, whole, label_key(cell.text))]
    return _inline_tokens(raw, cell)


def _inline_tokens(raw: str, cell: Cell) -> list[Token]:
    """'label：value' pieces of a text (line breaks kept as \n), or the text as one value."""
    matches = list(inline_pattern().finditer(raw))
    if not matches:
        text = _unwrap(raw)
        return [Token(text, cell)] if text else []
    toks: list[Token] = []
    head = _unwrap(raw[: matches[0].start()])
    if head:
        toks.append(Token(head, cell))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(raw)
        lab = _unwrap(m.group(1))
        k = match_label(lab) or "_ctx"
        toks.append(Token(lab, cell, k, label_key(lab), inline=True))
        val = _unwrap((m.group("box") or "") + raw[m.end() : end])
        if val:
            toks.append(Token(val, cell))
    return toks


def tokenize(row: Row) -> list[Token]:
    """Tokens of a row, keeping empty table cells as empty values."""
    toks: list[Token] = []
    for cell in row.cells:
        if not cell.text.strip():
            toks.append(Token("", cell))
            continue
        toks.extend(_split_cell(cell))
    return toks


def _resolve(tok: Token, ctx: str) -> Optional[str]:
    """Final key of a label token given the section context."""
    if ctx == "peer" and tok.label in _PEER:
        return _PEER[tok.label]
    if tok.key == "_ctx":
        return _LEAD.get(tok.label)
    return tok.key


_PEER = {label_key(k): v for k, v in CONTEXT_KEYS["peer"].items()}
_LEAD = {label_key(k): v for k, v in CONTEXT_KEYS["lead"].items()}


def _next_context(key: Optional[str], ctx: str) -> str:
    if key is None or key == "_stop":
        return "lead" if key == "_stop" else ctx
    if key == "peer_review" or key.startswith("peer_reviewer"):
        return "peer"
    return "lead"


def _starts_with_label(toks: list[Token]) -> bool:
    first = next((t for t in toks if t.text.strip()), None)
    return first is not None and first.key is not None


def pair_rows(rows: list[Row], skip: frozenset[int] = frozenset()) -> dict[str, Found]:
    """Walk rows in order (skipping rows owned by table parsers) and collect the first non-empty value per key."""
    margins = _right_margins(rows)
    rows = join_split_labels(rows, margins, skip)
    rows = lift_centred_labels(rows, skip)
    tokenized = [[] if i in skip else tokenize(r) for i, r in enumerate(rows)]
    found: dict[str, Found] = {}
    ctx = "lead"
    for ri, toks in enumerate(tokenized):
        for ti, tok in enumerate(toks):
            if tok.key is None:
                continue
            key = _resolve(tok, ctx)
            ctx = _next_context(key, ctx)
            if key is None or key == "_stop":
                continue
            values = _values_in_row(toks, ti)
            if key in NARRATIVE_KEYS:
                values = values + _following_rows(rows, tokenized, ri, skip)
            elif not values and _last_in_row(toks, ti):
                values = _next_line_value(rows, tokenized, ri)
            elif values and _is_full(rows[ri], margins) and all(t.key is None for t in toks[ti + 1 :]):
                values = values + _wrapped_rows(rows, tokenized, ri, margins, skip)
            text = _join_values(values, key in NARRATIVE_KEYS)
            cells = [v.cell for v in values] or [tok.cell]
            _add(found, key, Found(text, cells))
    return found


def _join_values(values: list[Token], narrative: bool) -> str:
    """A value's text: narrative pieces and wrapped lines joined without spaces, cells of one row with one."""
    if narrative:
        return join_lines([v.text for v in values])
    out = ""
    for i, v in enumerate(values):
        if not v.text:
            continue
        a, b = (values[i - 1].cell.bbox, v.cell.bbox) if i > 0 and v.cell is not values[i - 1].cell else (None, None)
        wrapped = a is not None and b is not None and b[1] > a[3] - 1
        out = join_lines([out, v.text]) if wrapped else (out + " " + v.text if out else v.text)
    return out.strip()


WRAP_SLACK = (
    6.0  # a text line ending within this many character widths of the right margin is full (a date may not fit)
)


def _right_margins(rows: list[Row]) -> dict[int, float]:
    """Right edge of the text block per page (the largest x1 of a text line)."""
    out: dict[int, float] = {}
    for r in rows:
        if r.table < 0 and r.cells and r.cells[-1].bbox:
            out[r.page] = max(out.get(r.page, 0.0), r.cells[-1].bbox[2])  # type: ignore[index]
    return out


def _is_full(row: Row, margins: dict[int, float]) -> bool:
    """True for a text line that runs to the right margin (its value wraps onto the next line)."""
    if row.table >= 0 or not row.cells or not row.cells[-1].bbox or row.page not in margins:
        return False
    x0, top, x1, bottom = row.cells[-1].bbox  # type: ignore[misc]
    return x1 >= margins[row.page] - WRAP_SLACK * max(bottom - top, 4.0)


def _wrapped_rows(
    rows: list[Row], tokenized: list[list[Token]], ri: int, margins: dict[int, float], skip: frozenset[int]
) -> list[Token]:
    """The continuation lines of a wrapped printout value: following lines without a label, while lines are full."""
    out: list[Token] = []
    for nxt in range(ri + 1, min(ri + 12, len(rows))):
        toks = tokenized[nxt]
        if nxt in skip or rows[nxt].table >= 0 or rows[nxt].page != rows[ri].page or not toks:
            break
        if _starts_with_label(toks) or is_page_number(rows[nxt].text) or is_heading(rows[nxt]):
            break
        for tok in toks:
            if tok.key is not None:
                return out
            out.append(tok)
        if not _is_full(rows[nxt], margins):
            break
    return out


_FRAGMENT = re.compile(r"^([^:：\s]{1,12})[:：]")


def join_split_labels(rows: list[Row], margins: dict[int, float], skip: frozenset[int]) -> list[Row]:
    """Printout lines where a label wraps ('实践(技术示范)时长(' + '小时):6'): the fragment rejoins its label.

    Returns a list of the same length (row indices stay valid); the next line loses the moved cell.
    """
    out = list(rows)
    for i in range(len(rows) - 1):
        a, b = out[i], out[i + 1]
        if i in skip or i + 1 in skip or a.table >= 0 or b.table >= 0 or a.page != b.page or not a.cells or not b.cells:
            continue
        m = _FRAGMENT.match(b.cells[0].text)
        if not m or not _is_full(a, margins) or match_label(m.group(1)):
            continue
        tail = a.cells[-1].text[-16:]
        hit = next((h for h in inline_pattern().finditer(tail + m.group(0)) if h.end() > len(tail)), None)
        if hit is None or hit.start() >= len(tail):
            continue
        last = a.cells[-1]
        merged = Cell(last.text + b.cells[0].text, last.page, last.bbox, last.source)
        out[i] = Row([*a.cells[:-1], merged], a.page, a.top, a.table)
        out[i + 1] = Row(b.cells[1:], b.page, b.top, b.table)
    return out


def _block_line(row: Row, label: Cell, prev: Row, lh: float) -> bool:
    """True when a text line belongs to the value column right of a label cell (no text left of it, no gap)."""
    if row.table >= 0 or row.page != label.page or not row.cells or row.cells[0].bbox is None:
        return False
    assert label.bbox is not None
    x0, top, _, bottom = row.cells[0].bbox
    ptop = min(c.bbox[1] for c in prev.cells if c.bbox) if prev.cells and prev.cells[0].bbox else None
    pbottom = max(c.bbox[3] for c in prev.cells if c.bbox) if prev.cells and prev.cells[0].bbox else None
    if ptop is None or pbottom is None:
        return False
    near = top - pbottom <= lh or ptop - bottom <= lh
    return x0 >= label.bbox[2] - 0.5 and near and not is_heading(row) and not _starts_with_label(tokenize(row))


def lift_centred_labels(rows: list[Row], skip: frozenset[int]) -> list[Row]:
    """A label cell centred beside its wrapped value (unruled grids): the label moves to the value's first line.

    Without ruling lines, a label centred in a tall row lands between its value's lines in reading
    order; the value lines above it are its own, not the previous field's, when they stand in the
    value column (nothing left of the label's right edge) and the label sits at the block's middle.
    Returns a list of the same length (row indices stay valid).
    """
    out = list(rows)
    for i, row in enumerate(rows):
        if i in skip or row.table >= 0 or not out[i].cells or out[i].cells[0].bbox is None:
            continue
        found = _label_run(out, i, skip)
        split = _split_left_runs(out, i, skip)
        found_split = _label_run(split, i, skip) if split is not None else None
        if split is not None and found_split is not None and (found is None or len(found_split[1]) > len(found[1])):
            found = found_split
            out[:] = split
        if found is None:
            continue
        label, parts = found
        assert label.bbox is not None
        lh = max(min(c.bbox[3] - c.bbox[1] for c in (out[n].cells[0] for n in parts) if c.bbox), 4.0)
        if len(parts) > 1:  # a label wrapped inside its cell: its pieces leave their lines
            for n in parts:
                out[n] = Row(out[n].cells[1:], out[n].page, out[n].top, out[n].table)
            row = Row([label, *out[i].cells], row.page, row.top, row.table)
            below_from = parts[-1] + 1
        else:
            below_from = i + 1
        above, j = [], i - 1
        while j >= 0 and j not in skip and _block_line(rows[j], label, rows[j + 1], lh):
            above.append(j)
            j -= 1
        if not above:
            _gather_label(out, label, parts)
            continue
        below, k = [n for n in parts[1:] if out[n].cells], below_from
        while k < len(rows) and k not in skip and _block_line(rows[k], label, rows[k - 1], lh):
            below.append(k)
            k += 1
        block = [out[n] for n in above + below] + ([row] if len(row.cells) > 1 else [])
        top = min(c.bbox[1] for r in block for c in r.cells if c.bbox)
        bottom = max(c.bbox[3] for r in block for c in r.cells if c.bbox)
        cy = (label.bbox[1] + label.bbox[3]) / 2
        if abs(cy - (top + bottom) / 2) > 0.75 * lh:
            _gather_label(out, label, parts)
            continue
        first = above[-1]
        out[first] = Row([label, *out[first].cells], out[first].page, out[first].top, out[first].table)
        out[i] = Row(row.cells[1:], row.page, row.top, row.table)
    return out


def _gather_label(out: list[Row], label: Cell, parts: list[int]) -> None:
    """A label wrapped over lines (pieces already taken out) with the values on those lines: one row at the first."""
    if len(parts) < 2:
        return
    first = out[parts[0]]
    values = [c for n in parts for c in out[n].cells]
    for n in parts[1:]:
        out[n] = Row([], out[n].page, out[n].top, out[n].table)
    out[parts[0]] = Row([label, *values], first.page, first.top, first.table)


def _split_left_runs(rows: list[Row], i: int, skip: frozenset[int]) -> Optional[list[Row]]:
    """Rows i… with a narrow label column's piece and the value's line run together into one cell split apart.

    The value column's left edge comes from the line above (a value line standing alone in that column);
    a line starting left of it whose text has a space there is two cells: label piece, value piece.
    """
    above_box = rows[i - 1].cells[0].bbox if i > 0 and rows[i - 1].cells else None
    own_box = rows[i].cells[0].bbox
    if above_box is None or own_box is None:
        return None
    value_x = above_box[0]
    if value_x < own_box[0] + 20:
        return None
    out = list(rows)
    changed = False
    for n in range(i, min(i + 5, len(rows))):
        r = rows[n]
        if n in skip or r.table >= 0 or r.page != rows[i].page or not r.cells or r.cells[0].bbox is None:
            break
        c = r.cells[0]
        assert c.bbox is not None
        if c.bbox[0] >= value_x - 2:
            break
        if c.bbox[2] <= value_x:
            continue
        head, sep, tail = c.text.partition(" ")
        if not sep or len(head) > 16:
            break
        x0, top, x1, bottom = c.bbox
        pieces = [
            Cell(head, c.page, (x0, top, value_x - 4, bottom), c.source),
            Cell(tail, c.page, (value_x, top, x1, bottom), c.source),
        ]
        out[n] = Row([*pieces, *r.cells[1:]], r.page, r.top, r.table)
        changed = True
    return out if changed else None


def _label_run(rows: list[Row], i: int, skip: frozenset[int]) -> Optional[tuple[Cell, list[int]]]:
    """A label cell at rows[i] (alone at its line's left), or a label wrapped over the left cells of rows i, i+1 …"""
    first = rows[i].cells[0]
    fbox = first.bbox
    if fbox is None:
        return None
    second = rows[i].cells[1].bbox if len(rows[i].cells) > 1 else None
    value_x = second[0] if second else None
    if value_x is not None and value_x < fbox[2]:
        return None
    best: Optional[tuple[Cell, list[int]]] = None
    if match_label(first.text) or prefix_label(first.text) is not None:
        if first.text.rstrip().endswith(("：", ":")) or value_x is None:
            return first, [i]
        best = first, [i]  # a long label may go on in its column on the next lines
    prev = rows[i - 1].cells[0].bbox if i > 0 and rows[i - 1].cells else None
    if prev is not None and not _starts_with_label(tokenize(rows[i - 1])):
        if abs(prev[0] - fbox[0]) < 2 and prev[2] <= (value_x or 1e9) and len(rows[i - 1].cells) > 1:
            return None  # not the first piece of a wrapped label
    parts, texts = [i], [first.text]
    for n in range(i + 1, min(i + 6, len(rows))):
        r = rows[n]
        if n in skip or r.table >= 0 or r.page != rows[i].page or not r.cells or r.cells[0].bbox is None:
            break
        c = r.cells[0]
        assert c.bbox is not None
        if abs(c.bbox[0] - fbox[0]) > 6 or (value_x is not None and c.bbox[2] > value_x):
            break
        if len(squash(c.text)) > 16 or match_label(c.text) or inline_pattern().match(c.text.strip()):
            break  # a label cell's line is short and no label of its own; a long line is a value
        parts.append(n)
        texts.append(c.text)
        joined = join_lines(texts)
        key = match_label(joined) or (prefix_label(joined) or (None, 0))[0]
        if best is not None or (key is not None and not key.startswith("_") and not re.match(r"\d", first.text)):
            # once the lines read as a label, the label cell's further lines in its column belong to it
            cells = [rows[k].cells[0] for k in parts]
            boxes = [c.bbox for c in cells if c.bbox]
            box = (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
            best = Cell(joined, first.page, box, first.source), list(parts)  # the whole cell is the label
            if joined.rstrip().endswith(("：", ":")):
                break  # the label's colon ends it
    return best


def _add(found: dict[str, Found], key: str, new: Found) -> None:
    """Keep the first non-empty value for a key and every later one as a candidate."""
    old = found.get(key)
    if old is None:
        found[key] = new
    elif not old.text and new.text:
        new.more = old.more
        found[key] = new
    elif new.text:
        old.more.append(new)


def _values_in_row(toks: list[Token], ti: int) -> list[Token]:
    """Value tokens after a label up to the next label in the same row."""
    out: list[Token] = []
    for tok in toks[ti + 1 :]:
        if tok.key is not None:
            break
        out.append(tok)
    return out


def _last_in_row(toks: list[Token], ti: int) -> bool:
    return ti == len(toks) - 1


def _next_line_value(rows: list[Row], tokenized: list[list[Token]], ri: int) -> list[Token]:
    """The next row's leading value tokens, when it does not start with a label."""
    for nxt in range(ri + 1, min(ri + 3, len(rows))):
        toks = tokenized[nxt]
        if not toks or all(is_page_number(t.text) for t in toks if t.text):
            continue
        if _starts_with_label(toks) or rows[nxt].table != rows[ri].table and rows[ri].table >= 0:
            return []
        if is_heading(rows[nxt]) or _TITLE_LINE.search(squash(rows[nxt].text)):
            return []  # a cover's blank '申请代码：' is followed by the form's title, not by its value
        first = [t for t in toks if t.key is None and t.text]
        return first[:1]
    return []


def _following_rows(rows: list[Row], tokenized: list[list[Token]], ri: int, skip: frozenset[int]) -> list[Token]:
    """Rows after a narrative label until the next label row (across pages)."""
    out: list[Token] = []
    last = rows[ri]
    for nxt in range(ri + 1, len(rows)):
        if nxt in skip:
            break
        toks = tokenized[nxt]
        texts = [t for t in toks if t.text.strip()]
        if not texts:
            continue
        if len(texts) == 1 and is_page_number(texts[0].text):
            continue
        if _starts_with_label(toks) or is_heading(rows[nxt]) or _left_table(rows[ri], last, rows[nxt]):
            break
        last = rows[nxt]
        for tok in toks:
            if tok.key is not None:
                return out
            if tok.text:
                out.append(tok)
    return out


_TITLE_LINE = re.compile(r"申报书|推荐项目|登记表|审批表|^[（(]\d{4}\s*年?[)）]$")
_HEADING_END = re.compile(r"(承诺书|承诺|声明|附件\s*\d*|填表说明|填写说明|申报书|登记表|审批表)[:：]?$")
_HEADING_START = re.compile(
    r"^([一二三四五六七八九十]+、|第[一二三四五六七八九十\d]+部分|[（(][一二三四五六七八九十]+[)）])"
)


def is_heading(row: Row) -> bool:
    """A section heading line ('三、课程及教师信息', '继续医学教育项目负责人承诺书'): it ends any narrative."""
    if len(row.cells) != 1:
        return False
    t = squash(row.text)
    if not t or len(t) > 30:
        return False
    return bool(_HEADING_END.search(t)) or (bool(_HEADING_START.match(t)) and len(t) <= 16 and "，" not in t)


def _left_table(origin: Row, last: Row, row: Row) -> bool:
    """True when a narrative that sits in a table has reached text after that table on the same page."""
    if origin.table < 0 or row.page != last.page:
        return False
    return row.table != last.table
