"""近三年继续医学教育项目申报、执行情况: one line per year with ticks and project codes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from review.extract.pdfio import Cell, Row
from review.form import HistoryYear
from review.normalize import nfkc, parse_bool_yesno, parse_checkbox, squash, ticked_options

_YEAR_LINE = re.compile(r"(20\d{2})\s*年\s*继续医学教育项目")
_CODE = re.compile(r"\d{4}\s*-\s*\d{2}\s*-\s*\d{2}\s*-\s*\d{3}")


@dataclass
class HistoryLine:
    """One year's parsed line with the cells it came from."""

    year: HistoryYear
    raw: str
    cells: list[Cell] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


def _code_after(text: str, label: str, stop: str) -> str | None:
    """The project code written after a label (up to the next label)."""
    i = text.find(label)
    if i < 0:
        return None
    rest = text[i + len(label) :]
    j = rest.find(stop) if stop else -1
    if j >= 0:
        rest = rest[:j]
    m = _CODE.search(rest)
    return squash(m.group()) if m else None


def parse_history_text(text: str) -> HistoryYear:
    """Parse '2023年…申报情况: 国家级 ☑ 省级 □ , 是否执行: 是 ☑ 否 □ 。 国家级项目编号: …、省级项目编号: …'.

    Without 是否执行/项目编号 labels (a table row '2023 | ☑国家级 □省级 | ☑是 □否 | 2023-03-04-021') the
    是/否 ticks after the levels are the execution and a bare code belongs to the ticked level.
    """
    t = squash(nfkc(text))
    m = _YEAR_LINE.search(t) or _YEAR_START.match(t)
    year = int(m.group(1)) if m else None
    cut = t.find("是否执行")
    if cut < 0:
        cut = _first_yes_no(t)
    level_part = t[:cut] if cut >= 0 else t
    exec_part = t[cut:] if cut >= 0 else ""
    code_at = exec_part.find("项目编号")
    if code_at < 0:
        code = _CODE.search(exec_part)
        code_at = code.start() if code else -1
    if code_at >= 0:
        exec_part = exec_part[:code_at]
    levels = ticked_options(level_part.replace("项目申报情况", ""), ("国家级", "省级"))
    has_boxes = any(mk in level_part for mk in ("□", "☐", "☑", "■", "√", "✓", "✔", "[", "●", "○"))
    executed_opts = ticked_options(exec_part.replace("是否执行", ""), ("是", "否"))
    national = ("国家级" in levels) if has_boxes or levels else None
    provincial = ("省级" in levels) if has_boxes or levels else None
    ncode, pcode = _code_after(t, "国家级项目编号", "省级项目编号"), _code_after(t, "省级项目编号", "")
    if "项目编号" not in t:
        bare = [squash(c.group()) for c in _CODE.finditer(t)]
        ncode = bare[0] if bare and national else None
        pcode = bare[-1] if bare and provincial and not (national and len(bare) == 1) else None
    return HistoryYear(
        year=year,
        national=national,
        provincial=provincial,
        executed=(executed_opts[0] == "是") if executed_opts else None,
        national_code=ncode,
        provincial_code=pcode,
    )


_YEAR_START = re.compile(r"^(20\d{2})\s*(?:年度?)?(?![\d\-./月])")
_HISTORY_LABEL = ("近三年继续医学教育项目", "近三年", "申报、执行情况", "执行情况")


def _first_yes_no(t: str) -> int:
    """Where the 是/否 choice starts after the level options (-1 when there is none)."""
    m = re.search(r"[□☐☑■√✓✔●○]?\s*是\s*[□☐☑■√✓✔●○]", t)
    return m.start() if m else -1


def _year_starts(text: str, in_section: bool) -> list[int]:
    """Offsets in text where a year's record begins ('2023年继续医学教育项目…', or a bare '2023' row in the section)."""
    starts = [m.start() for m in _YEAR_LINE.finditer(text)]
    if not starts and in_section:
        m = _YEAR_START.match(text.strip())
        if m and _ANY_BOX.search(text):
            starts = [len(text) - len(text.lstrip())]
    return starts


_ANY_BOX = re.compile(r"[□☐☑■√✓✔●○]|\[\s*[xX√]?\s*\]")


def _complete(text: str) -> bool:
    """True when a year's text already holds its last part (the provincial code label, or a table row's code)."""
    t = squash(nfkc(text))
    return "省级项目编号" in t or ("项目编号" not in t and "是否执行" not in t)


def _flag(text: str) -> bool | None:
    """A ticked/empty box or 是/否 in a history table cell."""
    yn = parse_bool_yesno(text)
    if yn is None:
        t = squash(nfkc(text))
        # a status word instead of 是/否: 已执行 / 未执行, 已举办 / 未举办 (a negation first: 未 inside the word)
        if re.fullmatch(r"(未|没有|尚未|不)(执行|举办|实施)|否", t):
            return False
        if re.fullmatch(r"(已|已经)?(执行|举办|实施)(完成|完毕)?|已完成", t):
            return True
    return yn if yn is not None else parse_checkbox(text)


def history_table(rows: list[Row], start: int) -> tuple[list[HistoryLine], set[int]]:
    """A history table: a header (年度 | 国家级 | 省级 | 是否执行 | 项目编号…) at rows[start], one row per year."""
    from review.extract.tables import HISTORY_COLS, _assign, find_header

    header = find_header(rows[start], HISTORY_COLS, ("year",))
    if (
        header is None
        or len(header.named()) < 3
        or not {"national", "provincial", "level", "executed"} & set(header.cols)
    ):
        return [], set()
    out: list[HistoryLine] = []
    used = {start}
    ri, last = start + 1, start + 8
    while ri < min(last, len(rows)):
        again = find_header(rows[ri], HISTORY_COLS, ("year",)) if rows[ri].page != rows[ri - 1].page else None
        if again is not None and set(again.named()) >= set(header.named()):
            header = again  # the table goes on after a page break under its repeated header
            used.add(ri)
            ri, last = ri + 1, last + 1
            continue
        cells = _assign(rows[ri], header)
        m = _YEAR_START.match(squash(nfkc(cells["year"].text))) if "year" in cells else None
        if m is None:
            break
        out.append(HistoryLine(_history_row(int(m.group(1)), cells), rows[ri].text, list(cells.values()), [ri]))
        used.add(ri)
        ri += 1
    return out, used


def _history_row(year: int, cells: dict[str, Cell]) -> HistoryYear:
    """One history table row typed: ticks per level column (or one 级别 column), 执行, codes by column or level."""
    text = {k: c.text for k, c in cells.items()}
    national, provincial = _flag(text.get("national", "")), _flag(text.get("provincial", ""))
    if "level" in text:
        levels = ticked_options(text["level"], ("国家级", "省级"))
        national, provincial = "国家级" in levels, "省级" in levels
    codes = {
        k: squash(m.group())
        for k in ("national_code", "provincial_code", "code")
        if (m := _CODE.search(text.get(k, "")))
    }
    if "code" in codes:
        codes.setdefault("provincial_code" if provincial and not national else "national_code", codes["code"])
    # a scan may lose a lone tick: a level with its own project code was declared, the other level was not
    if national is None and "national_code" in codes:
        national = True
    if provincial is None and "provincial_code" in codes:
        provincial = True
    if national is not None and provincial is None:
        provincial = False if national else None
    if provincial is not None and national is None:
        national = False if provincial else None
    return HistoryYear(
        year=year,
        national=national,
        provincial=provincial,
        executed=_flag(text.get("executed", "")),
        national_code=codes.get("national_code"),
        provincial_code=codes.get("provincial_code"),
    )


def find_history(rows: list[Row]) -> tuple[list[HistoryLine], set[int]]:
    """Every year record in the document: several may share one cell, one may wrap onto following rows."""
    out: list[HistoryLine] = []
    used: set[int] = set()
    section_left = 0  # rows left in the history section (after its label) where bare year rows count
    ri = 0
    while ri < len(rows):
        text = rows[ri].text
        if any(lab in squash(text) for lab in _HISTORY_LABEL[:1]) or "执行情况" in squash(text):
            section_left = 8
        if section_left > 0 and ri not in used:
            table, tused = history_table(rows, ri)
            if table:
                out.extend(table)
                used |= tused
                ri = max(tused) + 1
                section_left = 0
                continue
        starts = _year_starts(text, section_left > 0)
        section_left = max(section_left - 1, 0)
        if not starts:
            ri += 1
            continue
        idx = [ri]
        body = text[starts[0] :]
        while not _complete(body.split("年继续医学教育项目")[-1]) and idx[-1] + 1 < len(rows) and len(idx) < 4:
            nxt = rows[idx[-1] + 1]
            if _year_starts(nxt.text, section_left > 0):
                break
            idx.append(idx[-1] + 1)
            body += " " + nxt.text
        # the provincial code may sit on the following row
        if idx[-1] + 1 < len(rows) and _tail_code(body) and _CODE.fullmatch(squash(rows[idx[-1] + 1].text) or "-"):
            idx.append(idx[-1] + 1)
            body += rows[idx[-1]].text
        cells = [c for i in idx for c in rows[i].cells if c.text.strip()]
        offsets = [m.start() for m in _YEAR_LINE.finditer(body)] or [0]
        for k, a in enumerate(offsets):
            piece = body[a : offsets[k + 1] if k + 1 < len(offsets) else len(body)]
            out.append(HistoryLine(parse_history_text(piece), piece, cells, idx))
        used.update(idx)
        ri = idx[-1] + 1
    return out, used


def _tail_code(text: str) -> bool:
    """True when the line ends with an empty 省级项目编号 label."""
    return bool(re.search(r"省级项目编号\s*[:：]\s*$", text))
