"""The labelled eval cases load and validate, cover every rule, and their fixture PDFs are what they claim."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest
import yaml
from pypdf import PdfReader

from eval.cases import CASES_DIR, STYLES, Case, deep_merge, gold_form, load_case, load_cases
from eval.make_fixtures import render_case
from review.form import Form

RULES_MD = Path(__file__).resolve().parents[2] / "shared" / "RULES.md"
CASES = load_cases()
BY_ID = {c.id: c for c in CASES}


def _rule_ids() -> set[str]:
    """The id hints in RULES.md (first column of each rule table)."""
    text = RULES_MD.read_text(encoding="utf-8") if RULES_MD.exists() else ""
    return {m.group(1) for m in re.finditer(r"^\| ([a-z][a-z-]+[a-z]) \|", text, re.M)} - {"id"}


def _text(path: Path) -> str:
    """All text of a PDF, as pdfplumber sees it."""
    with pdfplumber.open(path) as pdf:
        return "".join(page.extract_text() or "" for page in pdf.pages)


def test_enough_cases_in_every_style():
    counts = Counter(c.style for c in CASES)
    assert len(CASES) >= 44
    assert set(counts) == set(STYLES)
    clean = Counter(c.style for c in CASES if not c.expect)
    assert all(clean[s] >= 2 for s in STYLES), clean


def test_cases_validate_and_ids_match_files():
    for case in CASES:
        assert isinstance(case.form, Form)
        assert Form.model_validate(case.form.to_json_dict()) == case.form
        assert (CASES_DIR / f"{case.id}.yaml").exists()
        assert case.notes and "\n" not in case.notes


def test_every_rule_id_is_expected_somewhere():
    ids = _rule_ids()
    if not ids:
        pytest.skip("RULES.md not found beside the repo")
    assert len(ids) >= 40
    expected = {r for c in CASES for r in c.expect}
    assert ids - expected == set()
    assert expected - ids == set(), "expect lists an id not in RULES.md"


def test_clean_cases_are_complete_and_consistent():
    clean = [c for c in CASES if not c.expect]
    assert len(clean) >= 8
    for case in clean:
        f = case.form
        assert f.theory_hours + f.practice_hours == f.total_hours == sum(t.hours for t in f.teachers)
        assert f.credits == f.total_hours / 3
        assert f.lead.name in {t.name for t in f.teachers}
        assert f.signed is True and 8 <= len(f.teachers) <= 14
        assert all(v not in (None, "") for v in f.to_json_dict().values())


def test_base_merge_replaces_lists_and_merges_dicts():
    merged = deep_merge({"a": {"x": 1, "y": 2}, "l": [1, 2]}, {"a": {"y": 3}, "l": [9]})
    assert merged == {"a": {"x": 1, "y": 3}, "l": [9]}
    case = load_case("f-lead-employed")
    base = load_case(case.base)
    assert case.form.lead.employed is False and base.form.lead.employed is True
    assert case.form.peer_review == base.form.peer_review


def test_gold_form_nulls_hint_left_fields():
    case = BY_ID["f-hint-achievements"]
    assert case.form.achievements and gold_form(case).achievements is None
    assert gold_form(case).unit_profile == case.form.unit_profile


def test_max_projects_group_shares_one_lead():
    group = [c for c in CASES if "lead-max-projects" in c.expect]
    assert len(group) >= 3
    assert len({(c.form.lead.name, c.form.lead.id_number, c.form.level) for c in group}) == 1
    others = [c for c in CASES if c not in group]
    leads = Counter((c.form.lead.name, c.form.lead.id_number) for c in others)
    assert max(leads.values()) == 1, "a lead shared outside the max-projects group would fire that rule too"


def test_load_case_unknown_id_raises(tmp_path):
    (tmp_path / "x.yaml").write_text(yaml.safe_dump({"id": "x", "style": "printout", "base": "nope"}), "utf-8")
    with pytest.raises(ValueError):
        load_cases(tmp_path)
    with pytest.raises(KeyError):
        load_case("no-such-case")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture_opens(case: Case):
    assert case.pdf_path.exists(), "run: python -m eval.make_fixtures"
    assert len(PdfReader(case.pdf_path).pages) >= 1


@pytest.mark.parametrize("case", [c for c in CASES if c.style in ("word-table", "printout")], ids=lambda c: c.id)
def test_text_fixture_has_title(case: Case):
    text = re.sub(r"\s", "", _text(case.pdf_path))
    assert re.sub(r"\s", "", case.form.title) in text


@pytest.mark.parametrize("case", [c for c in CASES if c.style == "scan"], ids=lambda c: c.id)
def test_scan_has_no_text_layer(case: Case):
    assert _text(case.pdf_path).strip() == ""
    assert case.pdf_path.stat().st_size < 1_600_000


@pytest.mark.parametrize("case", [c for c in CASES if c.style == "fillable"], ids=lambda c: c.id)
def test_fillable_fields_round_trip(case: Case):
    fields = PdfReader(case.pdf_path).get_fields()
    assert fields["title"].get("/V") == case.form.title
    assert fields["lead.name"].get("/V") == case.form.lead.name
    assert fields["teachers.0.topic"].get("/V") == case.form.teachers[0].topic


def test_regenerating_reproduces_text(tmp_path):
    case = BY_ID["base-national-cardio"]
    fresh = render_case(case, tmp_path)
    assert _text(fresh) == _text(case.pdf_path)
    assert fresh.read_bytes() == case.pdf_path.read_bytes()


def test_word_table_teacher_table_breaks_across_pages():
    case = BY_ID["base-national-cardio"]
    with pdfplumber.open(case.pdf_path) as pdf:
        headers = sum(1 for p in pdf.pages if "讲授题目或实验内容" in (p.extract_text() or ""))
    assert headers >= 2
