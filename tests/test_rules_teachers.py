"""Teacher rules: one line per case (rule, variant, patch, fires)."""

from __future__ import annotations

import pytest

from tests.rule_cases import Case, check_case, findings_of

MID = "主治医师"
CASES: list[Case] = [
    ("title-specific", "national", {"lead.title": "高级"}, True),
    ("title-specific", "national", {"teachers.1.title": "科主任"}, True),
    ("title-specific", "national", {"teachers.1.title": "博士"}, True),
    ("title-specific", "beijing", {"teachers.2.title": "正高"}, True),
    ("title-specific", "national", {"teachers.1.title": "副主任医师（副教授）"}, False),
    ("title-specific", "nursing", {"lead.title": "主任护师（博士）"}, True),  # degree mixed in
    ("title-specific", "national", {"lead.title": "主任医师、科主任"}, True),  # post mixed in
    ("lead-title", "national", {"lead.title": "主任医师、科主任"}, False),  # still ranked senior
    ("title-specific", "national", {"teachers.1.title": "正高级 教授"}, False),
    ("theory-teacher-title", "national", {"teachers.1.title": MID}, True),
    ("theory-teacher-title", "national", {"teachers.1.title": "住院医师"}, True),
    ("theory-teacher-title", "nursing", {"teachers.2.title": "主管护师"}, False),  # nursing exception (≤40%)
    (
        "theory-teacher-title",
        "national",
        {"teachers.1.title": "主管护师", "subject": "护理学-内科护理学", "lead.specialty": "内科护理"},
        True,
    ),  # exception is 北京市级 only
    ("theory-teacher-title", "national", {"teachers.4.title": MID}, False),  # practice row
    ("practice-teacher-title", "national", {"teachers.4.title": "住院医师"}, True),
    (
        "practice-teacher-title",
        "national",
        {"teachers.5.title": "护士", "teachers.5.kind": None},
        True,
    ),  # kind from method
    ("practice-teacher-title", "national", {"teachers.4.title": "主管技师"}, False),
    ("own-unit-share", "national", {"teachers.1.unit": "北京协和医院", "teachers.3.unit": "北京医院"}, True),
    ("own-unit-share", "national", {"teachers.1.unit": "北京协和医院"}, False),  # 3 of 6 = 50%
    ("own-unit-share", "national", {"teachers.1.unit": "北医三院"}, False),  # abbreviation counted as own unit
    ("own-unit-share", "association", {}, False),
    ("association-share", "association", {"teachers.3.unit": "北京大学第三医院"}, True),  # 4 of 6
    ("association-share", "association", {"teachers.5.unit": "北京医院"}, False),
    (
        "association-share",
        "national",
        {"unit_type": "学（协）会", "applicant_unit": "中华医学会", "teachers.3.unit": "北京大学第三医院"},
        False,
    ),  # Beijing only
    ("clinical-mid-share", "beijing", {"title": "骨科手术操作技能培训班", "teachers.5.title": MID}, True),  # 2/6 = 33%
    ("clinical-mid-share", "beijing", {"title": "骨科手术操作技能培训班"}, False),  # 1 of 6 = 17%
    ("clinical-mid-share", "beijing", {"teachers.5.title": MID}, False),  # not a skills project
    # regression (outside drafts): "技能" in the title with a third of the hours practice is no 临床技能项目
    ("clinical-mid-share", "beijing", {"title": "社区慢病随访与血糖监测技能提升班", "teachers.5.title": MID}, False),
    (
        "clinical-mid-share",
        "beijing",
        {"title": "社区慢病随访与血糖监测技能提升班", "teachers.5.title": MID, "theory_hours": 6, "practice_hours": 12},
        True,
    ),  # the same course with most hours practice is one
    ("clinical-mid-share", "beijing", {"title": "内镜临床技能提高班", "teachers.5.title": MID}, True),  # named so
    (
        "clinical-mid-share",
        "beijing",
        {"title": "骨科手术操作技能培训班", "practice_hours": 0, "theory_hours": 18},
        False,
    ),
    ("nursing-mid-share", "nursing", {"teachers.5.title": "主管护师"}, True),  # 3 of 6 = 50%
    ("nursing-mid-share", "nursing", {}, False),
    ("nursing-mid-share", "beijing", {"teachers.5.title": "主管护师"}, False),  # not a nursing project
    ("teacher-theory-hours", "national", {"teachers.1.hours": 4, "teachers.3.hours": 2}, True),
    ("teacher-theory-hours", "national", {"teachers.1.name": "张伟"}, True),  # 6 hours over two rows
    (
        "teacher-theory-hours",
        "national",
        {"teachers.1.hours": 4, "teachers.3.hours": 2, "teachers.1.method": "指导带教"},
        False,
    ),
    ("teacher-theory-hours", "beijing", {"teachers.1.hours": 4, "teachers.3.hours": 2}, False),  # national only
    ("unit-full-name", "national", {"teachers.2.unit": "安贞医院"}, True),
    ("unit-full-name", "national", {"peer_reviewer.unit": "301"}, True),
    ("unit-full-name", "national", {"lead.unit": "北医三院"}, True),
    ("unit-full-name", "national", {"teachers.2.unit": "市一"}, True),  # no unit word at all
    ("unit-full-name", "national", {"teachers.2.unit": "北京协和医院"}, False),
    ("unit-full-name", "national", {"teachers.2.unit": "北京大学人民医院"}, False),
]


@pytest.mark.parametrize("rule_id,variant,patch,fires", CASES)
def test_teacher_rule(rule_id, variant, patch, fires):
    check_case(rule_id, variant, patch, fires)


def test_unit_full_name_suggests_standard_name():
    (f,) = findings_of("unit-full-name", "national", {"teachers.2.unit": "北医三院"})
    assert f.fixed_value == "北京大学第三医院" and f.fields == ["teachers.2.unit"]


def test_own_unit_share_reports_counts():
    (f,) = findings_of("own-unit-share", "national", {"teachers.1.unit": "北京协和医院", "teachers.3.unit": "北京医院"})
    assert "2 人" in f.message and "共 6 人" in f.message and f.found == 33.3
