"""Second stage of hybrid search: blend the fused rank with IDF-weighted coverage of the query's characters."""

from __future__ import annotations

import math

RERANK_DEPTH = 20  # fused candidates re-scored
COVERAGE_WEIGHT = 0.5  # share of the final score from query coverage (the rest from the fused rank)


class CoverageReranker:
    """Scores how much of a question's (IDF-weighted) character n-grams a chunk contains."""

    def __init__(self, corpus_tokens: list[list[str]]) -> None:
        self._sets = [set(t) for t in corpus_tokens]
        n = len(self._sets)
        df: dict[str, int] = {}
        for s in self._sets:
            for t in s:
                df[t] = df.get(t, 0) + 1
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}

    def coverage(self, query_tokens: list[str], idx: int) -> float:
        """Share of the query's IDF mass (known tokens only) present in chunk idx, in [0, 1]."""
        known = {t for t in query_tokens if t in self._idf}
        total = sum(self._idf[t] for t in known)
        if total <= 0:
            return 0.0
        return sum(self._idf[t] for t in known if t in self._sets[idx]) / total

    def rerank(
        self, query_tokens: list[str], ranked: list[int], depth: int = RERANK_DEPTH, weight: float = COVERAGE_WEIGHT
    ) -> list[tuple[int, float]]:
        """(chunk index, score) best first: the top `depth` re-scored, the rest kept in fused order below them."""
        scored = [
            (i, (1 - weight) / (r + 1) + weight * self.coverage(query_tokens, i)) for r, i in enumerate(ranked[:depth])
        ]
        scored.sort(key=lambda kv: -kv[1])
        tail = [(i, (1 - weight) / (r + 1)) for r, i in enumerate(ranked[depth:], start=depth)]
        return scored + tail
