"""Retrieval quality on eval/policy_qa.jsonl: recall@1, recall@5 and MRR@10 per channel, on dev, test and all.

The set is split by id parity: odd ids are the dev half (tune on these), even ids the held-out test half.
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


def split(qa: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """Deterministic halves: dev = odd numeric id, test = even numeric id (held out)."""
    num = [int("".join(ch for ch in q["id"] if ch.isdigit()) or 0) for q in qa]
    return {
        "dev": [q for q, n in zip(qa, num, strict=True) if n % 2 == 1],
        "test": [q for q, n in zip(qa, num, strict=True) if n % 2 == 0],
        "all": qa,
    }


def _scores(ranks: dict[str, Optional[int]]) -> dict[str, float]:
    n = max(len(ranks), 1)
    vals = list(ranks.values())
    return {
        "recall@1": round(sum(r == 1 for r in vals) / n, 3),
        "recall@5": round(sum(r is not None and r <= 5 for r in vals) / n, 3),
        "mrr": round(sum(1.0 / r for r in vals if r) / n, 3),
    }


def measure(
    settings: Any = None, channels: tuple[str, ...] = CHANNELS, qa: Optional[list[dict[str, str]]] = None
) -> dict[str, Any]:
    """recall@1, recall@5, MRR@10 per channel (all questions and per dev/test half) and the misses at 5."""
    index = get_index(settings)
    index.ensure()
    qa = qa if qa is not None else load_qa()
    halves = split(qa)
    out: dict[str, Any] = {
        "n": len(qa),
        "default_channel": DEFAULT_CHANNEL,
        "channels": {},
        "misses": {},
        "splits": {h: {"n": len(items), "channels": {}} for h, items in halves.items()},
    }
    for ch in channels:
        ranks: dict[str, Optional[int]] = {}
        for item in qa:
            spans = gold_spans(item, index.policy_dir)
            ranks[item["id"]] = first_hit(index.search(item["question"], k=DEPTH, channel=ch), item["gold_doc"], spans)
        for h, items in halves.items():
            out["splits"][h]["channels"][ch] = _scores({q["id"]: ranks[q["id"]] for q in items})
        out["channels"][ch] = out[ch] = out["splits"]["all"]["channels"][ch]
        out["misses"][ch] = [i for i, r in ranks.items() if not r or r > 5]
    if DEFAULT_CHANNEL in out["channels"]:
        out["default"] = out["channels"][DEFAULT_CHANNEL]  # headline key read by review.evaluation
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
    print(
        f"questions: {res['n']} (dev = odd ids, test = even ids, held out)   default channel: {res['default_channel']}"
    )
    print(f"{'channel':<8} {'half':<5} {'n':>3} {'R@1':>6} {'R@5':>6} {'MRR':>6}")
    for ch in res["channels"]:
        for h, part in res["splits"].items():
            m = part["channels"][ch]
            print(f"{ch:<8} {h:<5} {part['n']:>3} {m['recall@1']:>6.3f} {m['recall@5']:>6.3f} {m['mrr']:>6.3f}")
        print(f"         misses@5: {' '.join(res['misses'][ch])}")


if __name__ == "__main__":
    main()
