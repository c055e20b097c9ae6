"""Offline policy answers: the fact first (a span of the best clause), then whole quoted sentences with their notice."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from review.chat.gate import Weights, aliases, question_terms
from review.chat.text import collapse, display, is_numeric_question, norm, other_province, split_sentences
from review.config import load_settings
from review.retrieval import corpus
from review.retrieval.thesaurus import cn_to_arabic
from review.rules.base import Citation

if TYPE_CHECKING:  # index.py loads numpy, bm25s and Chroma: the type only here
    from review.retrieval.index import Passage

EXTRACTIVE_LABEL = "（以下为政策原文摘录，非生成回答）"
NOT_FOUND = "政策文件中未找到相关规定。"
ANSWER_PREFIX = "答："
MAX_SENTENCES = 3
SENTENCE_NORM_CHARS = 50  # length normalisation of sentence scores (BM25-like)
LABEL_CHARS = 24  # a sentence this short without punctuation or numbers is a label, not a rule
SECOND_SENTENCE_RATIO = 0.1  # a further sentence must score at least this share of the best one (ranker odds)
LEVEL_RATIO = 0.5  # a level's own answer must score at least this share of the best sentence (ranker odds)
ALIAS_WEIGHT = 0.8  # a notice term standing for a colloquial word counts almost as much as the word
SEMANTIC_ALONE = 0.9  # a sentence sharing no word with the question is kept when this close in meaning (0..1 of range)
QUOTED_KINDS = ("sent", "row")
ROW_WEIGHT = 0.7  # a table row of a form layout states a rule less plainly than a sentence  # headings, labels and cut fragments are never quoted
LEVEL_ZH = {"national": "国家级项目", "beijing": "北京市级项目"}

UNITS = r"(?:学分|学时|小时|个月|月|年|周|天|日|项|期（次）|期|次|人|名|字|%|％)"
NUM_SPAN = re.compile(r"\d+(?:\.\d+)?\s*" + UNITS)
RANK = re.compile(r"(?:正高级|副高级|中级|初级|高级)")
TIME_SPAN = re.compile(
    r"(?:不少于|不超过|不低于|至少|满)\s*\d+\s*(?:年|个月|周|天|日)|\d+\s*(?:周|个月|天|日|年)\s*(?:内|前|后)|\d{4}\s*年\s*\d+\s*月(?:\s*\d+\s*日)?|当日|\d+月\d+日"
)
NO_WORDS = ("不得", "严禁", "禁止", "不可", "不能", "不允许", "不予", "杜绝", "不作为", "不纳入", "不含", "不再")
YES_WORDS = ("可以", "均可", "允许", "可为", "可不受", "可分次", "可安排", "可申报", "可在")
YESNO_Q = re.compile(
    r"能不能|可不可以|可否|能否|是否|行不行|要不要|需不需要|算不算|够不够|会不会|允许|(?:能|可以|可|需要|必须|要|用|算).{0,20}(?:吗|不[？?]|不$)|行吗"
)
# what else a question may ask for, and the words of a clause that states it
ASKED_KINDS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (  # a consequence: what happens if …
        ("会怎么样", "怎么处理", "怎么罚", "影响", "后果", "会怎样", "处罚", "受影响"),
        ("影响", "处罚", "取消", "无法", "不予", "通报", "核减", "不建议", "停办", "暂停", "不得"),
    ),
    (  # a place or channel: where to send, print, look up
        ("哪儿", "哪里", "什么地方", "送到", "在哪", "去哪", "从哪"),
        ("地址", "室", "路", "系统", "平台", "网站", "http", "登录", "查询"),
    ),
    (  # a procedure: what to do, which form
        ("怎么办", "怎么弄", "什么手续", "怎么填", "怎么录", "要做啥", "要做什么", "走什么"),
        ("应", "须", "需", "填写", "申请", "备案", "提交", "报送", "登录"),
    ),
)
TITLE_Q = ("职称", "职务", "级别的", "什么级别")
WHO_Q = ("谁", "什么人", "哪些人", "哪位", "什么专家", "哪类人")
WHO_WORDS = ("由", "填写", "签字", "签署", "负责", "专家")
EXCEPTION_STARTS = ("确需", "如确需", "但", "如有特殊", "特殊情况", "如遇")
DIRECT_WHOLE_CHARS = 120  # a sentence this short is the direct answer as a whole
# words of a ruling: a clause holding none of them is a condition or a list ("…的，", "如…") whose rule follows
RULE_WORDS = re.compile(
    r"不得|不可|不能|不予|不再|不作为|严禁|禁止|杜绝|停止|取消|不超过|不少于|不低于|原则上|即可|均需|均须"
    r"|(?<![相对响供反适])应|须|(?<![所必])需|(?<!许)可(?!能)|按照?|由|请"
)
TIME_Q = ("什么时候", "何时", "多久", "多长时间", "截止", "期限", "之前", "几周", "哪天", "时限")
CLAUSE_CUT = re.compile(r"[^，,；;：:。！？!?]+[，,；;：:。！？!?]*")
ITEM_MARK = re.compile(r"^(?:[-•●※△★]\s*|\d{1,2}\s*[\.．、]\s*|[（(]\d{1,2}[）)]\s*|\d{1,2}\s+)")


@dataclass
class Sentence:
    """A candidate sentence of a retrieved passage."""

    text: str  # display text of a whole source sentence (verbatim quote, whitespace-normalised)
    passage: Passage
    rank: int  # retrieval rank of its passage
    level: str = ""  # national | beijing | ''
    score: float = 0.0
    kind: str = "sent"  # sent | row (a table row of a form layout)


# --- provenance ----------------------------------------------------------------------------------


def doc_scope(p: Passage) -> str:
    """national, beijing or '' from the passage's README scope (mixed and institution notices give '')."""
    scope = str(getattr(p, "scope", "") or "")
    if scope.startswith("Beijing"):
        return "beijing"
    if scope.startswith("national") and "Beijing" not in scope:
        return "national"
    return ""


def sentence_level(text: str, label: str, p: Passage) -> str:
    """Which project level a sentence is about: its slide label, its own level words, else its notice's scope."""
    if label:
        return label
    bj, nat = "市级" in text, "国家级" in text
    if bj != nat:
        return "beijing" if bj else "national"
    return doc_scope(p)


def wanted_scope(question: str, level: Optional[str]) -> str:
    """'beijing', 'national' or '' from the question's level words, else the draft's level."""
    if "北京市级" in question or "市级" in question:
        return "beijing"
    if "国家级" in question:
        return "national"
    if level:
        return "beijing" if "北京" in level or "市级" in level else "national" if "国家" in level else ""
    return ""


# --- candidate sentences -------------------------------------------------------------------------


def passage_sentences(p: Passage) -> list[tuple[str, str, str, float]]:
    """(display text, level label, kind, e5 similarity to the question or -1) of a passage's whole sentences."""
    stored = getattr(p, "sentences", None)
    if stored:
        sims = list(getattr(p, "sentence_sims", None) or [])
        sims = sims if len(sims) == len(stored) else [-1.0] * len(stored)
        return [
            (collapse(s[2]), s[4] if len(s) > 4 else "", s[3], sim)
            for s, sim in zip(stored, sims, strict=True)
            if s[3] in QUOTED_KINDS
        ]
    return [(s, "", "sent", -1.0) for s in split_sentences(getattr(p, "text", ""))]


_ASKED_UNIT = re.compile(r"(?:几|多少)个?([\u4e00-\u9fff]{1,2})")
BOUND_CUES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "upper": (
        ("最多", "上限", "最高", "不能超过", "封顶", "最大", "不超过"),
        ("不超过", "不得超过", "不高于", "以内", "上限", "最多", "≤", "＜"),
    ),
    "lower": (
        ("至少", "最少", "下限", "最低", "不能少于", "不低于", "拿够", "达到", "要够"),
        ("不低于", "不少于", "以上", "至少", "≥", "满"),
    ),
}


def asked_unit(question: str) -> str:
    """The unit a how-many question asks for: 几个学分 → 学分, 多少字 → 字, 几期 → 期."""
    m = _ASKED_UNIT.search(question)
    if not m:
        return "%" if any(w in question for w in ("比例", "占比", "占多少", "几成")) else ""
    unit = m.group(1)
    if unit in ("学分", "学时", "小时", "字", "期", "项", "人", "年", "周"):
        return unit
    return unit[:1] if unit[:1] in "字期项人年周天" else ""


def asked_bound(question: str) -> str:
    """'upper', 'lower' or '' for the kind of limit a question asks about."""
    return next((k for k, (cues, _) in BOUND_CUES.items() if any(c in question for c in cues)), "")


@dataclass
class Query:
    """What the scorer needs from a question."""

    terms: list[str]
    alias_terms: list[str]
    numeric: bool
    unit: str
    bound: str


def make_query(question: str) -> Query:
    """Terms, thesaurus terms and the kind of number asked for."""
    q = question_terms(question)
    extra = [t for ns in aliases(question).values() for t in ns if t not in q]
    return Query(
        q, list(dict.fromkeys(extra)), is_numeric_question(question), asked_unit(question), asked_bound(question)
    )


def score_sentence(s: str, q: Query, w: Weights) -> float:
    """Term overlap (idf-weighted) with the question; numeric questions prefer a number, best with the asked unit."""
    ns = norm(s)
    score = sum(w.idf(t) for t in q.terms if norm(t) in ns)
    score += ALIAS_WEIGHT * sum(w.idf(t) for t in q.alias_terms if norm(t) in ns)
    if q.numeric:
        score *= 1.3 if re.search(r"\d", ns) else 0.6
        if q.unit and re.search(r"\d[\d.]*[（(]?" + re.escape(q.unit), ns):
            score *= 1.6
        if q.bound and any(x in ns for x in BOUND_CUES[q.bound][1]):
            score *= 1.4
    if is_label(ns):
        score *= 0.5  # a bare label ("项目负责人", "推荐项目内容（北京市级）") states no rule
    if ns.endswith(("：", ":")):
        score *= 0.6  # a lead-in announces the rule that follows it
    return score / (0.75 + 0.25 * len(ns) / SENTENCE_NORM_CHARS)  # long run-on spans (slides, tables) answer poorly


def is_label(ns: str) -> bool:
    """A short unpunctuated line without numbers, bullet or rule words: a slide label, not a rule."""
    if len(ns) >= LABEL_CHARS or re.search(r"[\d，,。；;：:、]", ns) or ns[:1] in "-•●※△★":
        return False
    return not any(x in ns for x in ("不", "须", "应", "可", "得", "禁"))


def candidates(
    question: str, passages: list[Passage], scope: str = "", w: Optional[Weights] = None
) -> list[tuple[Sentence, list[float]]]:
    """The whole sentences of the passages that could answer (repeats once), each with its ranker features."""
    w = w or Weights(Path(load_settings().policy_dir))
    q = make_query(question)
    cands: list[tuple[str, Passage, int, str, str, float, float]] = []
    seen: set[str] = set()
    for rank, p in enumerate(passages):
        for text, label, kind, sim in passage_sentences(p):
            key = norm(text)
            if key in seen or len(key) < 4:
                continue
            seen.add(key)
            lex = score_sentence(text, q, w) * (ROW_WEIGHT if kind == "row" else 1.0)
            cands.append((text, p, rank, label, kind, lex, sim))
    if not cands:
        return []
    top_lex = max(c[5] for c in cands) or 1.0
    sims = [c[6] for c in cands if c[6] >= 0]
    lo, hi = (min(sims), max(sims)) if sims else (0.0, 0.0)
    out: list[tuple[Sentence, list[float]]] = []
    for text, p, rank, label, kind, lex, sim in cands:
        sem = (sim - lo) / (hi - lo) if hi > lo and sim >= 0 else 0.0
        if lex <= 0 and sem < SEMANTIC_ALONE:
            continue  # no question word and not close in meaning either
        level = sentence_level(text, label, p)
        gap = sim - hi if sim >= 0 else -1.0
        x = features(question, q, w, text, p, rank, level, kind, lex / top_lex, sem, gap, scope)
        out.append((Sentence(text, p, rank, level, 0.0, kind), x))
    return out


def rank_sentences(
    question: str, passages: list[Passage], scope: str = "", w: Optional[Weights] = None
) -> list[Sentence]:
    """Candidate sentences, best first, by the trained linear ranker (ranker.json); the best scores 1 and the
    others exp(their score - the best's), so score ratios compare like probabilities."""
    weights = ranker_weights()
    scored = [
        (sent, sum(a * b for a, b in zip(weights, x, strict=True)))
        for sent, x in candidates(question, passages, scope, w)
    ]
    if not scored:
        return []
    top = max(v for _, v in scored)
    for sent, v in scored:
        sent.score = math.exp(v - top)
    return sorted((sent for sent, _ in scored), key=lambda x: -x.score)


FEATURE_NAMES = (
    "lexical",  # idf-weighted question words (and thesaurus terms) in the sentence, share of the best candidate's
    "semantic",  # e5 similarity to the question, min-max scaled over the candidates
    "semantic_gap",  # e5 similarity minus the best candidate's (0 for the closest)
    "no_word",  # no question word at all (kept only for its meaning)
    "passage_rank",  # retrieval rank of its passage / 8
    "table_row",  # a table row of a form layout
    "states_rule",  # a ruling word or a number (not a heading or a bare list)
    "answers_kind",  # holds the kind of fact asked for (time, rank, number with the asked unit, yes/no word …)
    "clause_fit",  # its best clause's score for the question (the direct answer's scorer), log-scaled
    "newer",  # years after 2020 of its notice / 5
    "scope_match",  # its level is the one the question (or draft) names
    "scope_other",  # its level is the other one
    "label_or_lead_in",  # a bare label or a lead-in ending with ：
    "length",  # characters / 100, capped at 2
    "number_for_count",  # a how-many question and the sentence states a number with a unit
    "unit_match",  # … a number in the very unit asked for (几个学分 → N学分)
    "bound_match",  # … the kind of bound asked for (最多 → 不超过, 至少 → 不少于)
    "time_for_when",  # a when/how-long question and the sentence states a date or a time span
    "rank_for_title",  # a title question and the sentence names a title rank
    "ruling_for_yes_no",  # a yes/no question and the sentence holds a prohibition or permission word
    "coverage",  # idf-weighted share of the question's words found in the sentence
    "section_words",  # idf-weighted share of the question's words found in its section heading
)


def features(
    question: str,
    q: Query,
    w: Weights,
    text: str,
    p: Passage,
    rank: int,
    level: str,
    kind: str,
    lex: float,
    sem: float,
    gap: float,
    scope: str,
) -> list[float]:
    """The ranker's inputs for one candidate sentence, in FEATURE_NAMES order (each general, none keyed on a
    notice's wording)."""
    ns = norm(text)
    nd = cn_to_arabic(ns)
    date = str(getattr(p, "date", "") or "")
    year = int(date[:4]) if date[:4].isdigit() else 2020
    clause = max((_clause_score(text[a:b], question, q, w) for a, b in clauses(text)), default=0.0)
    return [
        lex,
        sem,
        gap,
        1.0 if lex <= 0 else 0.0,
        rank / 8,
        1.0 if kind == "row" else 0.0,
        1.0 if _rules(text) else 0.0,
        1.0 if answers_kind(question, text) else 0.0,
        math.log1p(max(clause, 0.0)),
        max(0, year - 2020) / 5,
        1.0 if scope and level == scope else 0.0,
        1.0 if scope and level and level != scope else 0.0,
        1.0 if is_label(ns) or ns.endswith(("：", ":")) else 0.0,
        min(len(ns) / 100, 2.0),
        1.0 if q.numeric and NUM_SPAN.search(nd) else 0.0,
        1.0 if q.unit and re.search(r"\d[\d.]*[（(]?" + re.escape(q.unit), nd) else 0.0,
        1.0 if q.bound and any(x in ns for x in BOUND_CUES[q.bound][1]) else 0.0,
        1.0 if any(x in question for x in TIME_Q) and TIME_SPAN.search(nd) else 0.0,
        1.0 if any(x in question for x in TITLE_Q) and RANK.search(ns) else 0.0,
        1.0 if YESNO_Q.search(question) and any(x in ns for x in NO_WORDS + YES_WORDS) else 0.0,
        _share(q, ns, w),
        _share(q, norm(str(getattr(p, "section", "") or "")), w),
    ]


def _share(q: Query, text: str, w: Weights) -> float:
    """idf-weighted share of the question's words (thesaurus terms for colloquial ones) found in a text."""
    total = sum(w.idf(t) for t in q.terms) or 1.0
    found = sum(w.idf(t) for t in q.terms if norm(t) in text)
    found += ALIAS_WEIGHT * sum(w.idf(t) for t in q.alias_terms if norm(t) in text)
    return min(found / total, 1.5)


RANKER_FILE = Path(__file__).with_name("ranker.json")


@lru_cache(maxsize=1)
def ranker_weights() -> tuple[float, ...]:
    """The sentence ranker's weights (ranker.json, trained by eval/train_ranker.py on the tuning sets)."""
    import json

    data = json.loads(RANKER_FILE.read_text(encoding="utf-8"))
    names = tuple(data["features"])
    if names != FEATURE_NAMES:
        raise ValueError(f"ranker.json was trained on other features: {names}")
    return tuple(float(x) for x in data["weights"])


def pick(sentences: list[Sentence]) -> list[Sentence]:
    """The best sentence and close runners-up (at most MAX_SENTENCES), none contained in another."""
    if not sentences:
        return []
    best = sentences[0].score
    out: list[Sentence] = []
    for s in sentences[: MAX_SENTENCES * 2]:
        if s.score < best * SECOND_SENTENCE_RATIO or len(out) >= MAX_SENTENCES:
            break
        if any(norm(s.text) in norm(o.text) or norm(o.text) in norm(s.text) for o in out):
            continue
        out.append(s)
    return out


# --- the direct answer ---------------------------------------------------------------------------


def clauses(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of the comma-delimited clauses of a sentence (punctuation kept with its clause)."""
    return [(m.start(), m.end()) for m in CLAUSE_CUT.finditer(sentence) if m.group(0).strip()]


def _clause_score(text: str, question: str, q: Query, w: Weights) -> float:
    """How well one clause answers the question: its terms, and the kind of fact asked for."""
    nt = norm(text)
    nd = cn_to_arabic(nt)  # 两周内, 三年: the number and time patterns read Chinese numerals too
    score = sum(w.idf(t) for t in q.terms if norm(t) in nt) + ALIAS_WEIGHT * sum(
        w.idf(t) for t in q.alias_terms if norm(t) in nt
    )
    if q.numeric:
        if NUM_SPAN.search(nd):
            score += 3.0 + (3.0 if q.unit and re.search(r"\d[\d.]*[（(]?" + re.escape(q.unit), nd) else 0.0)
            if q.bound and any(x in nt for x in BOUND_CUES[q.bound][1]):
                score += 2.0
        else:
            score *= 0.4  # a how-many question is answered by a number
    if any(x in question for x in TITLE_Q):
        score = score + 4.0 if RANK.search(nt) else score * 0.6
    if any(x in question for x in TIME_Q):
        score = score + 4.0 if TIME_SPAN.search(nd) else score * 0.6
    if any(x in question for x in WHO_Q) and any(x in nt for x in WHO_WORDS):
        score += 3.0
    for cues, marks in ASKED_KINDS:
        if any(c in question for c in cues) and any(m in nt for m in marks):
            score += 2.0
    yes_no = YESNO_Q.search(question) and not q.numeric
    if yes_no and (any(x in nt for x in NO_WORDS) or any(x in nt for x in YES_WORDS)):
        score += 2.0
    if nt.endswith(("：", ":")):
        score *= 0.5  # a lead-in ("录入要求：") announces the fact, it does not state it
    return score


def direct_span(question: str, sentence: str, w: Weights) -> tuple[str, float]:
    """(span of the sentence stating the fact asked for, its score): the best clause, widened when too short."""
    q = make_query(question)
    spans = clauses(sentence)
    if not spans:
        return sentence.strip(), 0.0
    scores = [_clause_score(sentence[a:b], question, q, w) for a, b in spans]
    i = max(range(len(spans)), key=lambda j: (scores[j], -j))
    a, b = spans[i]
    if len(norm(sentence)) <= DIRECT_WHOLE_CHARS:
        a, b = spans[0][0], spans[-1][1]
    if len(norm(sentence[a:b])) < 10 and i > 0:
        a = spans[i - 1][0]  # "授予25学分" alone hides what it is about
    while sentence[a:b].rstrip().endswith(("：", ":")) and b < spans[-1][1]:
        b = next(e for s_, e in spans if e > b)  # a lead-in clause takes what it announces
    if len(norm(sentence[a:b])) < 10 and b < spans[-1][1]:
        b = next(e for s_, e in spans if e > b)
    if not _rules(sentence[a:b]):  # a condition or list: the clause stating the rule comes after it
        b = next((e for s_, e in spans if s_ >= b and _rules(sentence[s_:e])), b)
    rest = [(s_, e) for s_, e in spans if s_ >= b]
    if rest and sentence[rest[0][0] :].lstrip().startswith(EXCEPTION_STARTS):
        b = rest[min(1, len(rest) - 1)][1]  # "原则上不得更改，确需调整的，变动范围应控制在30%以内"
    span = ITEM_MARK.sub("", sentence[a:b].strip()).rstrip("，,；;：:、")
    return (span or sentence.strip()), max(scores)


def answers_kind(question: str, text: str) -> bool:
    """The text holds the kind of fact the question asks for: a time, a title rank, a number with the asked
    unit, a yes/no ruling word, or the marks of a consequence, place or procedure."""
    nt = norm(text)
    nd = cn_to_arabic(nt)
    if any(x in question for x in TIME_Q) and TIME_SPAN.search(nd):
        return True
    if any(x in question for x in TITLE_Q) and RANK.search(nt):
        return True
    unit = asked_unit(question)
    if unit and re.search(r"\d[\d.]*[（(]?" + re.escape(unit), nd):
        return True
    if YESNO_Q.search(question) and not is_numeric_question(question) and any(x in nt for x in NO_WORDS + YES_WORDS):
        return True
    return any(any(c in question for c in cues) and any(m in nt for m in marks) for cues, marks in ASKED_KINDS)


def _rules(text: str) -> bool:
    """The clause states a rule (a modal, bound or prescription word), not only a condition or a list."""
    nt = norm(text)
    return bool(RULE_WORDS.search(nt) or NUM_SPAN.search(cn_to_arabic(nt)))


def best_direct(question: str, chosen: list[Sentence], w: Weights) -> tuple[int, str]:
    """(index into chosen, span): the best-ranked sentence's clause stating the fact (the ranker already
    weighed how well each sentence's clauses fit the question; a runner-up never answered better on the
    tuning sets)."""
    return 0, direct_span(question, chosen[0].text, w)[0]


def verdict(question: str, span: str) -> str:
    """可以 / 不可以 / 不建议 for a yes-no question, read off a prohibition or permission word in the span."""
    if not YESNO_Q.search(question):
        return ""
    ns = norm(span)
    if any(x in ns for x in ("确需", "特殊情况", "但")):
        return ""  # a rule with its exception: the clause says it better than a yes or a no
    if "不建议" in ns:
        return "不建议。"
    if any(x in ns for x in NO_WORDS):
        return "不可以。"
    if any(x in ns for x in YES_WORDS) and not re.search(r"不可|不能", ns):
        return "可以。"
    return ""


def by_level(question: str, ranked: list[Sentence], scope: str) -> list[Sentence]:
    """The best sentence per project level when the question names no level and the levels' rules differ."""
    if scope:
        return []
    best: dict[str, Sentence] = {}
    for s in ranked[:8]:
        if s.level in LEVEL_ZH and s.level not in best and s.score >= ranked[0].score * LEVEL_RATIO:
            best[s.level] = s
    if len(best) < 2:
        return []
    nat, bj = _facts(best["national"].text), _facts(best["beijing"].text)
    if not nat or not bj or nat == bj:
        return []  # the same rule at both levels, or one level states no figure: one answer
    return [best["national"], best["beijing"]]


def _facts(text: str) -> frozenset[str]:
    """The numbers with units and title ranks a sentence states (what differs between levels)."""
    nt = norm(text)
    return frozenset(NUM_SPAN.findall(nt) + RANK.findall(nt))


# --- the extractive answer -----------------------------------------------------------------------


def cite(s: Sentence) -> Citation:
    """Citation of a sentence (verbatim, whitespace-collapsed source text)."""
    return Citation(
        doc=getattr(s.passage, "doc", ""), section=getattr(s.passage, "section", "") or "", quote=collapse(s.text)
    )


def source_name(p: Passage) -> str:
    """《title》section of a passage, for the quote lines."""
    title = getattr(p, "title", "") or getattr(p, "doc", "")
    section = (getattr(p, "section", "") or "").split(" > ")
    tail = " > ".join(x for x in section[-2:] if x)
    return f"《{title}》" + (f"{tail}" if tail else "")


def basis_line(passages: list[Passage]) -> str:
    """Which notice the answer follows: the newest cited one, named with its date."""
    metas = {getattr(p, "doc", ""): p for p in passages if getattr(p, "doc", "")}
    if not metas:
        return ""
    newest = max(metas.values(), key=lambda p: str(getattr(p, "date", "") or ""))
    title = getattr(newest, "title", "") or getattr(newest, "doc", "")
    date = str(getattr(newest, "date", "") or "")
    line = f"以上依据《{title}》" + (f"（{date}）" if date else "")
    if len(metas) > 1:
        line += "；多份通知规定不一致时，以较新、适用范围较窄（北京市级项目以北京市通知为准）的通知为准"
    return line + "。"


def extractive(
    question: str, passages: list[Passage], scope: str = "", offset: int = 0, w: Optional[Weights] = None
) -> tuple[list[str], list[Citation]]:
    """Answer lines: the direct answer, the label, then '· 「sentence」——《notice》section [n]'; their citations."""
    w = w or Weights(Path(load_settings().policy_dir))
    ranked = rank_sentences(question, passages, scope, w)
    levels = by_level(question, ranked, scope)
    chosen = pick(ranked)
    for s in levels:
        if all(norm(s.text) != norm(c.text) for c in chosen):
            chosen.append(s)
    if not chosen:
        return [], []
    marker = {id(s): i for i, s in enumerate(chosen, offset + 1)}
    head: list[str] = []
    if levels:
        for s in levels:
            span, _ = direct_span(question, s.text, w)
            head.append(f"{ANSWER_PREFIX if not head else ''}{LEVEL_ZH[s.level]}：{display(span)} [{marker[id(s)]}]")
    else:
        n, span = best_direct(question, chosen, w)
        head.append(f"{ANSWER_PREFIX}{verdict(question, span)}{display(span)} [{offset + n + 1}]")
    lines = head + [EXTRACTIVE_LABEL]
    lines += [f"· 「{display(s.text)}」——{source_name(s.passage)} [{marker[id(s)]}]" for s in chosen]
    return lines, [cite(s) for s in chosen]


Office = tuple[Optional[Citation], str]  # the office's phone line and the issuer of its notice
PHONE_LINE = re.compile(r"^(?:联系)?电话[：:]\s*[\d\s\-、，,]{7,}$")  # a bare "电话：…" line of an office
PROVINCE_ROW = "继续医学教育委员会"  # a table row naming a province's CME committee (with its address and phone)


@lru_cache(maxsize=4)
def _contacts(policy_dir: str, stamp: tuple[tuple[str, int], ...]) -> tuple[Office, dict[str, Citation]]:
    """From the notices' own text: the office phone line to quote in refusals, and each province's committee row."""
    prov = corpus.load_provenance(Path(policy_dir))
    office: tuple[int, Optional[Citation], str] = (-1, None, "")
    rows: dict[str, Citation] = {}
    for path in corpus.source_files(Path(policy_dir)):
        text = corpus.read_text(path)
        sents = [x for x in corpus.split_sentences_doc(path.name, text) if x.kind != "frag"]
        chunks = corpus.chunk_text(path.name, text)
        beijing = str(getattr(prov.get(path.name), "scope", "")).startswith(("Beijing", "national + Beijing"))
        for n, x in enumerate(sents):
            shown = collapse(x.text)
            if PHONE_LINE.match(shown):
                asked = any("咨询" in y.text for y in sents[max(0, n - 4) : n])
                score = 2 * beijing + asked
                if score > office[0]:
                    cit = Citation(doc=path.name, section=_section_at(chunks, x.start), quote=shown)
                    office = (score, cit, getattr(prov.get(path.name), "issuer", ""))
            elif x.kind == "row" and PROVINCE_ROW in shown.split()[0]:
                head = shown.split()[0]
                rows.setdefault(head, Citation(doc=path.name, section=_section_at(chunks, x.start), quote=shown))
    return (office[1], office[2]), rows


def _section_at(chunks: list[corpus.Chunk], offset: int) -> str:
    """The section path of the chunk holding a source offset."""
    return next((c.section for c in chunks if c.start <= offset < c.end), "")


def _contacts_of(policy_dir: Optional[Path]) -> tuple[Office, dict[str, Citation]]:
    d = Path(policy_dir or load_settings().policy_dir)
    if not d.is_dir():
        return (None, ""), {}
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in corpus.source_files(d))
    return _contacts(str(d.resolve()), stamp)


def contact_citation(policy_dir: Optional[Path] = None) -> Optional[Citation]:
    """The CME office's phone line found in the notices (a Beijing notice's 问题咨询 first), or None."""
    return _contacts_of(policy_dir)[0][0]


def province_citation(province: str, policy_dir: Optional[Path] = None) -> Optional[Citation]:
    """The table row of a province's CME committee (address, phone) found in the notices, or None."""
    rows = _contacts_of(policy_dir)[1]
    return next((c for head, c in rows.items() if head.startswith(province)), None)


def refusal(question: str, policy_dir: Optional[Path] = None) -> tuple[str, list[Citation]]:
    """The not-found answer with whom to ask (a contact line quoted from the notices, when they have one)."""
    prov = other_province(question)
    cit = province_citation(prov, policy_dir) if prov else None
    if cit:
        text = (
            f"{NOT_FOUND}现有政策文件只涵盖国家级和北京市的继续医学教育规定，未涉及{prov}的具体要求，"
            f"请咨询当地继续医学教育委员会：{display(cit.quote)} [1]"
        )
        return text, [cit]
    text = f"{NOT_FOUND}本助手只依据已收录的继续医学教育政策通知作答，不凭常识回答。"
    office, issuer = _contacts_of(policy_dir)[0]
    if office is None:
        return text + "如需咨询，请联系本单位继续教育管理部门。", []
    who = issuer or "继续医学教育管理部门"
    return text + f"如需咨询，可联系{who}（{display(office.quote)}）[1]，或本单位继续教育管理部门。", [office]
