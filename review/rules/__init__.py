"""The rule engine: every rule of RULES.md as a declarative entry, run over one form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

from review.form import Evidence, Form
from review.rules import batch, content, enrollment, hours, lead, teachers  # noqa: F401  (registers the rules)
from review.rules.base import SEVERITY_ORDER, Finding, Rule
from review.rules.helpers import REGISTRY

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
    return Finding(rule=r.id, severity="advice", title=r.title, not_checked=True,
                   message=f"规则 {r.id}（{r.title}）无法检查：内部错误 {type(exc).__name__}",
                   fix="请人工核对此项，并将该申报书反馈给开发人员。", source=r.sources[0] if r.sources else None)


def run_rules(form: Form, evidence: Optional[Mapping[str, Evidence]] = None) -> list[Finding]:
    """Run every applicable single-draft rule; never raises; sorted by severity then rule id."""
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
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.rule))
