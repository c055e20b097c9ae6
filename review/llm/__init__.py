"""The model layer: a ChatModel over the OpenAI-compatible API, or None in offline mode."""

from __future__ import annotations

from typing import Optional

from review.config import Settings
from review.llm.client import ChatModel, llm_error, translate_error
from review.llm.protocol import ChatModelProtocol

__all__ = ["ChatModel", "ChatModelProtocol", "get_chat_model", "llm_error", "translate_error"]


def get_chat_model(settings: Settings) -> Optional[ChatModel]:
    """The configured chat model, or None when no model is configured (offline default)."""
    if not settings.model_configured:
        return None
    return ChatModel(settings)
