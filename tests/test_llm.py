"""The model layer against the scripted OpenAI-compatible server (real ChatOpenAI → openai → HTTP)."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from pydantic import BaseModel

from review.config import Settings
from review.errors import LLMError
from review.llm import ChatModel, get_chat_model
from tests.scripted_server import (
    Delay,
    Raw,
    Status,
    hash_vector,
    scripted_server_fixture,  # noqa: F401
)


class Answer(BaseModel):
    """A tiny structured answer."""

    key: str
    score: int


def test_get_chat_model_offline_is_none():
    assert get_chat_model(Settings()) is None


def test_get_chat_model_with_base_url_only_uses_dummy_key(scripted_server):
    model = get_chat_model(scripted_server.settings(llm_api_key=""))
    assert isinstance(model, ChatModel) and model.name == "scripted-model"
    scripted_server.enqueue("你好")
    assert model.complete_text([{"role": "user", "content": "hi"}]) == "你好"


def test_complete_json_json_schema_strict(scripted_server):
    model = ChatModel(scripted_server.settings(llm_structured="json_schema"))
    scripted_server.enqueue({"key": "a", "score": 3})
    out = model.complete_json("系统", "用户", Answer)
    assert out == Answer(key="a", score=3)
    fmt = scripted_server.chat_requests[0]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["additionalProperties"] is False
    assert model.usage["calls"] == 1 and model.usage["prompt_tokens"] > 0 and model.usage["completion_tokens"] > 0


def test_complete_json_function_calling(scripted_server):
    model = ChatModel(scripted_server.settings(llm_structured="function_calling"))
    scripted_server.enqueue({"key": "b", "score": 5})
    assert model.complete_json("s", "u", Answer).score == 5
    req = scripted_server.chat_requests[0]
    assert req["tools"][0]["function"]["name"] == "Answer" and "response_format" not in req


def test_complete_json_json_object_puts_schema_in_prompt(scripted_server):
    model = ChatModel(scripted_server.settings(llm_structured="json_object"))
    scripted_server.enqueue(Raw('```json\n{"key": "c", "score": 7}\n```'))
    assert model.complete_json("s", "u", Answer).key == "c"
    req = scripted_server.chat_requests[0]
    assert req["response_format"] == {"type": "json_object"}
    assert '"score"' in req["messages"][0]["content"]


def test_auto_falls_back_from_json_schema_and_remembers(scripted_server):
    model = ChatModel(scripted_server.settings(llm_structured="auto"))
    scripted_server.enqueue(Status(400, "response_format json_schema not supported"), {"key": "d", "score": 1})
    assert model.complete_json("s", "u", Answer).key == "d"
    assert model.method == "function_calling"
    scripted_server.enqueue({"key": "e", "score": 2})
    assert model.complete_json("s", "u", Answer).key == "e"
    reqs = scripted_server.chat_requests
    assert len(reqs) == 3 and "response_format" in reqs[0] and "tools" in reqs[1] and "tools" in reqs[2]


def test_auto_falls_through_to_json_object(scripted_server):
    model = ChatModel(scripted_server.settings(llm_structured="auto"))
    scripted_server.enqueue(
        Status(400, "json_schema unsupported"), Status(400, "tools unsupported"), {"key": "f", "score": 9}
    )
    assert model.complete_json("s", "u", Answer).key == "f" and model.method == "json_object"


def test_auto_does_not_fall_back_on_server_error(scripted_server):
    model = ChatModel(scripted_server.settings(llm_structured="auto", llm_max_retries=0))
    scripted_server.enqueue(Status(500))
    with pytest.raises(LLMError) as info:
        model.complete_json("s", "u", Answer)
    assert "服务器错误（500）" in info.value.zh and len(scripted_server.chat_requests) == 1


@pytest.mark.parametrize("bad", [Raw("{not json"), {"key": "x"}, {"key": "x", "score": "many"}])
def test_malformed_or_mismatched_json_is_llm_error(scripted_server, bad):
    model = ChatModel(scripted_server.settings(llm_structured="json_schema"))
    scripted_server.enqueue(bad)
    with pytest.raises(LLMError) as info:
        model.complete_json("s", "u", Answer)
    assert info.value.zh.startswith("模型服务不可用：") and "已改用离线结果" in info.value.zh


def test_malformed_tool_arguments_is_llm_error(scripted_server):
    model = ChatModel(scripted_server.settings(llm_structured="function_calling"))
    scripted_server.enqueue(Raw('{"key": "x", "score": '))
    with pytest.raises(LLMError):
        model.complete_json("s", "u", Answer)


def test_429_then_success_retries(scripted_server):
    model = ChatModel(scripted_server.settings(llm_max_retries=2))
    scripted_server.enqueue(Status(429), "好的")
    assert model.complete_text([{"role": "user", "content": "q"}]) == "好的"
    assert len(scripted_server.chat_requests) == 2


def test_500_exhausts_bounded_retries(scripted_server):
    model = ChatModel(scripted_server.settings(llm_max_retries=1))
    scripted_server.enqueue(Status(500), Status(500), "never")
    with pytest.raises(LLMError) as info:
        model.complete_text([{"role": "user", "content": "q"}])
    assert "500" in info.value.zh and len(scripted_server.chat_requests) == 2


def test_timeout_is_llm_error(scripted_server):
    model = ChatModel(scripted_server.settings(llm_timeout=0.3, llm_max_retries=0))
    scripted_server.enqueue(Delay(1.5, "late"))
    t = time.perf_counter()
    with pytest.raises(LLMError) as info:
        model.complete_text([{"role": "user", "content": "q"}])
    assert info.value.reason == "超时" and time.perf_counter() - t < 1.4


def test_connection_refused_is_llm_error():
    model = ChatModel(Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="m", llm_max_retries=0, llm_timeout=2))
    with pytest.raises(LLMError) as info:
        model.complete_text([{"role": "user", "content": "q"}])
    assert info.value.reason == "无法连接"


def test_stream_text_yields_tokens_and_counts_usage(scripted_server):
    model = ChatModel(scripted_server.settings())
    scripted_server.enqueue("学分按每3学时1学分计算。")
    pieces = list(model.stream_text([{"role": "user", "content": "学分怎么算？"}]))
    assert len(pieces) > 3 and "".join(pieces) == "学分按每3学时1学分计算。"
    assert scripted_server.chat_requests[0]["stream"] is True
    assert model.usage["calls"] == 1 and model.usage["prompt_tokens"] > 0 and model.usage["completion_tokens"] > 0


def test_stream_error_is_llm_error(scripted_server):
    model = ChatModel(scripted_server.settings(llm_max_retries=0))
    scripted_server.enqueue(Status(503))
    with pytest.raises(LLMError):
        list(model.stream_text([{"role": "user", "content": "q"}]))


def test_usage_accumulates_over_calls(scripted_server):
    model = ChatModel(scripted_server.settings())
    scripted_server.enqueue("一", "二")
    model.complete_text([{"role": "user", "content": "a"}])
    first = model.usage["prompt_tokens"]
    model.complete_text([{"role": "user", "content": "b"}])
    assert model.usage["calls"] == 2 and model.usage["prompt_tokens"] > first


def test_default_handler_and_models_and_embeddings(scripted_server):
    scripted_server.default = lambda body: f"echo:{body['messages'][-1]['content']}"
    model = ChatModel(scripted_server.settings())
    assert model.complete_text([{"role": "user", "content": "x"}]) == "echo:x"
    with urllib.request.urlopen(scripted_server.base_url + "/models") as r:
        assert json.load(r)["data"][0]["id"] == "scripted-model"
    req = urllib.request.Request(
        scripted_server.base_url + "/embeddings",
        method="POST",
        data=json.dumps({"input": ["学分", "学分"], "model": "e"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as r:
        data = json.load(r)["data"]
    assert data[0]["embedding"] == data[1]["embedding"] == hash_vector("学分")
