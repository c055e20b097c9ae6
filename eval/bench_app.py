"""Benchmark the app and batch: first render, offline review (cold/warm), batch throughput.

Run: .venv/bin/python -m eval.bench_app [--browser] [--drafts 16]   (writes eval/out/bench_app.json)
     .venv/bin/python -m eval.bench_app --clerk   (browser only: start -> chat answered, upload -> report of a scan)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "eval" / "fixtures"
OUT = ROOT / "eval" / "out"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TEXT_STYLES = ("word-table", "printout", "fillable")


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def streamlit_server(env: Optional[dict[str, str]] = None, timeout: float = 120) -> Iterator[tuple[str, float]]:
    """Run `streamlit run app.py` headless on 127.0.0.1; yields (url, seconds to first HTTP 200)."""
    port = free_port()
    cmd = [
        str(ROOT / ".venv" / "bin" / "streamlit"),
        "run",
        str(ROOT / "app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                raise RuntimeError(f"streamlit exited ({proc.returncode}): {out[-2000:]}")
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() - t0 > timeout:
                raise TimeoutError("streamlit did not answer in time")
            time.sleep(0.2)
        yield url, time.perf_counter() - t0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def text_fixtures() -> list[Path]:
    """Fixture PDFs with a text layer (scans excluded), from the cases' styles."""
    try:
        from eval.cases import load_cases

        pdfs = [c.pdf_path for c in load_cases() if c.style in TEXT_STYLES and c.pdf_path.is_file()]
    except Exception:  # noqa: BLE001 - fall back to every fixture
        pdfs = []
    return pdfs or sorted(FIXTURES.glob("*.pdf"))


def bench_apptest() -> dict[str, float]:
    """AppTest: first script run (imports + first render) and a second run."""
    from streamlit.testing.v1 import AppTest

    t = time.perf_counter()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    first = time.perf_counter() - t
    t = time.perf_counter()
    at.run()
    return {"apptest_first_run_s": round(first, 3), "apptest_rerun_s": round(time.perf_counter() - t, 3)}


def bench_browser() -> dict[str, float]:
    """Real browser: time to first HTTP 200 and to the page's title being painted."""
    if not Path(CHROMIUM).exists():
        return {}
    from playwright.sync_api import sync_playwright

    with streamlit_server() as (url, t200), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        t = time.perf_counter()
        page.goto(url)
        page.get_by_text("继续医学教育项目申报书预审").first.wait_for(timeout=60000)
        paint = time.perf_counter() - t
        browser.close()
    return {"server_first_http_200_s": round(t200, 3), "browser_first_paint_s": round(paint, 3)}


def scan_fixture(pages: int = 5) -> Optional[Path]:
    """A scanned fixture with the given page count (the first scan when none has exactly that many)."""
    from pypdf import PdfReader

    from eval.cases import load_cases

    scans = [c.pdf_path for c in load_cases() if c.style == "scan" and c.pdf_path.is_file()]
    exact = [p for p in scans if len(PdfReader(str(p)).pages) == pages]
    found = exact or scans
    return found[0] if found else None


def bench_clerk(
    env: Optional[dict[str, str]] = None, question: str = "远程项目最多可以授予几个学分？"
) -> dict[str, Any]:
    """Real browser, fresh server: start -> chat answered (index opened at start), upload -> report for a scan."""
    if not Path(CHROMIUM).exists():
        return {}
    from playwright.sync_api import sync_playwright

    scan = scan_fixture()
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    with streamlit_server(env) as (url, t200), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(url)
        page.get_by_text("继续医学教育项目申报书预审").first.wait_for(timeout=120_000)
        out["start_to_first_paint_s"] = round(time.perf_counter() - t0, 2)
        box = page.locator('[data-testid="stChatInputTextArea"]')
        box.fill(question)
        box.press("Enter")
        page.locator('[data-testid="stChatMessage"]').nth(1).wait_for(timeout=600_000)
        page.locator('[data-testid="stChatMessage"]').nth(1).get_by_text("回答来源").wait_for(timeout=600_000)
        out["start_to_chat_answer_s"] = round(time.perf_counter() - t0, 2)
        if scan is not None:
            from pypdf import PdfReader

            out["scan"], out["scan_pages"] = scan.name, len(PdfReader(str(scan)).pages)
            t = time.perf_counter()
            page.locator('[data-testid="stMainBlockContainer"] input[type="file"]').first.set_input_files(str(scan))
            page.get_by_text(re.compile("识别第 \\d+/\\d+ 页")).first.wait_for(timeout=600_000)
            out["upload_to_first_page_progress_s"] = round(time.perf_counter() - t, 2)
            page.get_by_role("tab", name="问题清单").wait_for(timeout=600_000)
            out["upload_to_report_s"] = round(time.perf_counter() - t, 2)
        browser.close()
    out["server_first_http_200_s"] = round(t200, 2)
    return out


def bench_review(pdf: Path, runs: int = 5) -> dict[str, Any]:
    """Offline review_pdf(explain=True): index build/open, cold first review, warm median."""
    from review.config import load_settings
    from review.pipeline import review_pdf
    from review.retrieval import get_index

    settings = load_settings()
    t = time.perf_counter()
    index = get_index(settings)
    index.build()
    t_index = time.perf_counter() - t
    t = time.perf_counter()
    review_pdf(pdf, settings, index=index, explain=True)
    cold = time.perf_counter() - t
    warm = []
    for _ in range(runs):
        t = time.perf_counter()
        review_pdf(pdf, settings, index=index, explain=True)
        warm.append(time.perf_counter() - t)
    warm.sort()
    return {
        "review_pdf": pdf.name,
        "index_open_or_build_s": round(t_index, 3),
        "review_cold_s": round(cold, 3),
        "review_warm_median_s": round(warm[len(warm) // 2], 3),
        "review_warm_min_s": round(warm[0], 3),
    }


def bench_batch(n: int, workers: int = 2) -> dict[str, Any]:
    """run_batch over n text drafts (fixtures repeated) with explain=False."""
    from review.batch import run_batch

    src = text_fixtures()
    with tempfile.TemporaryDirectory(prefix="cme-bench-") as tmp:
        d = Path(tmp) / "in"
        d.mkdir()
        for i in range(n):
            p = src[i % len(src)]
            shutil.copy(p, d / f"{i:03d}-{p.name}")
        t = time.perf_counter()
        rows = run_batch(d, Path(tmp) / "out" / "summary.xlsx", workers=workers)
        secs = time.perf_counter() - t
    failed = sum(1 for r in rows if r["error"])
    return {
        "batch_drafts": n,
        "batch_workers": workers,
        "batch_s": round(secs, 3),
        "batch_drafts_per_s": round(n / secs, 2),
        "batch_failed": failed,
    }


def main(argv: Optional[list[str]] = None) -> int:
    """Run every benchmark and write eval/out/bench_app.json."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--browser", action="store_true", help="also time the real browser")
    ap.add_argument("--drafts", type=int, default=16)
    ap.add_argument("--clerk", action="store_true", help="only the browser timings: start -> chat, upload -> report")
    args = ap.parse_args(argv)
    if args.clerk:
        clerk = {"cpus": os.cpu_count(), "load_avg": os.getloadavg(), **bench_clerk()}
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "bench_clerk.json").write_text(json.dumps(clerk, ensure_ascii=False, indent=2), encoding="utf-8")
        print(json.dumps(clerk, ensure_ascii=False, indent=2))
        return 0
    pdfs = text_fixtures()
    if not pdfs:
        print("no fixture PDFs; run `make fixtures`", file=sys.stderr)
        return 2
    res: dict[str, Any] = {"cpus": os.cpu_count(), "load_avg": os.getloadavg()}
    res.update(bench_review(pdfs[0]))
    res.update(bench_apptest())
    res.update(bench_batch(args.drafts))
    if args.browser:
        res.update(bench_browser())
        res.update(bench_clerk())
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_app.json").write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(res, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
