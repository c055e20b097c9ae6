"""近三年继续医学教育项目申报、执行情况: one line per year with ticks and project codes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from review.extract.pdfio import Cell, Row
from review.form import HistoryYear
from review.normalize import nfkc, squash, ticked_options

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
    """Parse '2023年…申报情况: 国家级 ☑ 省级 □ , 是否执行: 是 ☑ 否 □ 。 国家级项目编号: …、省级项目编号: …'."""
    t = squash(nfkc(text))
    m = _YEAR_LINE.search(t)
    year = int(m.group(1)) if m else None
    cut = t.find("是否执行")
    level_part = t[:cut] if cut >= 0 else t
    exec_part = t[cut:] if cut >= 0 else ""
    code_at = exec_part.find("项目编号")
    if code_at >= 0:
        exec_part = exec_part[:code_at]
    levels = ticked_options(level_part.replace("项目申报情况", ""), ("国家级", "省级"))
    has_boxes = any(mk in level_part for mk in ("□", "☐", "☑", "■", "√", "✓", "✔", "[", "●", "○"))
    executed_opts = ticked_options(exec_part.replace("是否执行", ""), ("是", "否"))
    return HistoryYear(
        year=year,
        national=("国家级" in levels) if has_boxes or levels else None,
        provincial=("省级" in levels) if has_boxes or levels else None,
        executed=(executed_opts[0] == "是") if executed_opts else None,
        national_code=_code_after(t, "国家级项目编号", "省级项目编号"),
        provincial_code=_code_after(t, "省级项目编号", ""),
    )


def find_history(rows: list[Row]) -> tuple[list[HistoryLine], set[int]]:
    """Every year line in the document (a line may wrap onto following rows)."""
    out: list[HistoryLine] = []
    used: set[int] = set()
    ri = 0
    while ri < len(rows):
        text = rows[ri].text
        if not _YEAR_LINE.search(squash(nfkc(text))):
            ri += 1
            continue
        idx = [ri]
        while "省级项目编号" not in squash(nfkc(text)) and idx[-1] + 1 < len(rows) and len(idx) < 4:
            nxt = rows[idx[-1] + 1]
            if _YEAR_LINE.search(squash(nfkc(nxt.text))):
                break
            idx.append(idx[-1] + 1)
            text += " " + nxt.text
        # the provincial code may sit on the following row
        if idx[-1] + 1 < len(rows) and _tail_code(text) and _CODE.fullmatch(squash(rows[idx[-1] + 1].text) or "-"):
            idx.append(idx[-1] + 1)
            text += rows[idx[-1]].text
        cells = [c for i in idx for c in rows[i].cells if c.text.strip()]
        out.append(HistoryLine(parse_history_text(text), text, cells, idx))
        used.update(idx)
        ri = idx[-1] + 1
    return out, used


def _tail_code(text: str) -> bool:
    """True when the line ends with an empty 省级项目编号 label."""
    return bool(re.search(r"省级项目编号\s*[:：]\s*$", text))
