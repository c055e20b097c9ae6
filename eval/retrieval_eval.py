"""Retrieval quality: recall@1, recall@5 and MRR@10 per channel, strict and with accepted alternates.

Sets:
- eval/policy_qa.jsonl (96): split by id parity, odd ids the dev half, even ids the old held-out half. Both halves
  have been looked at while tuning, so treat the whole set as development data.
- eval/policy_qa_blind.jsonl (48, ids b…) and eval/policy_qa_blind2.jsonl (48, ids c…): written by annotators who
  never saw search output, each measured before any change it could have steered. Scored together as "blind";
  this is the honest figure. Never tune on them: write a new blind set for the next round of tuning.
- eval/policy_qa_alt.jsonl: second-annotator alternates for policy_qa.jsonl (another passage that answers the
  question equally well, e.g. the Beijing slide restating the national rule); the blind set carries its own "alt".
"Strict" counts only the gold passage; "accepted" also counts an alternate.
- eval/policy_qa_blind3.jsonl (ids d…): the fresh blind set for the sentence/thesaurus round (issue 16); measure it
  alone with --set blind3.
Run: python -m eval.retrieval_eval [--json] [--set dev|blind1|blind2|blind3|blind4|blind5] [--channel hybrid]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Optional

from review.retrieval import get_index
from review.retrieval.corpus import find_quote_all
from review.retrieval.index import CHANNELS, DEFAULT_CHANNEL

HERE = Path(__file__).resolve().parent
QA_FILE = HERE / "policy_qa.jsonl"
ALT_FILE = HERE / "policy_qa_alt.jsonl"
BLIND_FILE = HERE / "policy_qa_blind.jsonl"
BLIND_FILES = (BLIND_FILE, HERE / "policy_qa_blind2.jsonl")
# --set NAME: measure one question file alone (its own alternates inline, or from ALT_FILE for the dev set)
SETS = {
    "dev": QA_FILE,
    "blind1": BLIND_FILE,
    "blind2": HERE / "policy_qa_blind2.jsonl",
    "blind3": HERE / "policy_qa_blind3.jsonl",
    "blind4": HERE / "policy_qa_blind4.jsonl",  # issue 16 round 2: written after blind3 was used for tuning
    "blind5": HERE / "policy_qa_blind5.jsonl",  # issue 16 round 3: written after blind4 was used for tuning
}
DEPTH = 10


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_qa(path: Path = QA_FILE, alt_path: Optional[Path] = ALT_FILE) -> list[dict[str, Any]]:
    """A question set, with the alternates of alt_path merged in by id."""
    qa = _jsonl(path)
    if alt_path is not None and alt_path.is_file():
        alts = {row["id"]: row["alt"] for row in _jsonl(alt_path)}
        for q in qa:
            q.setdefault("alt", alts.get(q["id"], []))
    return qa


def load_blind() -> list[dict[str, Any]]:
    """Every blind question (both files), each carrying its own alternates."""
    return [q for path in BLIND_FILES if path.is_file() for q in load_qa(path, None)]


def gold_spans(item: dict[str, Any], policy_dir: Path) -> list[tuple[int, int]]:
    """Every (start, end) of the gold passage in the gold file."""
    return [(s, e) for _, s, e in find_quote_all(item["gold_passage"], policy_dir, item["gold_doc"])]


def accepted_spans(item: dict[str, Any], policy_dir: Path) -> list[tuple[str, int, int]]:
    """(doc, start, end) of the gold passage and of every accepted alternate."""
    out = [(item["gold_doc"], s, e) for s, e in gold_spans(item, policy_dir)]
    for alt in item.get("alt", []):
        out += find_quote_all(alt["passage"], policy_dir, alt["doc"])
    return out


def first_hit(passages: list[Any], doc: str, spans: list[tuple[int, int]]) -> Optional[int]:
    """1-based rank of the first passage from doc overlapping a gold span, or None."""
    return first_hit_any(passages, [(doc, s, e) for s, e in spans])


def first_hit_any(passages: list[Any], spans: list[tuple[str, int, int]]) -> Optional[int]:
    """1-based rank of the first passage overlapping any (doc, start, end) span, or None."""
    for rank, p in enumerate(passages, 1):
        if any(p.doc == d and p.start < e and s < p.end for d, s, e in spans):
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


def _misses(ranks: dict[str, Optional[int]]) -> list[str]:
    """Question ids whose gold is not in the top 5."""
    return [i for i, r in ranks.items() if not r or r > 5]


def _ranks(index: Any, qa: list[dict[str, Any]], ch: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Strict and accepted 1-based ranks of each question (None when not in the top DEPTH)."""
    strict: dict[str, Optional[int]] = {}
    accepted: dict[str, Optional[int]] = {}
    for item in qa:
        hits = index.search(item["question"], k=DEPTH, channel=ch)
        strict[item["id"]] = first_hit(hits, item["gold_doc"], gold_spans(item, index.policy_dir))
        accepted[item["id"]] = first_hit_any(hits, accepted_spans(item, index.policy_dir))
    return strict, accepted


def measure(
    settings: Any = None,
    channels: tuple[str, ...] = CHANNELS,
    qa: Optional[list[dict[str, Any]]] = None,
    blind: Optional[list[dict[str, Any]]] = None,
) -> dict[str, Any]:
    """recall@1, recall@5, MRR@10 per channel: main set (all, dev/test halves), strict and accepted; blind set."""
    index = get_index(settings)
    index.ensure()
    qa = qa if qa is not None else load_qa()
    if blind is None:
        blind = load_blind()
    halves = split(qa)
    out: dict[str, Any] = {
        "n": len(qa),
        "default_channel": DEFAULT_CHANNEL,
        "channels": {},
        "accepted": {},
        "misses": {},
        "splits": {h: {"n": len(items), "channels": {}} for h, items in halves.items()},
        "blind": {"n": len(blind), "channels": {}, "accepted": {}, "misses": {}},
    }
    for ch in channels:
        ranks, acc = _ranks(index, qa, ch)
        for h, items in halves.items():
            out["splits"][h]["channels"][ch] = _scores({q["id"]: ranks[q["id"]] for q in items})
        out["channels"][ch] = out[ch] = out["splits"]["all"]["channels"][ch]
        out["accepted"][ch] = _scores(acc)
        out["misses"][ch] = _misses(ranks)
        if blind:
            b_ranks, b_acc = _ranks(index, blind, ch)
            out["blind"]["channels"][ch] = _scores(b_ranks)
            out["blind"]["accepted"][ch] = _scores(b_acc)
            out["blind"]["misses"][ch] = _misses(b_ranks)
    if DEFAULT_CHANNEL in out["channels"]:
        out["default"] = out["channels"][DEFAULT_CHANNEL]  # headline key read by review.evaluation
        if blind:
            out["blind_default"] = out["blind"]["channels"][DEFAULT_CHANNEL]
    return out


def load_set(name: str) -> list[dict[str, Any]]:
    """The questions of one named set (see SETS); a missing file is a clear error."""
    path = SETS[name]
    if not path.is_file():
        raise SystemExit(f"question set {name!r} not found: {path}")
    return load_qa(path, ALT_FILE if name == "dev" else None)


def main(argv: Optional[list[str]] = None) -> None:
    """Print the table (or JSON)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--set", choices=sorted(SETS), help="measure this one set (as the main set, no blind part)")
    ap.add_argument("--channel", choices=CHANNELS, action="append", help="only these channels (repeatable)")
    args = ap.parse_args(argv)
    channels = tuple(args.channel) if args.channel else CHANNELS
    res = measure(channels=channels, qa=load_set(args.set), blind=[]) if args.set else measure(channels=channels)
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=2))
        return
    print(f"main set: {res['n']} questions (dev = odd ids, test = even ids); blind set: {res['blind']['n']}")
    print(f"default channel: {res['default_channel']}; 'acc' = an accepted alternate passage also counts")
    print(f"{'channel':<8} {'set':<9} {'n':>3} {'R@1':>6} {'R@5':>6} {'MRR':>6}")

    def row(ch: str, name: str, n: int, m: dict[str, float]) -> None:
        print(f"{ch:<8} {name:<9} {n:>3} {m['recall@1']:>6.3f} {m['recall@5']:>6.3f} {m['mrr']:>6.3f}")

    for ch in res["channels"]:
        for h, part in res["splits"].items():
            row(ch, h, part["n"], part["channels"][ch])
        row(ch, "all acc", res["n"], res["accepted"][ch])
        print(f"         misses@5: {' '.join(res['misses'][ch])}")
        if ch in res["blind"]["channels"]:
            row(ch, "blind", res["blind"]["n"], res["blind"]["channels"][ch])
            row(ch, "blind acc", res["blind"]["n"], res["blind"]["accepted"][ch])
            print(f"         misses@5: {' '.join(res['blind']['misses'][ch])}")


if __name__ == "__main__":
    main()
