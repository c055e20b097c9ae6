"""Hours, credits and sessions rules: one line per case (rule, variant, patch, fires)."""

from __future__ import annotations

import pytest

from tests.rule_cases import Case, check_case, findings_of

EV = {"start": "2026-06-01", "end": "2026-06-01", "days": 1, "venue": "北京大学第三医院"}
CASES: list[Case] = [
    ("hours-sum", "national", {"theory_hours": 10}, True),
    ("hours-sum", "national", {"teachers.0.hours": 2}, True),
    ("hours-sum", "national", {"teachers.0.kind": "practice"}, True),  # per-kind sums disagree
    ("hours-sum", "national", {"total_hours": 18.0}, False),
    ("credit-rate", "national", {"credits": 8}, True),
    ("credit-rate", "national", {"credits": 5}, True),
    (
        "credit-rate",
        "national",
        {"total_hours": 16, "theory_hours": 10, "teachers.3.hours": 1, "credits": 5},
        False,
    ),  # 16/3 = 5.33 → 5 (rounded down to 0.5)
    ("credit-rate", "national", {"total_hours": 16, "theory_hours": 10, "teachers.3.hours": 1, "credits": 5.5}, True),
    ("credit-rate", "remote", {}, False),
    ("credit-cap", "national", {"credits": 12, "total_hours": 36}, True),
    ("credit-cap", "remote", {"credits": 4, "total_hours": 12}, True),
    ("credit-cap", "national", {"credits": 10, "total_hours": 30}, False),
    ("credit-per-day", "national", {"events.0.days": 2, "events.0.end": "2026-05-09"}, True),
    ("credit-per-day", "national", {"events.0.days": None}, False),  # 3 days from the dates
    ("credit-per-day", "national", {"events.0.days": None, "events.0.end": "2026-05-08"}, True),
    ("credit-per-day", "remote", {}, False),
    ("sessions-cap", "national", {"sessions": 7, "events": [EV] * 7}, True),
    ("sessions-cap", "national", {"sessions": 6, "events": [EV] * 6}, False),
    ("sessions-events", "national", {"sessions": 2}, True),
    ("sessions-events", "national", {"events.0.venue": ""}, True),
    ("sessions-events", "national", {"sessions": 2, "events.+": EV}, False),
    ("deadline", "national", {"events.0.start": "2026-12-26", "events.0.end": "2026-12-28"}, True),
    ("deadline", "national", {"events.0.start": "2026-12-23", "events.0.end": "2026年12月25日"}, False),
    ("deadline", "beijing", {"events.0.start": "2026-12-30", "events.0.end": None, "events.0.days": 1}, True),
]


@pytest.mark.parametrize("rule_id,variant,patch,fires", CASES)
def test_hours_rule(rule_id, variant, patch, fires):
    check_case(rule_id, variant, patch, fires)


def test_credit_rate_message_and_fixed_value():
    (f,) = findings_of("credit-rate", "national", {"credits": 8})
    assert f.message == "拟授学分 8 与教学总时长 18 小时不符：按 3 小时 1 学分应为 6 学分"
    assert f.fixed_value == 6 and f.found == 8


def test_missing_credits_is_one_error_and_one_grouped_advice():
    from review.rules import get_rule, run_rules
    from tests.factories import make

    fs = run_rules(make("national", {"credits": None}))
    assert [f.rule for f in fs if f.severity == "error"] == ["fields-complete"]
    adv = [f for f in fs if f.severity == "advice"]
    assert len(adv) == 1 and adv[0].not_checked and adv[0].rule == "fields-complete"
    titles = [get_rule(r).title for r in ("credit-rate", "credit-cap", "credit-per-day")]
    assert all(t in adv[0].message for t in titles) and "「拟授学分」未填写" in adv[0].message
    assert adv[0].fields == ["credits"]  # credits has its error already (no evidence: the form is taken as read)
