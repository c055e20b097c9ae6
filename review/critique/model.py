"""The model pass over the three narratives: one batched call, scores beside the local count, rewrites verified.

The rewrite is checked for numbers that appear nowhere in the original narrative or the form; the character
count is always computed locally, and on any model failure the caller keeps the offline critique.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from pydantic import BaseModel

from review.critique.offline import text_of
from review.critique.rubric import ELEMENTS
from review.form import Form
from review.grounding import numbers
from review.narratives import KIND_ZH, KINDS, MIN_CHARS
from review.normalize import count_chars
from review.privacy import mask_text as _mask
from review.prompts import render_messages
from review.report import CriterionScore, NarrativeCritique

if TYPE_CHECKING:  # review.llm imports langchain (~7 s measured with -X importtime): the type only
    from review.llm.protocol import ChatModelProtocol

log = logging.getLogger(__name__)

PROMPT = "critique_narratives"
PLACEHOLDER = "【请核实：原文无此数据】"
MAX_INVENTED = 5  # more invented numbers than this: the rewrite is rejected, not patched
_PLACEHOLDER_RX = re.compile(r"【[^】]*】")
_RECENT_RX = re.compile(r"近[一二两三四五六七八九十]+年")
_NUM_TOKEN = re.compile(
    r"近[一二两三四五六七八九十]+年|[0-9０-９]+(?:[.．][0-9０-９]+)?|[一二两三四五六七八九十百千万]+余?"
    r"(?:篇|项|部|人次|人|名|次|年|个|家|例|台|张|床|种|批|届|期)"
)


class ModelCriterion(BaseModel):
    """One rubric line as the model scores it."""

    name: str
    score: float
    max: float
    note: str


class ModelNarrative(BaseModel):
    """The model's critique of one narrative."""

    score: float
    criteria: list[ModelCriterion]
    issues: list[str]
    suggestions: list[str]
    rewrite: Optional[str]


class ModelCritique(BaseModel):
    """The model's answer for all three narratives in one call."""

    peer_review: ModelNarrative
    achievements: ModelNarrative
    unit_profile: ModelNarrative


def _facts(form: Form) -> str:
    """Form facts the model may rely on (masked, compact)."""
    reviewer = form.peer_reviewer.model_dump() if form.peer_reviewer else {}
    facts = {
        "项目名称": form.title,
        "学科": form.subject,
        "级别": form.level,
        "形式": form.mode,
        "教学对象": form.audience,
        "理论学时": form.theory_hours,
        "实践学时": form.practice_hours,
        "申报单位": form.applicant_unit,
        "评议专家单位": reviewer.get("unit"),
        "评议专家职称": reviewer.get("title"),
        "负责人职称": form.lead.title if form.lead else None,
        "近三年项目": [h.model_dump(exclude_none=True) for h in (form.history or [])],
        "授课题目": [t.topic for t in (form.teachers or []) if t.topic][:15],
    }
    return _mask(json.dumps(facts, ensure_ascii=False))


def _rubric_text() -> str:
    """The required elements per narrative, from the offline rubric (one source of truth)."""
    return "\n".join(f"- {k}（{KIND_ZH[k]}）：{'、'.join(n for n, _, _ in ELEMENTS[k])}" for k in KINDS)


def build_prompt(form: Form, prompts_dir: Optional[Path] = None) -> tuple[str, str]:
    """(system, user) messages of the one prompt for all three narratives."""
    texts = {k: _mask(text_of(form, k)) or "（未填写）" for k in KINDS}
    return render_messages(
        PROMPT,
        prompts_dir,
        facts=_facts(form),
        elements=_rubric_text(),
        peer_review=texts["peer_review"],
        achievements=texts["achievements"],
        unit_profile=texts["unit_profile"],
        peer_review_chars=count_chars(text_of(form, "peer_review")),
        achievements_chars=count_chars(text_of(form, "achievements")),
        unit_profile_chars=count_chars(text_of(form, "unit_profile")),
        peer_review_min=MIN_CHARS["peer_review"],
        achievements_min=MIN_CHARS["achievements"],
        unit_profile_min=MIN_CHARS["unit_profile"],
    )


def _grounded_values(text: str) -> set[float]:
    """Numeric values written in a text (Arabic or Chinese quantities), as the grounding check reads them."""
    return numbers(text, chinese=True)


def check_rewrite(rewrite: str, original: str, form: Form) -> tuple[Optional[str], list[str]]:
    """Replace numbers absent from the original narrative and the form; reject if too many. -> (text, invented)."""
    allowed = _grounded_values(original) | _grounded_values(json.dumps(form.to_json_dict(), ensure_ascii=False))
    invented: list[str] = []

    def fix(m: re.Match[str]) -> str:
        tok = m.group()
        if _RECENT_RX.fullmatch(tok) or _grounded_values(tok) <= allowed:
            return tok
        invented.append(tok)
        return PLACEHOLDER

    pieces = _PLACEHOLDER_RX.split(rewrite)
    holders = _PLACEHOLDER_RX.findall(rewrite)
    fixed = [_NUM_TOKEN.sub(fix, p) for p in pieces]
    out = "".join(p + (holders[i] if i < len(holders) else "") for i, p in enumerate(fixed))
    return (None if len(invented) > MAX_INVENTED else out), invented


def _merge(
    kind: str, off: NarrativeCritique, m: ModelNarrative, form: Form, name: str
) -> tuple[NarrativeCritique, list[str]]:
    """Model scores beside the local count; deterministic hard issues kept; rewrite verified."""
    notices: list[str] = []
    hard_issues = [i for i in off.issues if _issue_from_hard(i)]
    criteria = [off.criteria[0]] + [
        CriterionScore(name=c.name, score=max(0.0, min(c.score, c.max)), max=max(c.max, 0.0), note=c.note)
        for c in m.criteria
        if c.name != "字数"
    ]
    score = max(0, min(100, round(m.score)))
    if off.chars < off.min_chars:
        score = min(score, off.score)  # a too-short text cannot pass on the model's word
    rewrite = None
    if m.rewrite and m.rewrite.strip():
        rewrite, invented = check_rewrite(m.rewrite.strip(), text_of(form, kind), form)
        if invented and rewrite is None:
            notices.append(f"{KIND_ZH[kind]}：模型改写含 {len(invented)} 处原文和申报书中没有的数字，已弃用该改写")
        elif invented:
            notices.append(
                f"{KIND_ZH[kind]}：模型改写中 {len(invented)} 处数字（{'、'.join(invented)}）"
                f"未见于原文或申报书，已替换为占位符"
            )
    return NarrativeCritique(
        chars=off.chars,
        min_chars=off.min_chars,
        score=score,
        criteria=criteria,
        issues=list(dict.fromkeys(hard_issues + [i for i in m.issues if i.strip()])),
        suggestions=list(dict.fromkeys([s for s in m.suggestions if s.strip()] + off.suggestions[:2])),
        rewrite=rewrite,
        critiqued_by=name,
    ), notices


def _issue_from_hard(issue: str) -> bool:
    """Issues produced by the deterministic hard criteria (count, form consistency, commercial)."""
    return issue.startswith(
        (
            "字数",
            "同行评议专家来自",
            "主要成绩称",
            "出现企业",
            "项目为远程",
            "本项目实践",
            "评议意见提及实操",
            "基本情况未写明",
        )
    )


def critique_with_model(
    form: Form, offline: dict[str, NarrativeCritique], model: ChatModelProtocol
) -> tuple[dict[str, NarrativeCritique], list[str]]:
    """One batched model call; raises on failure (the caller falls back)."""
    system, user = build_prompt(form, model.settings.prompts_dir)
    answer = model.complete_json(system, user, ModelCritique)
    out, notices = {}, []
    for kind in KINDS:
        if offline[kind].issues == ["未填写"]:
            out[kind] = offline[kind]
            continue
        out[kind], n = _merge(kind, offline[kind], getattr(answer, kind), form, model.name)
        notices += n
    return out, notices
