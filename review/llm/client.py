"""ChatModel: one small wrapper around LangChain's ChatOpenAI for any OpenAI-compatible endpoint.

Structured output strategies (settings.llm_structured):
- "json_schema": response_format {"type": "json_schema", "strict": true}. OpenAI (gpt-4o and later),
  vLLM (guided decoding), Ollama (mapped to its `format` parameter), LM Studio.
- "function_calling": one forced tool whose parameters are the schema. OpenAI, DeepSeek, Qwen (DashScope
  compatible mode), vLLM with a tool parser, most hosted gateways.
- "json_object": response_format {"type": "json_object"} with the schema written into the prompt, then parsed
  and validated here. DeepSeek, Qwen (DashScope), Ollama, Moonshot, GLM; the most widely supported.
- "auto": try json_schema; on a 400/422 (unsupported) fall back to function_calling, then json_object,
  and remember what worked for the next call.
Retries with exponential backoff on timeouts, 429 and 5xx are the openai client's own (max_retries);
afterwards every failure is raised as review.errors.LLMError with a Chinese message.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any, Optional, TypeVar

import openai
from openai.lib._pydantic import to_strict_json_schema
from pydantic import BaseModel, SecretStr, ValidationError

from review.config import Settings
from review.errors import LLMError

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)
STRATEGIES: tuple[str, ...] = ("json_schema", "function_calling", "json_object")
DUMMY_KEY = "sk-no-key-needed"  # local servers (Ollama, vLLM) accept any key, the client needs one
UNSUPPORTED_STATUS = (400, 404, 415, 422, 501)
JSON_INSTRUCTION = "只输出一个 JSON 对象（json），不要输出其他文字。它必须符合下面的 JSON Schema：\n"


def llm_error(reason: str, en: str = "", status: Optional[int] = None) -> LLMError:
    """An LLMError with the standard Chinese message; `.reason` is the short cause, `.status` the HTTP code."""
    err = LLMError(f"模型服务不可用：{reason}，已改用离线结果", en or reason)
    err.reason = reason  # type: ignore[attr-defined]
    err.status = status  # type: ignore[attr-defined]
    return err


def translate_error(exc: BaseException) -> LLMError:
    """Map an openai/LangChain exception to LLMError."""
    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return llm_error("超时", f"timeout: {exc}")
    if isinstance(exc, openai.APIConnectionError):
        return llm_error("无法连接", f"connection error: {exc}")
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        reason = {401: "认证失败（401）", 403: "无权访问（403）", 429: "请求过于频繁（429）"}.get(code)
        if reason is None:
            reason = f"服务器错误（{code}）" if code >= 500 else f"请求被拒绝（{code}）"
        return llm_error(reason, f"HTTP {code}: {exc.message}", status=code)
    return llm_error("调用出错", f"{type(exc).__name__}: {exc}")


def strict_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """JSON Schema in OpenAI strict form (every property required, no extra properties)."""
    return to_strict_json_schema(schema)


def parse_json(text: Any, schema: type[T]) -> T:
    """Parse model text (code fences tolerated) and validate it against the schema, else LLMError."""
    if not isinstance(text, str):
        text = json.dumps(text, ensure_ascii=False) if isinstance(text, (dict, list)) else str(text or "")
    body = re.sub(r"^\s*```(?:json)?\s*|\s*```\s*$", "", text.strip())
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise llm_error("返回的 JSON 无法解析", f"malformed JSON: {exc}") from exc
    return validate(data, schema)


def validate(data: Any, schema: type[T]) -> T:
    """Validate parsed data against the schema, else LLMError."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise llm_error("返回内容不符合约定格式", f"schema mismatch: {exc.error_count()} errors") from exc


class ChatModel:
    """A chat model over the OpenAI-compatible API with structured output, streaming and usage counts."""

    def __init__(self, settings: Settings) -> None:
        from langchain_openai import ChatOpenAI  # langchain (~7 s): only when a model is configured

        self.settings = settings
        self.structured = settings.llm_structured if settings.llm_structured in (*STRATEGIES, "auto") else "auto"
        self._method: Optional[str] = None if self.structured == "auto" else self.structured
        self.usage: dict[str, int] = {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0}
        self._llm = ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url or None,
            api_key=SecretStr(settings.llm_api_key or DUMMY_KEY),
            timeout=settings.llm_timeout,
            max_retries=max(int(settings.llm_max_retries), 0),
            temperature=0,
            stream_usage=True,
        )

    @property
    def name(self) -> str:
        """The model name (shown as explained_by / report mode)."""
        return self.settings.llm_model

    @property
    def method(self) -> Optional[str]:
        """The structured-output strategy that worked last (None before the first call in auto mode)."""
        return self._method

    # -- plain text ------------------------------------------------------------
    def complete_text(self, messages: list[Any]) -> str:
        """One chat completion; returns the answer text."""
        msg = self._invoke(messages)
        return msg.content if isinstance(msg.content, str) else _text_of(msg.content)

    def stream_text(self, messages: list[Any]) -> Iterator[str]:
        """Stream the answer token by token (usage is counted from the final chunk)."""
        self.usage["calls"] += 1
        try:
            for chunk in self._llm.stream(messages):
                self._count(chunk)
                piece = chunk.content if isinstance(chunk.content, str) else _text_of(chunk.content)
                if piece:
                    yield piece
        except Exception as exc:  # noqa: BLE001 - every failure becomes LLMError
            raise translate_error(exc) from exc

    # -- structured ------------------------------------------------------------
    def complete_json(self, system: str, user: str, schema: type[T]) -> T:
        """Structured output validated against `schema` (strategy per settings.llm_structured)."""
        order = [self._method] if self._method else list(STRATEGIES)
        last: Optional[LLMError] = None
        for method in order:
            try:
                result = getattr(self, f"_via_{method}")(system, user, schema)
            except LLMError as err:
                if self.structured == "auto" and getattr(err, "status", None) in UNSUPPORTED_STATUS:
                    log.info("structured output %s unsupported (%s); trying the next strategy", method, err.en)
                    last = err
                    continue
                raise
            self._method = method
            return result
        raise last or llm_error("不支持结构化输出")

    def _via_json_schema(self, system: str, user: str, schema: type[T]) -> T:
        fmt = {
            "type": "json_schema",
            "json_schema": {"name": schema.__name__, "schema": strict_schema(schema), "strict": True},
        }
        msg = self._invoke(_messages(system, user), response_format=fmt)
        return parse_json(msg.content, schema)

    def _via_function_calling(self, system: str, user: str, schema: type[T]) -> T:
        name = schema.__name__
        tool = {
            "type": "function",
            "function": {
                "name": name,
                "description": (schema.__doc__ or name).strip(),
                "parameters": schema.model_json_schema(),
            },
        }
        msg = self._invoke(
            _messages(system, user), tools=[tool], tool_choice={"type": "function", "function": {"name": name}}
        )
        calls = getattr(msg, "tool_calls", None) or []
        if calls:
            return validate(calls[0]["args"], schema)
        bad = getattr(msg, "invalid_tool_calls", None) or []
        if bad:
            return parse_json(bad[0].get("args") or "", schema)
        return parse_json(msg.content, schema)  # some servers answer in content despite tool_choice

    def _via_json_object(self, system: str, user: str, schema: type[T]) -> T:
        spec = json.dumps(schema.model_json_schema(), ensure_ascii=False)
        msg = self._invoke(
            _messages(f"{system}\n\n{JSON_INSTRUCTION}{spec}", user), response_format={"type": "json_object"}
        )
        return parse_json(msg.content, schema)

    # -- plumbing --------------------------------------------------------------
    def _invoke(self, messages: list[Any], **kwargs: Any) -> Any:
        """One request (the openai client retries timeouts/429/5xx with backoff); failures become LLMError."""
        self.usage["calls"] += 1
        try:
            msg = self._llm.invoke(messages, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every failure becomes LLMError
            raise translate_error(exc) from exc
        self._count(msg)
        return msg

    def _count(self, msg: Any) -> None:
        """Add a message's usage metadata to the running totals."""
        meta = getattr(msg, "usage_metadata", None) or {}
        self.usage["prompt_tokens"] += int(meta.get("input_tokens") or 0)
        self.usage["completion_tokens"] += int(meta.get("output_tokens") or 0)


def _messages(system: str, user: str) -> list[dict[str, str]]:
    """A system + user message pair."""
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _text_of(content: Any) -> str:
    """Text of a content-block list."""
    if isinstance(content, list):
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content or "")
