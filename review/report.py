"""The review as data: form, findings, narratives, meta. Renderers elsewhere only read it."""

from __future__ import annotations

import json
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field

from review.findings import SEVERITY_ORDER, Finding, InjectionHit
from review.form import Evidence, Form


class CriterionScore(BaseModel):
    """One rubric line of a narrative critique."""

    model_config = ConfigDict(extra="forbid")
    name: str  # Chinese criterion name, e.g. "字数", "培训内容"
    score: float
    max: float
    note: str = ""


class NarrativeCritique(BaseModel):
    """Critique of one narrative (peer_review / achievements / unit_profile)."""

    model_config = ConfigDict(extra="forbid")
    chars: int
    min_chars: int
    score: int  # 0-100
    criteria: list[CriterionScore] = Field(default_factory=list)
    issues: list[str] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)
    rewrite: Optional[str] = None
    critiqued_by: str = "offline"


class ReportMeta(BaseModel):
    """How the review was produced."""

    model_config = ConfigDict(extra="allow")
    file: str = ""
    style: str = "unknown"
    pages: int = 0
    ocr_pages: list[int] = Field(default_factory=list)
    mode: str = "offline"  # "offline" or the model name
    notices: list[str] = Field(default_factory=list)  # Chinese notices (e.g. model fell back to offline)
    warnings: list[str] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)
    version: str = ""
    generated_at: str = ""


class Report(BaseModel):
    """The whole review of one draft."""

    model_config = ConfigDict(extra="forbid")
    form: Form = Field(default_factory=Form)
    findings: list[Finding] = Field(default_factory=list)
    narratives: dict[str, NarrativeCritique] = Field(default_factory=dict)
    evidence: dict[str, Evidence] = Field(default_factory=dict)
    meta: ReportMeta = Field(default_factory=ReportMeta)
    actions: dict[str, Any] = Field(default_factory=dict)  # reviewer accept/dismiss, keyed by finding key
    injections: list[InjectionHit] = Field(default_factory=list)  # text addressed to the checker (verdict unaffected)

    def counts(self) -> dict[str, int]:
        """Findings per severity."""
        out = {"error": 0, "warning": 0, "advice": 0}
        for f in self.findings:
            out[f.severity] += 1
        return out

    @property
    def passed(self) -> bool:
        """True when no error-level finding stands."""
        return self.counts()["error"] == 0

    def sorted_findings(self) -> list[Finding]:
        """Findings by severity, then rule id."""
        return sorted(self.findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.rule))

    def to_dict(self, evidence: bool = True) -> dict[str, Any]:
        """JSON-ready dict; `summary` is derived, never stored."""
        d = self.model_dump(mode="json")
        if not evidence:
            d.pop("evidence", None)
        d["summary"] = {**self.counts(), "passed": self.passed}
        return d

    def to_json(self, evidence: bool = True) -> str:
        """Pretty JSON with Chinese kept readable."""
        return json.dumps(self.to_dict(evidence=evidence), ensure_ascii=False, indent=2)
