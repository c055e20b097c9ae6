"""Train the chat's sentence ranker (review/chat/ranker.json) on the tuning question sets.

    python -m eval.train_ranker [--cv] [--write] [--sets dev,staff,blind3,blind4]

For every in-scope question of the tuning sets, the engine's own retrieval (rewrite, search, scope) gives the
candidate sentences and their features (review.chat.answer.candidates); a candidate is a positive when it
states every gold fact. A linear listwise model (softmax over one question's candidates, L2-regularised,
plain gradient descent in numpy) learns the weights. Questions with no positive candidate are skipped (the
ranker cannot fix retrieval).

--cv reports, per set, how often the top-ranked sentence states the gold fact when the model is trained on
the other sets only (leave one set out), beside the shipped ranker.json's figure. --write trains on all the
given sets and writes ranker.json with its provenance. Held-out sets (blind5 and later) must never be
passed here: they measure the ranker, they do not train it.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np

from eval.chat_eval import SETS, load_set, norm
from review.chat import ChatEngine
from review.chat.answer import FEATURE_NAMES, RANKER_FILE, candidates, ranker_weights
from review.config import load_settings
from review.retrieval import get_index

TUNING = ("dev", "staff", "blind3", "blind4")
HELD_OUT = ("blind5",)
L2 = 0.01
STEPS = 3000
RATE = 0.5


def question_groups(set_name: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """(features matrix, positive flags) per in-scope question of a set with at least one candidate."""
    index = get_index(load_settings())
    engine = ChatEngine(index)
    out: list[tuple[np.ndarray, np.ndarray]] = []
    for row in load_set(SETS[set_name]):
        if row.get("out_of_scope"):
            continue
        turn = engine._prepare(row["question"], row.get("history") or [])  # noqa: SLF001 - the engine's own retrieval
        cands = candidates(turn.standalone, turn.passages, turn.scope, engine.weights)
        if not cands:
            continue
        x = np.array([f for _, f in cands], dtype=np.float64)
        y = np.array([all(norm(g) in norm(s.text) for g in row["gold_facts"]) for s, _ in cands])
        out.append((x, y))
    return out


def train(groups: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Listwise softmax weights: maximise the log-probability of the positives of each question."""
    usable = [(x, y) for x, y in groups if y.any()]
    w = np.zeros(len(FEATURE_NAMES))
    for _ in range(STEPS):
        grad = L2 * w
        for x, y in usable:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            target = y / y.sum()
            grad += x.T @ (p - target) / len(usable)
        w -= RATE * grad
    return w


def top1(groups: list[tuple[np.ndarray, np.ndarray]], w: np.ndarray) -> float:
    """Share of the questions whose best-scored candidate states the gold fact (all questions counted)."""
    hits = sum(1 for x, y in groups if y[int(np.argmax(x @ w))])
    return round(hits / max(len(groups), 1), 3)


def main(argv: list[str] | None = None) -> int:
    """CLI entry."""
    ap = argparse.ArgumentParser(description="train the chat sentence ranker")
    ap.add_argument("--sets", default=",".join(TUNING))
    ap.add_argument("--cv", action="store_true", help="leave one set out")
    ap.add_argument("--write", action="store_true", help=f"write {RANKER_FILE.name}")
    args = ap.parse_args(argv)
    names = [s for s in args.sets.split(",") if s]
    if set(names) & set(HELD_OUT):
        raise SystemExit(f"held-out sets never train the ranker: {sorted(set(names) & set(HELD_OUT))}")
    data = {s: question_groups(s) for s in names}
    report: dict[str, Any] = {}
    if args.cv:
        shipped = np.array(ranker_weights()) if RANKER_FILE.is_file() else None
        for s in names:
            w = train([g for o in names if o != s for g in data[o]])
            report[s] = {
                "questions": len(data[s]),
                "top1_left_out": top1(data[s], w),
                "top1_shipped": top1(data[s], shipped) if shipped is not None else None,
            }
        print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.write:
        w = train([g for s in names for g in data[s]])
        doc = {
            "features": list(FEATURE_NAMES),
            "weights": [round(float(v), 4) for v in w],
            "trained_on": {s: len(data[s]) for s in names},
            "trained_at": time.strftime("%Y-%m-%d", time.gmtime()),
            "command": "python -m eval.train_ranker --write",
            "top1_on_training_sets": {s: top1(data[s], w) for s in names},
        }
        RANKER_FILE.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(json.dumps(doc, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
