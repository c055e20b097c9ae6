"""The review's findings as data (core): Finding, Source, Citation, severities and scopes."""

from __future__ import annotations

import hashlib
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from review.form import Evidence

Severity = Literal["error", "warning", "advice"]
Scope = Literal["all", "national", "beijing", "jjj"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "advice": 2}
SEVERITY_ZH: dict[str, str] = {"error": "错误", "warning": "警告", "advice": "建议"}
SCOPE_ZH: dict[str, str] = {"all": "国家级、北京市级", "national": "国家级", "beijing": "北京市级", "jjj": "京津冀互认"}


class Citation(BaseModel):
    """A quoted clause: doc is a file name in policy_docs/, quote occurs verbatim in it."""

    model_config = ConfigDict(extra="forbid")
    doc: str
    section: str = ""
    quote: str


class Source(BaseModel):
    """The notice clause a rule stands on."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    doc: str  # file name in policy_docs/
    section: str  # human label, e.g. "五、项目负责人及授课教师 第4条"
    quote: str  # exact sentence from the notice (verbatim, whitespace-normalised)


class Finding(BaseModel):
    """One problem found in a draft; rules create it, explainers only add the explanation fields."""

    model_config = ConfigDict(extra="forbid")
    rule: str
    severity: Severity
    title: str = ""
    message: str  # Chinese: value found and what is required
    fields: list[str] = Field(default_factory=list)  # dotted form paths
    evidence: list[Evidence] = Field(default_factory=list)
    fix: str = ""  # Chinese: concrete next step
    fixed_value: Any = None  # corrected value where computable
    found: Any = None  # the value found (for explanations / eval)
    source: Optional[Source] = None
    not_checked: bool = False  # "could not check: field X was not read"
    # filled by the explanation step (review.explain)
    explanation: Optional[str] = None
    citations: list[Citation] = Field(default_factory=list)
    explained_by: Optional[str] = None  # "offline" or the model name
    verified: Optional[bool] = None


def finding_key(finding: Finding) -> str:
    """Stable key of a finding within a review (reviewer actions are stored under it): rule|fields|message hash.

    The message is part of the key because one rule can report two different problems on the same
    field (a 300-char narrative missing aspects and one just over the limit; a field-complete error
    and the checks it blocked): dismissing one must not dismiss the other. Rules are deterministic,
    so the same draft gives the same keys on every review.
    """
    digest = hashlib.sha1(finding.message.encode("utf-8")).hexdigest()[:8]
    return f"{finding.rule}|{','.join(finding.fields)}|{digest}"


class InjectionHit(BaseModel):
    """One passage addressed to the checker: where it is and what it says."""

    model_config = ConfigDict(extra="forbid")
    field: str  # dotted path, e.g. "peer_review", "teachers.0.topic"
    label: str  # the field in Chinese
    excerpt: str  # the passage, shortened
