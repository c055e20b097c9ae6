"""Narrative critique: each offline criterion can fail, labels order scores, the model path is verified."""

from __future__ import annotations

import pytest

from eval.critique_eval import form_of, load_items, measure
from review.critique import KINDS, PLACEHOLDER, build_prompt, check_rewrite, critique_narratives, critique_offline
from review.form import Form, HistoryYear, PeerReviewer
from review.llm import ChatModel
from tests.scripted_server import Raw, scripted_server_fixture  # noqa: F401

ITEMS = {i["id"]: i for i in load_items()}
TITLE = "急性缺血性脑卒中静脉溶栓与血管内取栓规范化培训班"
UNIT = "首都医科大学附属北京天坛医院"


def _crit(item_id: str, **ctx_over):
    item = ITEMS[item_id]
    item = {**item, "context": {**(item.get("context") or {}), **ctx_over}}
    return critique_offline(item["kind"], form_of(item))


def _criterion(c, name):
    return next(x for x in c.criteria if x.name == name)


# ---------------------------------------------------------------- offline criteria


def test_good_texts_pass_every_criterion():
    for item_id in ("pr-good-1", "ach-good-1", "up-good-1"):
        c = _crit(item_id)
        assert c.score == 100 and c.issues == [] and c.critiqued_by == "offline" and c.rewrite is None


@pytest.mark.parametrize("kind", KINDS)
def test_missing_narrative_scores_zero(kind):
    c = critique_offline(kind, Form())
    assert c.score == 0 and c.issues == ["未填写"] and c.chars == 0


def test_hint_only_text_is_unfilled():
    c = critique_offline("peer_review", Form(peer_review="推荐理由（不少于200字）。"))
    assert c.score == 0 and c.issues == ["未填写"]


def test_short_text_is_major_issue_and_caps_score():
    text = ITEMS["pr-good-1"]["text"][:150]
    c = critique_offline("peer_review", Form(title=TITLE, peer_review=text))
    assert c.chars < 200 and c.score <= 59
    assert any(i.startswith("字数不足") for i in c.issues)


def test_count_is_non_whitespace_and_near_minimum_warns():
    text = "甲" * 205 + " \n\t " * 10
    c = critique_offline("peer_review", Form(peer_review=text))
    assert c.chars == 205
    assert any("仅略高于" in i for i in c.issues) and _criterion(c, "字数").score < 20


def test_missing_element_named():
    text = ITEMS["pr-good-1"]["text"].replace("同意推荐申报国家级继续医学教育项目", "特此说明")
    c = critique_offline("peer_review", Form(title=TITLE, peer_review=text))
    assert any("推荐意见" in i for i in c.issues) and _criterion(c, "要素完整").score < 30


def test_boilerplate_and_repetition_cost_points():
    c = _crit("pr-poor-3")
    style = _criterion(c, "表述质量")
    assert style.score < 5 and any("套话" in i for i in c.issues) and any("重复" in i for i in c.issues)


def test_unsupported_superlative_flagged_only_without_evidence():
    base = ITEMS["ach-good-1"]["text"]
    bad = critique_offline("achievements", Form(title=TITLE, achievements=base + "学术水平国内领先。"))
    ok = critique_offline("achievements", Form(title=TITLE, achievements=base + "溶栓例数2023年居全市第一，国内领先。"))
    assert any("缺少依据" in i for i in bad.issues) and not any("缺少依据" in i for i in ok.issues)


def test_reviewer_from_applicant_unit():
    c = _crit("pr-good-1", reviewer_unit=UNIT)
    assert any("同行评议专家来自申报单位" in i for i in c.issues) and c.score < 100


def test_history_claim_inconsistent():
    c = _crit("ach-good-1", history_national_years=1)
    assert any("近三年申报执行情况表中国家级项目仅 1 年" in i for i in c.issues)
    assert not any("近三年" in i for i in _crit("ach-good-1").issues)


def test_commercial_mention_flagged_but_not_a_negation():
    c = _crit("up-poor-3")
    assert _criterion(c, "无商业宣传").score == 0 and any("企业" in i for i in c.issues)
    assert _criterion(_crit("up-good-1"), "无商业宣传").score == 10  # "无企业赞助" is not a mention


def test_off_topic_peer_review_flagged():
    c = _crit("pr-good-2", title="腹腔镜胆囊切除术并发症防治")
    assert any("未提及本项目主题" in i for i in c.issues)


def test_practice_hours_need_hands_on_in_peer_review():
    c = _crit("pr-mid-1", practice_hours=6)
    assert any("实践（技术示范）6 小时" in i for i in c.issues)


def test_unit_profile_must_name_unit():
    text = "医院重视继续医学教育，" * 40
    c = critique_offline("unit_profile", Form(applicant_unit=UNIT, unit_profile=text))
    assert any("未写明申报单位" in i for i in c.issues)


def test_suggestions_are_concrete():
    c = _crit("ach-poor-4")
    assert any("第一/通讯作者" in s for s in c.suggestions)


@pytest.mark.parametrize("kind", ["pr", "ach", "up"])
def test_good_beats_mediocre_beats_poor(kind):
    g, m, p = (_crit(f"{kind}-{lab}-1").score for lab in ("good", "mid", "poor"))
    assert g > m > p


def test_eval_rank_correlation_is_strong():
    res = measure()
    assert len(res["items"]) >= 36 and res["overall"]["spearman"] > 0.8
    assert all(res[k]["n"] >= 12 for k in KINDS)


# ---------------------------------------------------------------- rewrite check


def test_rewrite_invented_number_replaced_known_kept():
    form = Form(title=TITLE, history=[HistoryYear(year=2023, national=True)], achievements="发表论文12篇。")
    text, invented = check_rewrite(
        "2023年主办国家级项目，发表论文12篇，其中SCI论文8篇，近五年【请补充：基金数】项。", form.achievements, form
    )
    assert invented == ["8"] and PLACEHOLDER in text and "12篇" in text and "2023年" in text
    assert "【请补充：基金数】" in text and "近五年" in text


def test_rewrite_full_width_digits_checked():
    text, invented = check_rewrite("论文１２篇，基金３项。", "论文12篇。", Form())
    assert invented == ["３"] and "１２篇" in text and "，" in text


def test_rewrite_with_many_invented_numbers_rejected():
    text, invented = check_rewrite("论文11篇、基金22项、专利33项、奖励44项、学生55名、手术66例。", "", Form())
    assert text is None and len(invented) == 6


# ---------------------------------------------------------------- model path (scripted server)


def _form() -> Form:
    return Form(
        title=TITLE,
        mode="面授",
        practice_hours=6,
        applicant_unit=UNIT,
        peer_reviewer=PeerReviewer(unit="北京大学第一医院"),
        history=[HistoryYear(year=y, national=True) for y in (2021, 2022, 2023)],
        peer_review=ITEMS["pr-good-1"]["text"] + "联系电话13812345678。",
        achievements=ITEMS["ach-mid-1"]["text"],
        unit_profile=ITEMS["up-good-1"]["text"],
    )


def _answer(rewrite: str | None) -> dict:
    crit = [
        {"name": "要素完整", "score": 30, "max": 40, "note": "缺论文数量"},
        {"name": "字数", "score": 99, "max": 99, "note": "模型不应给字数打分"},
    ]
    one = {
        "score": 70,
        "criteria": crit,
        "issues": ["缺少论文和基金的具体数量"],
        "suggestions": ["补充近五年以第一/通讯作者发表论文数量及代表性论文"],
        "rewrite": rewrite,
    }
    return {"peer_review": {**one, "rewrite": None}, "achievements": one, "unit_profile": {**one, "rewrite": None}}


def test_model_answer_accepted_with_rewrite(scripted_server):
    model = ChatModel(scripted_server.settings(llm_structured="json_schema"))
    scripted_server.enqueue(_answer("负责人从事心血管内科工作，近五年发表论文【请补充：论文数】篇。"))
    out, notices = critique_narratives(_form(), model)
    assert notices == [] and len(scripted_server.chat_requests) == 1
    a = out["achievements"]
    assert a.critiqued_by == "scripted-model" and a.score == 59  # below 300 chars: capped by the offline score
    assert a.rewrite and "【请补充：论文数】" in a.rewrite
    assert (
        a.criteria[0].name == "字数"
        and a.criteria[0].max == 20
        and a.chars == critique_offline("achievements", _form()).chars
    )
    assert [c.name for c in a.criteria].count("字数") == 1 and "缺少论文和基金的具体数量" in a.issues
    sent = str(scripted_server.chat_requests[0]["messages"])
    assert "13812345678" not in sent and TITLE in sent


def test_model_rewrite_inventing_number_is_caught(scripted_server):
    model = ChatModel(scripted_server.settings(llm_structured="json_schema"))
    scripted_server.enqueue(_answer("负责人发表SCI论文37篇。"))
    out, notices = critique_narratives(_form(), model)
    assert "37" not in (out["achievements"].rewrite or "") and PLACEHOLDER in out["achievements"].rewrite
    assert any("37" in n and "占位符" in n for n in notices)


def test_malformed_model_json_falls_back_offline(scripted_server):
    model = ChatModel(scripted_server.settings(llm_structured="json_schema", llm_max_retries=0))
    scripted_server.enqueue(Raw("{not json"))
    out, notices = critique_narratives(_form(), model)
    assert all(c.critiqued_by == "offline" for c in out.values())
    assert out == {k: critique_offline(k, _form()) for k in KINDS}
    assert len(notices) == 1 and "离线规则点评" in notices[0]


def test_prompt_renders_all_three_narratives():
    system, user = build_prompt(_form())
    assert "不得编造" in system and "【同行评议意见】" in user and "【申报单位及科室基本情况】" in user
