"""Shared helpers for the rule tables: run one form, pick one rule's findings."""

from __future__ import annotations

from typing import Any

from review.rules import run_rules
from review.rules.base import Finding
from tests.factories import make

Case = tuple[str, str, dict[str, Any], bool]  # (rule id, variant, dotted patch, fires?)


def findings_of(rule_id: str, variant: str, patch: dict[str, Any]) -> list[Finding]:
    """The checked (not not_checked) findings of one rule on a patched clean form."""
    return [f for f in run_rules(make(variant, patch)) if f.rule == rule_id and not f.not_checked]


def check_case(rule_id: str, variant: str, patch: dict[str, Any], fires: bool) -> None:
    """Assert the rule fires (or stays silent) on the patched form."""
    got = findings_of(rule_id, variant, patch)
    if fires:
        assert got, f"{rule_id} should fire on {variant} + {patch}"
        for f in got:
            assert f.message and f.fix and f.source is not None and f.fields
    else:
        assert not got, f"{rule_id} should not fire on {variant} + {patch}: {[f.message for f in got]}"
