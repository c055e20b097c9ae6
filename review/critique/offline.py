"""Offline critique of one narrative: the deterministic rubric (review.critique.rubric), summed and capped."""

from __future__ import annotations

from review.critique.rubric import ELEMENTS, MAX_CHARS, rubric
from review.form import Form
from review.narratives import KIND_ZH, MIN_CHARS
from review.normalize import count_chars, is_hint_text
from review.report import CriterionScore, NarrativeCritique

SHORT_CAP = 59  # a narrative below the minimum cannot be submitted, so it cannot pass


def text_of(form: Form, kind: str) -> str:
    """The narrative text, '' when absent."""
    return (getattr(form, kind) or "").strip()


def _is_empty(kind: str, text: str) -> bool:
    """Blank, or nothing but the template's hint text."""
    return is_hint_text(kind, text)


def _unfilled(kind: str, text: str) -> NarrativeCritique:
    """Score 0 critique for a missing narrative."""
    need = MIN_CHARS[kind]
    elems = "、".join(name for name, _, _ in ELEMENTS[kind])
    return NarrativeCritique(
        chars=count_chars(text),
        min_chars=need,
        score=0,
        criteria=[CriterionScore(name="字数", score=0, max=MAX_CHARS, note="未填写")],
        issues=["未填写"],
        suggestions=[f"填写{KIND_ZH[kind]}（不少于 {need} 字），涵盖：{elems}"],
    )


def critique_offline(kind: str, form: Form) -> NarrativeCritique:
    """Deterministic rubric critique of one narrative."""
    text = text_of(form, kind)
    if _is_empty(kind, text):
        return _unfilled(kind, text)
    parts = rubric(kind, text, form)
    chars = count_chars(text)
    score = max(0, min(100, round(sum(p.score for p in parts))))
    if chars < MIN_CHARS[kind] and score > SHORT_CAP:
        score = SHORT_CAP
        parts[0].note += f"；字数不足，总分封顶 {SHORT_CAP} 分"
    return NarrativeCritique(
        chars=chars,
        min_chars=MIN_CHARS[kind],
        score=score,
        criteria=[CriterionScore(name=p.name, score=p.score, max=p.max, note=p.note) for p in parts],
        issues=[i for p in parts for i in p.issues],
        suggestions=list(dict.fromkeys(s for p in parts for s in p.suggestions)),
    )
