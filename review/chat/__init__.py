"""Policy chat: standalone rewrite (text) → retrieval → gate and extractive answer (answer) or model answer checked
by verification (verify); draft findings the question points at come from context."""

from review.chat.engine import ChatAnswer, ChatEngine

__all__ = ["ChatAnswer", "ChatEngine"]
