"""Score the outside drafts (../shared/outside_drafts or $CME_OUTSIDE_DRAFTS) in-process, as their score.py does.

Same definitions as score.py: field accuracy per style (W/P/S) over the scalar keys, the lead's and the peer
reviewer's fields, the narratives (whitespace-free text within 2%, hint text read as empty), events, history
and the teacher table as one list each; teacher tables exact on text drafts; error-rule recall over
expect + anyof + expect_warn; false errors per draft. One extraction per draft feeds both halves.

Usage: python -m eval.outside_eval [--only h01,h02] [--json]
"""

from __future__ import annotations

import difflib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT.parent / "shared" / "outside_drafts"
FIELDS = (
    "title",
    "subject",
    "level",
    "category",
    "jjj",
    "infectious_training",
    "mode",
    "audience",
    "enrollment",
    "total_hours",
    "theory_hours",
    "practice_hours",
    "credits",
    "sessions",
    "out_of_province_pct",
    "grassroots_pct",
    "applicant_unit",
    "unit_type",
    "unit_phone",
    "unit_contact",
)
LEAD = ("name", "sex", "birth", "title", "unit", "employed", "id_number")
NARR = ("peer_review", "achievements", "unit_profile")
EVENT_KEYS = ("start", "end", "days", "venue")
HISTORY_KEYS = ("year", "national", "provincial", "executed", "national_code", "provincial_code")
CLEAN = ("h01", "h02", "h17")  # the drafts the acceptance names as clean; others with empty expect count too
_NORM = re.compile(r"[\s*`#>|\u3000]")


def drafts_dir() -> Optional[Path]:
    """The outside-drafts folder, or None when it is absent (no truth.json)."""
    env = os.environ.get("CME_OUTSIDE_DRAFTS")
    path = Path(env) if env else DEFAULT_DIR
    return path if (path / "truth.json").is_file() else None


def norm(s: Any) -> str:
    """Text with whitespace and Markdown-ish marks removed."""
    return _NORM.sub("", s or "")


def same(a: Any, b: Any) -> bool:
    """score.py's equality: bools exactly, numbers within 1e-6, text after norm()."""
    if isinstance(b, bool) or isinstance(a, bool):
        return bool(a == b)
    if isinstance(b, (int, float)) and a is not None:
        try:
            return abs(float(a) - float(b)) < 1e-6
        except (TypeError, ValueError):
            return False
    return norm(str(a)) == norm(str(b))


def close_text(a: Any, b: Any) -> bool:
    """A narrative is read when within 2% of the truth; a hint-only truth must read as empty."""
    a, b = norm(a), norm(b)
    if "不少于" in b and len(b) < 80:
        b = ""
    if not b:
        return not a
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.98


def _rows_same(got: list[dict[str, Any]], want: list[dict[str, Any]], keys: tuple[str, ...]) -> bool:
    """Two lists of objects equal on `keys`, in order."""
    return len(got) == len(want) and all(same(g.get(k), w[k]) for g, w in zip(got, want, strict=True) for k in keys)


def score_form(form: dict[str, Any], t: dict[str, Any]) -> tuple[int, int, list[str]]:
    """(fields, correct, missed) of one extracted form against its truth, as score.py counts them."""
    checks: list[tuple[str, bool, Any]] = []
    checks += [(k, same(form.get(k), t[k]), form.get(k)) for k in FIELDS if k in t]
    lead = form.get("lead") or {}
    checks += [(f"lead.{k}", same(lead.get(k), t["lead"][k]), lead.get(k)) for k in LEAD]
    pr = form.get("peer_reviewer") or {}
    checks += [
        (f"peer_reviewer.{k}", same(pr.get(k), t["peer_reviewer"][k]), pr.get(k)) for k in ("name", "title", "unit")
    ]
    for k in NARR:
        got = form.get(k) or ""
        checks.append((k, close_text(form.get(k), t[k]), f"{got[:20]}…({len(norm(got))} chars)"))
    events = form.get("events") or []
    checks.append(("events", _rows_same(events, t.get("events") or [], EVENT_KEYS), events))
    history = form.get("history") or []
    checks.append(("history", _rows_same(history, t.get("history") or [], HISTORY_KEYS), history))
    got_t = [
        (x.get("name"), x.get("title"), x.get("unit"), x.get("hours"), x.get("kind"))
        for x in form.get("teachers") or []
    ]
    want_t = [(x["name"], x["title"], x["unit"], x["hours"], x["kind"]) for x in t["teachers"]]
    exact = len(got_t) == len(want_t) and all(
        all(same(a, b) for a, b in zip(g, w, strict=True)) for g, w in zip(got_t, want_t, strict=True)
    )
    checks.append(("teachers", exact, got_t))
    missed = [f"{label}={str(got)[:60]!r}" for label, good, got in checks if not good]
    return len(checks), sum(1 for _, good, _ in checks if good), missed


def score_rules(findings: list[dict[str, Any]], t: dict[str, Any]) -> dict[str, Any]:
    """Hits, needed, missed ids and false errors of one draft's findings, as score.py counts them."""
    errs = {f["rule"] for f in findings if f.get("severity") == "error"}
    every = {f["rule"] for f in findings}
    exp = set(t["expect"])
    anyof = [set(g) for g in t["anyof"]]
    warn = set(t["expect_warn"])
    hit = len(exp & errs) + sum(1 for g in anyof if g & every) + len(warn & every)
    extra = errs - exp - set(t["allow"]) - {r for g in anyof for r in g}
    return {
        "hit": hit,
        "need": len(exp) + len(anyof) + len(warn),
        "rules_missed": sorted((exp - errs) | (warn - every)),
        "false_errors": sorted(extra),
    }


def _review(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One extraction: the form JSON as `cme-review extract --json` gives it, and the offline findings."""
    from review.config import load_settings
    from review.extract import extract_pdf
    from review.extract.docx import extract_docx, sniff
    from review.pipeline import review_extracted

    settings = load_settings()
    res = (extract_docx if sniff(path) in ("docx", "doc") else extract_pdf)(path, settings)
    form = res.form.to_json_dict()
    report = review_extracted(res, settings, model=None, file_name=path.name, explain=False)
    return form, [f.model_dump(mode="json") for f in report.findings]


def measure(folder: Optional[Path] = None, only: Optional[list[str]] = None) -> dict[str, Any]:
    """Outside-draft figures; {"skipped": reason} when the folder is absent."""
    folder = Path(folder) if folder else drafts_dir()
    if folder is None or not (folder / "truth.json").is_file():
        return {"skipped": "outside drafts not found (../shared/outside_drafts or $CME_OUTSIDE_DRAFTS)"}
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    names = [n for n in truth if not only or n in only]
    per_style: dict[str, list[int]] = {}
    tables = [0, 0]
    hit = need = false_errors = 0
    clean_false: dict[str, list[str]] = {}
    drafts: list[dict[str, Any]] = []
    for name in names:
        t = truth[name]
        try:
            form, findings = _review(folder / f"{name}.pdf")
            error = ""
        except Exception as exc:  # noqa: BLE001 - a failing draft is a measured miss, like the CLI's non-zero exit
            form, findings, error = {}, [], f"{type(exc).__name__}: {exc}"[:300]
        n, ok, missed = score_form(form, t["form"])
        bucket = per_style.setdefault(t["style"], [0, 0])
        bucket[0] += ok
        bucket[1] += n
        if t["style"] != "S":
            tables[1] += 1
            tables[0] += not any(m.startswith("teachers=") for m in missed)
        r: dict[str, Any] = (
            score_rules(findings, t) if not error else {"hit": 0, "need": 0, "rules_missed": [], "false_errors": []}
        )
        if error:
            r["need"] = len(t["expect"]) + len(t["anyof"]) + len(t["expect_warn"])
        hit += r["hit"]
        need += r["need"]
        false_errors += len(r["false_errors"])
        if not t["expect"] and not t["anyof"] and not t["expect_warn"]:
            clean_false[name] = r["false_errors"]
        drafts.append(
            {"name": name, "style": t["style"], "fields": n, "correct": ok, "missed": missed, **r, "error": error}
        )
    accuracy = {s: v[0] / v[1] for s, v in sorted(per_style.items()) if v[1]}
    return {
        "drafts": len(drafts),
        "field_accuracy": accuracy,
        "field_accuracy_W": accuracy.get("W"),
        "field_accuracy_P": accuracy.get("P"),
        "field_accuracy_S": accuracy.get("S"),
        "teacher_tables_exact": tables[0],
        "text_drafts": tables[1],
        "teacher_tables_exact_rate": tables[0] / tables[1] if tables[1] else None,
        "error_recall": hit / max(1, need),
        "false_errors": false_errors,
        "false_errors_per_draft": false_errors / len(drafts) if drafts else None,
        "false_error_free_drafts": sum(1 for d in drafts if not d["false_errors"]) / len(drafts) if drafts else None,
        "clean_drafts_false_errors": clean_false,
        "clean_drafts_with_false_error": sum(1 for v in clean_false.values() if v),
        "per_draft": drafts,
    }


def print_report(m: dict[str, Any]) -> None:
    """score.py-style lines per draft, then the totals."""
    if "skipped" in m:
        print(m["skipped"])
        return
    for d in m["per_draft"]:
        detail = d["error"] or "; ".join(d["missed"])[:400]
        print(f"{d['name']} {d['style']} {d['correct']}/{d['fields']} {detail}")
        print(f"    rules missed={d['rules_missed']} false_errors={d['false_errors']}")
    acc = " ".join(f"{s}={v:.3f}" for s, v in m["field_accuracy"].items())
    print(f"field accuracy {acc}; teacher tables exact on text drafts {m['teacher_tables_exact']}/{m['text_drafts']}")
    print(f"rules: recall {m['error_recall']:.3f}, false errors {m['false_errors']}")


def main(argv: Optional[list[str]] = None) -> int:
    """CLI entry point."""
    argv = sys.argv[1:] if argv is None else argv
    only = None
    if "--only" in argv:
        only = argv[argv.index("--only") + 1].split(",")
    m = measure(only=only)
    if "--json" in argv:
        print(json.dumps(m, ensure_ascii=False, indent=1))
    else:
        print_report(m)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
