"""Measure policy chat on eval/chat_set.jsonl: gold notice cited, gold facts stated, correct refusals.

    python -m eval.chat_eval [--json] [--scripted] [--set dev|staff|blind3|blind4|blind5]

Figures: gold notice cited, gold facts anywhere in the answer, gold facts in the direct answer (the "答：" lines
before the quotes), false refusals (in-scope questions refused), out-of-scope refused, and two hygiene counts over
every answer: quotes that are not whole sentences of their notice, and answers repeating a line.

--scripted runs the model path against eval/scripted_server.py with `echo_handler`, a deterministic stand-in
that answers with the best sentence of source [1] it was sent: it measures the plumbing (prompt, parsing,
verification, citations), not a real model.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import unicodedata
from pathlib import Path
from typing import Any, Optional

from review.chat import ChatEngine
from review.chat.answer import EXTRACTIVE_LABEL
from review.chat.text import collapse, rewrite_offline, split_sentences, terms
from review.config import load_settings
from review.retrieval import get_index
from review.retrieval.corpus import is_whole_sentence

HERE = Path(__file__).resolve().parent
SET_PATH = HERE / "chat_set.jsonl"
SETS = {
    "dev": SET_PATH,
    "staff": HERE / "chat_staff_dev.jsonl",
    "blind3": HERE / "chat_blind3.jsonl",
    "blind4": HERE / "chat_blind4.jsonl",
    "blind5": HERE / "chat_blind5.jsonl",
}


def load_set(path: Path = SET_PATH) -> list[dict[str, Any]]:
    """The questions, one JSON object per line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def norm(text: str) -> str:
    """Full/half width folded, whitespace and markdown asterisks removed."""
    return re.sub(r"[\s*]", "", unicodedata.normalize("NFKC", text or ""))


def _gold_docs(row: dict[str, Any]) -> list[str]:
    g = row.get("gold_doc") or []
    return [g] if isinstance(g, str) else list(g)


def direct_lines(answer: str) -> str:
    """The direct answer: the lines before the quoted sentences (a model answer: its first paragraph)."""
    head = answer.split(EXTRACTIVE_LABEL, 1)[0] if EXTRACTIVE_LABEL in answer else answer.split("\n\n", 1)[0]
    return head


def hygiene(ans: Any) -> dict[str, Any]:
    """Fragment quotes (not a whole sentence, item or line of their notice) and repeated lines of one answer."""
    frags = [c.quote for c in ans.citations if not is_whole_sentence(c.quote, c.doc)]
    lines = [norm(x) for x in ans.answer.splitlines() if norm(x)]
    return {"fragments": frags, "repeated_line": len(lines) != len(set(lines))}


def score_row(row: dict[str, Any], ans: Any) -> dict[str, Any]:
    """Per-question result."""
    if row.get("out_of_scope"):
        return {"id": row["id"], "out_of_scope": True, "refused": ans.refused, "ok": ans.refused} | hygiene(ans)
    docs = {c.doc for c in ans.citations}
    doc_hit = bool(docs & set(_gold_docs(row))) and not ans.refused  # a refusal's contact line does not count
    fact_hit = all(norm(f) in norm(ans.answer) for f in row["gold_facts"])
    direct_hit = all(norm(f) in norm(direct_lines(ans.answer)) for f in row["gold_facts"]) and not ans.refused
    return {
        "id": row["id"],
        "out_of_scope": False,
        "refused": ans.refused,
        "doc_hit": doc_hit,
        "fact_hit": fact_hit,
        "direct_hit": direct_hit,
        "ok": doc_hit and fact_hit and not ans.refused,
    } | hygiene(ans)


def default_index() -> Any:
    """The project's PolicyIndex for the current settings."""
    return get_index(load_settings())


def measure(model: Any = None, index: Any = None, rows: Optional[list[dict[str, Any]]] = None) -> dict[str, Any]:
    """Run every question (fresh engine each, with its history) and return the figures."""
    index = index if index is not None else default_index()
    rows = rows if rows is not None else load_set()
    results, t0 = [], time.perf_counter()
    for row in rows:
        ans = ChatEngine(index, model=model).ask(row["question"], history=row.get("history") or [])
        results.append(score_row(row, ans) | {"standalone": ans.standalone, "mode": ans.mode})
    ins = [r for r in results if not r["out_of_scope"]]
    outs = [r for r in results if r["out_of_scope"]]

    def rate(xs: list[dict[str, Any]], key: str) -> float:
        return round(sum(1 for x in xs if x[key]) / len(xs), 3) if xs else 0.0

    return {
        "mode": getattr(model, "name", None) or "extractive",
        "in_scope": len(ins),
        "out_of_scope": len(outs),
        "gold_doc_cited": rate(ins, "doc_hit"),
        "gold_facts_in_answer": rate(ins, "fact_hit"),
        "gold_facts_in_direct_answer": rate(ins, "direct_hit"),
        "in_scope_answered": round(1 - rate(ins, "refused"), 3),
        "false_refusals": rate(ins, "refused"),
        "out_of_scope_refused": rate(outs, "refused"),
        "fragment_quotes": sum(len(r["fragments"]) for r in results),
        "answers_repeating_a_line": sum(1 for r in results if r["repeated_line"]),
        "all_ok": rate(ins, "ok"),
        "model_answers_kept": round(sum(1 for r in ins if r["mode"] != "extractive") / len(ins), 3)
        if model and ins
        else None,
        "seconds_per_question": round((time.perf_counter() - t0) / max(len(rows), 1), 3),
        "failures": [r["id"] for r in results if not r["ok"]],
        "direct_misses": [r["id"] for r in ins if not r["direct_hit"]],
        "refused_in_scope": [r["id"] for r in ins if r["refused"]],
        "answered_out_of_scope": [r["id"] for r in outs if not r["refused"]],
        "results": results,
    }


# -- scripted model (plumbing only) ------------------------------------------------------------

_SRC = re.compile(r"^\[(\d+)\] 《[^》]*》[^\n]*\n(.*?)(?=\n\n\[\d+\] 《|\Z)", re.S | re.M)


def echo_handler(body: dict[str, Any]) -> str:
    """Answer a chat request deterministically from what it was sent (rewrite, or source [1]'s best sentence)."""
    msgs = body.get("messages", [])
    first = msgs[0]["content"] if msgs else ""
    if "最后一个问题：" in first:  # the rewrite prompt
        question = first.rsplit("最后一个问题：", 1)[1].strip()
        turns = re.findall(r"^(用户|助手)：(.*)$", first.split("对话：", 1)[-1], re.M)
        hist = [{"role": "user" if r == "用户" else "assistant", "content": c} for r, c in turns]
        return rewrite_offline(question, hist)
    question = msgs[-1]["content"] if msgs else ""
    sources = dict((int(n), text) for n, text in _SRC.findall(first.split("来源：", 1)[-1]))
    if 1 not in sources:
        return "政策文件中未找到相关规定。"
    want = set(terms(question))
    sentence = collapse(max(split_sentences(sources[1]) or [sources[1]], key=lambda s: len(want & set(terms(s)))))
    return f"{sentence} [1]\n\n引用：\n[1] 「{sentence}」"


def measure_scripted(index: Any = None, rows: Optional[list[dict[str, Any]]] = None) -> dict[str, Any]:
    """measure() with the scripted OpenAI-compatible server and echo_handler as the model."""
    from eval.scripted_server import ScriptedServer
    from review.llm import get_chat_model

    server = ScriptedServer().start()
    try:
        server.default = echo_handler
        model = get_chat_model(server.settings())
        out = measure(model=model, index=index, rows=rows)
        out["model_calls"] = len(server.chat_requests)
        return out
    finally:
        server.stop()


def main(argv: Optional[list[str]] = None) -> int:
    """CLI entry: print the figures (table or JSON)."""
    ap = argparse.ArgumentParser(description="policy chat eval")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--scripted", action="store_true", help="model path via the scripted server (plumbing)")
    ap.add_argument("--set", choices=sorted(SETS), default="dev", help="question file (default: the dev set)")
    args = ap.parse_args(argv)
    path = SETS[args.set]
    if not path.is_file():
        raise SystemExit(f"question set {args.set!r} not found: {path}")
    rows = load_set(path)
    out = measure_scripted(rows=rows) if args.scripted else measure(rows=rows)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    for k, v in out.items():
        if k != "results":
            print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
