"""Policy retrieval: Chinese-aware chunks of policy_docs/, BM25 + dense (Chroma) hybrid search."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Optional

from review.config import Settings, load_settings
from review.errors import ReviewError
from review.retrieval.index import Passage, PolicyIndex, Progress
from review.retrieval.protocol import PolicyIndexProtocol

__all__ = ["Passage", "PolicyIndex", "PolicyIndexProtocol", "Progress", "get_index", "warm_up"]
log = logging.getLogger(__name__)
LOADING_ZH = "政策索引正在加载…"

_CACHE: dict[tuple[Any, ...], PolicyIndex] = {}
_LOCK = threading.Lock()


def get_index(settings: Optional[Settings] = None) -> PolicyIndex:
    """The PolicyIndex for these settings (one cached instance per data_dir and policy_dir)."""
    if settings is None:
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


def warm_up(settings: Optional[Settings] = None, progress: Optional[Progress] = None) -> threading.Thread:
    """Open (or build) the policy index in a daemon thread; poll get_index(settings).is_ready() to know when done.

    While it runs, index.is_loading() is True and the chat answers LOADING_ZH instead of waiting; a failure is
    logged and kept in index.last_error (Chinese) for the app to show.
    """
    index = get_index(settings)

    def run() -> None:
        try:
            index.build(progress=progress)
            index.last_error = None
        except ReviewError as e:
            index.last_error = e.zh
            log.warning("policy index warm-up failed: %s", e)
        except Exception as e:  # noqa: BLE001 - a background thread must not die silently
            index.last_error = f"政策索引加载失败：{e}"
            log.warning("policy index warm-up failed: %s", e)
        finally:
            index.warming = False

    index.warming = True
    thread = threading.Thread(target=run, name="policy-index-warm-up", daemon=True)
    thread.start()
    return thread
