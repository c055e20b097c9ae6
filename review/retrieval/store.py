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
# identity (device, inode) of each local store's chroma.sqlite3 when its client was made: chroma caches one
# client per path, so a store deleted or replaced by another process must not be read through the old client
_OPENED: dict[str, tuple[int, int]] = {}


def _identity(path: Path) -> tuple[int, int]:
    try:
        st = (path / "chroma.sqlite3").stat()
    except OSError:
        return (0, 0)
    return (st.st_dev, st.st_ino)


def make_client(settings: Settings) -> ClientAPI:
    """HttpClient when settings.chroma_host is set, else a PersistentClient under data_dir/chroma."""
    import chromadb  # slow to import (seconds): only when the index opens its vectors
    from chromadb.config import Settings as ChromaSettings

    cs = ChromaSettings(anonymized_telemetry=False)
    if getattr(settings, "chroma_host", ""):
        return chromadb.HttpClient(host=settings.chroma_host, port=int(settings.chroma_port), settings=cs)
    path = Path(settings.data_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    key = str(path.resolve())
    if key in _OPENED and _OPENED[key] != _identity(path):
        from chromadb.api.client import SharedSystemClient  # chromadb: slow to import

        log.info("chroma store at %s was replaced since it was opened: reopening", path)
        SharedSystemClient.clear_system_cache()
    client = chromadb.PersistentClient(path=str(path), settings=cs)
    _OPENED[key] = _identity(path)
    return client


def wipe_local(settings: Settings) -> None:
    """Delete the embedded Chroma directory (after it failed to open)."""
    if not getattr(settings, "chroma_host", ""):
        from chromadb.api.client import SharedSystemClient  # chromadb: slow to import

        SharedSystemClient.clear_system_cache()  # chroma caches one client per path; drop the broken one
        path = Path(settings.data_dir) / "chroma"
        _OPENED.pop(str(path.resolve()), None)
        shutil.rmtree(path, ignore_errors=True)


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

    def probe(self) -> bool:
        """True when one stored vector can be read back and searched (a stale or broken collection fails)."""
        if self._col is None:
            return False
        got = self._col.get(limit=1, include=["embeddings"])
        embs = got.get("embeddings")
        if embs is None or len(embs) == 0:
            return self.count() == 0
        res = self._col.query(query_embeddings=[np.asarray(embs[0])], n_results=1, include=["distances"])
        return bool(res["ids"] and res["ids"][0])

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
