"""Retrieval quality on eval/policy_qa.jsonl: recall@1, recall@5 and MRR@10 per channel.

Run: python -m eval.retrieval_eval [--json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Optional

from review.retrieval import get_index
from review.retrieval.corpus import find_quote_all
from review.retrieval.index import CHANNELS, DEFAULT_CHANNEL

QA_FILE = Path(__file__).resolve().parent / "policy_qa.jsonl"
DEPTH = 10


def load_qa(path: Path = QA_FILE) -> list[dict[str, str]]:
    """The question set."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def gold_spans(item: dict[str, str], policy_dir: Path) -> list[tuple[int, int]]:
    """Every (start, end) of the gold passage in the gold file."""
    return [(s, e) for _, s, e in find_quote_all(item["gold_passage"], policy_dir, item["gold_doc"])]


def first_hit(passages: list[Any], doc: str, spans: list[tuple[int, int]]) -> Optional[int]:
    """1-based rank of the first passage from doc overlapping a gold span, or None."""
    for rank, p in enumerate(passages, 1):
        if p.doc == doc and any(p.start < e and s < p.end for s, e in spans):
            return rank
    return None


def measure(settings: Any = None, channels: tuple[str, ...] = CHANNELS, qa: Optional[list[dict[str, str]]] = None) -> dict[str, Any]:
    """recall@1, recall@5, MRR@10 per channel, the default channel and the misses at 5."""
    index = get_index(settings)
    index.ensure()
    qa = qa if qa is not None else load_qa()
    out: dict[str, Any] = {"n": len(qa), "default": DEFAULT_CHANNEL, "channels": {}, "misses": {}}
    for ch in channels:
        r1 = r5 = 0
        rr = 0.0
        misses = []
        for item in qa:
            spans = gold_spans(item, index.policy_dir)
            rank = first_hit(index.search(item["question"], k=DEPTH, channel=ch), item["gold_doc"], spans)
            r1 += rank == 1
            r5 += rank is not None and rank <= 5
            rr += 1.0 / rank if rank else 0.0
            if not rank or rank > 5:
                misses.append(item["id"])
        n = max(len(qa), 1)
        out["channels"][ch] = {"recall@1": round(r1 / n, 3), "recall@5": round(r5 / n, 3), "mrr": round(rr / n, 3)}
        out["misses"][ch] = misses
    return out


def main() -> None:
    """Print the table (or JSON)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    res = measure()
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=2))
        return
    print(f"questions: {res['n']}   default channel: {res['default']}")
    print(f"{'channel':<8} {'R@1':>6} {'R@5':>6} {'MRR':>6}")
    for ch, m in res["channels"].items():
        print(f"{ch:<8} {m['recall@1']:>6.3f} {m['recall@5']:>6.3f} {m['mrr']:>6.3f}   misses@5: {' '.join(res['misses'][ch])}")


if __name__ == "__main__":
    main()
