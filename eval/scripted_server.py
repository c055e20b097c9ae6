"""A scripted OpenAI-compatible server on 127.0.0.1 for tests and benchmarks (no internet).

The server lives in eval/ so benchmarks and the eval suite can use it (eval never imports tests/);
tests get it, with the pytest fixture, from tests/scripted_server.py. Usage in a test module:

    from tests.scripted_server import Delay, Raw, Status
    from tests.scripted_server import scripted_server_fixture  # noqa: F401  (fixture "scripted_server")

    def test_x(scripted_server):
        scripted_server.enqueue({"answer": 1})          # JSON: content, or a tool call if tools were sent
        scripted_server.enqueue("纯文本回答")             # text content (streamed in small chunks if stream=true)
        scripted_server.enqueue(Raw("{not json"))        # raw content / tool arguments, verbatim
        scripted_server.enqueue(Status(429))             # HTTP error with an OpenAI-style error body
        scripted_server.enqueue(Delay(2.0, "late"))      # sleep, then answer (for timeouts)
        settings = scripted_server.settings(llm_timeout=5)
        ...
        assert scripted_server.chat_requests[0]["messages"]

When the queue is empty, `server.default` (callable(request_json) -> response) answers; without one the
server replies with the text "OK". Every request body is recorded in `server.requests` (all POSTs) and
`server.chat_requests` (chat completions only).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

EMBED_DIM = 64
STREAM_PIECE = 2  # characters per streamed content chunk


@dataclass
class Raw:
    """Content (or tool-call arguments) returned verbatim, e.g. malformed JSON."""

    text: str


@dataclass
class Status:
    """An HTTP error reply with an OpenAI-style error body."""

    code: int
    message: str = ""


@dataclass
class Delay:
    """Sleep `seconds`, then reply with `then`."""

    seconds: float
    then: Any = "OK"


def estimate_tokens(text: str) -> int:
    """Rough token count: one per CJK character, one per four other non-space characters."""
    cjk = len(re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", text))
    other = len(re.sub(r"\s", "", text)) - cjk
    return cjk + math.ceil(max(other, 0) / 4)


def prompt_tokens(body: dict[str, Any]) -> int:
    """Estimated input tokens of a chat request (messages, tools and response format)."""
    parts = [json.dumps(body.get("messages", []), ensure_ascii=False)]
    for key in ("tools", "response_format"):
        if body.get(key):
            parts.append(json.dumps(body[key], ensure_ascii=False))
    return estimate_tokens("".join(parts))


def hash_vector(text: str, dim: int = EMBED_DIM) -> list[float]:
    """Deterministic unit vector from character bigrams (similar texts get similar vectors)."""
    vec = [0.0] * dim
    grams = [text[i : i + 2] for i in range(max(len(text) - 1, 1))]
    for gram in grams:
        h = int.from_bytes(hashlib.sha256(gram.encode("utf-8")).digest()[:8], "big")
        vec[h % dim] += 1.0 if (h >> 32) & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec]


class ScriptedServer:
    """An OpenAI-compatible HTTP server whose answers come from a queue."""

    def __init__(self, model: str = "scripted-model") -> None:
        self.model = model
        self.queue: deque[Any] = deque()
        self.default: Optional[Callable[[dict[str, Any]], Any]] = None
        self.log: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> ScriptedServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def base_url(self) -> str:
        """The OpenAI base URL, e.g. http://127.0.0.1:54321/v1."""
        host, port = self._httpd.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"http://{host}:{port}/v1"

    def settings(self, **kw: Any) -> Any:
        """review.config.Settings pointing at this server (fast retries, short timeout)."""
        from review.config import Settings

        base = {
            "llm_base_url": self.base_url,
            "llm_api_key": "",
            "llm_model": self.model,
            "llm_timeout": 10.0,
            "llm_max_retries": 2,
        }
        return Settings(**{**base, **kw})

    # -- script ------------------------------------------------------------
    def enqueue(self, *responses: Any) -> None:
        """Queue the next responses (text, JSON object, Raw, Status, int status, Delay, callable)."""
        with self._lock:
            self.queue.extend(responses)

    def reset(self) -> None:
        """Empty the queue, the log and the default handler."""
        with self._lock:
            self.queue.clear()
            self.log.clear()
            self.default = None

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every POST body received, in order."""
        return [body for _, body in self.log]

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """Chat-completion request bodies, in order."""
        return [body for path, body in self.log if path.endswith("/chat/completions")]

    def _next(self, body: dict[str, Any]) -> Any:
        """The scripted response for this request."""
        with self._lock:
            if self.queue:
                return self.queue.popleft()
        return self.default(body) if self.default else "OK"


def _make_handler(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to `server`."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep pytest output clean
            return None

        def do_GET(self) -> None:  # noqa: N802
            if self.path.rstrip("/").endswith("/models"):
                self._json(
                    200, {"object": "list", "data": [{"id": server.model, "object": "model", "owned_by": "scripted"}]}
                )
            else:
                self._json(404, _error("not found", 404))

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._json(400, _error("invalid JSON body", 400))
                return
            with server._lock:
                server.log.append((self.path, body))
            try:
                if self.path.endswith("/embeddings"):
                    self._json(200, _embeddings(body))
                elif self.path.endswith("/chat/completions"):
                    self._chat(body)
                else:
                    self._json(404, _error("not found", 404))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout); nothing to do

        def _chat(self, body: dict[str, Any]) -> None:
            resp = server._next(body)
            while True:
                if callable(resp) and not isinstance(resp, type):
                    resp = resp(body)
                elif isinstance(resp, Delay):
                    time.sleep(resp.seconds)
                    resp = resp.then
                else:
                    break
            if isinstance(resp, int) and not isinstance(resp, bool):
                resp = Status(resp)
            if isinstance(resp, Status):
                self._json(
                    resp.code,
                    _error(resp.message or f"scripted error {resp.code}", resp.code),
                    headers={"retry-after-ms": "20"},
                )
                return
            message = _message(body, resp)
            usage = {
                "prompt_tokens": prompt_tokens(body),
                "completion_tokens": estimate_tokens(
                    message.get("content") or json.dumps(message.get("tool_calls", ""), ensure_ascii=False)
                ),
            }
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
            if body.get("stream"):
                self._stream(body, message, usage)
            else:
                finish = "tool_calls" if message.get("tool_calls") else "stop"
                self._json(
                    200,
                    {
                        "id": "chatcmpl-scripted",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", server.model),
                        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
                        "usage": usage,
                    },
                )

        def _stream(self, body: dict[str, Any], message: dict[str, Any], usage: dict[str, int]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            model = body.get("model", server.model)
            for chunk in _chunks(message, model, usage, bool((body.get("stream_options") or {}).get("include_usage"))):
                self.wfile.write(b"data: " + json.dumps(chunk, ensure_ascii=False).encode("utf-8") + b"\n\n")
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

        def _json(self, code: int, payload: dict[str, Any], headers: Optional[dict[str, str]] = None) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _error(message: str, code: int) -> dict[str, Any]:
    """An OpenAI-style error body."""
    kind = {400: "invalid_request_error", 401: "authentication_error", 429: "rate_limit_error"}.get(
        code, "server_error"
    )
    return {"error": {"message": message, "type": kind, "param": None, "code": str(code)}}


def _message(body: dict[str, Any], resp: Any) -> dict[str, Any]:
    """The assistant message for a scripted response: a tool call when tools were sent and resp is JSON."""
    if isinstance(resp, Raw):
        text = resp.text
    elif isinstance(resp, (dict, list)):
        text = json.dumps(resp, ensure_ascii=False)
    else:
        text = str(resp)
    structured = isinstance(resp, (dict, list, Raw))
    if body.get("tools") and structured:
        name = _tool_name(body)
        return {
            "role": "assistant",
            "content": None,
            "refusal": None,
            "tool_calls": [{"id": "call_scripted", "type": "function", "function": {"name": name, "arguments": text}}],
        }
    return {"role": "assistant", "content": text, "refusal": None}


def _tool_name(body: dict[str, Any]) -> str:
    """The forced tool's name, else the first tool's."""
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        return choice.get("function", {}).get("name", "tool")
    return body["tools"][0].get("function", {}).get("name", "tool")


def _chunks(
    message: dict[str, Any], model: str, usage: dict[str, int], include_usage: bool
) -> Iterator[dict[str, Any]]:
    """SSE chunks of a streamed answer, with a final usage chunk when asked for."""
    base = {"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}

    def chunk(delta: dict[str, Any], finish: Optional[str] = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}

    yield chunk({"role": "assistant", "content": ""})
    if message.get("tool_calls"):
        call = message["tool_calls"][0]
        yield chunk({"tool_calls": [{"index": 0, **call}]})
        finish = "tool_calls"
    else:
        text = message.get("content") or ""
        for i in range(0, len(text), STREAM_PIECE):
            yield chunk({"content": text[i : i + STREAM_PIECE]})
        finish = "stop"
    yield chunk({}, finish)
    if include_usage:
        yield {**base, "choices": [], "usage": usage}


def _embeddings(body: dict[str, Any]) -> dict[str, Any]:
    """Deterministic hash vectors for each input."""
    inputs = body.get("input", [])
    if isinstance(inputs, str) or (isinstance(inputs, list) and inputs and isinstance(inputs[0], int)):
        inputs = [inputs]
    dim = int(body.get("dimensions") or EMBED_DIM)
    data = [
        {"object": "embedding", "index": i, "embedding": hash_vector(x if isinstance(x, str) else json.dumps(x), dim)}
        for i, x in enumerate(inputs)
    ]
    tokens = sum(estimate_tokens(x if isinstance(x, str) else json.dumps(x)) for x in inputs)
    return {
        "object": "list",
        "data": data,
        "model": body.get("model", "scripted-embed"),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
