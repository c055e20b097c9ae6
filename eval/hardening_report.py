"""Hardening figures: bad inputs, fuzz cases, crashes/hangs, injection cases. `python -m eval.hardening_report`.

Each bad input is extracted and reviewed in a forked child with a hard time limit, so a hang or a memory blow-up
is measured, never suffered. Options: --fuzz N (mutated PDFs), --text N (normaliser/mask/rule examples).
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

STAGE_SECONDS = 60.0  # hard limit per bad input (extraction + offline rules)
MAX_RSS_MB = 2048  # a bad input must not need more memory than this


def _child(path: str, conn: Any) -> None:
    """Extract and review one file (rules only); send back the outcome."""
    logging.disable(logging.CRITICAL)
    from review.errors import InputError
    from review.pipeline import review_pdf

    t0 = time.perf_counter()
    out: dict[str, Any]
    try:
        rep = review_pdf(path, explain=False)
        out = {
            "outcome": "review",
            "findings": [[f.rule, f.severity] for f in rep.findings],
            "warnings": rep.meta.warnings,
            "pages": rep.meta.pages,
            "ocr_pages": rep.meta.ocr_pages,
        }
    except InputError as err:
        out = {"outcome": "reject", "message": err.zh}
    except BaseException as exc:  # noqa: BLE001 - the point is to record it
        out = {"outcome": "crash", "message": f"{type(exc).__name__}: {exc}"[:300]}
    out["seconds"] = round(time.perf_counter() - t0, 2)
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    conn.send(out)
    conn.close()


def probe(path: Path, timeout: float = STAGE_SECONDS) -> dict[str, Any]:
    """Outcome of reviewing one file in a forked child: review / reject / crash / hang / died."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(str(path), child), daemon=True)
    t0 = time.perf_counter()
    proc.start()
    child.close()
    out: Optional[dict[str, Any]] = None
    if parent.poll(timeout):
        try:
            out = parent.recv()
        except EOFError:
            out = None
    proc.join(5)
    if proc.is_alive():
        proc.kill()
        proc.join()
        out = out or {"outcome": "hang", "message": f"no answer within {timeout:g} s"}
    if out is None:
        out = {"outcome": "died", "message": f"child exit code {proc.exitcode}"}
    out.setdefault("seconds", round(time.perf_counter() - t0, 2))
    return out


def probe_bounded(path: Path, settings: Any = None) -> dict[str, Any]:
    """Outcome of reviewing one file as users do: read in review.sandbox's bounded child, then the rules here.

    review / reject / timeout (the reader's time budget ran out: a clear message, no hang) / crash (an exception
    other than InputError in this process); with the reader's peak memory and the review's warnings and form.
    """
    from review.config import load_settings
    from review.errors import InputError
    from review.pipeline import review_extracted
    from review.sandbox import BoundedRead, input_problem

    settings = settings or load_settings()
    t0 = time.perf_counter()
    out: dict[str, Any] = {"max_rss_mb": 0}
    problem = input_problem(path)
    if problem:
        out.update(outcome="reject", message=problem)
    else:
        job = BoundedRead(path, settings)
        try:
            while not job.step(1.0):
                pass
            out["max_rss_mb"] = job.max_rss_mb or 0
            rep = review_extracted(job.outcome(), settings, file_name=path.name, explain=False)
            out.update(
                outcome="review",
                findings=[[f.rule, f.severity] for f in rep.findings],
                warnings=rep.meta.warnings,
                form=rep.form,
            )
        except InputError as err:
            timeout = err.en.startswith("reading timed out")
            out.update(outcome="timeout" if timeout else "reject", message=err.user_message())
        except Exception as exc:  # noqa: BLE001 - the point is to record it
            out.update(outcome="crash", message=f"{type(exc).__name__}: {exc}"[:300])
        finally:
            job.kill()
    out["seconds"] = round(time.perf_counter() - t0, 2)
    return out


def check_bad_input(b: Any, res: dict[str, Any]) -> bool:
    """Does the outcome meet the corpus entry: expected outcome, required warning words, form check."""
    if not meets(b.expect, res["outcome"]):
        return False
    if res["outcome"] == "review":
        if b.warn and not any(b.warn in w for w in res.get("warnings", [])):
            return False
        if b.form_ok is not None and not b.form_ok(res["form"]):
            return False
    return True


def meets(expect: str, outcome: str) -> bool:
    """Does the outcome satisfy the corpus expectation (reject / degrade / any)?"""
    if outcome not in ("review", "reject"):
        return False
    return expect == "any" or (expect == "reject") == (outcome == "reject")


def bad_input_figures(folder: Path) -> dict[str, Any]:
    """Probe every bad input of eval/bad_inputs.py."""
    from eval.bad_inputs import build_all

    rows = []
    for b, p in build_all(folder):
        res = probe_bounded(p)
        ok = check_bad_input(b, res)
        res.pop("form", None)
        rows.append({"name": b.name, "expect": b.expect, **res, "ok": ok})
    return {
        "tried": len(rows),
        "crashes": sum(r["outcome"] == "crash" for r in rows),
        "hangs": sum(r["outcome"] == "hang" for r in rows),
        "timeouts": sum(r["outcome"] == "timeout" for r in rows),
        "died": sum(r["outcome"] == "died" for r in rows),
        "unexpected": [r["name"] for r in rows if not r["ok"]],
        "max_seconds": max(r["seconds"] for r in rows),
        "max_rss_mb": max(r.get("max_rss_mb", 0) for r in rows),
        "rows": rows,
    }


GOOD_DRAFTS = 12  # eval fixtures mixed into the batch of bad inputs


def batch_mix_figures(folder: Path, good: int = GOOD_DRAFTS, workers: int = 2) -> dict[str, Any]:
    """Every bad input plus `good` fixture drafts in one folder through run_batch (bounded readers)."""
    import shutil

    from eval.bad_inputs import build_all
    from review.batch import run_batch

    build_all(folder)
    fixtures = sorted((Path(__file__).resolve().parent / "fixtures").glob("*.pdf"))
    goods = [p for p in fixtures if "scan" not in p.name][:good]
    for p in goods:
        shutil.copy(p, folder / f"good-{p.name}")
    shutil.copy(goods[0], folder / "good-CASE.PDF")  # same stem as another input, other case
    shutil.copy(goods[0], folder / "good-case.pdf")
    entries = sorted(q.name for q in folder.iterdir() if q.suffix.lower() == ".pdf")
    t0 = time.perf_counter()
    crash = ""
    rows: list[dict[str, Any]] = []
    try:
        rows = run_batch(folder, folder.parent / "batch-out" / "summary.xlsx", workers=workers)
    except Exception as exc:  # noqa: BLE001 - the figure being measured
        crash = f"{type(exc).__name__}: {exc}"[:300]
    by = {r["文件"]: r for r in rows}
    good_names = [n for n in entries if n.startswith("good-")]
    jsons = [r["json"] for r in rows if r.get("json")]
    rss = [r["max_rss_mb"] for r in rows if r.get("max_rss_mb") is not None]
    return {
        "entries": len(entries),
        "rows": len(rows),
        "one_row_per_entry": sorted(by) == entries,
        "good": len(good_names),
        "good_reviewed": sum(1 for n in good_names if by.get(n, {}).get("状态") == "已审查"),
        "reviewed": sum(1 for r in rows if r["状态"] == "已审查"),
        "failed": sum(1 for r in rows if r["状态"] == "无法审查"),
        "skipped": sum(1 for r in rows if r["状态"] == "已跳过"),
        "timeouts": sum(1 for r in rows if "读取超时" in (r.get("error") or "")),
        "reader_died": sum(1 for r in rows if "异常退出" in (r.get("error") or "")),
        "unique_json_names": len({j.lower() for j in jsons}) == len(jsons),
        "batch_crash": crash,
        "max_rss_mb_per_file": max(rss) if rss else None,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def pdf_fuzz_figures(n: int, seed: int = 0) -> dict[str, Any]:
    """n mutated fixture PDFs through extract_pdf (OCR engine stubbed): outcomes and failures."""
    from eval.fuzz_atheris import check_pdf_bytes, mutate, no_ocr_engine, seed_pdfs

    logging.disable(logging.CRITICAL)
    rng, seeds = random.Random(seed), seed_pdfs()
    counts = {"result": 0, "reject": 0}
    failures: dict[str, int] = {}
    pipeline_crashes = 0
    with no_ocr_engine():
        for i in range(n):
            data = mutate(seeds[i % len(seeds)], rng, rng.randint(1, 8))
            try:
                counts[check_pdf_bytes(data)] += 1
            except Exception as exc:  # noqa: BLE001 - counted
                key = f"{type(exc).__name__}: {str(exc)[:80]}"
                failures[key] = failures.get(key, 0) + 1
                pipeline_crashes += not _review_ok(data)
    logging.disable(logging.NOTSET)
    return {
        "cases": n,
        **counts,
        "failures": sum(failures.values()),
        "failure_kinds": failures,
        "review_pdf_crashes": pipeline_crashes,
    }


def _review_ok(data: bytes) -> bool:
    """review_pdf (the pipeline users reach) on these bytes gives a Report or an InputError."""
    from review.errors import InputError
    from review.pipeline import review_pdf

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.pdf"
        path.write_bytes(data)
        try:
            review_pdf(path, explain=False)
        except InputError:
            pass
        except Exception:  # noqa: BLE001 - that is the crash being counted
            return False
    return True


def text_fuzz_figures(n: int) -> dict[str, Any]:
    """Hypothesis runs of the normaliser, masking and rule targets with n examples each."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from eval.fuzz_atheris import check_mask, check_normalizers
    from eval.strategies import FORMS
    from review.rules import run_rules

    calls = {"normalizers": 0, "mask_text": 0, "run_rules": 0}
    cfg = settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))

    @cfg
    @given(st.text())
    def norm(text: str) -> None:
        calls["normalizers"] += 1
        check_normalizers(text)

    @cfg
    @given(st.text())
    def mask(text: str) -> None:
        calls["mask_text"] += 1
        check_mask(text)

    @cfg
    @given(FORMS)
    def rules(form: Any) -> None:
        calls["run_rules"] += 1
        crashed = [f.rule for f in run_rules(form) if "内部错误" in f.message]
        assert not crashed, crashed

    failures = []
    for fn in (norm, mask, rules):
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - counted
            failures.append(f"{fn.__name__}: {type(exc).__name__}: {str(exc)[:120]}")
    return {"cases": sum(calls.values()), **calls, "failures": len(failures), "failure_kinds": failures}


def injection_figures(folder: Path) -> dict[str, Any]:
    """Findings of each injected draft against its clean twin (rule ids and severities)."""
    from eval.bad_inputs import injection_pairs
    from review.extract import extract_pdf
    from review.rules import run_rules

    rows = []
    for name, clean, injected in injection_pairs():
        a, b = folder / f"{name}-clean.pdf", folder / f"{name}-injected.pdf"
        clean(a)
        injected(b)
        fa = sorted({(f.rule, f.severity) for f in run_rules(extract_pdf(a).form)})
        fb = sorted({(f.rule, f.severity) for f in run_rules(extract_pdf(b).form)})
        rows.append({"case": name, "changed": fa != fb, "clean": fa, "injected": fb})
    return {"tried": len(rows), "verdicts_changed": sum(r["changed"] for r in rows), "rows": rows}


def main(argv: Optional[list[str]] = None) -> int:
    """Print the hardening figures as JSON (and a one-line summary)."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--fuzz", type=int, default=300, help="mutated PDFs to try")
    p.add_argument("--text", type=int, default=2000, help="hypothesis examples per text/rule target")
    p.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    p.add_argument("--only", choices=("bad", "batch"), default=None, help="just the bad inputs or the batch mix")
    args = p.parse_args(argv)
    if args.only:
        with tempfile.TemporaryDirectory(prefix="cme-hardening-") as tmp:
            fig = bad_input_figures(Path(tmp) / "bad") if args.only == "bad" else batch_mix_figures(Path(tmp) / "mix")
        text = json.dumps(fig, ensure_ascii=False, indent=1, default=str)
        print(text)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(text, encoding="utf-8")
        return 0
    with tempfile.TemporaryDirectory(prefix="cme-hardening-") as tmp:
        t0 = time.perf_counter()
        figures = {
            "bad_inputs": bad_input_figures(Path(tmp) / "bad"),
            "pdf_fuzz": pdf_fuzz_figures(args.fuzz),
            "text_fuzz": text_fuzz_figures(args.text),
            "injection": injection_figures(Path(tmp)),
        }
        figures["seconds"] = round(time.perf_counter() - t0, 1)
    text = json.dumps(figures, ensure_ascii=False, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    b, pf, tf, inj = figures["bad_inputs"], figures["pdf_fuzz"], figures["text_fuzz"], figures["injection"]
    print(
        f"\nbad inputs tried {b['tried']} (crashes {b['crashes']}, hangs {b['hangs']}, died {b['died']}, "
        f"unexpected {len(b['unexpected'])}, max {b['max_seconds']} s / {b['max_rss_mb']} MB); "
        f"fuzz cases {pf['cases'] + tf['cases']} (extract_pdf contract failures {pf['failures']}, review_pdf "
        f"crashes {pf['review_pdf_crashes']}, text/rule failures {tf['failures']}); "
        f"injection cases {inj['tried']} (verdicts changed {inj['verdicts_changed']})"
    )
    bad = (
        b["crashes"]
        + b["hangs"]
        + b["died"]
        + len(b["unexpected"])
        + pf["failures"]
        + tf["failures"]
        + pf["review_pdf_crashes"]
    )
    return 1 if bad or inj["verdicts_changed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
