"""Optional LLM-judge scores (G-Eval style rubric in Chinese), averaged over runs; never replaces the metrics."""

from __future__ import annotations

import json
from statistics import mean
from typing import Any

from pydantic import BaseModel, Field

from review.config import Settings
from review.errors import LLMError
from review.privacy import mask_text
from review.prompts import render_messages

RUNS = 3
RUBRICS: dict[str, str] = {
    "explanation": "1. 准确：解释与规则结论、申报书数值一致；\n2. 有据：引用的政策原文与问题相关；\n"
    "3. 可操作：给出明确的修改方法；\n4. 易懂：申报人能看懂为什么错。",
    "critique": "1. 切中要害：指出的问题真实存在且重要；\n2. 具体：建议可直接照做；\n"
    "3. 不编造：不引入原文没有的事实或数字；\n4. 一致：评分与问题、建议相符。",
}


class JudgeScore(BaseModel):
    """One rubric line."""

    criterion: str
    reason: str = ""
    score: int = Field(ge=1, le=5)


class JudgeResult(BaseModel):
    """A judge's answer."""

    scores: list[JudgeScore]


def judge_once(model: Any, kind: str, facts: str, passages: str, content: str) -> float:
    """One judge call; the mean rubric score normalised to 0..1."""
    system, user = render_messages(
        "judge", kind=kind, rubric=RUBRICS[kind], facts=mask_text(facts), passages=passages, content=mask_text(content)
    )
    res = model.complete_json(system, user, JudgeResult)
    return (mean(s.score for s in res.scores) - 1) / 4 if res.scores else 0.0


def judge_avg(model: Any, kind: str, facts: str, passages: str, content: str, runs: int = RUNS) -> float | None:
    """Mean of `runs` judge calls (None when every call failed)."""
    vals = []
    for _ in range(runs):
        try:
            vals.append(judge_once(model, kind, facts, passages, content))
        except LLMError:
            continue
    return mean(vals) if vals else None


def judge_metrics(
    cases: list[Any], extracted: dict[str, Any], settings: Settings, model: Any, limit: int = 8
) -> dict[str, Any]:
    """Judge explanation helpfulness and critique quality on a sample of the labelled drafts."""
    from review.critique import critique_narratives
    from review.explain import explain_findings
    from review.retrieval import get_index
    from review.rules import run_rules

    index = get_index(settings)
    expl, crit = [], []
    for c in cases[:limit]:
        res = extracted.get(c.id)
        if res is None or isinstance(res, Exception):
            continue
        facts = json.dumps(res.form.to_json_dict(), ensure_ascii=False)[:3000]
        findings = [f for f in run_rules(res.form, res.evidence) if not f.not_checked][:5]
        explain_findings(findings, res.form, index, model)
        for f in findings:
            quotes = "\n".join(f"{x.doc}：{x.quote}" for x in f.citations)
            s = judge_avg(model, "explanation", facts, quotes, f"{f.message}\n{f.explanation}\n{f.fix}")
            if s is not None:
                expl.append(s)
        narratives, _ = critique_narratives(res.form, model)
        for key, n in narratives.items():
            body = f"{key}: score {n.score}\n问题：{'；'.join(n.issues)}\n建议：{'；'.join(n.suggestions)}\n改写：{n.rewrite or ''}"
            s = judge_avg(model, "critique", facts, "", body)
            if s is not None:
                crit.append(s)
    return {
        "explanation_helpfulness": mean(expl) if expl else 0.0,
        "critique_quality": mean(crit) if crit else 0.0,
        "explanations_judged": len(expl),
        "critiques_judged": len(crit),
        "runs_each": RUNS,
    }
