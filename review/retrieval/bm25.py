"""Lexical channel: jieba tokens (with a CME domain dictionary) scored by bm25s."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Optional

import numpy as np

# Domain words jieba would otherwise split ("副高级" -> "副", "高级").
DOMAIN_WORDS = (
    "学分 学时 副高级 正高级 中级 初级 项目负责人 同行评议 授课教师 外省学员 基层学员 京津冀互认 互认项目 远程项目 面授 "
    "申报单位 申办单位 学（协）会 学协会 执行情况 承诺书 风景名胜区 风景区 继续医学教育 推荐项目 国家级 市级 北京市级 省级 "
    "理论授课 实践 技术示范 实验 临床技能 护理专业 在职 在岗 工作单位 申报书 报备 督查 督查系统 学分证书 电子证书 "
    "拟招生人数 招生人数 占比 期次 多期举办 举办地点 公章 盖章 签字 知情同意 意识形态 公益性 营利 商业贿赂 "
    "传染病防治 感染病学 全员必修课 学分审验 刷卡 进修 学科 二级学科 三级学科 中医类 主要成绩 基本情况 推荐理由 "
    "年会 峰会 论坛 实操训练 学员通讯录 执行率 项目编号 申请代码 副主任医师 主任医师 主治医师 副教授 副研究员 "
    "主管护师 副主任护师 主任护师 住院医师 医疗卫生 教学 科研机构 限额推荐 首次申报 暂缓校验 执业许可证 年检"
).split()

# Function words and question particles carry no policy meaning.
STOP = frozenset(
    "的 了 是 吗 呢 吧 啊 么 在 和 与 及 或 等 也 都 就 要 会 能 可以 可 有 没有 我 我们 你 他 这 那 哪 什么 怎么 怎样 多少 几 "
    "个 一 不 被 把 对 为 从 以 之 其 于 上 中 下 还 又 请问 如果 需要 应该 是否 得 着 过 该".split()
)
# Single-character words, read only as whole jieba tokens (query side): the reviewed thesaurus
# (review/retrieval/thesaurus.yaml) holds every longer colloquial word, but it matches inside words and so cannot
# hold these (分 is in 学分 and 部分, 办 in 办公室). A tokenisation concern, not a second synonym list.
ONE_CHAR_WORDS = {
    "讲": "授课",
    "换": "更改 变更 调整",
    "办": "举办",
    "分": "学分",
}
_PUNCT = re.compile(r"^[\W_]+$")
# Character channel: CJK unigrams + bigrams catch words jieba splits differently in question and notice.
_RUNS = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9%]+")
STOP_CHARS = frozenset("的了吗呢吧啊么什怎哪我们你他这那请问")
K1, B = 1.2, 0.5  # milder length normalisation than bm25s' 1.5/0.75: slide chunks vary a lot in length (dev-tuned)


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    """A private jieba tokenizer with the domain dictionary (the global one is left alone)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    for w in DOMAIN_WORDS:
        tk.add_word(w, freq=200000)
    return tk


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens, lower-cased, without stop words or punctuation."""
    out = []
    for tok in _tokenizer().cut_for_search(text.replace("**", "")):
        tok = tok.strip().lower()
        if tok and tok not in STOP and not _PUNCT.match(tok):
            out.append(tok)
    return out


def expand(tokens: list[str]) -> list[str]:
    """Query tokens plus the notices' terms for single-character tokens (ONE_CHAR_WORDS)."""
    out = list(tokens)
    for t in tokens:
        if t in ONE_CHAR_WORDS:
            out.extend(tokenize(ONE_CHAR_WORDS[t]))
    return out


def query_tokens(query: str) -> list[str]:
    """Word tokens of a question, with the notices' terms for its single-character words."""
    return expand(tokenize(query))


def char_tokens(text: str) -> list[str]:
    """CJK character unigrams and bigrams (function characters dropped), plus latin/digit runs."""
    out: list[str] = []
    for run in _RUNS.findall(text.lower().replace("**", "")):
        if not "\u4e00" <= run[0] <= "\u9fff":
            out.append(run)
            continue
        out.extend(ch for ch in run if ch not in STOP_CHARS)
        out.extend(a + b for a, b in zip(run, run[1:], strict=False) if a not in STOP_CHARS and b not in STOP_CHARS)
    return out


class BM25Channel:
    """A bm25s index over pre-tokenised chunks; rebuilt in milliseconds from stored tokens."""

    def __init__(
        self, corpus_tokens: list[list[str]], query_tokenizer: Callable[[str], list[str]] = query_tokens
    ) -> None:
        import bm25s

        self._bm25 = bm25s.BM25(k1=K1, b=B)
        self._bm25.index([t or [""] for t in corpus_tokens], show_progress=False)
        self._vocab = set(self._bm25.vocab_dict)
        self._query_tokens = query_tokenizer
        self.size = len(corpus_tokens)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query."""
        toks = [t for t in self._query_tokens(query) if t in self._vocab]
        if not toks:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(toks), dtype=np.float32)

    def search(self, query: str, k: int, allowed: Optional[np.ndarray] = None) -> list[tuple[int, float]]:
        """Top-k (chunk index, score) with a positive score, optionally restricted by a boolean mask."""
        s = self.scores(query)
        if allowed is not None:
            s = np.where(allowed, s, 0.0)
        order = np.argsort(-s, kind="stable")[:k]
        return [(int(i), float(s[i])) for i in order if s[i] > 0]
