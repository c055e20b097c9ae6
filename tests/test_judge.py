"""The optional LLM judge: averaged over runs, masked input, failures skipped."""

from __future__ import annotations

from eval.judge import RUNS, judge_avg
from review.llm.client import ChatModel
from tests.scripted_server import Status, scripted_server  # noqa: F401

ID = "110105197503120018"


def _answer(*scores: int) -> dict:
    return {"scores": [{"criterion": f"c{i}", "reason": "理由", "score": s} for i, s in enumerate(scores)]}


def test_judge_averages_runs_and_masks_personal_data(scripted_server):
    scripted_server.enqueue(_answer(5, 5), _answer(1, 1), _answer(3, 3))
    model = ChatModel(scripted_server.settings(llm_structured="json_schema", llm_max_retries=0))
    score = judge_avg(model, "explanation", f"身份证号码 {ID}", "3小时1学分", "拟授学分 5 应为 6")
    assert score == (1.0 + 0.0 + 0.5) / 3
    assert len(scripted_server.chat_requests) == RUNS
    assert all(ID not in str(r) for r in scripted_server.chat_requests)


def test_judge_skips_failed_runs_and_reports_none_when_all_fail(scripted_server):
    scripted_server.enqueue(Status(500, "down"), _answer(5), Status(500, "down"))
    model = ChatModel(scripted_server.settings(llm_structured="json_schema", llm_max_retries=0))
    assert judge_avg(model, "critique", "{}", "", "点评") == 1.0
    scripted_server.enqueue(*[Status(500, "down")] * RUNS)
    assert judge_avg(model, "critique", "{}", "", "点评") is None
