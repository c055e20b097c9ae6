"""The engine: catalogue, clean forms, sources verbatim, scopes, evidence, crash safety, coverage of the tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from review.form import Evidence, Form
from review.rules import ALL_RULES, get_rule, run_rules
from review.rules.base import SEVERITY_ORDER, Rule
from tests import test_rules_content, test_rules_enrollment, test_rules_hours, test_rules_lead, test_rules_teachers
from tests.factories import VARIANTS, clean_form, make

POLICY = Path(__file__).resolve().parents[1] / "policy_docs"
RULES_MD_IDS = (
    "lead-title lead-employed lead-at-unit lead-teaches lead-prior-project lead-history-consistent lead-max-projects "
    "title-specific lead-specialty-match achievements-length id-number theory-teacher-title practice-teacher-title "
    "own-unit-share association-share clinical-mid-share nursing-mid-share teacher-theory-hours unit-full-name "
    "hours-sum credit-rate credit-cap credit-per-day sessions-cap deadline enrollment-cap enrollment-range "
    "out-of-province jjj-enrollment percent-valid subject-valid infectious-double no-theme-meeting venue no-commercial "
    "peer-review-length peer-review-content peer-reviewer unit-profile-length signatures fields-complete"
).split()
ALL_CASES = (
    test_rules_lead.CASES
    + test_rules_teachers.CASES
    + test_rules_hours.CASES
    + test_rules_enrollment.CASES
    + test_rules_content.CASES
)


def _ws(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_rules_md_id_is_declared_once():
    ids = [r.id for r in ALL_RULES]
    assert len(ids) == len(set(ids))
    assert set(RULES_MD_IDS) <= set(ids)


@pytest.mark.parametrize("r", ALL_RULES, ids=lambda r: r.id)
def test_rule_entry_is_complete(r: Rule):
    assert r.title and r.sources and r.severity in SEVERITY_ORDER
    assert r.scope in ("all", "national", "beijing", "jjj")
    assert get_rule(r.id) is r


@pytest.mark.parametrize(
    "doc,quote",
    sorted({(s.doc, s.quote) for r in ALL_RULES for s in r.sources}),
)
def test_source_quote_is_verbatim_in_policy_file(doc, quote):
    assert _ws(quote) in _ws((POLICY / doc).read_text(encoding="utf-8"))


def test_every_single_draft_rule_has_a_firing_and_a_silent_case():
    fires = {(c[0], c[3]) for c in ALL_CASES}
    for r in ALL_RULES:
        if not r.batch:
            assert (r.id, True) in fires and (r.id, False) in fires, r.id


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_clean_variant_has_zero_findings(variant):
    assert [f.message for f in run_rules(make(variant))] == []


def test_clean_form_factory_levels_and_overrides():
    assert clean_form().level == "国家级" and clean_form("北京市级").level == "北京市级"
    assert clean_form(lead__title="主治医师").lead.title == "主治医师"


def test_empty_form_never_crashes_and_has_no_false_errors():
    fs = run_rules(Form())
    assert fs
    errors = {f.rule for f in fs if f.severity == "error"}
    assert errors == {"fields-complete"}
    assert all(f.not_checked for f in fs if f.severity == "advice")


def test_scopes_follow_level_and_jjj():
    nat = {f.rule for f in run_rules(make("national", {"teachers.1.hours": 4, "teachers.3.hours": 2}))}
    bj = {f.rule for f in run_rules(make("beijing", {"teachers.1.hours": 4, "teachers.3.hours": 2}))}
    assert "teacher-theory-hours" in nat and "teacher-theory-hours" not in bj


def test_sorted_by_severity_then_rule():
    fs = run_rules(make("national", {"credits": 12, "enrollment": 1500, "peer_review": "同意。" * 70}))
    keys = [(SEVERITY_ORDER[f.severity], f.rule) for f in fs]
    assert keys == sorted(keys) and len({f.severity for f in fs}) >= 2


def test_evidence_is_copied_by_field_path():
    ev = Evidence(page=2, bbox=(1, 2, 3, 4), raw="8", source="table")
    (f,) = [f for f in run_rules(make("national", {"credits": 8}), {"credits": ev}) if f.rule == "credit-rate"]
    assert f.evidence == [ev]


def test_finding_carries_rule_metadata():
    (f,) = [f for f in run_rules(make("national", {"credits": 8})) if f.rule == "credit-rate"]
    r = get_rule("credit-rate")
    assert f.title == r.title and f.source == r.sources[0] and f.severity == "error"


def test_rule_that_raises_becomes_advice(monkeypatch):
    import review.rules as engine

    def boom(form):
        raise ValueError("bad")

    broken = Rule(
        id="credit-rate",
        title="学时学分",
        severity="error",
        scope="all",
        sources=get_rule("credit-rate").sources,
        check=boom,
    )
    monkeypatch.setattr(engine, "ALL_RULES", [broken])
    (f,) = engine.run_rules(make("national"))
    assert f.severity == "advice" and f.not_checked and "规则 credit-rate" in f.message and "无法检查" in f.message


def test_batch_rules_are_catalogued_but_skipped():
    assert get_rule("lead-max-projects").batch and get_rule("duplicate-project").batch
    assert all(f.rule not in ("lead-max-projects", "duplicate-project") for f in run_rules(Form()))
