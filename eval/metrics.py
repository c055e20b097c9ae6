"""Headline metrics: which numbers are compared against eval/baseline.json, and how."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BASELINE = Path(__file__).resolve().parent / "baseline.json"
# headline metrics compared against the committed baseline (higher is better for all)
HEADLINE: tuple[str, ...] = (
    "extraction.overall",
    "extraction.text_pdfs",
    "extraction.scans",
    "rules.micro_f1",
    "rules.error_recall",
    "rules.clean_error_free",
    "retrieval.default.recall@5",
    "retrieval.default.mrr",
    "retrieval.blind_default.recall@5",
    "retrieval.blind_default.mrr",
    "explanations.offline.citation_valid",
    "explanations.offline.citation_correct",
    "explanations.offline.numbers_consistent",
    "explanations.offline.fix_present",
    "explanations.offline.found_stated",
    "chat.offline.gold_doc_cited",
    "chat.offline.gold_facts_in_answer",
    "chat.offline.in_scope_answered",
    "chat.offline.out_of_scope_refused",
    "critique.overall.spearman",
    "critique.overall.pairwise_accuracy",
    # the outside drafts (../shared/outside_drafts, eval/outside_eval.py): only when that folder is present
    "outside.field_accuracy_W",
    "outside.field_accuracy_P",
    "outside.field_accuracy_S",
    "outside.teacher_tables_exact_rate",
    "outside.error_recall",
    "outside.false_error_free_drafts",
)
OPTIONAL_PREFIXES = ("outside.",)  # sections measured only when their data is present


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[key] = float(v)
    return out


def headline(metrics: dict[str, Any]) -> dict[str, float]:
    """The headline metrics (flattened) present in a metrics dict."""
    flat = _flatten(metrics)
    return {k: flat[k] for k in HEADLINE if k in flat}


def baseline_metrics() -> dict[str, float]:
    """The committed baseline (empty when none)."""
    return json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.is_file() else {}


def regressions(metrics: dict[str, Any], tolerance: float = 1e-9) -> list[str]:
    """Headline metrics that dropped below the committed baseline."""
    base = baseline_metrics()
    now = headline(metrics)
    base = {k: v for k, v in base.items() if k in now or not k.startswith(OPTIONAL_PREFIXES)}
    return [f"{k}: {now.get(k)} < baseline {v}" for k, v in base.items() if now.get(k, -1.0) < v - tolerance]
