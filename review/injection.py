"""Text in a draft addressed to the checker (prompt injection): found, named by field, shown to the clerk.

Detection only: the rules never read it and the verdict never depends on it (the model sees draft text as data).
"""

from __future__ import annotations

import re
from typing import Any

from review.findings import InjectionHit
from review.form import Form
from review.sections import field_zh

EXCERPT = 60  # characters of context shown around a hit

# Each pattern is an instruction to a reviewer/model, not something an applicant writes about the project.
_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(ignore|disregard|forget|override)\b[\s\w,]{0,30}\b(previous|prior|above|earlier|all|any)\b[\s\w]{0,20}"
        r"\b(instructions?|rules?|prompts?|directions?|guidelines?)",
        r"\b(system|developer)\s*(prompt|message|instruction)s?\b",
        r"(^|[\s>\]】:：])(system|assistant)\s*[:：]",
        r"\byou\s+are\s+(now\s+)?(an?\s+)?(ai|assistant|reviewer|model|chatgpt|gpt)\b",
        r"\b(all\s+checks?\s+(have\s+)?passed|return\s+an?\s+empty|mark\s+(this|it|the\s+\w+)\s+as\s+(passed|approved))",
        r"</?\s*(facts|system|instructions?|user|assistant|prompt)\s*>",
        r"(忽略|无视|忘记|忘掉|跳过|不要理会|不必理会)[^。；;\n]{0,8}(以上|上述|之前|此前|前面|先前|所有|全部|一切)?[^。；;\n]{0,6}"
        r"(规则|指令|指示|提示词?|要求|设定|检查项?)",
        r"(以上|上述|之前|所有|全部)[^。；;\n]{0,4}(规则|指令|指示|检查)[^。；;\n]{0,4}(已|均)?(作废|失效|无效|取消)",
        r"(请|务必|必须|直接|一律)[^。；;\n]{0,10}(判定|判断|认定|评定|标记|审定|视为|判为)[^。；;\n]{0,8}"
        r"(通过|合格|无问题|没有问题|无误)",
        r"(所有|全部|各项)?检查(项)?(均|都|全部)?已(经)?通过",
        r"(输出|回答|返回|回复)[^。；;\n]{0,4}[“\"「](无问题|通过|合格|没有问题)",
        r"(系统|管理员)(提示|指令|消息)\s*[】\]:：]",
        r"(你|您)(现在)?(是|扮演|作为)[^。；;\n]{0,6}(审核员|审查员|助手|模型|人工智能|AI)",
        r"本项(目)?无问题[，,。]?\s*无需修改",
    )
)


def _strings(obj: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Every (dotted path, string) in a JSON-like structure."""
    if isinstance(obj, str):
        return [(prefix, obj)]
    if isinstance(obj, dict):
        return [x for k, v in obj.items() for x in _strings(v, f"{prefix}.{k}" if prefix else k)]
    if isinstance(obj, list):
        return [x for i, v in enumerate(obj) for x in _strings(v, f"{prefix}.{i}")]
    return []


def find_in_text(text: str) -> list[tuple[int, int]]:
    """(start, end) of every instruction-like passage in a text."""
    spans = [m.span() for p in _PATTERNS for m in p.finditer(text or "")]
    return sorted(spans)


def _excerpt(text: str, start: int, end: int) -> str:
    """The hit with a little context, on one line."""
    a, b = max(0, start - 10), min(len(text), max(end, start + EXCERPT - 10))
    s = " ".join(text[a:b].split())
    return ("…" if a > 0 else "") + s + ("…" if b < len(text) else "")


def find_injections(form: Form) -> list[InjectionHit]:
    """One hit per field whose text addresses the checker (first passage shown), in form order."""
    out = []
    for path, text in _strings(form.to_json_dict()):
        spans = find_in_text(text)
        if spans:
            out.append(InjectionHit(field=path, label=field_zh(path), excerpt=_excerpt(text, *spans[0])))
    return out


def warning_zh(hits: list[InjectionHit]) -> str:
    """The clerk's warning: which fields hold text addressed to the checker; the verdict is not affected."""
    where = "、".join(dict.fromkeys(h.label for h in hits))
    return (
        f"申报书中有疑似写给审查程序的指令（位于：{where}），例如要求“忽略规则”或“判定为通过”。"
        "这些文字不影响检查结论，但不应出现在申报书中，请核实并要求申报人删除。"
    )
