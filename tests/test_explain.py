"""Finding explanations: the offline explainer, and the verified batched model explainer end to end."""

from __future__ import annotations

import copy
import json
import re

import pytest

from review.explain import explain_findings, fmt_value
from review.form import Form, Lead
from review.llm import ChatModel
from review.retrieval.corpus import quote_in_corpus
from review.retrieval.index import Passage
from review.rules.base import Finding
from review.rules.sources import BJ_ACCURATE, BJ_CREDIT_CAP, BJ_CREDIT_RATE, BJ_PEER
from tests.scripted_server import (
    Delay,
    Raw,
    Status,
    scripted_server_fixture,  # noqa: F401
)

RAW_ID = "110105197503151234"
RAW_PHONE = "13812345678"
BJ25 = "bj-2025-application-requirements.txt"
NAT24 = "national-2024-project-requirements.txt"


class FakeIndex:
    """A stand-in PolicyIndex returning a fixed verbatim passage (the real index is not the point here)."""

    def __init__(self) -> None:
        self.queries: list[str] = []
        self.policy_dir = None  # the bundled notices, like PolicyIndex with default settings

    def search(self, query, k=5, channel=None, docs=None):
        self.queries.append(query)
        text = "每个项目**不超过10学分**，**远程项目不超过3学分**，**教学时数为实际授课时数**"
        return [Passage(doc=BJ25, title="北京市", section=BJ_CREDIT_CAP.section, text=text, score=1.0)][:k]


def make_form() -> Form:
    return Form(
        title="心血管疾病诊疗新进展",
        level="北京市级",
        subject="临床内科学-心血管病学",
        mode="面授",
        credits=5,
        total_hours=12,
        enrollment=120,
        lead_phone=RAW_PHONE,
        lead=Lead(name="张三", id_number=RAW_ID, title="主任医师"),
        peer_review="本项目内容实用，推荐申报。",
    )


def make_findings() -> list[Finding]:
    return [
        Finding(
            rule="credit-rate",
            severity="error",
            title="学时与学分匹配",
            message="拟授学分 5 分与教学总时长 12 小时不符：按 3 小时 1 学分应为 4 学分。",
            fields=["credits", "total_hours"],
            found=5,
            fix="将拟授学分改为 4 分。",
            source=BJ_CREDIT_RATE,
        ),
        Finding(
            rule="peer-review-length",
            severity="error",
            title="同行评议意见字数",
            message="同行评议意见只有 12 字，要求不少于 200 字。",
            fields=["peer_review"],
            found=12,
            fix="补充推荐理由至 200 字以上，写明培训内容和形式。",
            source=BJ_PEER,
        ),
        Finding(
            rule="id-number",
            severity="warning",
            title="身份证号码",
            message=f"身份证号码 {RAW_ID} 的校验位不正确。",
            fields=["lead.id_number"],
            found=RAW_ID,
            fix="核对并改正身份证号码。",
            source=BJ_ACCURATE,
        ),
    ]


def good_answer() -> dict:
    return {
        "findings": [
            {
                "key": "F1",
                "explanation": "申报书填写拟授学分 5 分、教学总时长 12 小时。政策要求 3 小时 1 学分，应为 4 学分，否则系统无法提交。",
                "citations": [{"doc": BJ25, "section": "x", "quote": "填报时注意学时学分匹配：3小时1学分。"}],
                "fix": "将拟授学分改为 4 分。",
            },
            {
                "key": "F2",
                "explanation": "同行评议意见只有 12 字，政策要求推荐理由不少于 200 字，形式审查将不通过。",
                "citations": [{"doc": BJ25, "section": "y", "quote": "推荐理由字数不少于200字。"}],
                "fix": "请评议专家补充培训内容和形式。",
            },
            {
                "key": "F3",
                "explanation": "身份证号码校验位不正确，所填信息须准确，可能被退回。",
                "citations": [{"doc": BJ25, "section": "z", "quote": "对所填写信息的真实性、完整性和准确性负责"}],
                "fix": "核对并改正身份证号码。",
            },
        ]
    }


def run_model(server, *responses, **settings):
    server.enqueue(*responses)
    findings = make_findings()
    model = ChatModel(server.settings(llm_structured="json_schema", **settings))
    notices = explain_findings(findings, make_form(), FakeIndex(), model)
    return findings, notices, model


def assert_offline(f: Finding) -> None:
    assert f.explained_by == "offline" and f.verified is True
    assert fmt_value(f.found) in f.explanation and f.citations and f.citations[0].doc == f.source.doc


# --- offline ---------------------------------------------------------------------------------------


def test_offline_states_value_quotes_source_and_why():
    findings = make_findings()
    before = [f.model_dump(include={"rule", "severity", "message", "fix", "found"}) for f in findings]
    assert explain_findings(findings, make_form(), None) == []
    assert [f.model_dump(include={"rule", "severity", "message", "fix", "found"}) for f in findings] == before
    for f in findings:
        assert_offline(f)
        assert all(quote_in_corpus(c.quote, doc=c.doc) for c in f.citations)
    assert "北京市继续医学教育管理系统将无法提交" in findings[0].explanation
    assert "可能被退回" in findings[2].explanation
    assert "北京市 2025 年继续医学教育推荐项目申报具体要求" in findings[0].explanation
    assert "申报书中填写的值：5。" in findings[0].explanation


def test_offline_reads_the_configured_policy_folder(tmp_path):
    """Titles and verification follow the index's policy_dir (settings), not the bundled folder."""
    import shutil

    from review.config import POLICY_DIR

    folder = tmp_path / "notices"
    shutil.copytree(POLICY_DIR, folder)
    readme = folder / "README.md"
    old = next(line for line in readme.read_text(encoding="utf-8").splitlines() if line.startswith(f"| {BJ25} |"))
    readme.write_text(
        readme.read_text(encoding="utf-8").replace(old, f"| {BJ25} | 本地改名的申报通知 | x | 2025 | y |")
    )
    index = FakeIndex()
    index.policy_dir = folder
    findings = make_findings()
    explain_findings(findings, make_form(), index)
    assert "《本地改名的申报通知》" in findings[0].explanation
    assert findings[0].verified


def test_offline_without_source_cites_searched_passage_verbatim():
    f = Finding(rule="no-source", severity="advice", title="学分上限", message="远程项目学分偏高。", found=3.0)
    index = FakeIndex()
    explain_findings([f], Form(), index)
    assert index.queries and f.citations and f.citations[0].doc == BJ25
    assert quote_in_corpus(f.citations[0].quote, doc=BJ25) and "申报书中填写的值：3。" in f.explanation


def test_offline_drops_a_source_quote_not_in_the_corpus():
    f = Finding(
        rule="bad-source",
        severity="warning",
        message="x",
        found=None,
        source=BJ_PEER.model_copy(update={"quote": "这句话不在任何通知里"}),
    )
    explain_findings([f], Form(), None)
    assert f.citations == [] and "未填写或未能读取" in f.explanation


# --- model, end to end through ChatOpenAI → openai → HTTP → scripted server --------------------------


def test_model_good_batched_explanation_accepted(scripted_server):
    findings, notices, model = run_model(scripted_server, good_answer())
    assert notices == []
    assert len(scripted_server.chat_requests) == 1  # one batched call for all findings
    for f in findings:
        assert f.explained_by == "scripted-model" and f.verified is True
        assert all(quote_in_corpus(c.quote, doc=c.doc) for c in f.citations)
    assert findings[0].citations[0].section == BJ_CREDIT_RATE.section  # section comes from the passage
    assert "应为 4 学分" in findings[0].explanation
    assert model.usage["calls"] == 1 and model.usage["prompt_tokens"] > 0


def test_model_request_is_masked(scripted_server):
    run_model(scripted_server, good_answer())
    body = json.dumps(scripted_server.requests, ensure_ascii=False)
    assert RAW_ID not in body and RAW_PHONE not in body
    assert "110105********1234" in body and "F3" in body


def test_invented_quote_dropped_and_unverified(scripted_server):
    bad = good_answer()
    bad["findings"][0]["citations"][0]["quote"] = "每个项目最多授予20学分"
    findings, notices, _ = run_model(scripted_server, bad)
    f = findings[0]
    assert f.explained_by == "scripted-model" and f.verified is False
    assert f.citations[0].quote == BJ_CREDIT_RATE.quote  # the offline citation stands in
    assert any("未能在政策文件中逐字核实" in n for n in notices)
    assert findings[1].verified is True


def test_wrong_document_dropped(scripted_server):
    bad = good_answer()
    bad["findings"][1]["citations"][0]["doc"] = NAT24
    findings, notices, _ = run_model(scripted_server, bad)
    assert findings[1].verified is False and findings[1].citations[0].doc == BJ25 and notices


def test_changed_number_rejects_that_explanation(scripted_server):
    bad = good_answer()
    bad["findings"][0]["explanation"] = "申报书填写拟授学分 5 分，按规定应为 6.5 学分。"
    findings, notices, _ = run_model(scripted_server, bad)
    assert_offline(findings[0])
    assert "6.5" not in findings[0].explanation
    assert findings[1].explained_by == "scripted-model"
    assert any("无法在申报书或政策原文中核实的数字" in n and "credit-rate" in n for n in notices)


@pytest.mark.parametrize("change", ["drop", "add", "duplicate"])
def test_changed_finding_set_rejects_everything(scripted_server, change):
    bad = good_answer()
    if change == "drop":
        bad["findings"].pop()
    elif change == "add":
        bad["findings"].append({**copy.deepcopy(bad["findings"][0]), "key": "F4"})
    else:
        bad["findings"][2]["key"] = "F1"
    findings, notices, _ = run_model(scripted_server, bad)
    for f in findings:
        assert_offline(f)
    assert len(findings) == 3 and notices and "不一致" in notices[0]


def test_english_answer_rejected(scripted_server):
    bad = good_answer()
    bad["findings"][0]["explanation"] = "The credits (5) do not match the 12 hours; it should be 4 credits."
    bad["findings"][0]["fix"] = "Change the credits to 4."
    findings, notices, _ = run_model(scripted_server, bad)
    assert_offline(findings[0])
    assert any("不是中文" in n for n in notices)


@pytest.mark.parametrize(
    ("responses", "settings", "reason"),
    [
        ((Raw('{"findings": [{"key": "F1", '),), {}, "返回的 JSON 无法解析"),
        (({"findings": [{"key": "F1"}]},), {}, "返回内容不符合约定格式"),
        ((Delay(1.5, good_answer()),), {"llm_timeout": 0.3, "llm_max_retries": 0}, "超时"),
        ((Status(500),), {"llm_max_retries": 0}, "服务器错误（500）"),
    ],
)
def test_model_failure_keeps_offline_with_notice(scripted_server, responses, settings, reason):
    findings, notices, _ = run_model(scripted_server, *responses, **settings)
    for f in findings:
        assert_offline(f)
    assert notices == [f"模型调用失败（{reason}），已使用离线解释"]


def test_429_then_success_is_retried(scripted_server):
    findings, notices, _ = run_model(scripted_server, Status(429), good_answer(), llm_max_retries=2)
    assert notices == [] and all(f.explained_by == "scripted-model" for f in findings)
    assert len(scripted_server.chat_requests) == 2


def test_auto_mode_falls_back_when_json_schema_unsupported(scripted_server):
    scripted_server.enqueue(Status(400, "response_format json_schema not supported"), good_answer())
    findings = make_findings()
    model = ChatModel(scripted_server.settings(llm_structured="auto"))
    assert explain_findings(findings, make_form(), FakeIndex(), model) == []
    assert all(f.explained_by == "scripted-model" for f in findings) and model.method == "function_calling"
    assert "tools" in scripted_server.chat_requests[1]


def test_no_findings_makes_no_call(scripted_server):
    model = ChatModel(scripted_server.settings())
    assert explain_findings([], make_form(), FakeIndex(), model) == [] and scripted_server.requests == []


# --- the real policy index and the labelled eval drafts ----------------------------------------------


@pytest.fixture(scope="module")
def real_index(tmp_path_factory):
    """The real PolicyIndex over policy_docs/, embeddings from a scripted endpoint (no model weights)."""
    from review.retrieval import PolicyIndex
    from tests.scripted_server import ScriptedServer

    server = ScriptedServer().start()
    settings = server.settings(
        data_dir=tmp_path_factory.mktemp("idx"), embed_base_url=server.base_url, embed_model="scripted-embed"
    )
    index = PolicyIndex(settings)
    index.build()
    yield index
    server.stop()


def cite_first_passage(body: dict) -> dict:
    """A model that quotes the first sentence of each finding's last listed passage (a searched one), verbatim."""
    from review.explain import first_sentence

    user = body["messages"][-1]["content"]
    ctx = {
        m.group(1): (m.group(2), m.group(3)) for m in re.finditer(r"^\[(\d+)\] doc=(\S+) section=.*\n(.+)$", user, re.M)
    }
    out = []
    for m in re.finditer(r"^(F\d+) \|.*相关原文：((?:\[\d+\])+)$", user, re.M):
        doc, text = ctx[re.findall(r"\d+", m.group(2))[-1]]
        out.append(
            {
                "key": m.group(1),
                "explanation": "该项不符合申报要求，详见所引政策原文。",
                "citations": [{"doc": doc, "section": "", "quote": first_sentence(text)}],
                "fix": "按政策要求修改。",
            }
        )
    return {"findings": out}


def failing_cases():
    from eval.cases import load_cases
    from review.rules import run_rules

    return [(c, run_rules(c.form)) for c in load_cases() if c.expect][:6]


def test_model_with_real_index_quotes_verify(scripted_server, real_index):
    scripted_server.default = cite_first_passage
    cases = failing_cases()
    assert sum(len(f) for _, f in cases) >= 3
    for case, findings in cases:
        model = ChatModel(scripted_server.settings(llm_structured="json_schema"))
        notices = explain_findings(findings, case.form, real_index, model)
        assert notices == [], case.id
        for f in findings:
            assert f.explained_by == "scripted-model" and f.verified is True, (case.id, f.rule)
            assert all(quote_in_corpus(c.quote, doc=c.doc) for c in f.citations)


def test_offline_on_eval_drafts_cites_own_source_verbatim(real_index):
    from eval.bench_cost import explain_figures
    from eval.cases import load_cases

    fig = explain_figures(load_cases(), real_index)
    assert fig["findings"] > 20
    assert fig["citations_verbatim"] == fig["citations"] >= fig["findings"] * 0.95
    assert fig["own_source_share"] >= 0.95 and fig["value_stated_share"] == 1.0
