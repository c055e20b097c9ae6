"""Professional title (专业技术职称) ranks: which titles are 正高/副高/中级/初级, and which series they belong to."""

from __future__ import annotations

import re
from typing import Literal, Optional

Rank = Literal["senior", "deputy", "middle", "junior"]
RANK_ORDER: dict[str, int] = {"senior": 4, "deputy": 3, "middle": 2, "junior": 1}
RANK_ZH: dict[str, str] = {"senior": "正高级", "deputy": "副高级", "middle": "中级", "junior": "初级"}

# series -> {title: rank}; a title is matched whole, or as the tail of a longer word ("心内科主任医师").
SERIES: dict[str, dict[str, Rank]] = {
    "medical": {
        "主任医师": "senior",
        "副主任医师": "deputy",
        "主治医师": "middle",
        "住院医师": "junior",
        "医师": "junior",
        "医士": "junior",
    },
    "pharmacy": {
        "主任药师": "senior",
        "副主任药师": "deputy",
        "主管药师": "middle",
        "药师": "junior",
        "药士": "junior",
    },
    "nursing": {"主任护师": "senior", "副主任护师": "deputy", "主管护师": "middle", "护师": "junior", "护士": "junior"},
    "technician": {
        "主任技师": "senior",
        "副主任技师": "deputy",
        "主管技师": "middle",
        "技师": "junior",
        "技士": "junior",
        "主任检验师": "senior",
        "副主任检验师": "deputy",
        "主管检验师": "middle",
        "检验师": "junior",
        "主任检验技师": "senior",
        "副主任检验技师": "deputy",
        "主管检验技师": "middle",
        "检验技师": "junior",
        "检验技士": "junior",
    },
    "teaching": {
        "教授": "senior",
        "副教授": "deputy",
        "讲师": "middle",
        "助教": "junior",
        "高级讲师": "deputy",
        "高级教师": "deputy",
        "正高级教师": "senior",
    },
    "research": {"研究员": "senior", "副研究员": "deputy", "助理研究员": "middle", "研究实习员": "junior"},
    "engineering": {
        "正高级工程师": "senior",
        "教授级高级工程师": "senior",
        "高级工程师": "deputy",
        "工程师": "middle",
        "助理工程师": "junior",
        "技术员": "junior",
        "高级实验师": "deputy",
        "实验师": "middle",
        "助理实验师": "junior",
    },
    "editing": {"编审": "senior", "副编审": "deputy", "编辑": "middle", "助理编辑": "junior"},
    "other": {
        "正高级会计师": "senior",
        "高级会计师": "deputy",
        "会计师": "middle",
        "正高级经济师": "senior",
        "高级经济师": "deputy",
        "经济师": "middle",
        "高级政工师": "deputy",
        "政工师": "middle",
        "主任心理治疗师": "senior",
        "副主任心理治疗师": "deputy",
        "主管心理治疗师": "middle",
        "心理治疗师": "junior",
    },
}
_TABLE: dict[str, tuple[Rank, str]] = {t: (r, s) for s, table in SERIES.items() for t, r in table.items()}
_KEYS_LONGEST_FIRST: tuple[str, ...] = tuple(sorted(_TABLE, key=len, reverse=True))

# Words that are not a specific title on their own (BJ25 认真核对 08): grades, posts, degrees.
NOT_SPECIFIC: frozenset[str] = frozenset(
    "高级 中级 初级 正高 副高 正高级 副高级 主任 副主任 科主任 科室主任 院长 副院长 护士长 主任委员 "
    "博士 硕士 学士 本科 研究生 博士生导师 硕士生导师 博导 硕导 专家 教师 医生".split()
)
_SPLIT = re.compile(r"[、，,/／;；|（）()\[\]【】\s]+|和|及|兼")
_GRADE_PREFIX = re.compile(r"^(正高级|副高级|正高|副高|中级|初级|[一二三四五六七八九十]+级|[1-9]级)")
_WORD_FIXES = (("医生", "医师"), ("主治医", "主治医师"))


def _clean(part: str) -> str:
    """One title word without grade prefixes (正高级 教授 → 教授, 二级教授 → 教授)."""
    part = part.strip()
    for _ in range(2):
        stripped = _GRADE_PREFIX.sub("", part)
        if stripped in ("", part):
            break
        part = stripped
    for old, new in _WORD_FIXES:
        if part.endswith(old) and not part.endswith(new):
            part = part[: -len(old)] + new
    return part


def _lookup(part: str) -> Optional[tuple[Rank, str]]:
    """Rank and series of one word, matched whole or as a tail."""
    if part.strip() in _TABLE:
        return _TABLE[part.strip()]
    word = _clean(part)
    if not word or word in NOT_SPECIFIC:
        return None
    if word in _TABLE:
        return _TABLE[word]
    for key in _KEYS_LONGEST_FIRST:
        if len(key) >= 3 and word.endswith(key):
            return _TABLE[key]
    return None


def _parts(title: Optional[str]) -> list[str]:
    """The words of a title field ("主任医师、教授" → two words)."""
    if not title:
        return []
    text = re.sub(r"(正高级|副高级|中级|初级)\s+", r"\1", title.strip())
    return [p for p in _SPLIT.split(text) if p]


def _best(title: Optional[str]) -> Optional[tuple[Rank, str]]:
    """Highest-ranked recognised word of a title field."""
    hits = [h for h in (_lookup(p) for p in _parts(title)) if h]
    return max(hits, key=lambda h: RANK_ORDER[h[0]]) if hits else None


def rank_of(title: Optional[str]) -> Optional[Rank]:
    """'senior' / 'deputy' / 'middle' / 'junior', or None when the title is not a recognised specific rank."""
    hit = _best(title)
    return hit[0] if hit else None


def series_of(title: Optional[str]) -> Optional[str]:
    """The title series (medical, nursing, pharmacy, technician, teaching, research, ...) or None."""
    hit = _best(title)
    return hit[1] if hit else None


def is_nursing(title: Optional[str]) -> bool:
    """True for a nursing-series title (主任护师 … 护士)."""
    return any((h := _lookup(p)) is not None and h[1] == "nursing" for p in _parts(title))


def is_specific(title: Optional[str]) -> bool:
    """True when the title names a specific rank (not 高级/中级, a post like 科主任, or a degree like 博士)."""
    return rank_of(title) is not None


def extra_words(title: Optional[str]) -> list[str]:
    """Posts or degrees written into a title field beside a rank ("主任护师（博士）" → ["博士"])."""
    return [p for p in _parts(title) if p in NOT_SPECIFIC]


def at_least(title: Optional[str], rank: Rank) -> Optional[bool]:
    """Whether the title is `rank` or higher; None when it cannot be ranked."""
    r = rank_of(title)
    return None if r is None else RANK_ORDER[r] >= RANK_ORDER[rank]
