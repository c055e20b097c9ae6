"""Check a generated answer: markers point at sources, quotes are verbatim, numbers come from the sources."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Optional

from review.chat.answer import NOT_FOUND
from review.chat.text import collapse, split_sentences, terms
from review.findings import Citation
from review.grounding import numbers, quote_in_text

_MARK = re.compile(r"\[(\d{1,2})\]")
_QUOTE_LINE = re.compile(r"^\s*\[(\d{1,2})\]\s*[「『“\"]+(.+?)[」』”\"]+\s*$")
_QUOTES_HEAD = re.compile(r"^\s*(?:#+\s*)?(?:引用|出处|原文引用|引文)\s*[:：]?\s*$", re.M)
InCorpus = Callable[[str, str], bool]  # (quote, notice file) -> the quote stands in that notice


@dataclass
class Source:
    """One numbered source shown to the model: a retrieved passage or a draft rule's citation."""

    doc: str
    section: str
    text: str


@dataclass
class Verdict:
    """Result of verifying a generated answer."""

    ok: bool
    body: str = ""
    citations: list[Citation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    refused: bool = False


def split_answer(text: str) -> tuple[str, dict[int, str]]:
    """(body, {n: quote}) from '正文 … 引用：\\n[1] 「…」' (quote lines may also trail the body)."""
    m = _QUOTES_HEAD.search(text)
    head, tail = (text[: m.start()], text[m.end() :]) if m else (text, "")
    quotes: dict[int, str] = {}
    body_lines = []
    for line in head.splitlines():
        q = _QUOTE_LINE.match(line)
        if q:
            quotes.setdefault(int(q.group(1)), q.group(2).strip())
        else:
            body_lines.append(line)
    for line in tail.splitlines():
        q = _QUOTE_LINE.match(line)
        if q:
            quotes.setdefault(int(q.group(1)), q.group(2).strip())
    return "\n".join(body_lines).strip(), quotes


def quote_ok(quote: str, src: Source, in_corpus: Optional[InCorpus] = None) -> bool:
    """True when quote occurs verbatim (whitespace-normalised) in the source and in the notice it names."""
    if not quote_in_text(quote, src.text):
        return False
    return in_corpus is None or in_corpus(quote, src.doc)


def best_quote(body: str, src: Source) -> str:
    """The sentence of a source that shares most terms with the answer (used when the model gave no quote)."""
    want = set(terms(body))
    sents = split_sentences(src.text) or [src.text]
    return collapse(max(sents, key=lambda s: len(want & set(terms(s)))))


def verify(
    text: str, sources: list[Source], allowed_numbers: set[float], in_corpus: Optional[InCorpus] = None
) -> Verdict:
    """Verify a model answer against the numbered sources; citations follow the order of the markers."""
    body, quotes = split_answer(text)
    if not body:
        return Verdict(False, problems=["空回答"])
    if NOT_FOUND.rstrip("。") in body:
        return Verdict(True, body=body, refused=True)
    marks = [int(n) for n in _MARK.findall(body)]
    problems = []
    if not marks:
        problems.append("回答没有标注来源编号")
    bad = sorted({n for n in marks + list(quotes) if not 1 <= n <= len(sources)})
    if bad:
        problems.append(f"来源编号不存在：{bad}")
    used = [n for n in dict.fromkeys(marks) if 1 <= n <= len(sources)]
    cites: list[Citation] = []
    for n in used:
        src = sources[n - 1]
        quote = quotes.get(n) or best_quote(body, src)
        if not quote_ok(quote, src, in_corpus):
            problems.append(f"引文[{n}]不是来源原文：{quote[:40]}")
        cites.append(Citation(doc=src.doc, section=src.section, quote=collapse(quote)))
    pool = set(allowed_numbers)
    for n in used:
        pool |= numbers(sources[n - 1].text)
    stray = sorted(f"{v:g}" for v in numbers(_MARK.sub("", body)) - pool)
    if stray:
        problems.append(f"回答中的数字在所引来源中找不到：{stray}")
    renumbered = _renumber(body, used)
    return Verdict(not problems, body=renumbered, citations=cites, problems=problems)


def _renumber(body: str, used: list[int]) -> str:
    """Renumber markers 1..k in citation order so [i] maps to citations[i-1]."""
    mapping = {n: i for i, n in enumerate(used, 1)}
    return _MARK.sub(lambda m: f"[{mapping.get(int(m.group(1)), m.group(1))}]", body)
