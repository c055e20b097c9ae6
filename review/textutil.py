"""Small text helpers: whitespace normalisation with a map back to the original offsets."""

from __future__ import annotations

import re

_WS = re.compile(r"\s+")
# Markdown bold markers appear in the slide text ("**不超过10学分**"); they are not policy words.
_MARKUP = "**"


def norm_ws(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return _WS.sub(" ", text).strip()


def squash(text: str) -> str:
    """Remove every whitespace character and markdown bold markers (for verbatim quote checks)."""
    return "".join(text.replace(_MARKUP, "").split())


def squash_with_map(text: str) -> tuple[str, list[int]]:
    """squash(text) plus, for each kept character, its offset in text."""
    chars: list[str] = []
    offsets: list[int] = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith(_MARKUP, i):
            i += len(_MARKUP)
            continue
        ch = text[i]
        if not ch.isspace():
            chars.append(ch)
            offsets.append(i)
        i += 1
    return "".join(chars), offsets


def find_all(haystack: str, needle: str) -> list[int]:
    """Every start index of needle in haystack (overlapping allowed)."""
    out: list[int] = []
    if not needle:
        return out
    i = haystack.find(needle)
    while i >= 0:
        out.append(i)
        i = haystack.find(needle, i + 1)
    return out
