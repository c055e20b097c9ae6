"""PolicyIndex: chunks + BM25 + Chroma vectors + character BM25, fused by weighted RRF and a coverage rerank."""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np
from pydantic import BaseModel

from review.config import Settings
from review.errors import IndexError_
from review.retrieval import corpus
from review.retrieval.bm25 import BM25Channel, char_tokens, tokenize
from review.retrieval.embed import Embedder, get_embedder
from review.retrieval.rerank import CoverageReranker
from review.retrieval.store import ChromaStore, make_client, wipe_local
from review.retrieval.thesaurus import expand_query

log = logging.getLogger(__name__)

INDEX_VERSION = "2"  # 2: vectors keyed by chunk id (per-notice updates)
CHANNELS = ("hybrid", "bm25", "dense")
DEFAULT_CHANNEL = "hybrid"  # best recall@5 in eval/retrieval_eval.py
RRF_K = 60
FUSE_DEPTH = 50  # candidates taken from each channel before fusion
# RRF weights of the hybrid's channels (tuned on the dev half of eval/policy_qa.jsonl): the lexical channel is
# the most precise on this corpus, the character channel a tie-breaker for words jieba splits differently.
FUSE_WEIGHTS = {"bm25": 1.5, "dense": 1.0, "chars": 1.0}
# Which channels see the question with thesaurus terms added (review/retrieval/thesaurus.yaml); dev-measured.
EXPAND = {"bm25": True, "dense": True, "chars": True, "rerank": True, "hybrid": True}


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
    # whole sentences overlapping the passage: (start, end, display text, kind sent|head|row|frag, level label)
    sentences: list[tuple[int, int, str, str, str]] = []
    # e5 similarity of each of those sentences to the question (0.0 for headings and fragments; [] when unknown)
    sentence_sims: list[float] = []


SENTENCE_FILE = "sentences.npz"  # sentence vectors by content hash (the chat's semantic sentence score)
QUOTED_KINDS = ("sent", "row")  # the sentences the chat may quote


def _sha(text: str) -> str:
    """Content key of a sentence vector."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


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


Progress = Callable[[str, float], None]  # (Chinese status line, fraction done 0..1)


def _quiet(_msg: str, _frac: float) -> None:
    """Default progress callback: nothing."""


def doc_chunks(d: corpus.Doc) -> list[dict[str, Any]]:
    """Index records of one notice: chunk span, clean text, section, provenance and tokens."""
    out = []
    for ch in corpus.chunk_text(d.name, d.text):
        rec = {"chunk_id": ch.chunk_id, "doc": ch.doc, "start": ch.start, "end": ch.end, "text": ch.text}
        rec |= {"clean": ch.clean, "section": ch.section, **_meta_fields(d.meta)}
        rec["tokens"] = tokenize(_embed_text(rec))
        out.append(rec)
    return out


def _meta_fields(m: corpus.DocMeta) -> dict[str, str]:
    """Provenance fields copied onto every chunk of a notice."""
    return {"title": m.title, "issuer": m.issuer, "doc_number": m.doc_number, "date": m.date, "scope": m.scope}


class PolicyIndex:
    """Hybrid retrieval over settings.policy_dir, persisted under settings.data_dir; re-indexes changed notices only."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.policy_dir = Path(settings.policy_dir)
        self.dir = Path(settings.data_dir) / "retrieval"
        self.embedder: Embedder = get_embedder(settings)
        key = f"{Path(settings.data_dir).resolve()}|{self.embedder.model_id}"
        self.collection = "cme-policy-" + hashlib.sha1(key.encode()).hexdigest()[:12]
        self.chunks: list[dict[str, Any]] = []
        self._pos: dict[str, int] = {}
        self._bm25: Optional[BM25Channel] = None
        self._chars: Optional[BM25Channel] = None
        self._reranker: Optional[CoverageReranker] = None
        self._store: Optional[ChromaStore] = None
        self._stamp: tuple[Any, ...] = ()
        self._sentences: dict[str, list[corpus.Sentence]] = {}
        self._sent_vecs: dict[str, np.ndarray] = {}  # sentence vector by sha1 of its display text
        self._qvec: tuple[str, Optional[np.ndarray]] = ("", None)  # the last query's vector (search reuses it)
        self._busy = threading.Lock()  # held while a build runs in this process
        self.last_error: Optional[str] = None  # Chinese message of the last failed background build
        self.warming = False  # set by review.retrieval.warm_up until its thread finishes

    # --- state ------------------------------------------------------------------------------

    def is_ready(self) -> bool:
        """True when the index is open in memory (cheap: no disk access); a search will not have to build."""
        return self._bm25 is not None and not self.is_loading()

    def is_loading(self) -> bool:
        """True while a build or refresh is running in this process (e.g. the app's warm-up thread)."""
        return self.warming or self._busy.locked()

    # --- lifecycle --------------------------------------------------------------------------

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with self._busy, open(self.dir / ".lock", "w") as fh:
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

    def _open_store(self, man: dict[str, Any]) -> Optional[tuple[list[dict[str, Any]], ChromaStore]]:
        """The stored chunks and vectors when they agree with the manifest, else None."""
        try:
            chunks = json.loads((self.dir / "chunks.json").read_text(encoding="utf-8"))
            store = ChromaStore(make_client(self.settings), self.collection)
            if store.open() is None or store.count() != len(chunks) or len(chunks) != man.get("count"):
                return None
            if not store.probe():
                raise RuntimeError("stored vectors cannot be searched")
        except Exception as e:  # noqa: BLE001 - a corrupt store is rebuilt, not fatal
            log.warning("policy index unreadable, rebuilding: %s", e)
            wipe_local(self.settings)
            return None
        return chunks, store

    def _try_open(self, wanted: dict[str, Any], progress: Progress) -> Optional[str]:
        """Open the stored index, re-indexing only changed notices: 'opened', 'updated', or None (rebuild)."""
        man = self._read_manifest()
        if any(man.get(k) != wanted[k] for k in ("version", "chunker", "embed_model", "collection")):
            return None
        opened = self._open_store(man)
        if opened is None:
            return None
        chunks, store = opened
        if man.get("files") == wanted["files"]:
            self._install(chunks, store)
            return "opened"
        try:
            self._update(chunks, store, dict(man.get("files") or {}), wanted, progress)
        except IndexError_:
            raise
        except Exception as e:  # noqa: BLE001 - a failed partial update falls back to a full rebuild
            log.warning("incremental policy index update failed, rebuilding: %s", e)
            return None
        return "updated"

    def _update(
        self,
        chunks: list[dict[str, Any]],
        store: ChromaStore,
        old: dict[str, str],
        wanted: dict[str, Any],
        progress: Progress,
    ) -> None:
        """Re-chunk and re-embed the notices whose content hash changed; drop removed ones; refresh provenance."""
        new: dict[str, str] = wanted["files"]
        changed = sorted(n for n in new if n != corpus.README and old.get(n) != new[n])
        removed = sorted(n for n in old if n != corpus.README and n not in new)
        log.info("policy index update: changed=%s removed=%s", changed, removed)
        for name in removed + changed:
            store.delete_doc(name)
        keep = [c for c in chunks if c["doc"] not in set(changed) | set(removed)]
        meta = corpus.load_provenance(self.policy_dir)
        for c in keep:
            c.update(_meta_fields(meta.get(c["doc"], corpus.DocMeta(c["doc"], title=Path(c["doc"]).stem))))
        for n, name in enumerate(changed, 1):
            progress(f"正在索引政策文件 {name}（{n}/{len(changed)}）…", (n - 1) / max(len(changed), 1))
            recs = doc_chunks(corpus.load_doc(self.policy_dir / name, meta))
            self._add(store, recs)
            keep += recs
        order = {name: i for i, name in enumerate(sorted(new))}
        keep.sort(key=lambda c: (order.get(c["doc"], len(order)), c["start"]))
        if store.count() != len(keep):
            raise RuntimeError(f"store holds {store.count()} vectors for {len(keep)} chunks")
        self._save(keep, wanted)
        self._install(keep, store)

    def _add(self, store: ChromaStore, recs: list[dict[str, Any]]) -> None:
        """Embed chunk records and store their vectors under their chunk ids."""
        if not recs:
            return
        vectors = self.embedder.embed_passages([_embed_text(c) for c in recs])
        metas = [{"doc": c["doc"], "section": c["section"], "start": c["start"], "end": c["end"]} for c in recs]
        store.add(vectors, metas, [c["text"] for c in recs], [c["chunk_id"] for c in recs])

    def _install(self, chunks: list[dict[str, Any]], store: ChromaStore) -> None:
        self.chunks = chunks
        self._pos = {c["chunk_id"]: i for i, c in enumerate(chunks)}
        self._bm25 = BM25Channel([c["tokens"] for c in chunks])
        char_toks = [char_tokens(_embed_text(c)) for c in chunks]  # cheap: derived at open, not stored
        self._chars = BM25Channel(char_toks, char_tokens)
        self._reranker = CoverageReranker(char_toks)
        self._store = store
        self._stamp = self._dir_stamp()
        # whole sentences per notice, cut from the source at open (cheap), so they always follow the sentence code
        self._sentences = {
            d.name: corpus.split_sentences_doc(d.name, d.text) for d in corpus.load_docs(self.policy_dir)
        }
        self._sent_vecs = self._sentence_vectors()

    def _sentence_vectors(self) -> dict[str, np.ndarray]:
        """Vectors of the quotable sentences, cached by content hash beside the index: only new sentences are embedded."""
        path = self.dir / SENTENCE_FILE
        have: dict[str, np.ndarray] = {}
        try:
            with np.load(path, allow_pickle=False) as z:
                if str(z["model"]) == self.embedder.model_id:
                    have = dict(zip((str(k) for k in z["keys"]), z["vectors"], strict=True))
        except (OSError, ValueError, KeyError):
            have = {}
        texts = {_sha(x.text): x.text for xs in self._sentences.values() for x in xs if x.kind in QUOTED_KINDS}
        missing = [k for k in texts if k not in have]
        if missing:
            vecs = self.embedder.embed_passages([texts[k] for k in missing])
            have.update(zip(missing, vecs, strict=True))
        keep = {k: have[k] for k in texts}
        if missing or len(keep) != len(have):
            self.dir.mkdir(parents=True, exist_ok=True)
            tmp = self.dir / f".{SENTENCE_FILE}.tmp.npz"
            keys = list(keep)
            mat = np.vstack([keep[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, 1), np.float32)
            np.savez(tmp, keys=np.array(keys), vectors=mat, model=np.array(self.embedder.model_id))
            os.replace(tmp, path)
        return keep

    def _query_vector(self, text: str) -> np.ndarray:
        """The query-mode vector of a text (the last one is kept: dense search and sentence scores share it)."""
        if self._qvec[0] != text or self._qvec[1] is None:
            self._qvec = (text, self.embedder.embed_query(text))
        vec = self._qvec[1]
        assert vec is not None
        return vec

    def _fresh_store(self) -> ChromaStore:
        """An empty collection (a corrupt local store is wiped and recreated once)."""
        try:
            store = ChromaStore(make_client(self.settings), self.collection)
            store.reset()
        except Exception as e:  # noqa: BLE001 - corrupt local store: wipe and retry once
            if self.settings.chroma_host:
                raise IndexError_(
                    f"无法连接向量数据库 {self.settings.chroma_host}：{e}", f"chroma server failed: {e}"
                ) from e
            log.warning("chroma store unusable, wiping: %s", e)
            wipe_local(self.settings)
            store = ChromaStore(make_client(self.settings), self.collection)
            store.reset()
        return store

    def _rebuild(self, wanted: dict[str, Any], progress: Progress) -> None:
        docs = corpus.load_docs(self.policy_dir)
        if not docs:
            raise IndexError_(f"政策文件目录中没有可索引的文件：{self.policy_dir}", "no policy files to index")
        store = self._fresh_store()
        chunks: list[dict[str, Any]] = []
        for n, d in enumerate(docs, 1):
            progress(f"正在索引政策文件 {d.name}（{n}/{len(docs)}）…", (n - 1) / len(docs))
            recs = doc_chunks(d)
            self._add(store, recs)
            chunks += recs
        self._save(chunks, wanted)
        self._install(chunks, store)

    def _save(self, chunks: list[dict[str, Any]], wanted: dict[str, Any]) -> None:
        self._write("chunks.json", chunks)
        self._write("manifest.json", {**wanted, "count": len(chunks), "built_at": time.time()})

    def _write(self, name: str, obj: Any) -> None:
        tmp = self.dir / f".{name}.tmp"
        tmp.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.dir / name)

    def build(self, force: bool = False, progress: Optional[Progress] = None) -> dict[str, Any]:
        """Open the index, re-indexing changed notices (or everything when forced, missing or corrupt); stats."""
        t0 = time.perf_counter()
        report = progress or _quiet
        report("正在打开政策索引…", 0.0)
        with self._lock():
            wanted = self._wanted()
            how = None if force else self._try_open(wanted, report)
            if how is None:
                self._rebuild(wanted, report)
        report("政策索引已就绪。", 1.0)
        return {
            "chunks": len(self.chunks),
            "docs": len({c["doc"] for c in self.chunks}),
            "seconds": round(time.perf_counter() - t0, 3),
            "rebuilt": how != "opened",
            "updated": how == "updated",
            "embed_model": self.embedder.model_id,
            "path": str(self.dir),
        }

    def refresh(self, progress: Optional[Progress] = None) -> dict[str, Any]:
        """Pick up added, changed or removed notices in policy_dir, re-indexing only those; returns build stats."""
        return self.build(progress=progress)

    def add_notice(self, path: Union[str, Path], progress: Optional[Progress] = None) -> dict[str, Any]:
        """Copy a notice (.txt/.md/.pdf) into policy_dir (unless it is there already) and index it; build stats."""
        src = Path(path)
        if not src.is_file() or src.suffix.lower() not in corpus.SOURCE_EXTS or src.name == corpus.README:
            raise IndexError_(
                f"无法添加政策文件：{src.name}（须为 .txt、.md 或 .pdf 文件）", f"not a notice file: {src}"
            )
        try:
            text = corpus.read_text(src)
        except Exception as e:  # noqa: BLE001 - unreadable upload: one clear message
            raise IndexError_(f"无法读取政策文件 {src.name}：{e}", f"unreadable notice {src}: {e}") from e
        if not text.strip():
            raise IndexError_(f"政策文件 {src.name} 没有可索引的文字。", f"notice has no text: {src}")
        dest = self.policy_dir / src.name
        if src.resolve() != dest.resolve():
            shutil.copyfile(src, dest)
        return self.build(progress=progress) | {"added": src.name}

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
        hits = self._store.query(self._query_vector(query), min(k, len(self.chunks)), docs)
        return [(self._pos[cid], score) for cid, score in hits if cid in self._pos]

    def search(
        self, query: str, k: int = 5, channel: Optional[str] = None, docs: Optional[list[str]] = None
    ) -> list[Passage]:
        """The k best passages for a question; channel is hybrid, bm25 or dense."""
        channel = channel or self.settings.retrieval_channel or DEFAULT_CHANNEL
        if channel not in CHANNELS:
            raise IndexError_(f"未知的检索方式：{channel}（可选 hybrid、bm25、dense）", f"unknown channel {channel}")
        if not query.strip() or k <= 0:
            return []
        self.ensure()
        wide = expand_query(query) if EXPAND.get(channel, False) else query
        if channel == "bm25":
            hits = self._bm25_hits(wide, k, docs)
        elif channel == "dense":
            hits = self._dense_hits(wide, k, docs)
        else:
            hits = self._hybrid_hits(query, docs)
        qvec = self._query_vector(wide) if self._sent_vecs else None
        return [self._passage(i, s, qvec) for i, s in hits[:k]]

    def _hybrid_hits(self, query: str, docs: Optional[list[str]]) -> list[tuple[int, float]]:
        """Weighted RRF of word BM25, dense and character BM25, then a coverage rerank of the head."""
        assert self._chars is not None and self._reranker is not None
        wide = expand_query(query)
        q = {ch: wide if EXPAND[ch] else query for ch in EXPAND}
        lists = {
            "bm25": self._bm25_hits(q["bm25"], FUSE_DEPTH, docs),
            "dense": self._dense_hits(q["dense"], FUSE_DEPTH, docs),
            "chars": self._chars.search(q["chars"], FUSE_DEPTH, self._mask(docs)),
        }
        fused = rrf([[i for i, _ in hits] for hits in lists.values()], weights=[FUSE_WEIGHTS[n] for n in lists])
        return self._reranker.rerank(char_tokens(q["rerank"]), [i for i, _ in fused])

    def _passage(self, idx: int, score: float, qvec: Optional[np.ndarray] = None) -> Passage:
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
        inside = corpus.sentences_in(self._sentences.get(c["doc"], []), c["start"], c["end"])
        sents = [(x.start, x.end, x.text, x.kind, x.level) for x in inside]
        sims: list[float] = []
        if qvec is not None:
            vecs = [self._sent_vecs.get(_sha(x.text)) for x in inside]
            sims = [round(float(v @ qvec), 4) if v is not None else 0.0 for v in vecs]
        return Passage(score=round(float(score), 6), sentences=sents, sentence_sims=sims, **fields)

    def as_retriever(self, k: int = 5, channel: Optional[str] = None) -> Any:
        """A LangChain BaseRetriever over this index."""
        from review.retrieval.lc import PolicyRetriever

        return PolicyRetriever(index=self, k=k, channel=channel)
