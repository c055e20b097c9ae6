"""Retrieval timings: cold build, reopen without re-embedding, query latency, adding one notice, first chat answer.

add_notice_s: PolicyIndex.add_notice on a built index of the whole corpus (only the new notice is chunked and
embedded). first_answer_after_start_s: a new process's first question: open the stored index, then ChatEngine.ask
(the chat gate's example vectors already cached on disk, as after `cme-review index` or the app's warm-up);
first_answer_examples_cold_s: the same when the example vectors are not cached yet (embedded on that question).
Run: python -m eval.bench_retrieval [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from review.chat import ChatEngine, scope
from review.config import load_settings
from review.retrieval.corpus import source_files
from review.retrieval.index import PolicyIndex

ADDED_NAME = "bench-added-notice.txt"

QUERIES = [
    "远程项目最多给几分？",
    "负责人是主治医师能报吗？",
    "外地学员要占多少？",
    "同行评议找谁写？",
    "一天最多能拿几个学分？",
]


def bench(rounds: int = 4) -> dict[str, Any]:
    """Cold build, reopen and query p50/p95 (ms) in a fresh data_dir."""
    with tempfile.TemporaryDirectory() as tmp:
        base = load_settings()
        pdir = Path(tmp) / "policy"
        pdir.mkdir()
        for f in [*source_files(base.policy_dir), Path(base.policy_dir) / "README.md"]:
            if f.is_file():
                shutil.copy(f, pdir / f.name)
        settings = base.with_(data_dir=Path(tmp) / "data", policy_dir=pdir)
        t0 = time.perf_counter()
        stats = PolicyIndex(settings).build()
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        index = PolicyIndex(settings)
        reopened = index.build()
        reopen = time.perf_counter() - t0
        t0 = time.perf_counter()
        index.search(QUERIES[0])
        first = time.perf_counter() - t0
        out: dict[str, Any] = {
            "chunks": stats["chunks"],
            "cold_build_s": round(cold, 2),
            "reopen_s": round(reopen, 3),
            "reopen_rebuilt": reopened["rebuilt"],
            "first_query_ms": round(first * 1000, 1),
        }
        for ch in ("hybrid", "bm25", "dense"):
            times = []
            for _ in range(rounds):
                for q in QUERIES:
                    t0 = time.perf_counter()
                    index.search(q, k=5, channel=ch)
                    times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            out[f"{ch}_p50_ms"] = round(statistics.median(times), 1)
            out[f"{ch}_p95_ms"] = round(times[int(0.95 * (len(times) - 1))], 1)
        out |= _add_and_first_answer(settings, index, Path(tmp))
        return out


def _add_and_first_answer(settings: Any, index: PolicyIndex, tmp: Path) -> dict[str, Any]:
    """Time adding one notice (a copy of the largest one under a new name) and a new process's first answer."""
    largest = max(source_files(index.policy_dir), key=lambda p: p.stat().st_size)
    new = tmp / ADDED_NAME
    new.write_text(largest.read_text(encoding="utf-8"), encoding="utf-8")
    t0 = time.perf_counter()
    stats = index.add_notice(new)
    add = time.perf_counter() - t0
    t0 = time.perf_counter()
    fresh = PolicyIndex(settings)
    fresh.build()
    opened = time.perf_counter() - t0
    ans = ChatEngine(fresh).ask(QUERIES[0])
    cold = time.perf_counter() - t0  # no example vectors on disk yet: this question embedded them
    scope._SHARED.clear()  # noqa: SLF001 - a new process: nothing in memory, the vectors now on disk
    t0 = time.perf_counter()
    again = PolicyIndex(settings)
    again.build()
    ans = ChatEngine(again).ask(QUERIES[0])
    first = time.perf_counter() - t0
    return {
        "add_notice_s": round(add, 2),
        "add_notice_chars": len(new.read_text(encoding="utf-8")),
        "add_notice_rebuilt_all": not stats["updated"],
        "open_after_start_s": round(opened, 2),
        "first_answer_after_start_s": round(first, 2),
        "first_answer_examples_cold_s": round(cold, 2),
        "first_answer_refused": ans.refused,
    }


def main() -> None:
    """Print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true")
    res = bench()
    if ap.parse_args().json:
        print(json.dumps(res, indent=2))
    else:
        for k, v in res.items():
            print(f"{k:<18} {v}")


if __name__ == "__main__":
    main()
