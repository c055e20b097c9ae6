"""Domain thesaurus (thesaurus.yaml): how staff ask -> how the notices write, for query expansion and the chat gate."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

DATA_FILE = "thesaurus.yaml"
_CN_DIGITS = {"二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# 一 stays: "一天", "一年" are words; the counts people write out are 三个月, 两项, 五年
_CN_COUNT = re.compile(
    r"(?<![一二两三四五六七八九十])([二两三四五六七八九十]{1,3})(?=个?(?:月|年|周|天|日|项|期|次|学分|小时|学时|人|名|位|分))"
)


@dataclass(frozen=True)
class Entry:
    """One reviewed mapping: colloquial `ask` words -> the notices' `notice` terms, with a checked example."""

    notice: tuple[str, ...]
    ask: tuple[str, ...]
    example: str = ""
    clause: str = ""


def _fold(text: str) -> str:
    """NFKC, case-folded, no whitespace: how terms are matched (LOGO = logo)."""
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    """The thesaurus entries, validated (a malformed file raises ValueError naming the entry)."""
    raw = yaml.safe_load(resources.files("review.retrieval").joinpath(DATA_FILE).read_text(encoding="utf-8"))
    out = []
    for i, item in enumerate(raw or []):
        notice, ask = item.get("notice") or [], item.get("ask") or []
        if not notice or not ask or any(len(a) < 2 for a in ask):
            raise ValueError(f"thesaurus entry {i}: needs notice terms and ask words of two or more characters")
        out.append(Entry(tuple(notice), tuple(ask), str(item.get("example", "")), str(item.get("clause", ""))))
    return tuple(out)


def cn_to_arabic(text: str) -> str:
    """Chinese counts before a unit as digits: 三个月 -> 3个月, 两项 -> 2项, 十二学分 -> 12学分 (一 is left)."""

    def value(m: re.Match[str]) -> str:
        s = m.group(1)
        if "十" not in s:
            return str(_CN_DIGITS[s]) if len(s) == 1 else s
        tens, _, ones = s.partition("十")
        if (tens and tens not in _CN_DIGITS) or (ones and ones not in _CN_DIGITS):
            return s
        return str((_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0))

    return _CN_COUNT.sub(value, text)


def expansions(text: str) -> list[str]:
    """Notice terms for the colloquial words in text (terms the text already contains are left out)."""
    folded = _fold(text)
    out: list[str] = []
    for e in entries():
        if any(_fold(a) in folded for a in e.ask):
            out += [t for t in e.notice if _fold(t) not in folded and t not in out]
    return out


def expand_query(text: str) -> str:
    """The question with Chinese counts as digits and the notices' terms for its colloquial words appended."""
    q = cn_to_arabic(text)
    extra = expansions(q)
    return f"{q} {' '.join(extra)}" if extra else q
