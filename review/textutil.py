"""Small text helpers: whitespace normalisation with a map back to the original offsets."""

from __future__ import annotations

import html
import re
import unicodedata

from pydantic import BaseModel

from review.normalize import squash as squash_ws

_WS = re.compile(r"\s+")
# Markdown bold markers appear in the slide text ("**不超过10学分**"); they are not policy words.
_MARKUP = "**"


def norm_ws(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return _WS.sub(" ", text).strip()


def squash(text: str) -> str:
    """Remove every whitespace character and markdown bold markers (for verbatim quote checks)."""
    return squash_ws(text.replace(_MARKUP, ""))


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


# --- cleaning at the edge: every extracted value and every question passes through here once -----------

# Compatibility characters NFKC may fold without changing what a reader sees: full-width ASCII letters and
# digits, ligatures, Kangxi/CJK radicals and compatibility ideographs (PDF fonts map hanzi to these).
# Full-width punctuation (："，（）") is left alone: labels and values are written with it.
_NFKC_SAFE = re.compile(
    "[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\ufb00-\ufb06\u2e80-\u2eff\u2f00-\u2fdf\uf900-\ufaff"
    "\u3000\u00a0\u2000-\u200a\u202f\u205f]"
)
# Control (Cc) and format (Cf) characters: NUL, ESC, backspace, DEL, C1, zero-width space/joiners, BOM, soft
# hyphen, bidi embeddings/overrides/isolates, word joiner, interlinear annotations, tag characters.
_CTRL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)
_CTRL_ALL = re.compile(_CTRL.pattern[:-1] + "\t\n\r]")
MAX_QUESTION_CHARS = 1000  # a policy question longer than this is cut (the notice says so)
_PRE_CUT = 20 * MAX_QUESTION_CHARS  # markup is stripped from at most this much input (keeps regexes bounded)
_TAG = re.compile(
    r"<(?:script|style)\b[^>]{0,200}>.{0,20000}?</(?:script|style)\s*>|<!--.{0,20000}?-->|<[^<>]{0,500}>", re.I | re.S
)
_MD_IMAGE = re.compile(r"!\[([^\]\n]{0,500})\]\([^)\n]{0,2000}\)")
_MD_LINK = re.compile(r"\[([^\]\n]{0,500})\]\([^)\n]{0,2000}\)")
_MD_LINE = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t>]*|[-*+][ \t]+|\d{1,3}[.)][ \t]+)", re.M)
_MD_MARK = re.compile(r"(\*\*|__|~~|`+|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")
_MD_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)[^\n]{0,50}$", re.M)


def _nfkc_char(m: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", m.group(0))


def clean_text(text: str, *, keep_newlines: bool = False) -> str:
    """Remove control/format characters (and lone surrogates) and fold safe compatibility characters."""
    if not text:
        return text
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        text = text.encode("utf-8", "replace").decode("utf-8", "replace").replace("?", "")
    text = (_CTRL if keep_newlines else _CTRL_ALL).sub(lambda m: " " if m.group(0) in "\t\n\r" else "", text)
    return _NFKC_SAFE.sub(_nfkc_char, text)


def is_ignorable_char(ch: str) -> bool:
    """True for one character that carries no visible text (a control or format character)."""
    return bool(ch) and _CTRL.fullmatch(ch) is not None


def clean_model(obj: object) -> object:
    """Clean every string inside a pydantic model / list / dict, in place where possible; returns obj."""
    if isinstance(obj, str):
        return clean_text(obj, keep_newlines=True)
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            val = getattr(obj, name)
            new = clean_model(val)
            if new is not val:
                object.__setattr__(obj, name, new)
        return obj
    if isinstance(obj, list):
        for i, v in enumerate(obj):
            obj[i] = clean_model(v)
        return obj
    if isinstance(obj, dict):
        for k in list(obj):
            obj[k] = clean_model(obj[k])
        return obj
    return obj


_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|ul|ol|tr|td|th|h[1-6]|table|section|blockquote)\b", re.I)


def _tag_space(m: re.Match[str]) -> str:
    """A block tag separates words; an inline tag (<b>, <span>) does not."""
    return " " if _BLOCK_TAG.match(m.group(0)) else ""


def strip_markup(text: str) -> str:
    """Plain words of a question written in HTML or Markdown (tags, entities, links, emphasis, headings)."""
    t = _TAG.sub(_tag_space, text)
    t = html.unescape(t)
    t = _MD_FENCE.sub(" ", t)
    t = _MD_IMAGE.sub(r"\1", t)
    t = _MD_LINK.sub(r"\1", t)
    t = _MD_LINE.sub("", t)
    t = _MD_MARK.sub("", t)
    return t


def clean_question(text: str, limit: int = MAX_QUESTION_CHARS) -> tuple[str, list[str]]:
    """A question ready for the relevance gate: markup stripped, cleaned, whitespace collapsed, cut at limit.

    Returns (question, notices); notices are Chinese, e.g. that the question was shortened. Linear time.
    """
    notices: list[str] = []
    raw = text or ""
    if len(raw) > _PRE_CUT:
        raw = raw[:_PRE_CUT]
    t = norm_ws(clean_text(strip_markup(raw)))
    if len(t) > limit or len(text or "") > _PRE_CUT:
        t = t[:limit].rstrip()
        notices.append(f"问题过长，只按前 {limit} 个字处理（question cut to {limit} characters）")
    return t, notices
