"""Policy chat: standalone rewrite → retrieval → grounded answer with [n] citations → verification."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from review.chat.answer import basis_line, extractive, refusal, wanted_scope
from review.chat.context import DraftContext, draft_context
from review.chat.gate import Weights, policy_dir_of, relevance
from review.chat.scope import for_index
from review.chat.text import rewrite_offline
from review.chat.verify import Source, verify
from review.errors import LLMError
from review.grounding import denies_finding, in_corpus, numbers
from review.privacy import mask_text as mask
from review.prompts import render as _render
from review.report import Report
from review.retrieval import LOADING_ZH, Passage
from review.retrieval.protocol import PolicyIndexProtocol
from review.rules.base import Citation

if TYPE_CHECKING:  # review.llm imports langchain (~7 s): the type only
    from review.llm.protocol import ChatModelProtocol

log = logging.getLogger(__name__)

K = 6  # passages retrieved per question
HISTORY_TURNS = 6  # prior messages sent to the model
STREAM_CHUNK = 24  # characters per chunk of an offline streamed answer
Message = dict[str, str]


class ChatAnswer(BaseModel):
    """One answer: text with [n] markers, citations[n-1] for marker [n], how it was made."""

    model_config = ConfigDict(extra="forbid")
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    mode: Union[Literal["extractive"], str] = "extractive"
    standalone: str = ""
    refused: bool = False
    notices: list[str] = Field(default_factory=list)


@dataclass
class _Turn:
    """Everything prepared for answering one question."""

    question: str
    standalone: str
    history: list[Message]
    passages: list[Passage]
    relevant: bool
    scope: str
    draft: DraftContext
    notices: list[str] = field(default_factory=list)

    @property
    def answerable(self) -> bool:
        """True when the policy passages or the draft give something to answer from."""
        return self.relevant or not self.draft.empty


class ChatEngine:
    """Grounded, cited policy Q&A over a PolicyIndex, optionally about one reviewed draft."""

    def __init__(
        self,
        index: PolicyIndexProtocol,
        model: Optional[ChatModelProtocol] = None,
        report: Optional[Report] = None,
        k: int = K,
    ) -> None:
        self.index = index
        self.model = model
        self.report = report
        self.k = k
        self.history: list[Message] = []  # used when ask/stream get no history
        self.last_answer: Optional[ChatAnswer] = None
        self._weights: Optional[Weights] = None

    @property
    def weights(self) -> Weights:
        """Term weights over the index's notices folder (built on first use)."""
        if self._weights is None:
            self._weights = Weights(policy_dir_of(self.index))
        return self._weights

    def loading(self) -> bool:
        """True while the policy index is still being opened in the background (the app's warm-up)."""
        check = getattr(self.index, "is_loading", None)
        return bool(check()) if callable(check) else False

    def _loading_answer(self, question: str) -> ChatAnswer:
        """What a question asked before the index is ready gets: say so, never wait silently."""
        text = f"{LOADING_ZH}请稍候几秒再提问。"
        return ChatAnswer(answer=text, standalone=question.strip(), refused=True, notices=[text])

    @property
    def mode(self) -> str:
        """'extractive' offline, else the model name."""
        if self.model is None:
            return "extractive"
        return str(getattr(self.model, "name", "") or "model")

    # -- public ------------------------------------------------------------------------------
    def ask(self, question: str, history: Optional[list[Message]] = None) -> ChatAnswer:
        """Answer one question (history: prior turns; None uses and extends engine.history)."""
        if self.loading():
            self.last_answer = self._loading_answer(question)
            return self.last_answer
        turn = self._prepare(question, history)
        ans = self._generate(turn) if self.model is not None and turn.answerable else self._extractive(turn)
        return self._finish(turn, ans, history is None)

    def stream(self, question: str, history: Optional[list[Message]] = None) -> Iterator[str]:
        """Stream the answer: model tokens, or the extractive answer in chunks; then engine.last_answer."""
        if self.loading():
            self.last_answer = self._loading_answer(question)
            yield self.last_answer.answer
            return
        turn = self._prepare(question, history)
        if self.model is None or not turn.answerable:
            ans = self._extractive(turn)
            for i in range(0, len(ans.answer), STREAM_CHUNK):
                yield ans.answer[i : i + STREAM_CHUNK]
            self._finish(turn, ans, history is None)
            return
        messages = self._messages(turn)
        buf: list[str] = []
        try:
            for piece in self.model.stream_text(messages):
                buf.append(piece)
                yield piece
        except LLMError as e:
            ans = self._fallback(turn, e.zh)
        else:
            ans = self._checked(turn, "".join(buf))
        if ans.mode == "extractive":
            yield ("\n\n" if buf else "") + "\n".join(ans.notices[-1:]) + "\n\n" + ans.answer
        else:
            tail = ans.answer[len(_body_of(ans.answer)) :]
            yield tail
        self._finish(turn, ans, history is None)

    # -- preparation -------------------------------------------------------------------------
    def _prepare(self, question: str, history: Optional[list[Message]]) -> _Turn:
        """Rewrite, retrieve, gate and gather the draft context."""
        hist = list(self.history if history is None else history)
        notices: list[str] = []
        standalone = self._rewrite(question, hist, notices) if hist else question.strip()
        passages = self._search(standalone, notices)
        scope = for_index(self.index)
        relevant, why = relevance(standalone, passages, self.weights, scope.vote(standalone) if scope else None)
        log.info("chat gate: %s (%s) for %r", relevant, why, mask(standalone))
        level = getattr(getattr(self.report, "form", None), "level", None)
        draft = draft_context(self.report, standalone, mask=mask)
        return _Turn(question, standalone, hist, passages, relevant, wanted_scope(standalone, level), draft, notices)

    def _rewrite(self, question: str, hist: list[Message], notices: list[str]) -> str:
        """Standalone question: the model's rewrite (prompts/chat_rewrite.md) or the offline one."""
        offline = rewrite_offline(question, hist)
        if self.model is None:
            return offline
        convo = "\n".join(
            f"{'用户' if h['role'] == 'user' else '助手'}：{mask(h['content'])[:300]}" for h in hist[-HISTORY_TURNS:]
        )
        prompt = _render("chat_rewrite", history=convo, question=mask(question))
        try:
            text = self.model.complete_text([{"role": "user", "content": prompt}])
        except LLMError as e:
            notices.append(f"{e.zh}（问题改写）")
            return offline
        line = next((ln.strip(" \"'“”「」") for ln in text.splitlines() if ln.strip()), "")
        return line if 2 <= len(line) <= 200 else offline

    def _search(self, query: str, notices: list[str]) -> list[Passage]:
        """index.search, never raising: a broken index means no passages plus a notice."""
        try:
            return list(self.index.search(query, k=self.k))
        except Exception as e:  # noqa: BLE001 - the chat must answer (refuse) rather than crash
            log.warning("policy search failed: %s", e)
            notices.append("政策检索暂不可用，未能查找政策原文。")
            return []

    # -- answers -----------------------------------------------------------------------------
    def _extractive(self, turn: _Turn) -> ChatAnswer:
        """The offline answer: draft findings, then the direct answer and the best whole policy sentences."""
        parts: list[str] = []
        cites: list[Citation] = []
        if not turn.draft.empty:
            parts += ["关于您的申报书：", *turn.draft.lines]
            cites += turn.draft.citations
        if turn.relevant:
            lines, pc = extractive(turn.standalone, turn.passages, turn.scope, offset=len(cites), w=self.weights)
            if lines:
                parts += (["", "相关政策："] if parts else []) + lines
                parts.append(basis_line(self._cited_passages(turn, pc)))
                cites += pc
        if not parts:
            text, cites = refusal(turn.standalone, policy_dir_of(self.index))
            return ChatAnswer(
                answer=text, citations=cites, standalone=turn.standalone, refused=True, notices=turn.notices
            )
        return ChatAnswer(answer="\n".join(parts), citations=cites, standalone=turn.standalone, notices=turn.notices)

    @staticmethod
    def _cited_passages(turn: _Turn, cites: list[Citation]) -> list[Passage]:
        """The retrieved passages of the notices the citations quote (first passage per notice)."""
        docs = {c.doc for c in cites}
        return [p for p in turn.passages if getattr(p, "doc", "") in docs]

    def _sources(self, turn: _Turn) -> list[Source]:
        """Numbered sources for the model: the draft's rule citations, then the relevant passages."""
        out = [Source(c.doc, c.section, c.quote) for c in turn.draft.citations]
        if turn.relevant:
            out += [
                Source(getattr(p, "doc", ""), getattr(p, "section", "") or "", getattr(p, "text", ""))
                for p in turn.passages
            ]
        return out

    def _messages(self, turn: _Turn) -> list[Message]:
        """System prompt with numbered sources, recent turns, then the standalone question."""
        srcs = "\n\n".join(
            f"[{i}] 《{s.doc}》{s.section}\n{s.text.strip()}" for i, s in enumerate(self._sources(turn), 1)
        )
        level = {"beijing": "北京市级", "national": "国家级"}.get(turn.scope, "未说明")
        system = _render("chat_answer", level=level, draft=turn.draft.model_text or "无", sources=srcs)
        recent = [{"role": h["role"], "content": mask(h["content"])} for h in turn.history[-HISTORY_TURNS:]]
        return [{"role": "system", "content": system}, *recent, {"role": "user", "content": mask(turn.standalone)}]

    def _generate(self, turn: _Turn) -> ChatAnswer:
        """A model answer, verified; any failure falls back to the extractive answer with a notice."""
        assert self.model is not None  # ask() generates only with a model
        try:
            text = self.model.complete_text(self._messages(turn))
        except LLMError as e:
            return self._fallback(turn, e.zh)
        return self._checked(turn, text)

    def _checked(self, turn: _Turn, text: str) -> ChatAnswer:
        """Verify a generated answer; accept it with its citations or fall back."""
        allowed = numbers(
            " ".join([turn.question, turn.standalone, turn.draft.model_text, *(h["content"] for h in turn.history)])
        )
        folder = policy_dir_of(self.index)
        v = verify(text, self._sources(turn), allowed, lambda quote, doc: in_corpus(quote, doc, folder))
        if not v.ok:
            log.info("model answer rejected: %s", mask("; ".join(v.problems)))
            return self._fallback(turn, "模型回答未通过核验（" + "；".join(v.problems) + "），已改用政策原文摘录。")
        if self._denies_report(v.body):
            log.info("model answer denies the draft's findings; not shown")
            return self._fallback(
                turn, "模型回答与规则检查结果相矛盾（称申报书无问题或要求忽略规则），已改用政策原文摘录。"
            )
        if v.refused:
            body, cites = refusal(turn.standalone, policy_dir_of(self.index))
            return ChatAnswer(
                answer=body,
                citations=cites,
                mode=self.mode,
                standalone=turn.standalone,
                refused=True,
                notices=turn.notices,
            )
        basis = basis_line(self._cited_passages(turn, v.citations))
        answer = v.body + ("\n" + basis if basis else "")
        return ChatAnswer(
            answer=answer, citations=v.citations, mode=self.mode, standalone=turn.standalone, notices=turn.notices
        )

    def _denies_report(self, body: str) -> bool:
        """True when the answer says there is no problem although the reviewed draft has errors or warnings."""
        findings = getattr(self.report, "findings", None) or []
        return any(getattr(f, "severity", "") in ("error", "warning") for f in findings) and denies_finding(body)

    def _fallback(self, turn: _Turn, notice: str) -> ChatAnswer:
        """The extractive answer with a notice saying why the model's answer is not shown."""
        turn.notices.append(notice)
        return self._extractive(turn)

    def _finish(self, turn: _Turn, ans: ChatAnswer, own_history: bool) -> ChatAnswer:
        """Remember the answer (and the turn, for the engine's own history)."""
        if own_history:
            self.history += [{"role": "user", "content": turn.question}, {"role": "assistant", "content": ans.answer}]
        self.last_answer = ans
        return ans


def _body_of(answer: str) -> str:
    """The answer without its trailing 以上依据 line."""
    i = answer.rfind("\n以上依据")
    return answer if i < 0 else answer[:i]
