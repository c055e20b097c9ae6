"""Model cost per draft: calls and input tokens of a full review (explain + narrative critique) on the eval cases.

Runs every labelled case through review.pipeline.review_extracted with a ChatModel pointed at the scripted
OpenAI-compatible server (eval/scripted_server.py, 127.0.0.1). Token counts are the server's estimate
(1 token per CJK character, 1 per 4 other characters), close to GPT-4o/Qwen tokenizers for Chinese text.
Also reports the offline explanation figures (citations verbatim, cited file = rule's own source, value stated).

    .venv/bin/python -m eval.bench_cost [--cases N] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
from pathlib import Path
from typing import Any

TARGET_CALLS = 3
TARGET_TOKENS = 8000


def sample(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A minimal instance of a JSON schema (Chinese strings, zero numbers, one-item arrays)."""
    if "$ref" in schema:
        return sample(defs[schema["$ref"].split("/")[-1]], defs)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return sample(next((s for s in schema[key] if s.get("type") != "null"), schema[key][0]), defs)
    kind = schema.get("type")
    if kind == "object":
        return {k: sample(v, defs) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [sample(schema.get("items", {}), defs)]
    if kind in ("integer", "number"):
        return 0
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return "示例说明"


def answer(body: dict[str, Any]) -> Any:
    """A schema-valid answer: explanations echo the finding keys; other schemas get a minimal instance."""
    schema, name = _schema_of(body)
    user = body["messages"][-1]["content"] if body.get("messages") else ""
    if name == "ExplainBatch":
        keys = re.findall(r"^(F\d+) \|", user, re.M)
        return {
            "findings": [
                {
                    "key": k,
                    "explanation": "该项不符合申报要求，请按修改建议改正。",
                    "citations": [],
                    "fix": "按政策要求修改。",
                }
                for k in keys
            ]
        }
    if schema:
        return sample(schema, schema.get("$defs", {}))
    return "好的。"


def _schema_of(body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The JSON schema and its name from a request (response_format, tool, or the prompt text)."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return fmt["json_schema"]["schema"], fmt["json_schema"]["name"]
    if body.get("tools"):
        fn = body["tools"][0]["function"]
        return fn["parameters"], fn["name"]
    system = body["messages"][0]["content"] if body.get("messages") else ""
    m = re.search(r"(\{\"\$defs\".*\}|\{\"properties\".*\})\s*$", system, re.S)
    schema = json.loads(m.group(1)) if m else {}
    return schema, schema.get("title", "")


def explain_figures(cases: list[Any], index: Any) -> dict[str, Any]:
    """Offline explanations over the cases: verbatim citations, own-source share, value stated."""
    from review.explain import explain_findings, fmt_value
    from review.retrieval.corpus import quote_in_corpus
    from review.rules import get_rule, run_rules

    n = own = cites = verbatim = stated = 0
    for case in cases:
        findings = run_rules(case.form)
        explain_findings(findings, case.form, index)
        for f in findings:
            n += 1
            rule = get_rule(f.rule)
            docs = {s.doc for s in (rule.sources if rule else ())} | ({f.source.doc} if f.source else set())
            own += bool(f.citations) and f.citations[0].doc in docs
            cites += len(f.citations)
            verbatim += sum(quote_in_corpus(c.quote, doc=c.doc) for c in f.citations)
            stated += fmt_value(f.found) in (f.explanation or "")
    return {
        "findings": n,
        "citations": cites,
        "citations_verbatim": verbatim,
        "own_source_share": round(own / n, 4) if n else None,
        "value_stated_share": round(stated / n, 4) if n else None,
    }


def run(limit: int = 0) -> dict[str, Any]:
    """Bench the full review with a scripted model; returns per-draft figures."""
    from eval.cases import load_cases
    from eval.scripted_server import ScriptedServer, prompt_tokens
    from review.form import ExtractResult
    from review.llm import ChatModel
    from review.pipeline import review_extracted
    from review.retrieval import PolicyIndex

    cases = load_cases()[: limit or None]
    server = ScriptedServer().start()
    server.default = answer
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = server.settings(
                data_dir=Path(tmp),
                retrieval_channel="bm25",
                embed_base_url=server.base_url,
                embed_model="scripted-embed",
            )
            index = PolicyIndex(settings)
            index.build()
            for case in cases:
                model = ChatModel(settings)
                seen = len(server.chat_requests)
                report = review_extracted(ExtractResult(form=case.form), settings, index=index, model=model)
                accepted = sum(f.explained_by == model.name for f in report.findings)
                per_call = {_schema_of(b)[1] or "text": prompt_tokens(b) for b in server.chat_requests[seen:]}
                rows.append(
                    {
                        "case": case.id,
                        "findings": len(report.findings),
                        "explained_by_model": accepted,
                        **model.usage,
                        "per_call_input_tokens": per_call,
                        "notices": report.meta.notices,
                    }
                )
            figures = explain_figures(cases, index)
    finally:
        server.stop()
    calls = [r["calls"] for r in rows]
    tokens = [r["prompt_tokens"] for r in rows]
    return {
        "drafts": len(rows),
        "calls_per_draft": {"max": max(calls), "mean": round(statistics.mean(calls), 2)},
        "input_tokens_per_draft": {
            "max": max(tokens),
            "mean": round(statistics.mean(tokens)),
            "median": round(statistics.median(tokens)),
        },
        "output_tokens_mean": round(statistics.mean(r["completion_tokens"] for r in rows)),
        "input_tokens_by_call": _by_call(rows),
        "within_target": max(calls) <= TARGET_CALLS and max(tokens) <= TARGET_TOKENS,
        "drafts_over_token_target": [r["case"] for r in rows if r["prompt_tokens"] > TARGET_TOKENS],
        "offline_explanations": figures,
        "rows": rows,
    }


def _by_call(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Input tokens per kind of call (schema name): count, mean, max."""
    out: dict[str, list[int]] = {}
    for r in rows:
        for name, tokens in r["per_call_input_tokens"].items():
            out.setdefault(name, []).append(tokens)
    return {k: {"calls": len(v), "mean": round(statistics.mean(v)), "max": max(v)} for k, v in out.items()}


def main(argv: list[str] | None = None) -> int:
    """CLI: print the summary (and write all rows with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=0, help="only the first N cases")
    parser.add_argument("--json", type=Path, default=None, help="write the full result here")
    args = parser.parse_args(argv)
    result = run(args.cases)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    summary = {k: v for k, v in result.items() if k != "rows"}
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0 if result["within_target"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
