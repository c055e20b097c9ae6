"""Relevance gate and term weights: is any retrieved clause about the question's subject?"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from review.chat.text import TOPIC_NOUNS, norm, other_province, terms
from review.config import load_settings
from review.retrieval import corpus
from review.retrieval.thesaurus import cn_to_arabic, entries

MIN_COVERAGE = 0.34  # idf-weighted share of the question's terms found in one retrieved passage
GATE_DEPTH = 6  # passages the gate looks at
# Neighbouring fields the notices do not govern: degree education, residency training, licensing, exams, grants.
# A question about one of them is out of scope unless it also names continuing education itself.
ADJACENT_TOPICS: tuple[str, ...] = (
    "研究生",
    "考研",
    "本科",
    "高考",
    "规范化培训",
    "规培",
    "执业注册",
    "执业证书",
    "延续注册",
    "多点执业",
    "医师资格",
    "资格考试",
    "职称考试",
    "职称评审",
    "自然科学基金",
    "基金申请",
    "课题申请",
)
# Subjects of everyday office questions that no notice governs (travel, weather, computing, treatment, tax,
# catering, research funding): such a word that occurs nowhere in the corpus names a subject the notices cannot answer.
OFF_TOPICS: tuple[str, ...] = tuple(
    """酒店 宾馆 住宿 机票 高铁 火车票 天气 下雨 下雪 气温 雾霾 python java 代码 脚本 编程 excel csv 程序员
    胰岛素 降压药 用药 剂量 处方 病人 治疗方案 手术方式 副作用 发票 增值税 所得税 个税 报销 劳务费 工资
    食堂 吃饭 开饭 停车 课题组 青年基金 基金 课题申报 论文发表 期刊 考试报名 报考""".split()
)
# Naming continuing education itself keeps an everyday-subject question in scope (学分 alone does not).
STRONG_CME_WORDS: tuple[str, ...] = ("继续医学教育", "继教", "推荐项目", "继续教育", "继教项目")
CME_WORDS: tuple[str, ...] = ("继续医学教育", "继教", "学分", "推荐项目", "继续教育")
# Words so common in the notices that finding them proves nothing about the subject of a question.
GENERIC: frozenset[str] = frozenset(
    "项目 继续医学教育 继续 医学 教育 继教 国家级 市级 北京市级 北京 北京市 单位 要求 规定 情况 相关 进行 工作".split()
)


def policy_dir_of(index: Any) -> Path:
    """The notices folder behind an index (settings.policy_dir when the index does not say)."""
    found = getattr(index, "policy_dir", None)
    return Path(found) if found else Path(load_settings().policy_dir)


def _stamp(policy_dir: Path) -> tuple[tuple[str, int], ...]:
    return tuple((p.name, p.stat().st_mtime_ns) for p in corpus.source_files(policy_dir))


@lru_cache(maxsize=4)
def _sentences(policy_dir: str, stamp: tuple[tuple[str, int], ...]) -> tuple[str, ...]:
    """Every sentence of the corpus, normalised (for sentence frequencies)."""
    out: list[str] = []
    for d in corpus.load_docs(Path(policy_dir)):
        out += [norm(s.text) for s in corpus.split_sentences_doc(d.name, d.text)]
    return tuple(out)


class Weights:
    """Inverse sentence frequency of terms over one notices folder (rare terms weigh more)."""

    def __init__(self, policy_dir: Path) -> None:
        self.sentences = _sentences(str(Path(policy_dir).resolve()), _stamp(Path(policy_dir)))
        self._cache: dict[str, float] = {}
        self._df: dict[str, int] = {}

    def df(self, term: str) -> int:
        """Number of corpus sentences that contain the term (cached)."""
        if term not in self._df:
            t = norm(term)
            self._df[term] = sum(1 for s in self.sentences if t in s)
        return self._df[term]

    def idf(self, term: str) -> float:
        """log((N+1)/(df+1)) + 0.5 over the corpus sentences."""
        if term not in self._cache:
            self._cache[term] = math.log((len(self.sentences) + 1) / (self.df(term) + 1)) + 0.5
        return self._cache[term]


def question_terms(question: str) -> list[str]:
    """Content terms of a question (Chinese counts as digits), numbers left out."""
    return [t for t in dict.fromkeys(terms(cn_to_arabic(question))) if not t.isdigit()]


def aliases(question: str) -> dict[str, tuple[str, ...]]:
    """For each colloquial thesaurus word in the question: the notice terms that stand for it."""
    q = norm(question)
    out: dict[str, tuple[str, ...]] = {}
    for e in entries():
        for a in e.ask:
            if norm(a) in q:
                out[a] = tuple(e.notice)
    return out


def evidential(q: list[str], alias: dict[str, tuple[str, ...]], w: Weights) -> list[str]:
    """The question terms that could be found in a notice: chatter that occurs nowhere in the corpus is dropped."""
    return [t for t in q if w.df(t) > 0 or any(t in a or a in t for a in alias)]


def term_hit(term: str, text: str, alias: dict[str, tuple[str, ...]]) -> bool:
    """The term is in the text, or it is part of a colloquial word whose notice term is."""
    if norm(term) in text:
        return True
    return any((term in a or a in term) and any(norm(n) in text for n in ns) for a, ns in alias.items())


def coverage(q: list[str], text: str, alias: dict[str, tuple[str, ...]], w: Weights) -> tuple[float, list[str]]:
    """(idf-weighted share of q found in text, the terms found)."""
    hit = [t for t in q if term_hit(t, text, alias)]
    total = sum(w.idf(t) for t in q)
    return (sum(w.idf(t) for t in hit) / total if total else 0.0), hit


def is_domain(term: str) -> bool:
    """A CME topic word (not a generic one)."""
    return term not in GENERIC and (term in TOPIC_NOUNS or any(d in term for d in TOPIC_NOUNS))


def off_topic(question: str, w: Weights) -> Optional[str]:
    """An everyday subject word of the question that no notice mentions (酒店, 天气, 代码 …), if any."""
    q = question.lower()
    if any(x in question for x in STRONG_CME_WORDS):
        return None
    return next((t for t in OFF_TOPICS if t in q and w.df(t) == 0), None)


def relevance(question: str, passages: list[Any], w: Optional[Weights] = None) -> tuple[bool, str]:
    """Decide whether a retrieved passage is about the question's subject: (relevant, reason)."""
    if not passages:
        return False, "no passages"
    prov = other_province(question)
    if prov and not any(x in question for x in ("国家级", "外省", "外地", "京津冀", "北京")):
        return False, f"other province: {prov}"
    adjacent = next((t for t in ADJACENT_TOPICS if t in question), None)
    if adjacent and not any(x in question for x in CME_WORDS):
        return False, f"adjacent field: {adjacent}"
    q = question_terms(question)
    if not q:
        return False, "no content terms"
    w = w or Weights(Path(load_settings().policy_dir))
    foreign = off_topic(question, w)
    if foreign:
        return False, f"off-topic subject: {foreign}"
    alias = aliases(question)
    # words that occur in no notice carry no evidence either way (chatty phrasing): score only the others
    q = evidential(q, alias, w)
    q += [a for a in alias if a not in q]  # a colloquial word is evidence when its notice term is in the passage
    if not q:
        return False, "no term of the question occurs in the notices"
    subject = [t for t in q if t not in GENERIC]
    best: tuple[float, list[str], str] = (0.0, [], "")
    for p in passages[:GATE_DEPTH]:
        text = norm(f"{getattr(p, 'section', '')} {getattr(p, 'text', '')}")
        cov, hit = coverage(q, text, alias, w)
        if cov > best[0]:
            best = (cov, hit, getattr(p, "chunk_id", ""))
    cov, hit, where = best
    subject_hits = [t for t in hit if t in subject and (is_domain(t) or w.idf(t) >= 3.0)]
    # the retriever finds *some* passage sharing words with almost any question: an answer also needs the
    # question's subject (a CME term or a rare word of the question) in that same passage
    ok = cov >= MIN_COVERAGE and bool(subject_hits)
    return ok, f"coverage={cov:.2f} subject={subject_hits} in {where}"
