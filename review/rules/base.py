"""A rule is data: id, title, severity, scope, source clause, applies-predicate and a pure check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from review.findings import (  # noqa: F401 - re-exported: rules and their callers import them from here
    SCOPE_ZH,
    SEVERITY_ORDER,
    SEVERITY_ZH,
    Citation,
    Finding,
    Scope,
    Severity,
    Source,
)
from review.form import Form

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
