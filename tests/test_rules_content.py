"""Content and filling rules: one line per case (rule, variant, patch, fires)."""

from __future__ import annotations

import pytest

from tests.factories import PEER_REVIEW
from tests.rule_cases import Case, check_case, findings_of

SHORT = "该项目内容丰富，形式多样，同意推荐。"
CASES: list[Case] = [
    ("subject-valid", "national", {"subject": "中医内科学-心病"}, True),
    ("subject-valid", "national", {"subject": "中西医结合-心血管"}, True),
    ("subject-valid", "national", {"subject": "心血管病学"}, True),
    ("subject-valid", "beijing", {"subject": "临床内科-感染病学", "lead.specialty": "感染科"}, False),
    ("subject-valid", "national", {"subject": "眼、耳鼻喉科学-耳鼻咽喉科学", "lead.specialty": "耳鼻咽喉科"}, False),
    ("subject-valid", "national", {"subject": "医院感染（管理）学"}, False),
    (
        "infectious-double",
        "beijing",
        {"subject": "临床内科-感染病学", "infectious_training": True, "lead.specialty": "感染科"},
        True,
    ),
    ("infectious-double", "beijing", {"infectious_training": True}, False),
    (
        "infectious-double",
        "national",
        {"subject": "临床内科-感染病学", "infectious_training": True, "lead.specialty": "感染科"},
        False,
    ),  # Beijing only
    ("no-theme-meeting", "national", {"title": "第十届中西部地区生殖医学论坛"}, True),
    ("no-theme-meeting", "national", {"title": "2026年心血管病学术年会"}, True),
    ("no-theme-meeting", "national", {"title": "心血管介入论坛暨规范化诊疗培训班"}, False),
    ("venue", "national", {"events.0.venue": "香港会议展览中心"}, True),
    ("venue", "national", {"events.0.venue": "海南三亚某度假村"}, True),
    ("venue", "national", {"events.0.venue": "黄山风景区"}, True),
    ("venue", "national", {"events.0.venue": "上海市瑞金医院"}, False),
    ("no-commercial", "national", {"title": "辉瑞心血管进展学习班"}, True),
    ("no-commercial", "national", {"title": "泰能（注射用亚胺培南西司他丁钠）临床合理应用培训班"}, True),
    ("no-commercial", "national", {"title": "抗菌药物（含碳青霉烯类）临床合理应用培训班"}, False),
    ("no-commercial", "national", {"teachers.1.topic": "某某药业新药介绍"}, True),
    ("no-commercial", "national", {"peer_review": PEER_REVIEW.format(field="心血管") + "本项目由某公司赞助。"}, True),
    ("no-commercial", "national", {"unit_profile": "医院为北大医疗集团成员。" * 40}, False),
    ("peer-review-length", "national", {"peer_review": SHORT}, True),
    ("peer-review-length", "national", {"peer_review": "推荐理由（不少于 200 字）"}, False),  # hint text: not checked
    ("peer-review-length", "national", {"peer_review": "内容形式" * 60}, False),
    ("peer-review-content", "national", {"peer_review": "项目负责人水平很高，团队优秀。" * 20}, True),
    ("peer-review-content", "national", {}, False),
    ("peer-reviewer", "national", {"peer_reviewer.unit": "北京大学第三医院"}, True),
    ("peer-reviewer", "national", {"peer_reviewer.title": "主治医师"}, True),
    ("peer-reviewer", "national", {"peer_reviewer.title": "高级"}, True),
    ("peer-reviewer", "national", {"peer_reviewer.title": "副教授"}, False),
    ("achievements-length", "national", {"achievements": "从事临床工作二十年。" * 10}, True),
    ("achievements-length", "national", {"achievements": "甲" * 340}, False),
    ("unit-profile-length", "national", {"unit_profile": "本院是三甲医院。"}, True),
    ("unit-profile-length", "national", {"unit_profile": "本院历史悠久。" * 60}, True),  # topics missing (warning)
    ("unit-profile-length", "national", {"unit_profile": "组织架构经费场地师资政策" * 40}, False),
    ("signatures", "national", {"signed": False}, True),
    ("signatures", "national", {"signed": True}, False),
    ("fields-complete", "national", {"audience": ""}, True),
    ("fields-complete", "national", {"achievements": "（不少于300字）"}, True),
    ("fields-complete", "national", {"teachers.2.unit": None}, True),
    ("fields-complete", "national", {"lead.employed": False}, False),  # a value, not a blank
]


@pytest.mark.parametrize("rule_id,variant,patch,fires", CASES)
def test_content_rule(rule_id, variant, patch, fires):
    check_case(rule_id, variant, patch, fires)


def test_near_limit_is_advice_with_count():
    (f,) = findings_of("achievements-length", "national", {"achievements": "甲 " * 310})
    assert f.severity == "advice" and "310 字" in f.message


def test_short_peer_review_reports_count():
    (f,) = findings_of("peer-review-length", "national", {"peer_review": SHORT})
    assert f.severity == "error" and f"{len(SHORT)} 字" in f.message


def test_unit_profile_topics_is_warning():
    fs = findings_of("unit-profile-length", "national", {"unit_profile": "本院历史悠久。" * 60})
    assert [f.severity for f in fs] == ["warning"] and "经费支持" in fs[0].message
