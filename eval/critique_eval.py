"""Rank agreement of the offline narrative critique with hand labels (eval/narratives.yaml).

`python -m eval.critique_eval [--json]`: Spearman correlation between scores and labels
(good=2, mediocre=1, poor=0) per kind and overall, and pairwise ordering accuracy.
"""

from __future__ import annotations

import argparse
import json
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml
from scipy.stats import spearmanr

from review.critique import critique_offline
from review.form import Form, HistoryYear, Lead, PeerReviewer

DATA = Path(__file__).with_name("narratives.yaml")
LABEL_VALUE = {"good": 2, "mediocre": 1, "poor": 0}
KINDS = ("peer_review", "achievements", "unit_profile")


def load_items(path: Path = DATA) -> list[dict[str, Any]]:
    """The labelled narratives."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def form_of(item: dict[str, Any]) -> Form:
    """A form holding the narrative and the facts of its context."""
    ctx = item.get("context") or {}
    nat, prov = int(ctx.get("history_national_years", 0)), int(ctx.get("history_provincial_years", 0))
    history = None
    if "history_national_years" in ctx:
        history = [HistoryYear(year=2023 - i, national=i < nat, provincial=i < prov) for i in range(3)]
    return Form(
        title=ctx.get("title"),
        subject=ctx.get("subject"),
        mode=ctx.get("mode"),
        practice_hours=ctx.get("practice_hours"),
        applicant_unit=ctx.get("applicant_unit"),
        peer_reviewer=PeerReviewer(unit=ctx["reviewer_unit"]) if ctx.get("reviewer_unit") else None,
        lead=Lead(unit=ctx["lead_unit"]) if ctx.get("lead_unit") else None,
        history=history,
        **{item["kind"]: item["text"]},
    )


def pairwise_accuracy(scores: list[float], labels: list[int]) -> float:
    """Share of pairs with different labels that the scores order correctly (ties count half)."""
    right, total = 0.0, 0
    for (s1, l1), (s2, l2) in combinations(zip(scores, labels, strict=True), 2):
        if l1 == l2:
            continue
        total += 1
        d = (s1 - s2) * (l1 - l2)
        right += 1.0 if d > 0 else 0.5 if d == 0 else 0.0
    return right / total if total else 0.0


def _stats(rows: list[dict[str, Any]], key: str = "score") -> dict[str, Any]:
    """Spearman rho, p-value and pairwise accuracy of a group of rows."""
    scores = [r[key] for r in rows]
    labels = [LABEL_VALUE[r["label"]] for r in rows]
    rho, p = spearmanr(scores, labels)
    return {
        "n": len(rows),
        "spearman": round(float(rho), 3),
        "p_value": float(f"{p:.2g}"),
        "pairwise_accuracy": round(pairwise_accuracy(scores, labels), 3),
    }


def measure(path: Path = DATA) -> dict[str, Any]:
    """Score every labelled narrative and report rank agreement per kind and overall."""
    rows = []
    for item in load_items(path):
        c = critique_offline(item["kind"], form_of(item))
        content = round(sum(x.score for x in c.criteria if x.name != "字数"), 1)  # length-free, uncapped
        rows.append(
            {
                "id": item["id"],
                "kind": item["kind"],
                "label": item["label"],
                "score": c.score,
                "content": content,
                "chars": c.chars,
            }
        )
    out: dict[str, Any] = {k: _stats([r for r in rows if r["kind"] == k]) for k in KINDS}
    out["overall"] = _stats(rows)
    out["content_only"] = {k: _stats([r for r in rows if r["kind"] == k], "content") for k in KINDS}
    out["content_only"]["overall"] = _stats(rows, "content")
    out["items"] = rows
    return out


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true", help="print the full result as JSON")
    args = ap.parse_args(argv)
    res = measure()
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=2))
        return 0
    for r in res["items"]:
        print(f"{r['id']:<12} {r['label']:<9} chars={r['chars']:<4} score={r['score']}")
    for k in (*KINDS, "overall"):
        s = res[k]
        c = res["content_only"][k]
        print(
            f"{k:<13} n={s['n']:<3} spearman={s['spearman']:.3f} (p={s['p_value']}) pairwise={s['pairwise_accuracy']:.3f}"
            f" | without 字数: spearman={c['spearman']:.3f} pairwise={c['pairwise_accuracy']:.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
