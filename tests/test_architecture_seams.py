"""Typed seams: no model, index, report, settings or progress parameter/attribute in review/ is typed `Any`."""

from __future__ import annotations

import re
from pathlib import Path

from review.llm.protocol import ChatModelProtocol
from review.retrieval import PolicyIndex
from review.retrieval.protocol import PolicyIndexProtocol

ROOT = Path(__file__).resolve().parent.parent
SEAM_ANY = re.compile(r"\b(model|index|report|settings|progress)\s*:\s*(Optional\[)?Any\b")


def test_no_any_on_the_seams():
    hits = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
        for p in sorted((ROOT / "review").rglob("*.py"))
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if SEAM_ANY.search(line)
    ]
    assert hits == []


def test_the_index_class_has_every_member_of_its_protocol():
    members = {n for n in vars(PolicyIndexProtocol) if not n.startswith("_")}
    members |= set(PolicyIndexProtocol.__annotations__)
    assert {"search", "add_notice", "refresh", "build", "is_ready", "is_loading", "policy_dir"} <= members
    instance_attrs = {"policy_dir", "last_error", "warming"}
    missing = [m for m in sorted(members) if m not in instance_attrs and not callable(getattr(PolicyIndex, m, None))]
    assert missing == []


def test_the_chat_model_protocol_names_the_calls_the_stages_make():
    assert {"complete_json", "complete_text", "stream_text", "name"} <= set(vars(ChatModelProtocol))
