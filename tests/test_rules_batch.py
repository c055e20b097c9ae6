"""Batch rules: a lead's project count per level, one project from two units."""

from __future__ import annotations

from review.rules.batch import run_batch_rules, title_key
from tests.factories import make


def _rules(out, draft):
    return [f.rule for f in out[draft]]


def test_three_national_drafts_by_one_lead_are_errors_on_each():
    items = [(f"d{i}", make("national", {"title": f"项目{i}学习班"})) for i in range(3)]
    out = run_batch_rules(items)
    assert all(_rules(out, d) == ["lead-max-projects"] for d, _ in items)
    assert out["d0"][0].severity == "error" and "3 项" in out["d0"][0].message


def test_two_per_level_is_fine():
    items = [
        ("a", make("national", {"title": "甲学习班"})),
        ("b", make("national", {"title": "乙学习班"})),
        ("c", make("beijing", {"title": "丙学习班"})),
    ]
    assert all(v == [] for v in run_batch_rules(items).values())


def test_lead_matched_by_name_and_unit_without_id():
    items = [(f"d{i}", make("beijing", {"title": f"课程{i}班", "lead.id_number": None})) for i in range(3)]
    assert _rules(run_batch_rules(items), "d2") == ["lead-max-projects"]


def test_same_title_from_two_units_is_duplicate():
    a = make("national")
    b = make(
        "national",
        {
            "applicant_unit": "北京协和医院",
            "lead.name": "周敏",
            "lead.unit": "北京协和医院",
            "lead.id_number": "110105198007150028",
            "title": "急性心肌梗死规范化诊疗进展 学习班",
        },
    )
    out = run_batch_rules([("a", a), ("b", b)])
    assert _rules(out, "a") == ["duplicate-project"] and _rules(out, "b") == ["duplicate-project"]
    assert "北京协和医院" in out["a"][0].message


def test_same_title_same_unit_is_not_duplicate():
    out = run_batch_rules([("a", make("national")), ("b", make("national"))])
    assert all(v == [] for v in out.values())


def test_title_key_ignores_years_and_editions():
    assert title_key("2026年第十届 心血管论坛") == title_key("心血管论坛")
