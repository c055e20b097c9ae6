"""Extraction speed: a typical text draft vs bare pdfplumber, and seconds per scanned page.

Usage: python -m eval.bench_extract [--repeat N] [--no-scan] [--json]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

from eval.cases import FIXTURES_DIR
from review.extract import extract_pdf

TEXT_FIXTURE = "base-national-cardio"  # word-table export, 5 pages
SCAN_FIXTURE = "base-bj-jjj"  # 5 scanned pages


def _bare_pdfplumber(path: Path) -> None:
    """The baseline: open with pdfplumber and extract_text() every page."""
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            page.extract_text()


def _timed(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of repeat calls (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench(repeat: int = 5, scan: bool = True) -> dict[str, Any]:
    """The figures: text seconds, baseline seconds, ratio, scan seconds per page."""
    text = FIXTURES_DIR / f"{TEXT_FIXTURE}.pdf"
    ours = _timed(lambda: extract_pdf(text), repeat)
    base = _timed(lambda: _bare_pdfplumber(text), repeat)
    out: dict[str, Any] = {
        "text_fixture": text.name,
        "text_pages": extract_pdf(text).pages,
        "extract_s": round(ours, 3),
        "pdfplumber_s": round(base, 3),
        "ratio": round(ours / base, 2),
        "ratio_target": 1.5,
    }
    if scan:
        path = FIXTURES_DIR / f"{SCAN_FIXTURE}.pdf"
        extract_pdf(path)  # warm the OCR engine
        t = time.perf_counter()
        res = extract_pdf(path)
        elapsed = time.perf_counter() - t
        out.update(
            {
                "scan_fixture": path.name,
                "scan_pages": len(res.ocr_pages),
                "scan_s_per_page": round(elapsed / max(len(res.ocr_pages), 1), 2),
                "scan_target_s": 2.0,
            }
        )
    return out


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point."""
    argv = sys.argv[1:] if argv is None else argv
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 5
    m = bench(repeat, scan="--no-scan" not in argv)
    if "--json" in argv:
        print(json.dumps(m, ensure_ascii=False))
        return 0
    print(
        f"text draft {m['text_fixture']} ({m['text_pages']} pages): extract_pdf {m['extract_s']:.3f}s, "
        f"pdfplumber open+extract_text {m['pdfplumber_s']:.3f}s, ratio {m['ratio']:.2f}x (target <= 1.5x)"
    )
    if "scan_s_per_page" in m:
        print(
            f"scan {m['scan_fixture']}: {m['scan_s_per_page']:.2f}s per OCR page over {m['scan_pages']} pages "
            f"(target <= 2s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
