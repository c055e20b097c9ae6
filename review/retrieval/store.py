"""Dense channel storage: a Chroma collection of precomputed vectors (never Chroma's default embedder)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from review.config import Settings

if TYPE_CHECKING:  # chromadb takes seconds to import: the types only here
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

log = logging.getLogger(__name__)
ADD_BATCH = 256


def make_client(settings: Settings) -> ClientAPI:
    """HttpClient when settings.chroma_host is set, else a PersistentClient under data_dir/chroma."""
    import chromadb  # slow to import (seconds): only when the index opens its vectors
    from chromadb.config import Settings as ChromaSettings

    cs = ChromaSettings(anonymized_telemetry=False)
    if getattr(settings, "chroma_host", ""):
        return chromadb.HttpClient(host=settings.chroma_host, port=int(settings.chroma_port), settings=cs)
    path = Path(settings.data_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=cs)


def wipe_local(settings: Settings) -> None:
    """Delete the embedded Chroma directory (after it failed to open)."""
    if not getattr(settings, "chroma_host", ""):
        from chromadb.api.client import SharedSystemClient  # chromadb: slow to import

        SharedSystemClient.clear_system_cache()  # chroma caches one client per path; drop the broken one
        shutil.rmtree(Path(settings.data_dir) / "chroma", ignore_errors=True)


class ChromaStore:
    """One collection holding a vector per chunk, keyed by chunk index."""

    def __init__(self, client: ClientAPI, name: str) -> None:
        self.client = client
        self.name = name
        # a chromadb Collection; Any because its stubs reject plain metadata dicts and `where` filters
        self._col: Any = None

    def open(self) -> Optional[Collection]:
        """The existing collection, or None when it does not exist."""
        try:
            self._col = self.client.get_collection(self.name, embedding_function=None)
        except Exception:  # noqa: BLE001 - chroma raises different types for "not found"
            self._col = None
        return self._col

    def count(self) -> int:
        """Number of stored vectors (0 when there is no collection)."""
        return int(self._col.count()) if self._col is not None else 0

    def reset(self) -> None:
        """Drop and recreate the collection (cosine space, no embedding function)."""
        try:
            self.client.delete_collection(self.name)
        except Exception:  # noqa: BLE001 - absent collection
            pass
        self._col = self.client.create_collection(
            self.name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

    def add(self, vectors: np.ndarray, metadatas: list[dict[str, Any]], documents: list[str], ids: list[str]) -> None:
        """Store vectors under their chunk ids."""
        for i in range(0, len(documents), ADD_BATCH):
            j = min(i + ADD_BATCH, len(documents))
            self._col.add(
                ids=ids[i:j],
                embeddings=vectors[i:j],
                metadatas=metadatas[i:j],
                documents=documents[i:j],
            )

    def delete_doc(self, doc: str) -> None:
        """Remove every vector of one notice."""
        self._col.delete(where={"doc": doc})

    def query(self, vector: np.ndarray, k: int, docs: Optional[list[str]] = None) -> list[tuple[str, float]]:
        """Top-k (chunk id, cosine similarity)."""
        where = {"doc": {"$in": list(docs)}} if docs else None
        res = self._col.query(query_embeddings=[vector], n_results=k, where=where, include=["distances"])
        return [(str(i), 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]
