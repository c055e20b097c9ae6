"""Field-level accuracy of extract_pdf against the gold forms of every rendered fixture.

Usage: python -m eval.extraction_accuracy [--json]
"""

from __future__ import annotations

import json
import sys
from typing import Any, Optional

from eval.cases import Case, gold_form, load_cases
from review.extract import extract_pdf

TOL = 1e-6


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf values by dotted path (lists by index)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else k))
        return out
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}.{i}"))
        return out or {prefix: []}
    return {prefix: value}


def same(a: Any, b: Any) -> bool:
    """Equal after whitespace normalisation (strings) or within TOL (numbers)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= TOL
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.split()) == " ".join(b.split())
    return a == b


def compare(gold: dict[str, Any], got: dict[str, Any]) -> tuple[int, int, list[str]]:
    """(correct, total, wrong paths) over the union of leaves."""
    g, e = flatten(gold), flatten(got)
    keys = list(g) + [k for k in e if k not in g]
    wrong = [k for k in keys if not same(g.get(k), e.get(k))]
    return len(keys) - len(wrong), len(keys), wrong


def teacher_rows_exact(gold: dict[str, Any], got: dict[str, Any]) -> Optional[bool]:
    """True when every teacher row matches exactly (None when the gold has no teachers)."""
    gt, et = gold.get("teachers") or [], got.get("teachers") or []
    if not gt:
        return None
    return len(gt) == len(et) and all(compare(a, b)[0] == compare(a, b)[1] for a, b in zip(gt, et, strict=True))


def measure(cases: list[Case], results: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """Accuracy per style and overall, per-case details, for every case whose fixture exists.

    `results` (case id -> ExtractResult or the exception raised) lets the eval suite reuse one extraction pass.
    """
    per_case: list[dict[str, Any]] = []
    for case in cases:
        if not case.pdf_path.is_file():
            continue
        try:
            res = results[case.id] if results is not None and case.id in results else extract_pdf(case.pdf_path)
            if isinstance(res, Exception):
                raise res
        except Exception as exc:  # noqa: BLE001 - a crash is a measured failure, not an abort
            per_case.append(
                {
                    "id": case.id,
                    "style": case.style,
                    "error": str(exc),
                    "correct": 0,
                    "total": 1,
                    "wrong": ["<crash>"],
                    "teacher_rows_exact": False,
                }
            )
            continue
        gold, got = gold_form(case).to_json_dict(), res.form.to_json_dict()
        ok, total, wrong = compare(gold, got)
        per_case.append(
            {
                "id": case.id,
                "style": case.style,
                "detected_style": res.style,
                "correct": ok,
                "total": total,
                "wrong": wrong,
                "teacher_rows_exact": teacher_rows_exact(gold, got),
                "seconds": res.seconds,
            }
        )
    styles: dict[str, dict[str, Any]] = {}
    for row in per_case:
        s = styles.setdefault(row["style"], {"correct": 0, "total": 0, "cases": 0})
        s["correct"] += row["correct"]
        s["total"] += row["total"]
        s["cases"] += 1
    for s in styles.values():
        s["accuracy"] = s["correct"] / s["total"] if s["total"] else None
    text = [r for r in per_case if r["style"] != "scan"]
    scan = [r for r in per_case if r["style"] == "scan"]

    def acc(rows: list[dict[str, Any]]) -> Optional[float]:
        tot = sum(r["total"] for r in rows)
        return sum(r["correct"] for r in rows) / tot if tot else None

    return {
        "cases": len(per_case),
        "overall": acc(per_case),
        "text_pdfs": acc(text),
        "scans": acc(scan),
        "teacher_rows_exact_text": sum(1 for r in text if r["teacher_rows_exact"] is not False),
        "text_cases": len(text),
        "per_style": styles,
        "per_case": per_case,
    }


def _print_table(m: dict[str, Any]) -> None:
    """Human-readable summary."""
    print(f"{'case':34} {'style':11} {'acc':>7} {'teachers':>8}  wrong")
    for r in m["per_case"]:
        a = r["correct"] / r["total"] if r["total"] else 0
        t = {True: "exact", False: "NO", None: "-"}[r["teacher_rows_exact"]]
        print(f"{r['id']:34} {r['style']:11} {a:7.2%} {t:>8}  {', '.join(r['wrong'][:6])}")
    print()
    for style, s in sorted(m["per_style"].items()):
        print(f"{style:11} cases={s['cases']:3} fields={s['total']:5} accuracy={s['accuracy']:.2%}")

    def fmt(x: Optional[float]) -> str:
        return "n/a" if x is None else f"{x:.2%}"

    print(
        f"overall {fmt(m['overall'])}  text PDFs {fmt(m['text_pdfs'])} (target >= 99%)  scans {fmt(m['scans'])} "
        f"(target >= 95%)  teacher rows exact {m['teacher_rows_exact_text']}/{m['text_cases']} text PDFs"
    )


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point."""
    argv = sys.argv[1:] if argv is None else argv
    m = measure(load_cases())
    if "--json" in argv:
        print(json.dumps(m, ensure_ascii=False, indent=1))
    else:
        _print_table(m)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
