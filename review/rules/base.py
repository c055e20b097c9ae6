"""A rule is data: id, title, severity, scope, source clause, applies-predicate and a pure check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from review.form import Evidence, Form

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


CheckFn = Callable[[Form], Iterable[Finding]]
AppliesFn = Callable[[Form], bool]


@dataclass(frozen=True)
class Rule:
    """A declarative rule entry."""

    id: str
    title: str  # Chinese
    severity: Severity
    scope: Scope
    sources: tuple[Source, ...]
    check: CheckFn
    applies: AppliesFn = lambda form: True
    batch: bool = False  # batch rules take list[Form] instead (see review.rules.batch)
    tags: tuple[str, ...] = field(default_factory=tuple)

    def catalogue_row(self) -> dict[str, Any]:
        """The row shown by `cme-review rules`."""
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity,
            "scope": self.scope,
            "sources": [s.model_dump() for s in self.sources],
        }
