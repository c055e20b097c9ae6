"""Round-trip benchmark: extract_pdf(render(case, random layout)).form against the case's form, field by field.

Usage: python -m eval.bench_roundtrip [--n 300] [--scans 30] [--seed 0] [--json out.json]
Prints field accuracy on text and scan renderings, the most-missed fields, and accuracy per layout parameter.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any, Optional

from eval.cases import Case
from eval.extraction_accuracy import compare
from eval.random_layout import Layout, expected_form, random_layout, render, renderable_cases
from review.extract import extract_pdf

TEXT_TARGET = 0.98
SCAN_TARGET = 0.95
# layout parameters worth a per-value accuracy line (categorical or boolean)
PARAMS = (
    "style",
    "font",
    "label_cols",
    "field_order",
    "spaced_labels",
    "halfwidth",
    "type_label_holds",
    "choices_as_boxes",
    "mode_words",
    "number_units",
    "date_style",
    "teacher_seq",
    "teacher_split_hours",
    "teacher_total_row",
    "teacher_lines",
    "narrative_layout",
    "narrative_break",
    "history_table",
    "events_table",
    "events_in_basic",
    "bool_in_label",
    "multi_per_line",
    "header",
    "footer",
    "watermark",
    "cover",
    "level_in_cover_title",
    "instructions",
    "section_breaks",
    "scan_pages",
    "dpi",
)


def draw(seed: int, scan: bool, cases: list[Case]) -> tuple[Case, Layout]:
    """The case and layout of one example, both drawn from `seed`."""
    rng = random.Random(seed)
    case = rng.choice(cases)
    return case, random_layout(rng, scan=scan)


def roundtrip(case: Case, layout: Layout, path: Path) -> dict[str, Any]:
    """Render, extract and compare one example: correct, total, wrong field paths, seconds."""
    render(case, layout, path)
    start = time.perf_counter()
    try:
        got = extract_pdf(path).form.to_json_dict()
    except Exception as exc:  # noqa: BLE001 - a crash is a measured failure of this example
        return {"case": case.id, "correct": 0, "total": 1, "wrong": [f"<crash: {exc}>"], "seconds": 0.0}
    correct, total, wrong = compare(expected_form(case).to_json_dict(), got)
    return {
        "case": case.id,
        "correct": correct,
        "total": total,
        "wrong": wrong,
        "seconds": round(time.perf_counter() - start, 2),
    }


def generic(path: str) -> str:
    """A field path with list indexes replaced: teachers.3.hours -> teachers.*.hours."""
    return re.sub(r"\.\d+(?=\.|$)", ".*", path)


def _acc(rows: list[dict[str, Any]]) -> Optional[float]:
    """Micro field accuracy of a set of examples."""
    total = sum(r["total"] for r in rows)
    return sum(r["correct"] for r in rows) / total if total else None


def by_param(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Accuracy per value of each layout parameter (which layout features the extractor fails on)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name in PARAMS:
        groups: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            groups.setdefault(str(r["layout"].get(name)), []).append(r)
        if len(groups) > 1:
            out[name] = {v: {"n": len(g), "accuracy": _acc(g)} for v, g in sorted(groups.items())}
    return out


def _job(args: tuple[int, bool, str]) -> dict[str, Any]:
    """One example in a worker: draw, render into `tmp`, extract, compare."""
    s, scan, tmp = args
    case, layout = draw(s, scan, _cases())
    row = roundtrip(case, layout, Path(tmp) / f"{s}-{int(scan)}.pdf")
    row.update(seed=s, scan=scan, layout=asdict(layout))
    return row


_CASES: list[Case] = []


def _cases() -> list[Case]:
    """The renderable cases, loaded once per process."""
    if not _CASES:
        _CASES.extend(renderable_cases())
    return _CASES


def jobs_for(n: int, scans: int, seed: int) -> list[tuple[int, bool]]:
    """Text and scan examples interleaved, so a run cut short still has both kinds."""
    text = [(seed + i, False) for i in range(n)]
    scan = [(seed + 100_000 + i, True) for i in range(scans)]
    out: list[tuple[int, bool]] = []
    step = max(1, n // scans) if scans else n + 1
    for i, job in enumerate(text):
        out.append(job)
        if scan and (i + 1) % step == 0:
            out.append(scan.pop(0))
    return out + scan


def measure(n: int = 300, scans: int = 30, seed: int = 0, progress: bool = False, workers: int = 1) -> dict[str, Any]:
    """Run `n` text and `scans` scan round trips; accuracy, most-missed fields and per-parameter accuracy.

    Interrupted (Ctrl-C / SIGTERM), it reports the examples done so far (`interrupted` is then True).
    """
    rows: list[dict[str, Any]] = []
    interrupted = False
    with tempfile.TemporaryDirectory() as tmp:
        jobs = [(s, scan, tmp) for s, scan in jobs_for(n, scans, seed)]
        pool = multiprocessing.get_context("spawn").Pool(workers) if workers > 1 else None
        try:
            results = pool.imap_unordered(_job, jobs) if pool else map(_job, jobs)
            for row in results:
                rows.append(row)
                if progress and len(rows) % 25 == 0:
                    print(f"  {len(rows)}/{len(jobs)} done, running accuracy {_acc(rows):.4f}", file=sys.stderr)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            if pool:
                pool.terminate()
    text = [r for r in rows if not r["scan"]]
    scan_rows = [r for r in rows if r["scan"]]
    missed: Counter[str] = Counter(generic(w) for r in rows for w in r["wrong"])
    return {
        "interrupted": interrupted,
        "text_examples": len(text),
        "scan_examples": len(scan_rows),
        "text_accuracy": _acc(text),
        "scan_accuracy": _acc(scan_rows),
        "text_perfect": sum(1 for r in text if not r["wrong"]),
        "scan_perfect": sum(1 for r in scan_rows if not r["wrong"]),
        "most_missed": missed.most_common(25),
        "by_param_text": by_param(text),
        "worst": sorted(
            (
                {
                    "seed": r["seed"],
                    "scan": r["scan"],
                    "case": r["case"],
                    "accuracy": r["correct"] / r["total"],
                    "wrong": r["wrong"][:10],
                }
                for r in rows
            ),
            key=lambda r: r["accuracy"],
        )[:10],
        "seconds_mean": sum(r["seconds"] for r in rows) / len(rows) if rows else None,
    }


def _fmt(x: Optional[float]) -> str:
    """A fraction as text."""
    return "n/a" if x is None else f"{x:.4f}"


def print_report(m: dict[str, Any]) -> None:
    """Human-readable summary."""
    if m.get("interrupted"):
        print("INTERRUPTED: figures over the examples finished before the stop")
    print(
        f"text renderings: {m['text_examples']}  field accuracy {_fmt(m['text_accuracy'])} (target >= {TEXT_TARGET})"
        f"  perfect {m['text_perfect']}"
    )
    print(
        f"scan renderings: {m['scan_examples']}  field accuracy {_fmt(m['scan_accuracy'])} (target >= {SCAN_TARGET})"
        f"  perfect {m['scan_perfect']}"
    )
    print("most-missed fields:")
    for path, count in m["most_missed"]:
        print(f"  {count:5d}  {path}")
    print("text accuracy by layout parameter (only lines below the target):")
    for name, groups in m["by_param_text"].items():
        low = {v: g for v, g in groups.items() if g["accuracy"] is not None and g["accuracy"] < TEXT_TARGET}
        if low:
            cells = "  ".join(f"{v}: {g['accuracy']:.3f} (n={g['n']})" for v, g in groups.items())
            print(f"  {name:22s} {cells}")
    print("worst examples (reproduce: python -m eval.random_layout --seed S [--scan] picks the same case/layout):")
    for w in m["worst"]:
        print(f"  seed={w['seed']} scan={w['scan']} {w['case']} {w['accuracy']:.3f} {w['wrong'][:6]}")


def _interrupt(*_: Any) -> None:
    """SIGTERM handler: stop measuring like Ctrl-C (once: the pool's shutdown must not be interrupted)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def main(argv: Optional[list[str]] = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description="Round-trip extraction over random layouts.")
    parser.add_argument("--n", type=int, default=300, help="text renderings")
    parser.add_argument("--scans", type=int, default=30, help="scan renderings")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="write the full result here")
    parser.add_argument("--workers", type=int, default=1, help="parallel processes")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # `timeout` stops the run: report what was measured
    m = measure(args.n, args.scans, args.seed, progress=True, workers=args.workers)
    print_report(m)
    if args.json:
        args.json.write_text(json.dumps(m, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
