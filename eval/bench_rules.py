"""Time the rule phase alone: run_rules per form over the clean variants and a few broken ones.

Usage: .venv/bin/python -m eval.bench_rules [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from eval.factories import VARIANTS, make
from review.form import Form
from review.rules import ALL_RULES, run_rules

BROKEN = [
    ("national", {"credits": 8, "lead.title": "高级", "teachers.1.unit": "北医三院", "enrollment": 1500}),
    ("beijing", {"title": "骨科操作技能培训班", "teachers.5.title": "主治医师", "peer_review": "同意推荐。"}),
]


def forms() -> list[Form]:
    """The benchmark set: every clean variant, some broken drafts, an empty form."""
    return [make(v) for v in VARIANTS] + [make(v, p) for v, p in BROKEN] + [Form()]


def main() -> int:
    """Print per-form timings in milliseconds."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    sample = forms()
    for f in sample:  # warm-up
        run_rules(f)
    per_form: list[float] = []
    for _ in range(args.repeat):
        for f in sample:
            t = time.perf_counter()
            run_rules(f)
            per_form.append((time.perf_counter() - t) * 1000)
    per_form.sort()
    p95 = per_form[int(len(per_form) * 0.95)]
    print(f"rules={len(ALL_RULES)} forms={len(sample)} runs={len(per_form)}")
    print(
        f"run_rules per form: mean {statistics.mean(per_form):.3f} ms, median {statistics.median(per_form):.3f} ms, "
        f"p95 {p95:.3f} ms, max {per_form[-1]:.3f} ms (target <= 5 ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
