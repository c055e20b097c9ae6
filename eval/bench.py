"""`make bench`: run the speed benchmarks one after another, each in its own process (cold caches stay cold).

Run: .venv/bin/python -m eval.bench [rules extract retrieval cost app roundtrip]   (default: the first four)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from typing import Optional

# name -> arguments for python -m eval.bench_<name>; app (Streamlit) and roundtrip (300 renders) are opt-in
BENCHES: dict[str, list[str]] = {
    "rules": [],
    "extract": [],
    "retrieval": [],
    "cost": [],
    "app": [],
    "roundtrip": [],
}
DEFAULT = ("rules", "extract", "retrieval", "cost")


def run_one(name: str) -> int:
    """One benchmark module; its output goes straight to the terminal."""
    print(f"\n=== eval.bench_{name} ===", flush=True)
    t = time.perf_counter()
    rc = subprocess.run([sys.executable, "-m", f"eval.bench_{name}", *BENCHES[name]], check=False).returncode
    print(f"=== eval.bench_{name}: exit {rc}, {time.perf_counter() - t:.1f} s", flush=True)
    return rc


def main(argv: Optional[list[str]] = None) -> int:
    """Run the chosen benchmarks; exit 1 when any of them failed."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("names", nargs="*", metavar="NAME", help=f"any of {', '.join(BENCHES)}")
    names = ap.parse_args(argv).names or list(DEFAULT)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        ap.error(f"unknown benchmark {', '.join(unknown)} (choose from {', '.join(BENCHES)})")
    failed = [n for n in names if run_one(n) != 0]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
