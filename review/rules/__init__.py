"""The rule engine: every rule of RULES.md as a declarative entry, run over one form."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Optional

from review.form import Evidence, Form
from review.rules import batch, content, enrollment, hours, lead, teachers  # noqa: F401  (registers the rules)
from review.rules.base import SEVERITY_ORDER, Finding, Rule
from review.rules.helpers import REGISTRY
from review.rules.unread import group, reclassify

ALL_RULES: list[Rule] = list(REGISTRY.values())
_BY_ID: dict[str, Rule] = {r.id: r for r in ALL_RULES}

__all__ = ["ALL_RULES", "get_rule", "run_rules", "scopes_of"]


def get_rule(rule_id: str) -> Rule:
    """The rule with this id (KeyError when unknown)."""
    return _BY_ID[rule_id]


def scopes_of(form: Form) -> set[str]:
    """Which scopes apply: all, plus national / beijing by level, plus jjj when ticked."""
    out = {"all"}
    level = (form.level or "").strip()
    if level == "国家级":
        out.add("national")
    elif level in ("北京市级", "市级"):
        out.add("beijing")
    if form.jjj:
        out.add("jjj")
    return out


def _evidence_for(paths: list[str], evidence: Mapping[str, Evidence]) -> list[Evidence]:
    """Evidence of the finding's fields: exact paths, else the rows under them (a few)."""
    out: list[Evidence] = []
    for p in paths:
        if p in evidence:
            out.append(evidence[p])
        else:
            out += [e for k, e in evidence.items() if k.startswith(p + ".")][:3]
    return out


def _crashed(r: Rule, exc: Exception) -> Finding:
    """Advice standing in for a rule that raised."""
    return Finding(
        rule=r.id,
        severity="advice",
        title=r.title,
        not_checked=True,
        message=f"规则 {r.id}（{r.title}）无法检查：内部错误 {type(exc).__name__}",
        fix="请人工核对此项，并将该申报书反馈给开发人员。",
        source=r.sources[0] if r.sources else None,
    )


def _finite(value: Any) -> Any:
    """A JSON-like value with NaN/inf numbers replaced by None (an unreadable number is unread)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def finite_form(form: Form) -> Form:
    """The form itself, or a copy without NaN/inf numbers (they would break the arithmetic of the rules)."""
    data = form.model_dump()
    clean = _finite(data)
    return form if clean == data else Form.model_validate(clean)


def run_rules(form: Form, evidence: Optional[Mapping[str, Evidence]] = None) -> list[Finding]:
    """Run every applicable single-draft rule; never raises; sorted by severity then rule id."""
    form = finite_form(form)
    scopes = scopes_of(form)
    evidence = evidence or {}
    findings: list[Finding] = []
    for r in ALL_RULES:
        if r.batch or r.scope not in scopes:
            continue
        try:
            if not r.applies(form):
                continue
            found = list(r.check(form))
        except Exception as exc:  # a broken rule must not break the review
            findings.append(_crashed(r, exc))
            continue
        for f in found:
            if evidence and not f.evidence:
                f.evidence = _evidence_for(f.fields, evidence)
            findings.append(f)
    findings = _fold_unread(findings, evidence)
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.rule))


def _fold_unread(findings: list[Finding], evidence: Mapping[str, Evidence]) -> list[Finding]:
    """Missing values whose label was never seen become 'not read'; every not-read notice is folded into one."""
    findings, unread = reclassify(findings, evidence)
    fc = _BY_ID.get("fields-complete")
    titles = {r.id: r.title for r in ALL_RULES}
    return group(findings, unread, titles, fc.sources[0] if fc and fc.sources else None)
