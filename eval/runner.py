"""The eval suite: one run scores extraction, rules, retrieval, explanations, chat and critiques.

The eval package may import review; review never imports eval (`cme-review eval` loads this module by name).
"""

from __future__ import annotations

import json
import re
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from eval import chat_eval, critique_eval, extraction_accuracy, outside_eval, retrieval_eval
from eval.cases import CASES_DIR, EVAL_DIR, FIXTURES_DIR, load_cases
from eval.judge import judge_metrics
from eval.metrics import BASELINE, HEADLINE, baseline_metrics, headline, regressions
from eval.report import write_report
from review.config import Settings, load_settings
from review.errors import ReviewError

REVIEWED_DIR = EVAL_DIR / "reviewed"
NUM_RE = re.compile(r"\d+(?:\.\d+)?")


def _section(name: str, fn: Callable[[], dict[str, Any]], errors: dict[str, str]) -> dict[str, Any]:
    """Run one eval section; a failing section is reported, never fatal."""
    t = time.perf_counter()
    try:
        res = fn()
    except Exception as e:  # noqa: BLE001 - the report must still be written
        errors[name] = f"{type(e).__name__}: {e}"
        traceback.print_exc()
        return {"error": errors[name]}
    res = dict(res)
    res["seconds"] = round(time.perf_counter() - t, 2)
    return res


# ---------- extraction + rules (one extraction pass per fixture) ----------


def _extract_all(cases: list[Any]) -> dict[str, Any]:
    from review.extract import extract_pdf

    out: dict[str, Any] = {}
    for c in cases:
        try:
            out[c.id] = extract_pdf(c.pdf_path)
        except Exception as e:  # noqa: BLE001
            out[c.id] = e
    return out


def rules_metrics(cases: list[Any], extracted: dict[str, Any]) -> dict[str, Any]:
    """Precision/recall/F1 per rule over the labelled drafts (rules run on the extracted forms)."""
    from review.rules import ALL_RULES, run_rules
    from review.rules.batch import run_batch_rules

    severity = {r.id: r.severity for r in ALL_RULES}
    predicted: dict[str, set[str]] = {}
    error_findings_on_clean = 0
    clean = 0
    items = []
    for c in cases:
        res = extracted.get(c.id)
        if isinstance(res, Exception) or res is None:
            predicted[c.id] = set()
            continue
        found = run_rules(res.form, res.evidence)
        predicted[c.id] = {f.rule for f in found if not f.not_checked}
        items.append((c.id, res.form))
        if not c.expect:
            clean += 1
            error_findings_on_clean += sum(1 for f in found if f.severity == "error" and not f.not_checked)
    for cid, fs in run_batch_rules(items).items():
        predicted.setdefault(cid, set()).update(f.rule for f in fs if not f.not_checked)
    tp: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    fn: dict[str, int] = defaultdict(int)
    misses: list[str] = []
    for c in cases:
        gold, got = set(c.expect), predicted.get(c.id, set())
        for r in gold & got:
            tp[r] += 1
        for r in got - gold:
            fp[r] += 1
            misses.append(f"{c.id}: unexpected {r}")
        for r in gold - got:
            fn[r] += 1
            misses.append(f"{c.id}: missed {r}")
    per_rule: dict[str, dict[str, float]] = {}
    for r in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[r] / (tp[r] + fp[r]) if tp[r] + fp[r] else 1.0
        rc = tp[r] / (tp[r] + fn[r]) if tp[r] + fn[r] else 1.0
        per_rule[r] = {
            "precision": p,
            "recall": rc,
            "f1": 2 * p * rc / (p + rc) if p + rc else 0.0,
            "tp": tp[r],
            "fp": fp[r],
            "fn": fn[r],
        }
    T, F, N = sum(tp.values()), sum(fp.values()), sum(fn.values())
    p = T / (T + F) if T + F else 1.0
    rc = T / (T + N) if T + N else 1.0
    err_tp = sum(tp[r] for r in tp if severity.get(r) == "error")
    err_fn = sum(fn[r] for r in fn if severity.get(r) == "error")
    return {
        "drafts": len(cases),
        "clean_drafts": clean,
        "micro_precision": p,
        "micro_recall": rc,
        "micro_f1": 2 * p * rc / (p + rc) if p + rc else 0.0,
        "error_recall": err_tp / (err_tp + err_fn) if err_tp + err_fn else 1.0,
        "clean_error_findings": error_findings_on_clean,
        "clean_error_free": 1.0 if error_findings_on_clean == 0 else 0.0,
        "per_rule": per_rule,
        "disagreements": misses,
    }


# ---------- explanations ----------


def _numbers(text: str) -> set[str]:
    return {n.rstrip("0").rstrip(".") if "." in n else n for n in NUM_RE.findall(text or "")}


@lru_cache(maxsize=1)
def _doc_titles() -> dict[str, str]:
    from review.config import POLICY_DIR
    from review.retrieval.corpus import parse_provenance

    readme = POLICY_DIR / "README.md"
    meta = parse_provenance(readme.read_text(encoding="utf-8")) if readme.is_file() else {}
    return {doc: m.title for doc, m in meta.items()}


def explanation_scores(finding: Any, form_json: str, rule_docs: set[str]) -> dict[str, float]:
    """Per-finding explanation metrics (deterministic).

    A number in the explanation is consistent when it occurs in the form, in the rule's own result (message, fix,
    corrected value: the rule engine is authoritative) or in a citation (quote, section label, notice title).
    """
    from review.retrieval.corpus import quote_in_corpus

    cits = finding.citations or []
    valid = all(quote_in_corpus(c.quote, doc=c.doc) for c in cits) if cits else False
    correct = any(c.doc in rule_docs for c in cits)
    titles = _doc_titles()
    allowed = _numbers(form_json) | _numbers(finding.message) | _numbers(finding.fix or "")
    allowed |= _numbers(json.dumps(finding.fixed_value, ensure_ascii=False))
    for c in cits:
        allowed |= _numbers(c.quote) | _numbers(c.section) | _numbers(titles.get(c.doc, ""))
    consistent = _numbers(finding.explanation or "") <= allowed
    found = finding.found
    expl = finding.explanation or ""
    if isinstance(found, bool):
        stated = ("是" if found else "否") in expl
    elif found is None or found == "" or found == []:
        stated = True
    else:
        if isinstance(found, float):
            flat = f"{found:g}"
        else:
            flat = found if isinstance(found, str) else json.dumps(found, ensure_ascii=False)
        tokens = [t for t in re.split(r"[\s,，、;；\"\[\]{}:]+", flat) if t]
        stated = any(t in expl for t in tokens) or flat in expl
    return {
        "citation_valid": float(valid),
        "citation_correct": float(correct),
        "numbers_consistent": float(consistent),
        "fix_present": float(bool((finding.fix or "").strip())),
        "found_stated": float(stated),
    }


def explanation_metrics(
    cases: list[Any], extracted: dict[str, Any], settings: Settings, model: Any = None
) -> dict[str, Any]:
    """Aggregate explanation metrics per explainer (offline, and the model when given)."""
    from review.explain import explain_findings
    from review.retrieval import get_index
    from review.rules import get_rule, run_rules

    index = get_index(settings)
    explainers: list[tuple[str, Any]] = [("offline", None)]
    if model is not None:
        explainers.append(("model", model))
    out: dict[str, Any] = {}
    for label, m in explainers:
        scores: dict[str, list[float]] = defaultdict(list)
        accepted = 0
        total = 0
        for c in cases:
            res = extracted.get(c.id)
            if isinstance(res, Exception) or res is None:
                continue
            findings = [f for f in run_rules(res.form, res.evidence) if not f.not_checked]
            if not findings:
                continue
            explain_findings(findings, res.form, index, m)
            form_json = json.dumps(res.form.to_json_dict(), ensure_ascii=False)
            for f in findings:
                total += 1
                if m is not None and f.explained_by not in (None, "offline"):
                    accepted += 1
                rule = get_rule(f.rule)
                docs = {s.doc for s in rule.sources} if rule else set()
                for k, v in explanation_scores(f, form_json, docs).items():
                    scores[k].append(v)
        agg: dict[str, Any] = {k: sum(v) / len(v) for k, v in scores.items() if v}
        agg["findings"] = total
        if m is not None:
            agg["model_accepted"] = accepted / total if total else 0.0
        out[label] = agg
    return out


# ---------- reviewer actions (labels from the app) ----------


def add_actions(actions_file: Path, pdf_dir: Optional[Path] = None) -> int:
    """Append accepted/dismissed reviewer actions (exported from the app) to eval/reviewed/labels.jsonl."""
    import hashlib
    import shutil

    REVIEWED_DIR.mkdir(parents=True, exist_ok=True)
    by_sha: dict[str, Path] = {}
    if pdf_dir:
        for p in sorted(Path(pdf_dir).glob("*.pdf")):
            by_sha[hashlib.sha256(p.read_bytes()).hexdigest()] = p
    labels = REVIEWED_DIR / "labels.jsonl"
    added = 0
    with labels.open("a", encoding="utf-8") as out:
        for line in Path(actions_file).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            a = json.loads(line)
            rid = str(a.get("review_id", ""))[:64]
            pdf = by_sha.get(rid)
            if pdf is not None:
                dest = REVIEWED_DIR / f"{rid[:16]}.pdf"
                if not dest.exists():
                    shutil.copyfile(pdf, dest)
            rec = {
                "review_id": rid,
                "pdf": f"{rid[:16]}.pdf" if pdf is not None else None,
                "rule": a.get("rule"),
                "action": a.get("action"),
                "reason": a.get("reason", ""),
            }
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            added += 1
    return added


def reviewer_label_metrics() -> dict[str, Any]:
    """Precision of fired rules against reviewer accept/dismiss labels (re-reviewing the stored PDFs)."""
    labels = REVIEWED_DIR / "labels.jsonl"
    if not labels.is_file():
        return {"labels": 0}
    from review.pipeline import review_pdf

    recs = [json.loads(x) for x in labels.read_text(encoding="utf-8").splitlines() if x.strip()]
    fired: dict[str, set[str]] = {}
    agree = total = 0
    for r in recs:
        pdf = r.get("pdf")
        if not pdf or not (REVIEWED_DIR / pdf).is_file():
            continue
        if pdf not in fired:
            rep = review_pdf(REVIEWED_DIR / pdf, explain=False)
            fired[pdf] = {f.rule for f in rep.findings if not f.not_checked}
        total += 1
        still = r["rule"] in fired[pdf]
        agree += int(still == (r["action"] == "accept"))
    return {"labels": len(recs), "scored": total, "agreement": agree / total if total else 1.0}


# ---------- run ----------


def _require_data() -> None:
    """The labelled drafts ship with the source checkout only (not in the wheel): say so instead of crashing."""
    if not CASES_DIR.is_dir() or not FIXTURES_DIR.is_dir():
        raise ReviewError(
            "找不到评测数据（eval/cases、eval/fixtures 只随源码检出提供）",
            f"eval data not found: {CASES_DIR} / {FIXTURES_DIR} ship with the source checkout only",
        )


def run_eval(
    out_dir: Path, *, settings: Optional[Settings] = None, model: Any = None, judge: bool = False
) -> dict[str, Any]:
    """Run every eval section and write report.md, metrics.json and charts into out_dir."""
    settings = settings or load_settings()
    _require_data()
    out_dir.mkdir(parents=True, exist_ok=True)
    errors: dict[str, str] = {}
    t0 = time.perf_counter()
    cases = load_cases()
    extracted: dict[str, Any] = {}

    def _ext() -> dict[str, Any]:
        nonlocal extracted
        extracted = _extract_all(cases)
        return extraction_accuracy.measure(cases, extracted)

    metrics: dict[str, Any] = {}
    metrics["extraction"] = _section("extraction", _ext, errors)
    metrics["rules"] = _section("rules", lambda: rules_metrics(cases, extracted), errors)

    def _ret() -> dict[str, Any]:
        return retrieval_eval.measure()

    metrics["retrieval"] = _section("retrieval", _ret, errors)
    metrics["explanations"] = _section(
        "explanations", lambda: explanation_metrics(cases, extracted, settings, model), errors
    )

    def _chat() -> dict[str, Any]:
        res = {"offline": chat_eval.measure(model=None)}
        if model is not None:
            res["model"] = chat_eval.measure(model=model)
        return res

    metrics["chat"] = _section("chat", _chat, errors)

    def _crit() -> dict[str, Any]:
        return critique_eval.measure()

    metrics["critique"] = _section("critique", _crit, errors)
    metrics["outside"] = _section("outside", outside_eval.measure, errors)  # {"skipped": ...} without ../shared
    metrics["reviewer_labels"] = _section("reviewer_labels", reviewer_label_metrics, errors)
    if judge and model is not None:
        metrics["judge"] = _section("judge", lambda: judge_metrics(cases, extracted, settings, model), errors)
    metrics["meta"] = {
        "seconds": round(time.perf_counter() - t0, 1),
        "mode": getattr(model, "name", "offline"),
        "cases": len(cases),
        "errors": errors,
    }
    (out_dir / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    write_report(metrics, out_dir, baseline_metrics())
    return metrics


def run_eval_cli(out_dir: Path, *, update_baseline: bool = False, judge: bool = False) -> int:
    """CLI entry: run, print the headline table, optionally write the baseline; 1 on regression."""
    settings = load_settings()
    model = None
    if settings.model_configured:
        from review.llm import get_chat_model

        model = get_chat_model(settings)
    metrics = run_eval(out_dir, settings=settings, model=model, judge=judge)
    head = headline(metrics)
    for k in HEADLINE:
        if k in head:
            print(f"{k:<45} {head[k]:.3f}")
    print(f"report: {out_dir / 'report.md'}  ({metrics['meta']['seconds']} s)")
    if update_baseline:
        BASELINE.write_text(json.dumps(head, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"baseline written: {BASELINE}")
        return 0
    bad = regressions(metrics)
    for b in bad:
        print("REGRESSION", b)
    return 1 if bad or metrics["meta"]["errors"] else 0
