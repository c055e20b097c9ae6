"""A second opinion for the relevance gate: the question's nearest labelled example questions.

The lexical gate (review.chat.gate) sees words. Some out-of-scope questions share enough CME words with a
notice to pass it (a question about staff leave or a research grant's deadline names 年, 申报书, 截止), and
some in-scope ones are put in words no notice uses. `scope_examples.yaml` holds reviewed example questions
of both kinds, written from the notices alone (never from an eval set). A question is compared with them by
its e5 query vector (cosine, query mode on both sides) and its K nearest examples vote:

- most of them out of scope → the question is refused even when the lexical gate would answer it;
- none of them out of scope and the closest in-scope example very near → the question is answered even when
  the lexical gate found no subject word (the retrieved passages still have to give the answer).

The example vectors are computed once per example file and embedding model and kept under
settings.data_dir (a few seconds for ~500 questions with the bundled model). Any failure (no embedder, an
unreachable embedding endpoint, a broken file) leaves the lexical gate alone: logged, never raised.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import numpy as np
import yaml

if TYPE_CHECKING:  # the embedder protocol lives with the index (numpy only, but keep chat's import graph small)
    from review.retrieval.embed import Embedder

log = logging.getLogger(__name__)

EXAMPLES = Path(__file__).with_name("scope_examples.yaml")
K = 3  # nearest examples that vote
OUT_SHARE = 0.6  # refuse when at least this share of the K nearest examples is out of scope
RESCUE_SIM = 0.9  # answer a question the lexical gate refused when no out-of-scope example is among its K
# nearest and its closest in-scope example is at least this similar (e5 query-query cosine)


@dataclass(frozen=True)
class Vote:
    """What the K nearest examples say about one question."""

    out_share: float  # share of the K nearest examples that are out of scope
    nearest_in: float  # cosine of the closest in-scope example among the K (0 when none)
    nearest: str  # the closest example (for the log)

    @property
    def says_out(self) -> bool:
        """Most neighbours are out of scope."""
        return self.out_share >= OUT_SHARE

    @property
    def says_in(self) -> bool:
        """Every neighbour is in scope and the closest is very near."""
        return self.out_share == 0 and self.nearest_in >= RESCUE_SIM

    def reason(self) -> str:
        """One line for the gate's log."""
        return f"examples: out {self.out_share:.1f}, nearest in {self.nearest_in:.3f} ({self.nearest[:20]})"


def load_examples(path: Path = EXAMPLES) -> tuple[list[str], list[bool]]:
    """(questions, is-out-of-scope flags) of an examples file; duplicates and blanks dropped."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    texts: list[str] = []
    flags: list[bool] = []
    seen: set[str] = set()
    for key, out in (("in_scope", False), ("out_of_scope", True)):
        for q in data.get(key) or []:
            q = str(q).strip()
            if q and q not in seen:
                seen.add(q)
                texts.append(q)
                flags.append(out)
    return texts, flags


class ScopeExamples:
    """The labelled example questions and their vectors for one embedder."""

    def __init__(self, embedder: Embedder, path: Path = EXAMPLES, cache_dir: Optional[Path] = None) -> None:
        self.embedder = embedder
        self.path = Path(path)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._matrix: Optional[np.ndarray] = None
        self._texts: list[str] = []
        self._out = np.zeros(0, dtype=bool)
        self.failed = False

    def _cache_file(self, digest: str) -> Optional[Path]:
        if self.cache_dir is None:
            return None
        model = hashlib.sha1(self.embedder.model_id.encode()).hexdigest()[:10]
        return self.cache_dir / f"scope-{digest[:12]}-{model}.npy"

    def _load(self) -> Optional[np.ndarray]:
        """The example vectors (embedded once, then read from the cache file)."""
        if self._matrix is not None or self.failed:
            return self._matrix
        try:
            raw = self.path.read_bytes()
            self._texts, flags = load_examples(self.path)
            self._out = np.array(flags, dtype=bool)
            cache = self._cache_file(hashlib.sha256(raw).hexdigest())
            if cache is not None and cache.is_file():
                mat = np.load(cache)
                if mat.shape[0] == len(self._texts):
                    self._matrix = mat
                    return mat
            mat = np.asarray(self.embedder.embed_queries(self._texts), dtype=np.float32)
            if cache is not None:
                cache.parent.mkdir(parents=True, exist_ok=True)
                tmp = cache.with_suffix(".tmp.npy")
                np.save(tmp, mat)
                tmp.replace(cache)
            self._matrix = mat
        except Exception as e:  # noqa: BLE001 - the gate works without the examples
            log.warning("scope examples unavailable (%s): the lexical gate decides alone", e)
            self.failed = True
            self._matrix = None
        return self._matrix

    def warm(self) -> bool:
        """Embed (or read) the examples now; True when they are usable."""
        return self._load() is not None

    def vote(self, question: str) -> Optional[Vote]:
        """The K nearest examples' vote on a question, or None when the examples are unavailable."""
        mat = self._load()
        if mat is None or not len(mat) or not question.strip():
            return None
        try:
            vec = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        except Exception as e:  # noqa: BLE001 - an unreachable embedding endpoint: the lexical gate alone
            log.warning("scope vote skipped (%s)", e)
            return None
        sims = mat @ vec
        top = np.argsort(-sims)[:K]
        ins = [i for i in top if not self._out[i]]
        return Vote(
            out_share=float(self._out[top].mean()),
            nearest_in=float(sims[ins[0]]) if ins else 0.0,
            nearest=self._texts[int(top[0])],
        )


_SHARED: dict[tuple[str, str], ScopeExamples] = {}
_LOCK = threading.Lock()


def for_index(index: object) -> Optional[ScopeExamples]:
    """The examples for an index's embedder (one per embedding model and data folder), or None when the index
    has no embedder (a test stand-in)."""
    emb = getattr(index, "embedder", None)
    if emb is None or not callable(getattr(emb, "embed_queries", None)):
        return None
    cache_dir = getattr(index, "dir", None)
    key = (str(getattr(emb, "model_id", "")), str(cache_dir))
    with _LOCK:
        if key not in _SHARED:
            _SHARED[key] = ScopeExamples(emb, cache_dir=Path(cache_dir) if cache_dir is not None else None)
        return _SHARED[key]
