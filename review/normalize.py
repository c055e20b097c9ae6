"""Pure text normalisers: labels, numbers, percents, checkboxes, dates, hint text.

Percent choice: `parse_percent` returns the number as written on the 0..100 scale ("30 %" -> 30.0).
A bare fraction such as "0.3" is kept as 0.3 (it is NOT rescaled to 30): a form may well say 0.3 %,
and guessing would hide a real mistake from the rules.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Optional

CHECKED = ("☑", "☒", "■", "√", "✓", "✔", "●", "◉", "▣", "[x]", "[X]", "[√]", "(x)", "(√)")
UNCHECKED = ("□", "☐", "○", "◯", "[ ]", "[]", "( )")
_CHECKED_N = tuple(sorted({unicodedata.normalize("NFKC", c).replace(" ", "") for c in CHECKED}, key=len, reverse=True))
_UNCHECKED_N = tuple(
    sorted({unicodedata.normalize("NFKC", c).replace(" ", "") for c in UNCHECKED}, key=len, reverse=True)
)

_WS = re.compile(r"\s+")
_UNIT_SUFFIX = re.compile(r"\((小时|学时|h|H|hrs?|%|％|人|天|学分|分)\)$")
_NUM = re.compile(r"[-+]?\d+(?:\.\d+)?")
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万]+(?:点[零〇一二三四五六七八九]+)?")


def nfkc(s: str) -> str:
    """NFKC form: full-width letters, digits, brackets and colons become half-width."""
    return unicodedata.normalize("NFKC", s or "")


def squash(s: str) -> str:
    """Remove every whitespace character."""
    return _WS.sub("", s or "")


def norm_label(s: str) -> str:
    """Label key for matching: half-width, no whitespace, no trailing colon or unit suffix, lower case."""
    t = squash(nfkc(s)).replace("【", "(").replace("】", ")").replace("〔", "(").replace("〕", ")")
    t = t.rstrip(":：").lower()
    prev = None
    while prev != t:
        prev = t
        t = _UNIT_SUFFIX.sub("", t).rstrip(":")
    return t


def _cn_int(run: str) -> Optional[int]:
    """Integer value of a run of Chinese numerals ("一百二十" -> 120, "二〇二五" -> 2025)."""
    if not run:
        return None
    if all(ch in _CN_DIGITS for ch in run) and len(run) > 1:
        return int("".join(str(_CN_DIGITS[ch]) for ch in run))
    total, section, digit = 0, 0, None
    for ch in run:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch == "万":
            section = (section + (digit or 0)) * 10000
            total, section, digit = total + section, 0, None
        else:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return total + section + (digit or 0)


def _cn_number(run: str) -> Optional[float]:
    """Float value of a Chinese numeral run, with an optional 点 fraction."""
    whole, _, frac = run.partition("点")
    value = _cn_int(whole) if whole else 0
    if value is None:
        return None
    if frac:
        return float(f"{value}.{''.join(str(_CN_DIGITS[c]) for c in frac)}")
    return float(value)


def parse_number(s: object) -> Optional[float]:
    """First number in text: '120人', '30 %', '3.0', '1,000', '一百二十', '三学时' -> float; None if none."""
    if s is None:
        return None
    if isinstance(s, bool):
        return None
    if isinstance(s, (int, float)):
        return float(s) if math.isfinite(s) else None
    t = nfkc(str(s))
    t = re.sub(r"(?<=\d),(?=\d{3})", "", t)
    t = re.sub(r"(?<=\d)\s+(?=\.\d)|(?<=\d\.)\s+(?=\d)", "", t)
    m = _NUM.search(t)
    if m:
        value = float(m.group())
        return value if math.isfinite(value) else None  # "9" * 400 overflows to inf
    m = _CN_RUN.search(t)
    if m:
        return _cn_number(m.group())
    return None


def parse_int(s: object) -> Optional[int]:
    """Integer from text (see parse_number); None when absent or not whole."""
    v = parse_number(s)
    if v is None or abs(v - round(v)) > 1e-9:
        return None
    return int(round(v))


def parse_percent(s: object) -> Optional[float]:
    """Percent on the 0..100 scale as written: '30 %' / '30％' -> 30.0; '0.3' stays 0.3 (module doc)."""
    return parse_number(s)


def parse_checkbox(s: object) -> Optional[bool]:
    """True for ☑ ■ √ ✓ ✔ [x] ●, False for □ ☐ [ ] ○, None when no mark is present."""
    if s is None:
        return None
    t = squash(nfkc(str(s)))
    if not t:
        return None
    for mark in _CHECKED_N:
        if mark in t:
            return True
    for mark in _UNCHECKED_N:
        if mark in t:
            return False
    return None


def parse_bool_yesno(s: object) -> Optional[bool]:
    """'是' -> True, '否' -> False; with boxes ('是☑ 否□') the ticked one wins; else None."""
    if s is None:
        return None
    t = squash(nfkc(str(s)))
    if not t:
        return None
    ticked = ticked_options(t, ("是", "否"))
    if ticked:
        return ticked[0] == "是"
    if parse_checkbox(t) is not None:
        return None
    if t in ("是", "在职", "在岗", "在职在岗", "yes", "Y", "y", "true", "True"):
        return True
    if t in ("否", "不在职", "离职", "no", "N", "n", "false", "False"):
        return False
    return None


def _box_pattern() -> str:
    marks = sorted(set(_CHECKED_N) | set(_UNCHECKED_N), key=len, reverse=True)
    return "|".join(re.escape(m) for m in marks)


_BOX = re.compile(_box_pattern())


def marks_around(t: str, opt: str) -> tuple[Optional[str], Optional[str]]:
    """Box marks directly before and after the first occurrence of opt that has one."""
    for m in re.finditer(re.escape(opt), t):
        i = m.start()
        after = _BOX.match(t, m.end())
        before = None
        for b in _BOX.finditer(t[max(0, i - 4) : i]):
            if b.end() == min(4, i):
                before = b.group()
        if before or after:
            return before, (after.group() if after else None)
    return None, None


def ticked_options(text: str, options: tuple[str, ...]) -> list[str]:
    """Options whose box is ticked ('☑国家级 □省级' or '国家级☑ 省级□'); order as in options.

    When no box is ticked and exactly one present option has no box at all, that option is taken as
    ticked (OCR often drops a filled box but keeps the empty ones).
    """
    t = squash(nfkc(text))
    opts = [squash(nfkc(o)) for o in options]
    around = {o: marks_around(t, o) for o in opts}
    present = [o for o in opts if o in t]
    # marks precede options when every option has one before it and not every option has one after
    lead = bool(present) and all(around[o][0] for o in present) and not all(around[o][1] for o in present)
    marks = {o: (around[o][0] if lead else around[o][1]) for o in opts}
    found = [orig for orig, o in zip(options, opts, strict=True) if marks[o] is not None and marks[o] in _CHECKED_N]
    if not found and len(present) > 1:
        bare = [orig for orig, o in zip(options, opts, strict=True) if o in present and marks[o] is None]
        if len(bare) == 1 and all(marks[o] in _UNCHECKED_N for o in present if marks[o] is not None):
            found = bare
    return found


_HINT_FRAGMENTS = [
    re.compile(p)
    for p in (
        r"推荐理由\(?不少于\d+字\)?[。.;;]?",
        r"建议(注明|理由应包含|包括)[^。]*[。.]?",
        r"\(?(须|应)?不少于\d+字\)?[。.]?",
        r"\((主要表述|主要包括|如|请|包括)[^)]*\)",
        r"请(填写|输入|选择|在此)[^。]*[。.]?",
        r"(签字|盖章|签名)?年月日",
        r"_+",
    )
]


def is_hint_text(field: str, s: object) -> bool:
    """True when a field holds nothing but the template's hint ('不少于200字', '（主要表述…）') or is blank."""
    if s is None:
        return True
    t = squash(nfkc(str(s)))
    for rx in _HINT_FRAGMENTS:
        t = rx.sub("", t)
    t = re.sub(r"[\W_]+", "", t)
    if field in ("peer_review",):
        t = re.sub(r"^推荐理由", "", t)
    return len(t) == 0


# The rules' wider test of a narrative that is only the template's hint: short text naming the template's
# own instructions (推荐理由…不少于, 请填写…) counts as not filled in, before the fragment test above.
_HINT_NOT_FILLED = (
    re.compile(r"^[（(]?\s*(不少于|不超过)\s*\d+\s*字\s*[）)]?$"),
    re.compile(r"推荐理由.{0,6}不少于"),
    re.compile(r"建议(注明|理由应包含)"),
    re.compile(r"主要表述与项目有关的基本情况"),
    re.compile(r"^(请填写|请输入|此处填写|填写说明)"),
)
HINT_MAX_CHARS = 150  # the longest template hint is ~80 characters: longer text is content


def not_filled_hint(field: str, s: object) -> bool:
    """True when a narrative still holds the template's hint text (the rules' test; blank is not a hint here)."""
    t = str(s or "").strip()
    n = count_chars(t)
    if n > HINT_MAX_CHARS:
        return False
    if any(p.search(t) for p in _HINT_NOT_FILLED) and n < 80:
        return True
    return bool(t) and is_hint_text(field, t)


# Template hint text left inside a narrative that does have content (the critique's 表述质量 criterion):
# a fragment found anywhere, and whole hint passages (parenthesised hints, 建议注明… sentences) to strip.
_HINT_IN_TEXT = re.compile(
    r"不少于\s*\d+\s*字|建议(注明|理由应包含)|推荐理由\s*[（(]|主要表述与项目有关|请(在此)?(填写|输入)|"
    r"如组织架构、配套政策",
    re.IGNORECASE,
)
_HINT_PASSAGE = re.compile(
    r"[（(][^）)]*(不少于|主要表述|建议注明|如组织架构)[^）)]*[）)]|建议(注明|理由应包含)[^。]*[。]?",
    re.IGNORECASE,
)


def hint_in(text: str) -> Optional[str]:
    """The first template hint fragment left in a narrative ('不少于300字', '建议注明…'), or None."""
    m = _HINT_IN_TEXT.search(text)
    return m.group() if m else None


def strip_hint_passages(text: str) -> str:
    """The narrative without its template hint passages (they are not content)."""
    return _HINT_PASSAGE.sub("", text)


_LEADING_HINT = re.compile(
    r"^\s*(推荐理由\s*[（(]\s*不少于\s*\d+\s*字\s*[)）]\s*[。.:：]?\s*(建议[^。]*[。]\s*)?"
    r"|[（(][^（）()]*不少于\s*\d+\s*字[^（）()]*[)）]\s*[:：]?\s*)"
)


def strip_leading_hint(text: str) -> str:
    """A narrative without the template hint it starts with ('推荐理由（不少于200字）…', '（…不少于300字…）')."""
    return _LEADING_HINT.sub("", text)


def count_chars(s: object) -> int:
    """Non-whitespace characters (汉字, letters, digits, punctuation)."""
    return len(squash(str(s or "")))


_DATE = re.compile(r"(\d{4})\s*[年\-./]\s*(\d{1,2})(?:\s*[月\-./]\s*(\d{1,2})\s*日?)?")


def parse_date(s: object) -> Optional[str]:
    """ISO date from '2025年5月10日' / '2025-05-10' / '2025.5.10' -> '2025-05-10'; year-month -> '1975-03'."""
    if s is None:
        return None
    t = nfkc(str(s))
    m = _DATE.search(t)
    if not m:
        m8 = re.search(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)", t)
        if m8 and 1 <= int(m8.group(2)) <= 12 and 1 <= int(m8.group(3)) <= 31:
            return f"{m8.group(1)}-{m8.group(2)}-{m8.group(3)}"
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
    if not 1 <= mo <= 12:
        return None
    if d is None:
        return f"{y:04d}-{mo:02d}"
    if not 1 <= int(d) <= 31:
        return None
    return f"{y:04d}-{mo:02d}-{int(d):02d}"


def join_lines(parts: list[str]) -> str:
    """Join wrapped lines: no space between CJK characters, one space between Latin words."""
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if out and _needs_space(out, p):
            out += " "
        out += p
    return out


_LONG_DIGITS = re.compile(r"\d{14,}$")


def _needs_space(left: str, right: str) -> bool:
    """A space is kept only between two ASCII words; a number broken over lines ("110105…151" + "238") stays one."""
    a, b = left[-1], right[0]
    if not (a.isascii() and b.isascii() and a.isalnum() and b.isalnum()):
        return False
    if a.isdigit() and b.isdigit():
        return False
    return not (b in "Xx" and _LONG_DIGITS.search(left) is not None and (len(right) == 1 or not right[1].isalnum()))


def clean_value(s: object) -> Optional[str]:
    """Trimmed single-spaced string; None when blank or only underscores."""
    if s is None:
        return None
    t = _WS.sub(" ", str(s)).strip().strip("_").strip()
    return t or None
