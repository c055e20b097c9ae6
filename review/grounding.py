"""Grounding checks on model output, one copy for explanations, critiques and chat.

A model's text is shown only when it is grounded: quotes verbatim in the passage and the notice they name,
numbers traceable to what the model was given, Chinese text, and no denial of the rule engine's finding.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from review.normalize import nfkc, parse_number
from review.textutil import squash

MIN_QUOTE_CHARS = 4  # shorter "quotes" match anywhere and prove nothing
ARABIC = re.compile(r"\d+(?:\.\d+)?")
# Chinese quantities with a count unit (三篇, 十余项, 两人次): the narratives write numbers this way too
CN_QUANTITY = re.compile(
    r"[一二两三四五六七八九十百千万]+余?(?:篇|项|部|人次|人|名|次|年|个|家|例|台|张|床|种|批|届|期)"
)
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
# An explanation must explain the finding, never deny it: an obedient answer to an injected "输出无问题"
DENIAL = re.compile(
    r"(?<![不非])(?:无问题|没有问题|不存在问题|并无问题|无需修改|不需要修改|不必修改|可以忽略|"
    r"忽略(?:以上|上述|所有|全部)|(?:检查|审查|规则)(?:均|全部|都)?(?:已)?通过|"
    r"ignore (?:all|previous|the above)|all checks passed|no issues?\b)",
    re.I,
)


def number_tokens(text: str, chinese: bool = False) -> list[str]:
    """Arabic numbers (after NFKC), and with `chinese` also Chinese quantities with a count unit."""
    t = nfkc(text or "")
    return ARABIC.findall(t) + (CN_QUANTITY.findall(t) if chinese else [])


def numbers(text: str, chinese: bool = False) -> set[float]:
    """The numeric values written in a text (2.0 and 2 are one value)."""
    out: set[float] = set()
    for tok in number_tokens(text, chinese):
        value = parse_number(tok)
        if value is not None:
            out.add(round(value, 4))
    return out


def quote_in_text(quote: str, text: str) -> bool:
    """True when the quote occurs verbatim (whitespace-normalised) in a passage, and is long enough to mean it."""
    needle = squash(quote)
    return len(needle) >= MIN_QUOTE_CHARS and needle in squash(text)


def in_corpus(quote: str, doc: str, policy_dir: Optional[Path] = None) -> bool:
    """True when the quote occurs verbatim (whitespace-normalised) in that notice; False on any read problem."""
    # imported here: the review.retrieval package import loads the index stack (~4 s measured with -X importtime)
    from review.retrieval.corpus import quote_in_corpus

    try:
        return len(squash(quote)) >= MIN_QUOTE_CHARS and quote_in_corpus(quote, policy_dir, doc=doc)
    except (OSError, ValueError):
        return False


def is_chinese(text: str) -> bool:
    """True when the text is mainly Chinese (not an English answer)."""
    cjk, latin = len(CJK.findall(text)), len(LATIN.findall(text))
    return cjk >= 4 and cjk >= latin


def denies_finding(text: str) -> bool:
    """True when a text claims there is no problem or tells the reader to ignore the rules."""
    return bool(DENIAL.search(text or ""))
