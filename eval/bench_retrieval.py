"""Retrieval timings: cold build, reopen without re-embedding, query latency.

Run: python -m eval.bench_retrieval [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from review.config import load_settings
from review.retrieval.index import PolicyIndex

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
        settings = load_settings().with_(data_dir=Path(tmp))
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
        return out


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
