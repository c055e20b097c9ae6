"""Enrollment rules: one line per case (rule, variant, patch, fires)."""

from __future__ import annotations

import pytest

from tests.rule_cases import Case, check_case

SKILLS = {"title": "腹腔镜缝合实操训练班", "theory_hours": 6, "practice_hours": 12}
CASES: list[Case] = [
    ("enrollment-cap", "national", {"enrollment": 1200}, True),
    ("enrollment-cap", "national", {"enrollment": 1000}, False),
    ("enrollment-cap", "remote", {"enrollment": 3000}, False),
    ("enrollment-range", "national", {"enrollment": 30}, True),
    ("enrollment-range", "remote", {"enrollment": 3000}, True),
    ("enrollment-range", "national", {"enrollment": 30, **SKILLS}, False),
    ("enrollment-range", "national", {"enrollment": 50}, False),
    ("enrollment-range", "national", {"enrollment": 1200}, True),
    ("enrollment-range", "national", {"enrollment": 1000}, False),
    ("out-of-province", "national", {"out_of_province_pct": 5}, True),
    ("out-of-province", "beijing", {"out_of_province_pct": 0, "grassroots_pct": 8}, True),
    ("out-of-province", "beijing", {"out_of_province_pct": 4, "grassroots_pct": 6}, False),
    ("out-of-province", "national", {"out_of_province_pct": 10, "grassroots_pct": 0}, False),
    ("jjj-enrollment", "jjj", {"enrollment": 80}, True),
    ("jjj-enrollment", "jjj", {"enrollment": 80, **SKILLS}, False),
    # regression (outside drafts): "技能" in the title does not make a mostly-lecture course 实操训练类
    ("jjj-enrollment", "jjj", {"enrollment": 80, "title": "社区慢病随访与血糖监测技能提升班"}, True),
    ("jjj-enrollment", "beijing", {"enrollment": 80}, False),
    ("jjj-level", "national", {"jjj": True}, True),
    ("jjj-level", "jjj", {}, False),
    ("percent-valid", "national", {"out_of_province_pct": 120}, True),
    ("percent-valid", "national", {"grassroots_pct": -5}, True),
    ("percent-valid", "national", {"grassroots_pct": 100}, False),
]


@pytest.mark.parametrize("rule_id,variant,patch,fires", CASES)
def test_enrollment_rule(rule_id, variant, patch, fires):
    check_case(rule_id, variant, patch, fires)
