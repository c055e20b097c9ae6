"""The domain thesaurus (review/retrieval/thesaurus.yaml): one check per entry, plus the expansion helpers."""

from __future__ import annotations

import unicodedata

import pytest

from review.config import load_settings
from review.retrieval import PolicyIndex, get_index
from review.retrieval.corpus import load_docs
from review.retrieval.thesaurus import Entry, cn_to_arabic, entries, expand_query, expansions
from review.textutil import squash

ENTRIES = entries()


def _fold(text: str) -> str:
    return squash(unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def index() -> PolicyIndex:
    idx = get_index(load_settings())
    idx.ensure()
    return idx


@pytest.fixture(scope="module")
def corpus_text(index: PolicyIndex) -> str:
    return _fold("".join(d.text for d in load_docs(index.policy_dir)))


def test_the_file_has_many_reviewed_entries() -> None:
    assert len(ENTRIES) >= 30
    assert all(e.example and e.clause for e in ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.notice[0] + "<-" + e.ask[0] for e in ENTRIES])
def test_entry_targets_the_corpus_and_retrieves_its_clause(entry: Entry, index: PolicyIndex, corpus_text: str) -> None:
    """Each notice term occurs in the notices; the example asks with a colloquial word and retrieves the clause."""
    assert [t for t in entry.notice if _fold(t) not in corpus_text] == []
    assert any(_fold(a) in _fold(entry.example) for a in entry.ask), entry.example
    assert expansions(entry.example), entry.example  # the colloquial word triggers the expansion
    hits = index.search(entry.example, k=5)
    assert any(_fold(entry.clause) in _fold(p.text) for p in hits), (entry.example, [p.chunk_id for p in hits])


def test_expansion_adds_only_missing_notice_terms() -> None:
    assert "授课教师" in expand_query("讲课老师要什么职称？")
    assert "授课教师" not in expansions("授课教师要什么职称？")  # already in the notices' words
    assert expand_query("明天天气怎么样") == "明天天气怎么样"


def test_chinese_counts_become_digits_but_words_with_yi_stay() -> None:
    assert cn_to_arabic("进修三个月") == "进修3个月"
    assert cn_to_arabic("最多两项") == "最多2项"
    assert cn_to_arabic("十二学分") == "12学分" and cn_to_arabic("二十五学分") == "25学分"
    assert cn_to_arabic("一天最多几个学分") == "一天最多几个学分"
