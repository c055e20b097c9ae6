"""PolicyIndex: chunks + BM25 + Chroma vectors + character BM25, fused by weighted RRF and a coverage rerank."""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

import numpy as np
from pydantic import BaseModel

from review.errors import IndexError_
from review.retrieval import corpus
from review.retrieval.bm25 import BM25Channel, char_tokens, tokenize
from review.retrieval.embed import Embedder, get_embedder
from review.retrieval.rerank import CoverageReranker
from review.retrieval.store import ChromaStore, make_client, wipe_local

log = logging.getLogger(__name__)

INDEX_VERSION = "1"
CHANNELS = ("hybrid", "bm25", "dense")
DEFAULT_CHANNEL = "hybrid"  # best recall@5 in eval/retrieval_eval.py
RRF_K = 60
FUSE_DEPTH = 50  # candidates taken from each channel before fusion
# RRF weights of the hybrid's channels (tuned on the dev half of eval/policy_qa.jsonl): the lexical channel is
# the most precise on this corpus, the character channel a tie-breaker for words jieba splits differently.
FUSE_WEIGHTS = {"bm25": 1.5, "dense": 1.0, "chars": 1.0}


class Passage(BaseModel):
    """A retrieved clause: text is exactly the source file's [start:end)."""

    doc: str
    title: str = ""
    section: str = ""
    text: str
    score: float = 0.0
    start: int = 0
    end: int = 0
    chunk_id: str = ""
    issuer: str = ""
    doc_number: str = ""
    date: str = ""
    scope: str = ""


def rrf(rankings: list[list[int]], k: int = RRF_K, weights: Optional[list[float]] = None) -> list[tuple[int, float]]:
    """(Weighted) reciprocal rank fusion of several ranked id lists, best first."""
    scores: dict[int, float] = {}
    for j, ranking in enumerate(rankings):
        w = weights[j] if weights else 1.0
        for rank, idx in enumerate(ranking):
            scores[idx] = scores.get(idx, 0.0) + w / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def _embed_text(c: dict[str, Any]) -> str:
    """What the dense and lexical channels see for a chunk: section path and cleaned text."""
    return f"{c['section']}\n{c['clean']}" if c["section"] else c["clean"]


class PolicyIndex:
    """Hybrid retrieval over settings.policy_dir, persisted under settings.data_dir."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.policy_dir = Path(settings.policy_dir)
        self.dir = Path(settings.data_dir) / "retrieval"
        self.embedder: Embedder = get_embedder(settings)
        key = f"{Path(settings.data_dir).resolve()}|{self.embedder.model_id}"
        self.collection = "cme-policy-" + hashlib.sha1(key.encode()).hexdigest()[:12]
        self.chunks: list[dict[str, Any]] = []
        self._bm25: Optional[BM25Channel] = None
        self._chars: Optional[BM25Channel] = None
        self._reranker: Optional[CoverageReranker] = None
        self._store: Optional[ChromaStore] = None
        self._stamp: tuple[Any, ...] = ()

    # --- lifecycle --------------------------------------------------------------------------

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _dir_stamp(self) -> tuple[Any, ...]:
        if not self.policy_dir.is_dir():
            raise IndexError_(f"找不到政策文件目录：{self.policy_dir}", f"policy_dir not found: {self.policy_dir}")
        return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in self.policy_dir.iterdir()))

    def _wanted(self) -> dict[str, Any]:
        files = corpus.file_hashes(self.policy_dir)
        return {
            "version": INDEX_VERSION,
            "chunker": corpus.CHUNKER_VERSION,
            "embed_model": self.embedder.model_id,
            "files": files,
            "collection": self.collection,
        }

    def _read_manifest(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.dir / "manifest.json").read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}

    def _try_open(self, wanted: dict[str, Any]) -> bool:
        """Load a current index from disk; False when missing, stale or corrupt."""
        man = self._read_manifest()
        if any(man.get(k) != v for k, v in wanted.items()):
            return False
        try:
            chunks = json.loads((self.dir / "chunks.json").read_text(encoding="utf-8"))
            store = ChromaStore(make_client(self.settings), self.collection)
            if store.open() is None or store.count() != len(chunks) or len(chunks) != man.get("count"):
                return False
        except Exception as e:  # noqa: BLE001 - a corrupt store is rebuilt, not fatal
            log.warning("policy index unreadable, rebuilding: %s", e)
            wipe_local(self.settings)
            return False
        self._install(chunks, store)
        return True

    def _install(self, chunks: list[dict[str, Any]], store: ChromaStore) -> None:
        self.chunks = chunks
        self._bm25 = BM25Channel([c["tokens"] for c in chunks])
        char_toks = [char_tokens(_embed_text(c)) for c in chunks]  # cheap: derived at open, not stored
        self._chars = BM25Channel(char_toks, char_tokens)
        self._reranker = CoverageReranker(char_toks)
        self._store = store
        self._stamp = self._dir_stamp()

    def _rebuild(self, wanted: dict[str, Any]) -> None:
        docs = corpus.load_docs(self.policy_dir)
        if not docs:
            raise IndexError_(f"政策文件目录中没有可索引的文件：{self.policy_dir}", "no policy files to index")
        chunks: list[dict[str, Any]] = []
        for d in docs:
            for ch in corpus.chunk_text(d.name, d.text):
                m = d.meta
                chunks.append(
                    {
                        "chunk_id": ch.chunk_id,
                        "doc": ch.doc,
                        "start": ch.start,
                        "end": ch.end,
                        "text": ch.text,
                        "clean": ch.clean,
                        "section": ch.section,
                        "title": m.title,
                        "issuer": m.issuer,
                        "doc_number": m.doc_number,
                        "date": m.date,
                        "scope": m.scope,
                    }
                )
        for c in chunks:
            c["tokens"] = tokenize(_embed_text(c))
        vectors = self.embedder.embed_passages([_embed_text(c) for c in chunks])
        try:
            store = ChromaStore(make_client(self.settings), self.collection)
            store.reset()
        except Exception as e:  # noqa: BLE001 - corrupt local store: wipe and retry once
            if getattr(self.settings, "chroma_host", ""):
                raise IndexError_(
                    f"无法连接向量数据库 {self.settings.chroma_host}：{e}", f"chroma server failed: {e}"
                ) from e
            log.warning("chroma store unusable, wiping: %s", e)
            wipe_local(self.settings)
            store = ChromaStore(make_client(self.settings), self.collection)
            store.reset()
        metas = [{"doc": c["doc"], "section": c["section"], "start": c["start"], "end": c["end"]} for c in chunks]
        store.add(vectors, metas, [c["text"] for c in chunks])
        self._write("chunks.json", chunks)
        self._write("manifest.json", {**wanted, "count": len(chunks), "built_at": time.time()})
        self._install(chunks, store)

    def _write(self, name: str, obj: Any) -> None:
        tmp = self.dir / f".{name}.tmp"
        tmp.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.dir / name)

    def build(self, force: bool = False) -> dict[str, Any]:
        """Open the index, rebuilding it when forced, missing, corrupt or stale; returns stats."""
        t0 = time.perf_counter()
        with self._lock():
            wanted = self._wanted()
            rebuilt = force or not self._try_open(wanted)
            if rebuilt:
                self._rebuild(wanted)
        return {
            "chunks": len(self.chunks),
            "docs": len({c["doc"] for c in self.chunks}),
            "seconds": round(time.perf_counter() - t0, 3),
            "rebuilt": rebuilt,
            "embed_model": self.embedder.model_id,
            "path": str(self.dir),
        }

    def ensure(self) -> None:
        """Build on first use, and again when a policy file was added, removed or changed."""
        if self._bm25 is None or self._dir_stamp() != self._stamp:
            self.build()

    # --- search -----------------------------------------------------------------------------

    def _mask(self, docs: Optional[list[str]]) -> Optional[np.ndarray]:
        if not docs:
            return None
        wanted = set(docs)
        return np.array([c["doc"] in wanted for c in self.chunks], dtype=bool)

    def _bm25_hits(self, query: str, k: int, docs: Optional[list[str]]) -> list[tuple[int, float]]:
        assert self._bm25 is not None
        return self._bm25.search(query, k, self._mask(docs))

    def _dense_hits(self, query: str, k: int, docs: Optional[list[str]]) -> list[tuple[int, float]]:
        assert self._store is not None
        return self._store.query(self.embedder.embed_query(query), min(k, len(self.chunks)), docs)

    def search(
        self, query: str, k: int = 5, channel: Optional[str] = None, docs: Optional[list[str]] = None
    ) -> list[Passage]:
        """The k best passages for a question; channel is hybrid, bm25 or dense."""
        channel = channel or getattr(self.settings, "retrieval_channel", "") or DEFAULT_CHANNEL
        if channel not in CHANNELS:
            raise IndexError_(f"未知的检索方式：{channel}（可选 hybrid、bm25、dense）", f"unknown channel {channel}")
        if not query.strip() or k <= 0:
            return []
        self.ensure()
        if channel == "bm25":
            hits = self._bm25_hits(query, k, docs)
        elif channel == "dense":
            hits = self._dense_hits(query, k, docs)
        else:
            hits = self._hybrid_hits(query, docs)
        return [self._passage(i, s) for i, s in hits[:k]]

    def _hybrid_hits(self, query: str, docs: Optional[list[str]]) -> list[tuple[int, float]]:
        """Weighted RRF of word BM25, dense and character BM25, then a coverage rerank of the head."""
        assert self._chars is not None and self._reranker is not None
        lists = {
            "bm25": self._bm25_hits(query, FUSE_DEPTH, docs),
            "dense": self._dense_hits(query, FUSE_DEPTH, docs),
            "chars": self._chars.search(query, FUSE_DEPTH, self._mask(docs)),
        }
        fused = rrf([[i for i, _ in hits] for hits in lists.values()], weights=[FUSE_WEIGHTS[n] for n in lists])
        return self._reranker.rerank(char_tokens(query), [i for i, _ in fused])

    def _passage(self, idx: int, score: float) -> Passage:
        c = self.chunks[idx]
        fields = {
            k: c[k]
            for k in (
                "doc",
                "title",
                "section",
                "text",
                "start",
                "end",
                "chunk_id",
                "issuer",
                "doc_number",
                "date",
                "scope",
            )
        }
        return Passage(score=round(float(score), 6), **fields)

    def as_retriever(self, k: int = 5, channel: Optional[str] = None) -> Any:
        """A LangChain BaseRetriever over this index."""
        from review.retrieval.lc import PolicyRetriever

        return PolicyRetriever(index=self, k=k, channel=channel)
