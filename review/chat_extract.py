"""Offline policy answers: relevance gate, notice preference, extractive sentences with citations."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from review.chat_text import (
    TOPIC_NOUNS,
    collapse,
    display,
    is_numeric_question,
    norm,
    other_province,
    split_sentences,
    terms,
)
from review.config import POLICY_DIR
from review.rules.base import Citation

EXTRACTIVE_LABEL = "（以下为政策原文摘录，非生成回答）"
NOT_FOUND = "政策文件中未找到相关规定。"
MIN_COVERAGE = 0.34  # idf-weighted share of the question's terms found in the retrieved passages
MIN_DOMAIN_HITS = 1  # at least this many domain terms of the question found in the passages
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
    "多点执业",
    "医师资格",
    "资格考试",
    "职称考试",
    "职称评审",
    "自然科学基金",
    "基金申请",
    "课题申请",
)
CME_WORDS: tuple[str, ...] = ("继续医学教育", "继教", "学分", "推荐项目", "继续教育")
MAX_SENTENCES = 3
SENTENCE_NORM_CHARS = 50  # length normalisation of sentence scores (BM25-like)
SHORT_SENTENCE = 14
SECOND_SENTENCE_RATIO = 0.6  # a further sentence must score at least this share of the best one

# Provenance fallback (policy_docs/README.md) when a Passage carries no title/date/scope.
DOC_META: dict[str, tuple[str, str, str]] = {
    "national-2024-project-requirements.txt": ("国家级继续医学教育项目申办要求（2024 年版）", "2024", "national"),
    "bj-2025-application-requirements.txt": ("北京市 2025 年继续医学教育推荐项目申报具体要求", "2024-11", "beijing"),
    "bj-2024-supervision-and-2025-credit-rules.txt": (
        "2024年北京市继教项目督查、学分审验情况及2025年继教项目、学分管理要求",
        "2025-04",
        "beijing",
    ),
    "pku-2026-approved-projects-notice.txt": (
        "关于公布 2026 年医学部国家级、市级继续医学教育推荐项目的通知",
        "2026-04-14",
        "institution",
    ),
    "national-2021-first-batch-notice.txt": (
        "关于公布 2021 年第一批国家级继续医学教育项目的通知",
        "2020-12-25",
        "national",
    ),
}
CONTACT_DOC = "bj-2025-application-requirements.txt"
CONTACT_QUOTE = "电话：63132231 63176705"
CONTACT_SECTION = "问题咨询"
PROVINCE_DOC = "national-2021-first-batch-notice.txt"


@dataclass
class Sentence:
    """A candidate sentence of a retrieved passage."""

    text: str  # whitespace-collapsed source span (verbatim quote)
    passage: Any
    rank: int  # retrieval rank of its passage
    score: float = 0.0


def doc_meta(p: Any) -> tuple[str, str, str]:
    """(title, date, scope) of a passage's notice: passage fields first, README table second."""
    title, date, scope = DOC_META.get(getattr(p, "doc", ""), (getattr(p, "doc", ""), "", ""))
    return (getattr(p, "title", "") or title, str(getattr(p, "date", "") or date), scope)


@lru_cache(maxsize=2)
def corpus_sentences(policy_dir: str = str(POLICY_DIR)) -> tuple[str, ...]:
    """Every sentence of the corpus, normalised (for document frequencies)."""
    out: list[str] = []
    for f in sorted(Path(policy_dir).glob("*.txt")):
        out.extend(norm(s) for s in split_sentences(f.read_text(encoding="utf-8")))
    return tuple(out)


@lru_cache(maxsize=4096)
def idf(term: str) -> float:
    """Inverse sentence frequency of a term in the corpus (rare terms weigh more)."""
    sents = corpus_sentences()
    t = norm(term)
    df = sum(1 for s in sents if t in s)
    return math.log((len(sents) + 1) / (df + 1)) + 0.5


def wanted_scope(question: str, level: Optional[str]) -> str:
    """'beijing', 'national' or '' from the question's level words, else the draft's level."""
    if "北京市级" in question or "市级" in question:
        return "beijing"
    if "国家级" in question:
        return "national"
    if level:
        return "beijing" if "北京" in level or "市级" in level else "national" if "国家" in level else ""
    return ""


def preference(p: Any, scope: str) -> float:
    """Small bonus for newer notices and for the narrower scope that matches the project level."""
    _, date, doc_scope = doc_meta(p)
    year = int(date[:4]) if date[:4].isdigit() else 2020
    bonus = 0.05 * max(0, year - 2020)
    if scope == "beijing" and doc_scope == "beijing":
        bonus += 0.4
    if scope == "national" and doc_scope == "national":
        bonus += 0.3
    return bonus


def relevance(question: str, passages: list[Any]) -> tuple[bool, str]:
    """Decide whether the passages answer the question: (relevant, reason)."""
    if not passages:
        return False, "no passages"
    prov = other_province(question)
    if prov and not any(w in question for w in ("国家级", "外省", "外地", "京津冀", "北京")):
        return False, f"other province: {prov}"
    adjacent = next((t for t in ADJACENT_TOPICS if t in question), None)
    if adjacent and not any(w in question for w in CME_WORDS):
        return False, f"adjacent field: {adjacent}"
    q = [t for t in dict.fromkeys(terms(question)) if not t.isdigit()]
    if not q:
        return False, "no content terms"
    text = norm(" ".join(getattr(p, "text", "") for p in passages[:4]))
    hit = [t for t in q if norm(t) in text]
    weight = sum(idf(t) for t in q)
    coverage = sum(idf(t) for t in hit) / weight if weight else 0.0
    domain_hits = [t for t in hit if t in TOPIC_NOUNS or any(d in t for d in TOPIC_NOUNS)]
    # term coverage alone is not enough: the hybrid retriever finds *some* passage sharing words with almost any
    # question, so an answer also needs a CME term of the question in those passages
    ok = coverage >= MIN_COVERAGE and len(domain_hits) >= MIN_DOMAIN_HITS
    return ok, f"coverage={coverage:.2f} domain={domain_hits}"


_ASKED_UNIT = re.compile(r"(?:几|多少)个?([\u4e00-\u9fff]{1,2})")


def asked_unit(question: str) -> str:
    """The unit a how-many question asks for: 几个学分 → 学分, 多少字 → 字, 几期 → 期."""
    m = _ASKED_UNIT.search(question)
    if not m:
        return ""
    unit = m.group(1)
    return (
        unit
        if unit in ("学分", "学时", "小时", "字", "期", "项", "人", "年", "周")
        else unit[:1]
        if unit[:1] in "字期项人年周"
        else ""
    )


# "最多几个学分" asks for an upper bound, "至少多少" for a lower one: prefer sentences that state that bound
BOUND_CUES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "upper": (
        ("最多", "上限", "最高", "不能超过", "封顶", "最大"),
        ("不超过", "不得超过", "不高于", "以内", "上限", "最多"),
    ),
    "lower": (("至少", "最少", "下限", "最低", "不能少于"), ("不低于", "不少于", "以上", "至少")),
}


def asked_bound(question: str) -> str:
    """'upper', 'lower' or '' for the kind of limit a question asks about."""
    return next((k for k, (cues, _) in BOUND_CUES.items() if any(c in question for c in cues)), "")


def score_sentence(s: str, q_terms: list[str], numeric: bool, unit: str = "", bound: str = "") -> float:
    """Term overlap (idf-weighted) with the question; numeric questions prefer a number, best with the asked unit."""
    ns = norm(s)
    score = sum(idf(t) for t in q_terms if norm(t) in ns)
    if numeric:
        score *= 1.3 if re.search(r"\d", ns) else 0.6
        if unit and re.search(r"\d[\d.]*[（(]?" + re.escape(unit), ns):
            score *= 1.6
        if bound and any(w in ns for w in BOUND_CUES[bound][1]):
            score *= 1.4
    if len(ns) < SHORT_SENTENCE and not re.search(r"\d", ns):
        score *= 0.5  # a bare heading ("项目负责人", "1.进修学习") states no rule
    return score / (0.75 + 0.25 * len(ns) / SENTENCE_NORM_CHARS)  # long run-on spans (slides, tables) answer poorly


def rank_sentences(question: str, passages: list[Any], scope: str = "") -> list[Sentence]:
    """Candidate sentences of the passages, best first."""
    q_terms = [t for t in dict.fromkeys(terms(question)) if not t.isdigit()]
    numeric = is_numeric_question(question)
    unit = asked_unit(question)
    bound = asked_bound(question)
    out: list[Sentence] = []
    seen: set[str] = set()
    for rank, p in enumerate(passages):
        for s in split_sentences(getattr(p, "text", "")):
            key = norm(s)
            if key in seen:
                continue
            seen.add(key)
            base = score_sentence(s, q_terms, numeric, unit, bound)
            if base <= 0:
                continue
            out.append(Sentence(s, p, rank, base * (1 + preference(p, scope)) - 0.05 * rank))
    return sorted(out, key=lambda x: -x.score)


def pick(sentences: list[Sentence]) -> list[Sentence]:
    """The best sentence and close runners-up (at most MAX_SENTENCES)."""
    if not sentences:
        return []
    best = sentences[0].score
    return [s for s in sentences[:MAX_SENTENCES] if s.score >= best * SECOND_SENTENCE_RATIO]


def cite(s: Sentence) -> Citation:
    """Citation of a sentence (verbatim, whitespace-collapsed source span)."""
    return Citation(
        doc=getattr(s.passage, "doc", ""), section=getattr(s.passage, "section", "") or "", quote=collapse(s.text)
    )


def basis_line(citations: list[Citation]) -> str:
    """Which notice the answer follows: the newest cited one, named with its date."""
    docs = list(dict.fromkeys(c.doc for c in citations if c.doc in DOC_META or c.doc))
    if not docs:
        return ""
    metas = [(DOC_META.get(d, (d, "", ""))) for d in docs]
    title, date, _ = max(metas, key=lambda m: m[1])
    line = f"以上依据《{title}》" + (f"（{date}）" if date else "")
    if len(docs) > 1:
        line += "；多份通知规定不一致时，以较新、适用范围较窄（北京市级项目以北京市通知为准）的通知为准"
    return line + "。"


def extractive(
    question: str, passages: list[Any], scope: str = "", offset: int = 0
) -> tuple[list[str], list[Citation]]:
    """Answer lines '· sentence [n]' and their citations (markers start after `offset`)."""
    chosen = pick(rank_sentences(question, passages, scope))
    lines, cites = [], []
    for i, s in enumerate(chosen, offset + 1):
        lines.append(f"· {display(s.text)} [{i}]")
        cites.append(cite(s))
    return lines, cites


def contact_citation() -> Citation:
    """The Beijing CME office's contact line (quoted in refusals)."""
    return Citation(doc=CONTACT_DOC, section=CONTACT_SECTION, quote=CONTACT_QUOTE)


def province_citation(province: str, policy_dir: Path = POLICY_DIR) -> Optional[Citation]:
    """The contact row of a province's CME committee from the 2021 national notice's 附件 4."""
    path = policy_dir / PROVINCE_DOC
    if not path.is_file():
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(province) and "继续医学教育委员会" in line:
            return Citation(
                doc=PROVINCE_DOC, section="附件 4 各省继续医学教育委员会地址及联系方式", quote=collapse(line)
            )
    return None


def refusal(question: str) -> tuple[str, list[Citation]]:
    """The not-found answer with whom to ask (a quoted contact line)."""
    prov = other_province(question)
    cit = province_citation(prov) if prov else None
    if cit:
        text = (
            f"{NOT_FOUND}现有政策文件只涵盖国家级和北京市的继续医学教育规定，未涉及{prov}的具体要求，"
            f"请咨询当地继续医学教育委员会：{display(cit.quote)} [1]"
        )
        return text, [cit]
    text = (
        f"{NOT_FOUND}本助手只依据已收录的继续医学教育政策通知作答，不凭常识回答。"
        f"如需咨询，可联系北京市继续医学教育委员会办公室（{CONTACT_QUOTE}）[1]，或本单位继续教育管理部门。"
    )
    return text, [contact_citation()]
