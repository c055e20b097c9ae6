"""The scripted OpenAI-compatible server (eval/scripted_server.py) and its pytest fixture for tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eval.scripted_server import (
    EMBED_DIM,
    Delay,
    Raw,
    ScriptedServer,
    Status,
    estimate_tokens,
    hash_vector,
    prompt_tokens,
)

__all__ = [
    "EMBED_DIM",
    "Delay",
    "Raw",
    "ScriptedServer",
    "Status",
    "estimate_tokens",
    "hash_vector",
    "prompt_tokens",
    "scripted_server",
    "scripted_server_fixture",
]


@pytest.fixture(name="scripted_server")
def scripted_server_fixture() -> Iterator[ScriptedServer]:
    """A running ScriptedServer (use `.base_url`, `.settings()`, `.enqueue()`, `.requests`)."""
    server = ScriptedServer().start()
    try:
        yield server
    finally:
        server.stop()


# Import `scripted_server_fixture` (not `scripted_server`) so the test argument does not trip ruff F811.
scripted_server = scripted_server_fixture
