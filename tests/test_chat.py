"""Policy chat: rewrite, refusal, extractive answers, verification of model answers, history, draft context, streaming."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from eval.chat_eval import echo_handler, hygiene, load_set
from review.chat import ChatAnswer, ChatEngine
from review.chat.answer import EXTRACTIVE_LABEL, NOT_FOUND, wanted_scope
from review.chat.text import norm, rewrite_offline
from review.config import load_settings
from review.form import Form, Lead
from review.llm import get_chat_model
from review.report import NarrativeCritique, Report
from review.retrieval import get_index
from review.retrieval.corpus import quote_in_corpus
from review.rules.base import Finding, Source
from tests.scripted_server import Status, scripted_server  # noqa: F401

BJ25 = "bj-2025-application-requirements.txt"
NAT24 = "national-2024-project-requirements.txt"


class RecordingIndex:
    """The project's PolicyIndex (own data dir), recording the queries the chat sends."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.queries: list[str] = []
        self.policy_dir = inner.policy_dir  # type: ignore[attr-defined]

    def search(self, query: str, k: int = 5, channel: object = None, docs: object = None) -> list:
        """Delegate to PolicyIndex.search."""
        self.queries.append(query)
        return self.inner.search(query, k=k, channel=channel, docs=docs)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def policy_index(tmp_path_factory: pytest.TempPathFactory) -> object:
    settings = load_settings(env={}).with_(data_dir=tmp_path_factory.mktemp("chat_data"))
    return get_index(settings)


@pytest.fixture
def index(policy_index: object) -> RecordingIndex:
    return RecordingIndex(policy_index)


def _all_verbatim(ans: ChatAnswer) -> bool:
    return all(quote_in_corpus(c.quote, doc=c.doc) for c in ans.citations)


def _markers_map(ans: ChatAnswer) -> bool:
    marks = {int(n) for n in re.findall(r"\[(\d+)\]", ans.answer)}
    return bool(marks) and marks <= set(range(1, len(ans.citations) + 1))


# -- rewrite -----------------------------------------------------------------------------------


def test_rewrite_offline_swaps_the_elliptical_term() -> None:
    hist = [{"role": "user", "content": "面授项目最多几个学分？"}, {"role": "assistant", "content": "10学分"}]
    assert rewrite_offline("那远程的呢？", hist) == "远程项目最多几个学分？"
    assert (
        rewrite_offline("那北京市级的呢？", [{"role": "user", "content": "国家级项目举办后多久要反馈执行情况？"}])
        == "北京市级项目举办后多久要反馈执行情况？"
    )


def test_rewrite_offline_carries_topic_and_leaves_full_questions() -> None:
    hist = [{"role": "user", "content": "同行评议意见要写多少字？"}]
    out = rewrite_offline("还有别的要求吗？", hist)
    assert "同行评议" in out and "别的要求" in out
    assert rewrite_offline("理论授课教师需要什么职称？", hist) == "理论授课教师需要什么职称？"
    assert rewrite_offline("那远程的呢？", []) == "那远程的呢？"


def test_rewrite_offline_resolves_a_chain_of_follow_ups() -> None:
    hist = [
        {"role": "user", "content": "面授项目最多几个学分？"},
        {"role": "assistant", "content": "…"},
        {"role": "user", "content": "那远程的呢？"},
        {"role": "assistant", "content": "…"},
    ]
    assert (
        rewrite_offline("那面授的呢？", hist) == "面授项目最多几个学分？"
    )  # resolved against "远程项目…", not "那远程的呢？"


def test_rewrite_via_scripted_model(index: RecordingIndex, scripted_server) -> None:  # noqa: F811
    scripted_server.enqueue("远程项目最多几个学分？")
    scripted_server.default = echo_handler
    engine = ChatEngine(index, model=get_chat_model(scripted_server.settings()))
    ans = engine.ask("那远程的呢？", history=[{"role": "user", "content": "面授项目最多几个学分？"}])
    assert ans.standalone == "远程项目最多几个学分？"
    rewrite_prompt = scripted_server.chat_requests[0]["messages"][0]["content"]
    assert "面授项目最多几个学分？" in rewrite_prompt and "那远程的呢？" in rewrite_prompt
    assert index.queries[-1] == "远程项目最多几个学分？"


# -- offline answers and refusals ----------------------------------------------------------------


def test_offline_numeric_answer_is_extractive_and_cited(index: RecordingIndex) -> None:
    ans = ChatEngine(index).ask("面授项目最多可以授几个学分？")
    assert ans.mode == "extractive" and not ans.refused
    assert EXTRACTIVE_LABEL in ans.answer and "10学分" in norm(ans.answer)
    assert BJ25 in {c.doc for c in ans.citations}
    assert _markers_map(ans) and _all_verbatim(ans)
    assert "以上依据《" in ans.answer


def test_out_of_scope_is_refused_with_whom_to_ask(index: RecordingIndex) -> None:
    ans = ChatEngine(index).ask("明天北京天气怎么样？")
    assert ans.refused and ans.answer.startswith(NOT_FOUND)
    assert "63132231" in ans.answer and _all_verbatim(ans)
    prov = ChatEngine(index).ask("广东省的中医药继续教育项目怎么授学分？")
    assert prov.refused and "广东省继续医学教育委员会" in prov.answer and _all_verbatim(prov)


def test_adjacent_field_is_refused_but_its_cme_side_is_answered(index: RecordingIndex) -> None:
    """Regression: after the retriever learned character matching, 基金/规培 questions slipped past the gate."""
    assert ChatEngine(index).ask("怎么申请国家自然科学基金？").refused
    assert ChatEngine(index).ask("住院医师规范化培训结业考试考几科？").refused
    ans = ChatEngine(index).ask("住院医师规培人员的传染病防治培训学分怎么录入？")
    assert not ans.refused and ans.citations


def test_scope_words_pick_the_notice() -> None:
    assert wanted_scope("北京市级项目多久反馈执行情况？", None) == "beijing"
    assert wanted_scope("国家级项目多久反馈？", "北京市级") == "national"
    assert wanted_scope("多久反馈？", "北京市级") == "beijing"


# -- model answers and verification ------------------------------------------------------------


def _model(server, **kw):  # noqa: ANN001
    return get_chat_model(server.settings(**kw))


def test_model_answer_from_sources_is_accepted(index: RecordingIndex, scripted_server) -> None:  # noqa: F811
    scripted_server.default = echo_handler
    ans = ChatEngine(index, model=_model(scripted_server)).ask("远程项目学分上限是多少？")
    assert ans.mode == "scripted-model" and not ans.notices
    assert _markers_map(ans) and _all_verbatim(ans)
    system = scripted_server.chat_requests[-1]["messages"][0]["content"]
    assert "[1] 《" in system and "引用" in system


def test_model_answer_with_invented_quote_falls_back(index: RecordingIndex, scripted_server) -> None:  # noqa: F811
    scripted_server.enqueue("每个项目不超过12学分 [1]\n\n引用：\n[1] 「每个项目不超过12学分，远程项目不超过5学分」")
    ans = ChatEngine(index, model=_model(scripted_server)).ask("面授项目最多可以授几个学分？")
    assert ans.mode == "extractive" and EXTRACTIVE_LABEL in ans.answer
    assert any("未通过核验" in n for n in ans.notices)
    assert "12" not in ans.answer and _all_verbatim(ans)


def _changed_number(body: dict) -> str:
    system = body["messages"][0]["content"]
    n = next(
        m.group(1)
        for m in re.finditer(r"^\[(\d+)\] 《[^》]*》[^\n]*\n(.*?)(?=\n\n\[\d+\] 《|\Z)", system, re.S | re.M)
        if "不超过10学分" in m.group(2)
    )
    return f"每个项目不超过12学分。[{n}]\n\n引用：\n[{n}] 「每个项目**不超过10学分**」"


def test_model_answer_with_changed_number_falls_back(index: RecordingIndex, scripted_server) -> None:  # noqa: F811
    scripted_server.enqueue(_changed_number)
    ans = ChatEngine(index, model=_model(scripted_server)).ask("面授项目最多可以授几个学分？")
    assert ans.mode == "extractive"
    assert any("数字" in n for n in ans.notices)
    assert "10学分" in norm(ans.answer)


def test_model_failure_falls_back_with_notice(index: RecordingIndex, scripted_server) -> None:  # noqa: F811
    scripted_server.enqueue(Status(500), Status(500), Status(500))
    ans = ChatEngine(index, model=_model(scripted_server, llm_max_retries=0)).ask("同行评议意见至少写多少字？")
    assert ans.mode == "extractive" and ans.notices and "200" in ans.answer


def test_out_of_scope_never_reaches_the_model(index: RecordingIndex, scripted_server) -> None:  # noqa: F811
    scripted_server.default = echo_handler
    ans = ChatEngine(index, model=_model(scripted_server)).ask("高血压患者每天应该吃几片降压药？")
    assert ans.refused and scripted_server.chat_requests == []


# -- conversation -------------------------------------------------------------------------------


def test_conversation_of_several_turns_keeps_its_own_history(index: RecordingIndex) -> None:
    engine = ChatEngine(index)
    a1 = engine.ask("面授项目最多几个学分？")
    a2 = engine.ask("那远程的呢？")
    a3 = engine.ask("理论授课教师需要什么职称？")
    a4 = engine.ask("那实验教师呢？")
    a5 = engine.ask("会议注册费可以开增值税专用发票吗？")
    assert "10学分" in norm(a1.answer)
    assert a2.standalone == "远程项目最多几个学分？" and "3学分" in norm(a2.answer)
    assert "副高级" in a3.answer
    assert "实验" in a4.standalone and "中级" in a4.answer
    assert a5.refused
    assert len(engine.history) == 10 and engine.history[2] == {"role": "user", "content": "那远程的呢？"}


def test_explicit_history_does_not_touch_engine_history(index: RecordingIndex) -> None:
    engine = ChatEngine(index)
    ans = engine.ask("那远程的呢？", history=[{"role": "user", "content": "面授项目最多几个学分？"}])
    assert "3学分" in norm(ans.answer) and engine.history == []


# -- the current review ------------------------------------------------------------------------

ID = "110101199003071234"


def _report() -> Report:
    form = Form(level="北京市级", credits=12, total_hours=30, lead=Lead(name="张三", id_number=ID))
    credit = Finding(
        rule="credit-rate",
        severity="error",
        message="拟授学分 12 与教学总时长 30 小时不符（3 小时 = 1 学分，应为 10 学分）",
        fields=["credits"],
        fix="将拟授学分改为 10",
        source=Source(doc=BJ25, section="认真核对 10", quote="填报时注意学时学分匹配：**3小时1学分。"),
    )
    ident = Finding(
        rule="id-number",
        severity="error",
        message=f"身份证号码 {ID} 校验位不正确",
        fields=["lead.id_number"],
        fix="核对身份证号码",
    )
    peer = NarrativeCritique(
        chars=150, min_chars=200, score=40, issues=["未写明培训形式"], suggestions=["补充培训内容和形式，不少于200字"]
    )
    return Report(form=form, findings=[credit, ident], narratives={"peer_review": peer})


def test_report_question_uses_the_findings(index: RecordingIndex) -> None:
    ans = ChatEngine(index, report=_report()).ask("为什么说我的学分不对？")
    assert not ans.refused
    assert "应为 10 学分" in ans.answer and "将拟授学分改为 10" in ans.answer and "拟授学分：12" in ans.answer
    assert ans.citations[0].doc == BJ25 and "3小时1学分" in ans.citations[0].quote
    assert "身份证" not in ans.answer  # only the findings the question is about
    assert _markers_map(ans)


def test_report_question_uses_the_critique(index: RecordingIndex) -> None:
    ans = ChatEngine(index, report=_report()).ask("同行评议要怎么改？")
    assert "补充培训内容和形式" in ans.answer and "未写明培训形式" in ans.answer


def test_general_question_with_a_draft_loaded_answers_from_the_notices(index: RecordingIndex) -> None:
    """Regression: with a draft loaded, "远程项目最多几个学分？" used to lead with the draft's own findings."""
    ans = ChatEngine(index, report=_report()).ask("远程项目最多可以授予几个学分？")
    assert not ans.refused
    assert "关于您的申报书" not in ans.answer and "将拟授学分改为 10" not in ans.answer
    assert "3学分" in ans.answer.replace(" ", "")


def test_report_context_sent_to_model_is_masked(index: RecordingIndex, scripted_server) -> None:  # noqa: F811
    scripted_server.default = echo_handler
    ChatEngine(index, model=_model(scripted_server), report=_report()).ask("我的申报书有什么问题？")
    sent = json.dumps(scripted_server.chat_requests[-1], ensure_ascii=False)
    assert "校验位不正确" in sent and ID not in sent


# -- streaming ----------------------------------------------------------------------------------


def test_stream_offline_yields_the_answer_in_chunks(index: RecordingIndex) -> None:
    engine = ChatEngine(index)
    chunks = list(engine.stream("同行评议意见至少写多少字？"))
    assert len(chunks) > 2 and "".join(chunks) == engine.last_answer.answer
    assert engine.history[-1]["content"] == engine.last_answer.answer


def test_stream_model_tokens_then_verified_answer(index: RecordingIndex, scripted_server) -> None:  # noqa: F811
    scripted_server.default = echo_handler
    engine = ChatEngine(index, model=_model(scripted_server))
    chunks = list(engine.stream("远程项目学分上限是多少？"))
    assert len(chunks) > 5 and scripted_server.chat_requests[-1].get("stream") is True
    assert engine.last_answer.mode == "scripted-model" and _all_verbatim(engine.last_answer)
    assert engine.last_answer.answer.split("\n")[0] in "".join(chunks).replace("\n\n引用", "\n引用")


def test_stream_model_rejected_answer_ends_with_fallback(index: RecordingIndex, scripted_server) -> None:  # noqa: F811
    scripted_server.enqueue("每个项目不超过12学分 [1]\n\n引用：\n[1] 「每个项目不超过12学分」")
    engine = ChatEngine(index, model=_model(scripted_server))
    text = "".join(engine.stream("面授项目最多可以授几个学分？"))
    assert engine.last_answer.mode == "extractive" and "未通过核验" in text
    assert text.endswith(engine.last_answer.answer)


# -- CLI ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_cli_ask_json(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    from review.cli import app

    monkeypatch.setenv("CME_DATA_DIR", str(tmp_path / "data"))
    for var in ("CME_LLM_MODEL", "CME_LLM_BASE_URL", "CME_LLM_API_KEY", "OPENAI_API_KEY", "CME_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CME_CONFIG", str(tmp_path / "none.toml"))
    res = CliRunner().invoke(app, ["ask", "远程项目最多几个学分？", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert set(out) == {"answer", "citations", "mode"} and out["mode"] == "extractive"
    assert "3学分" in norm(out["answer"]) and out["citations"][0]["doc"]


# -- whole sentences, the fact first, loading ----------------------------------------------------

VERDICT_OR_LEVEL = re.compile(r"^(?:答：)?(?:可以。|不可以。|不建议。)?(?:国家级项目：|北京市级项目：)?")


def _direct_body(line: str) -> str:
    return re.sub(r"\s*\[\d+\]$", "", VERDICT_OR_LEVEL.sub("", line))


def test_no_answer_over_the_chat_set_quotes_a_fragment_or_repeats_a_line(policy_index: object) -> None:
    for row in load_set():
        ans = ChatEngine(policy_index).ask(row["question"], history=row.get("history") or [])
        h = hygiene(ans)
        assert h["fragments"] == [] and not h["repeated_line"], (row["id"], h)
        if not ans.refused:
            head = [ln for ln in ans.answer.splitlines() if ln.startswith(("答：", "北京市级项目："))]
            assert head, row["id"]
            for line in head:  # never invented: the direct answer is a span of a quoted sentence
                assert any(norm(_direct_body(line)) in norm(c.quote) for c in ans.citations), (row["id"], line)


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("讲者需要什么职称？", "副高级"),
        ("学会办的市级项目，一家单位最多能出多少授课老师？", "50%"),
        ("进修三个月给多少学分？", "25学分"),
        ("项目获批后授课老师名单能改多少？", "30%"),
        ("项目资料要保存多久？", "3年"),
    ],
)
def test_questions_the_notices_answer_are_not_refused(index: RecordingIndex, question: str, fact: str) -> None:
    """The false refusals of issue 16: colloquial words reach the notices' clause through the thesaurus."""
    ans = ChatEngine(index).ask(question)
    assert not ans.refused and _all_verbatim(ans)
    assert fact in norm(ans.answer.split(EXTRACTIVE_LABEL)[0]), ans.answer  # stated in the direct answer


def test_a_question_before_the_index_is_ready_says_so() -> None:
    class Loading:
        def is_loading(self) -> bool:
            return True

        def search(self, *args: object, **kw: object) -> list:
            raise AssertionError("searched while loading")

    engine = ChatEngine(Loading())
    ans = engine.ask("面授项目最多几个学分？")
    assert "政策索引正在加载" in ans.answer and ans.refused
    assert "政策索引正在加载" in "".join(engine.stream("远程项目呢？"))


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("我们科请了个大专家来讲四个钟头，这样排课可以吗？一个老师最多能讲多久啊", "3学时"),
        ("老师您好，想问下我们本院办班的话，讲课老师里头本院的人得占多少才行？", "50%"),
        ("班办完了以后，执行情况得多少天之内报上去？晚了会咋样", "2周内"),
        ("办班的那些材料，签到表啊日程啊，要留多长时间？档案室问我", "3年"),
        ("我去外院进修了整整三个月，这个能折多少学分啊", "25学分"),
    ],
)
def test_long_chatty_questions_are_answered(index: RecordingIndex, question: str, fact: str) -> None:
    """Chatter words that occur in no notice do not drag the gate below its threshold (eval/chat_staff_dev.jsonl)."""
    ans = ChatEngine(index).ask(question)
    assert not ans.refused, ans.answer
    assert _all_verbatim(ans) and fact in norm(ans.answer), ans.answer


@pytest.mark.parametrize(
    "question",
    [
        "帮我写个python脚本把学员名单excel转成csv",
        "糖尿病病人打胰岛素一天打几次比较好",
        "我们科小王今年规培结业，结业考试要考哪几门啊",
        "明天北京天气怎么样？",
    ],
)
def test_chatty_out_of_scope_questions_stay_refused(index: RecordingIndex, question: str) -> None:
    """Questions that share CME words (学员, 一天) but whose nouns no notice knows are refused (no hand list)."""
    assert ChatEngine(index).ask(question).refused


def test_the_gate_has_no_hand_list_of_subjects(policy_index: object) -> None:
    """Generic vocabulary and unknown nouns are computed from the corpus, not listed (issue 16)."""
    from review.chat import gate

    assert not hasattr(gate, "OFF_TOPICS")
    w = gate.Weights(gate.policy_dir_of(policy_index))
    assert w.generic("项目") and w.generic("继续医学教育")
    assert not w.generic("授课教师") and not w.generic("存档")
    q = "帮我写个python脚本把学员名单excel转成csv"
    assert {"python", "脚本"} <= set(gate.foreign_nouns(q, gate.aliases(q), w))
    q2 = "讲课老师要什么职称？"
    assert gate.foreign_nouns(q2, gate.aliases(q2), w) == []


def test_refusal_contact_is_found_by_content(tmp_path: Path) -> None:
    """The office phone line is read from the notices; a folder without one refuses without a made-up contact."""
    from review.chat.answer import contact_citation, province_citation, refusal

    (tmp_path / "a.txt").write_text("一、申报要求\n\n项目应按时申报。\n", encoding="utf-8")
    text, cites = refusal("明天天气怎么样？", tmp_path)
    assert text.startswith(NOT_FOUND) and cites == [] and "本单位继续教育管理部门" in text
    assert province_citation("广东", tmp_path) is None
    (tmp_path / "b.txt").write_text("问题咨询\n\n请向办公室咨询。\n\n电话：12345678\n", encoding="utf-8")
    office = contact_citation(tmp_path)
    assert office is not None and office.doc == "b.txt" and office.quote == "电话：12345678"
    assert quote_in_corpus(office.quote, tmp_path, doc="b.txt")


def test_chatter_absent_from_the_notices_is_not_scored(policy_index: object) -> None:
    """The gate scores only question words that occur in the corpus (or stand for a notice term via the thesaurus)."""
    from review.chat.gate import Weights, aliases, evidential, policy_dir_of, question_terms

    w = Weights(policy_dir_of(policy_index))
    q = "我们主任老念叨，请来的讲课老师最多能讲多久啊"
    kept = evidential(question_terms(q), aliases(q), w)
    assert "念叨" in question_terms(q) and "念叨" not in kept and "老师" in kept
    assert all(w.df(t) > 0 or any(t in a or a in t for a in aliases(q)) for t in kept)


def test_a_long_word_matches_with_short_insertions_but_short_words_do_not() -> None:
    """新项目 is found in 新申报项目 and 不超过 in 不得超过 (the gate's coverage); two-character words stay exact."""
    from review.chat.gate import term_hit

    assert term_hit("新项目", norm("项目负责人每年新申报项目不得超过 2 项"), {})
    assert term_hit("不超过", norm("不得超过 2 项"), {})
    assert not term_hit("不超过", norm("不得随意更改，确需超过的须报备"), {})  # more than two characters apart
    assert not term_hit("基金", norm("基层单位的资金"), {})


def test_a_condition_clause_takes_the_ruling_that_follows_it(policy_index: object) -> None:
    """The direct answer of "…的，不得…" keeps the consequence, not only the condition the question matches."""
    from review.chat.answer import direct_span
    from review.chat.gate import Weights, policy_dir_of

    w = Weights(policy_dir_of(policy_index))
    sentence = (
        "最近一个周期校验结论为暂缓校验或被撤销《医疗机构执业许可证》，或最近一个周期年检不合格或被注销法人身份，"
        "或单位名称不符合国家有关规定的，不得申报或备案国家级继续医学教育项目，相关单位应及时整改并向主管部门书面说明情况。"
    )
    span, _ = direct_span("医院校验被暂缓了，还能报项目吗", sentence, w)
    assert "暂缓校验" in span and "不得申报" in span


def test_a_heading_without_a_rule_ranks_below_the_rule(policy_index: object) -> None:
    """A slide heading sharing the question's words ("申报时间、项目书报送") does not outrank the dated rule."""
    from review.chat.answer import rank_sentences
    from review.chat.gate import Weights, policy_dir_of
    from review.retrieval.index import Passage

    w = Weights(policy_dir_of(policy_index))
    heading, rule = "申报时间、项目书报送", "纸质版申报书报送截止日期：11月26日。"
    text = f"{heading}\n{rule}"
    spans = [(0, len(heading), heading, "sent", ""), (len(heading) + 1, len(text), rule, "sent", "")]
    p = Passage(doc="x.txt", chunk_id="x#0", text=text, score=1.0, end=len(text), sentences=spans)
    ranked = rank_sentences("申报时间和项目书报送是哪天？", [p], "", w)  # more words shared with the heading
    assert ranked and ranked[0].text.startswith("纸质版申报书")


def test_a_count_in_a_measure_word_no_notice_states_is_refused() -> None:
    """多少钱 / 几篇: no notice states such a number, so the question is not the notices' to answer; a count the
    notices do state (学分) still passes the same check."""
    from review.chat.gate import Weights, relevance
    from review.config import POLICY_DIR
    from review.retrieval.index import Passage

    w = Weights(POLICY_DIR)
    assert w.counts_in("学分") and not w.counts_in("钱")
    fee = Passage(doc="x.txt", text="授课教师的讲课费按规定发放，不得以任何名义向学员收取费用。")
    ok, why = relevance("请外院专家讲课，讲课费一小时最多能给多少钱？", [fee], w)
    assert not ok and "钱" in why
    credits = Passage(doc="x.txt", text="每个项目不超过10学分，远程项目不超过3学分。")
    ok, _ = relevance("一个项目最多能给多少学分？", [credits], w)
    assert ok


def test_the_ranker_prefers_the_sentence_stating_the_asked_number(policy_index: object) -> None:
    """A how-many question: the sentence with a number in the asked unit and the asked kind of bound outranks
    one that shares more of the question's words but states no number."""
    from review.chat.answer import rank_sentences
    from review.chat.gate import Weights, policy_dir_of
    from review.retrieval.index import Passage

    w = Weights(policy_dir_of(policy_index))
    talk, rule = "远程项目的学分按照项目学分管理的有关规定授予并登记学分。", "每个远程项目最多不超过5学分。"
    text = f"{talk}\n{rule}"
    spans = [(0, len(talk), talk, "sent", ""), (len(talk) + 1, len(text), rule, "sent", "")]
    p = Passage(doc="x.txt", chunk_id="x#0", text=text, score=1.0, end=len(text), sentences=spans)
    ranked = rank_sentences("远程项目的学分最多能给几个学分？", [p], "", w)
    assert ranked and ranked[0].text == rule and ranked[0].score == 1.0 and ranked[1].score < 1.0


def test_the_ranker_file_matches_the_features_and_never_trains_on_held_out_sets() -> None:
    import pytest

    from eval import train_ranker
    from review.chat.answer import FEATURE_NAMES, ranker_weights

    assert len(ranker_weights()) == len(FEATURE_NAMES)
    with pytest.raises(SystemExit, match="held-out"):
        train_ranker.main(["--sets", "dev,blind5"])
