"""Errors written for the person reading them; turned into exit codes / UI messages only at the edges."""

from __future__ import annotations


class ReviewError(Exception):
    """Base error: carries a Chinese message for users and an English one for logs."""

    code = "error"

    def __init__(self, zh: str, en: str = "") -> None:
        super().__init__(en or zh)
        self.zh = zh
        self.en = en or zh

    def user_message(self) -> str:
        """Chinese first, English after, for CLI and UI."""
        return f"{self.zh}（{self.en}）" if self.en and self.en != self.zh else self.zh


class InputError(ReviewError):
    """The uploaded file cannot be read as a draft (not a PDF, encrypted, corrupt, too large…)."""

    code = "bad-input"


class LLMError(ReviewError):
    """The configured model failed (down, timeout, 4xx/5xx, malformed or unverifiable answer)."""

    code = "llm"


class IndexError_(ReviewError):
    """The policy index could not be built or opened."""

    code = "index"
