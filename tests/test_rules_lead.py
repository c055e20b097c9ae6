"""Lead rules: one line per case (rule, variant, patch, fires)."""

from __future__ import annotations

import pytest

from tests.rule_cases import Case, check_case, findings_of

HIST_NONE = [{"year": 2024, "national": False, "provincial": False, "executed": None}]
HIST_UNEXEC = [
    {"year": 2024, "national": True, "provincial": False, "executed": False, "national_code": "2024-03-01-015"}
]

CASES: list[Case] = [
    ("lead-title", "national", {"lead.title": "主治医师"}, True),
    ("lead-title", "national", {"lead.title": "副教授"}, False),
    ("lead-title", "beijing", {"lead.title": "正高级 教授"}, False),
    ("lead-title", "national", {"lead.title": "主任医师、教授"}, False),
    ("lead-title", "national", {"lead.title": "高级"}, False),  # unrankable: title-specific, never a guess
    ("lead-employed", "national", {"lead.employed": False}, True),
    ("lead-employed", "beijing", {"lead.employed": True}, False),
    ("lead-at-unit", "national", {"lead.unit": "首都医科大学附属北京安贞医院"}, True),
    ("lead-at-unit", "national", {"lead.unit": "北京大学第三医院心血管内科"}, False),
    ("lead-at-unit", "national", {"lead.unit": "北医三院"}, False),  # abbreviation: unit-full-name's job
    ("lead-at-unit", "association", {}, False),
    ("lead-teaches", "national", {"teachers.0.name": "孙丽"}, True),
    ("lead-teaches", "national", {"teachers.0.name": "张 伟"}, False),
    ("lead-prior-project", "national", {"history": HIST_NONE}, True),
    ("lead-prior-project", "national", {"history": HIST_UNEXEC}, True),
    ("lead-prior-project", "beijing", {"history": HIST_NONE}, False),  # national only
    ("lead-prior-project", "national", {}, False),
    ("lead-history-consistent", "national", {"history.0.national_code": "2023-3-1-15"}, True),
    ("lead-history-consistent", "national", {"history.0.national_code": None}, True),
    ("lead-history-consistent", "national", {"history.0.executed": None}, True),
    ("lead-history-consistent", "national", {"history": HIST_UNEXEC}, True),
    ("lead-history-consistent", "national", {"history.1.provincial": False}, True),  # code without tick
    ("lead-history-consistent", "national", {"history.0.national_code": "2022-03-01-015"}, True),
    ("lead-history-consistent", "national", {"history.0.national_code": "2023-03-01-015(国)"}, False),
    ("lead-history-consistent", "national", {}, False),
    ("lead-specialty-match", "national", {"lead.specialty": "神经外科"}, True),
    ("lead-specialty-match", "national", {"lead.specialty": "心血管病学"}, False),
    ("lead-specialty-match", "beijing", {"lead.specialty": "骨外科"}, False),
    ("id-number", "national", {"lead.id_number": "110108197503120018"}, True),  # check digit
    ("id-number", "national", {"lead.birth": "1976-03"}, True),
    ("id-number", "national", {"lead.sex": "女"}, True),
    ("id-number", "national", {"lead.id_number": "11010819750312001"}, True),  # 17 digits
    ("id-number", "national", {"lead.id_number": "110108197502300015"}, True),  # 30 February
    ("id-number", "national", {"lead.birth": "1975年3月"}, False),
    (
        "id-number",
        "national",
        {"lead.id_number": "110105198007150028", "lead.birth": "1980-07", "lead.sex": "女"},
        False,
    ),
]


@pytest.mark.parametrize("rule_id,variant,patch,fires", CASES)
def test_lead_rule(rule_id, variant, patch, fires):
    check_case(rule_id, variant, patch, fires)


def test_id_number_message_names_expected_check_digit():
    (f,) = findings_of("id-number", "national", {"lead.id_number": "110108197503120018"})
    assert "校验位应为 7" in f.message


def test_lead_title_missing_is_not_checked_advice_not_error():
    from review.rules import get_rule, run_rules
    from tests.factories import make

    fs = run_rules(make("national", {"lead.title": None}))
    assert not [f for f in fs if f.rule == "lead-title"]  # folded into the one not-read advice
    adv = [f for f in fs if f.not_checked]
    assert len(adv) == 1 and adv[0].severity == "advice" and get_rule("lead-title").title in adv[0].message
    assert "未能进行" in adv[0].message and "项目负责人职称" in adv[0].message
