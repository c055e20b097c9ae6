"""The seam between the review stages and a model: what explain, critique, chat and the judge may call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from review.config import Settings

T = TypeVar("T", bound=BaseModel)


class ChatModelProtocol(Protocol):
    """A chat model: review.llm.ChatModel, or any stand-in with the same methods (never None here)."""

    settings: Settings

    @property
    def name(self) -> str:
        """The model name (shown as explained_by / report mode)."""
        ...

    def complete_json(self, system: str, user: str, schema: type[T]) -> T:
        """Structured output validated against `schema`; raises LLMError on any failure."""
        ...

    def complete_text(self, messages: list[Any]) -> str:
        """One chat completion; returns the answer text."""
        ...

    def stream_text(self, messages: list[Any]) -> Iterator[str]:
        """The answer piece by piece."""
        ...
