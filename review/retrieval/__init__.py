"""Policy retrieval: Chinese-aware chunks of policy_docs/, BM25 + dense (Chroma) hybrid search."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Optional

from review.retrieval.index import Passage, PolicyIndex

__all__ = ["Passage", "PolicyIndex", "get_index"]

_CACHE: dict[tuple[Any, ...], PolicyIndex] = {}
_LOCK = threading.Lock()


def get_index(settings: Optional[Any] = None) -> PolicyIndex:
    """The PolicyIndex for these settings (one cached instance per data_dir and policy_dir)."""
    if settings is None:
        from review.config import load_settings

        settings = load_settings()
    key = (
        str(Path(settings.data_dir).resolve()),
        str(Path(settings.policy_dir).resolve()),
        getattr(settings, "chroma_host", ""),
        getattr(settings, "chroma_port", 0),
        getattr(settings, "embed_base_url", ""),
        getattr(settings, "embed_model", ""),
    )
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = PolicyIndex(settings)
        return _CACHE[key]
