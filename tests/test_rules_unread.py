"""'Not filled' vs 'not read': fields-complete errors only for labels seen empty; one grouped not-read advice."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review.form import Evidence, Form
from review.rules import ALL_RULES, run_rules
from review.rules.base import Finding
from tests.factories import VARIANTS, make


def leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf values of a form dict by dotted path."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(leaves(v, f"{prefix}.{k}" if prefix else k))
        return out
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(leaves(v, f"{prefix}.{i}"))
        return out
    return {prefix: value}


def evidence_of(form: Form, raw: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> dict[str, Evidence]:
    """Evidence as an extractor that saw every label would give it; `drop` removes paths (and paths under them)."""
    ev = {k: Evidence(page=1, raw="" if v is None else str(v)) for k, v in leaves(form.to_json_dict()).items()}
    for k, v in (raw or {}).items():
        ev[k] = Evidence(page=1, raw=v)
    return {k: e for k, e in ev.items() if not any(k == d or k.startswith(d + ".") for d in drop)}


def errors(fs: list[Finding]) -> list[Finding]:
    return [f for f in fs if f.severity == "error"]


def not_read(fs: list[Finding]) -> list[Finding]:
    return [f for f in fs if f.not_checked]


# (case, patch, evidence raw overrides, dropped evidence paths, fields-complete error?, unread paths in the advice)
CASES = [
    ("label seen, value empty", {"audience": None}, {"audience": ""}, (), True, []),
    ("label seen, placeholder", {"lead_phone": None}, {"lead_phone": "____"}, (), True, []),
    ("label seen, hint only", {"achievements": None}, {"achievements": "（不少于300字）"}, (), True, []),
    ("label never seen", {"audience": None}, {}, ("audience",), False, ["audience"]),
    ("narrative label never seen", {"achievements": None}, {}, ("achievements",), False, ["achievements"]),
    ("value seen, not typed", {"enrollment": None}, {"enrollment": "约一百余人"}, (), False, ["enrollment"]),
    ("lead field never seen", {"lead.id_number": None}, {}, ("lead.id_number",), False, ["lead.id_number"]),
    ("teacher table never seen", {"teachers": None}, {}, ("teachers",), False, ["teachers"]),
    ("events never seen", {"events": None}, {}, ("events",), False, ["events"]),
]


@pytest.mark.parametrize("name,patch,raw,drop,is_error,unread", CASES, ids=[c[0] for c in CASES])
def test_fields_complete_tells_not_filled_from_not_read(name, patch, raw, drop, is_error, unread):
    form = make("national", patch)
    fs = run_rules(form, evidence_of(form, raw, drop))
    fc_errors = [f for f in errors(fs) if f.rule == "fields-complete"]
    assert bool(fc_errors) is is_error, [f.message for f in fc_errors]
    grouped = not_read(fs)
    assert len(grouped) <= 1
    if unread:
        assert grouped and grouped[0].severity == "advice" and grouped[0].fields[: len(unread)] == unread
        assert grouped[0].message.startswith("未能读取「") and "请核对读取的表单" in grouped[0].message
    if is_error:
        path = next(iter(patch))
        assert fc_errors[0].fields == [path]
        assert ("模板提示" in fc_errors[0].message) is (path == "achievements")


def test_unread_fields_are_one_advice_listing_fields_and_blocked_checks():
    form = make("national", {"credits": None, "total_hours": None, "lead.title": None, "enrollment": None})
    fs = run_rules(form, evidence_of(form, drop=("credits", "total_hours", "lead.title", "enrollment")))
    assert not errors(fs)
    grouped = not_read(fs)
    assert len(grouped) == 1 and grouped[0].rule == "fields-complete"
    assert set(grouped[0].fields) == {"credits", "total_hours", "lead.title", "enrollment"}
    titles = {r.id: r.title for r in ALL_RULES}
    assert all(titles[r] in grouped[0].message for r in ("credit-rate", "lead-title", "enrollment-cap"))
    assert grouped[0].message.count("「拟授学分」") == 1 and "以下检查因此未能进行" in grouped[0].message


def test_teacher_column_never_seen_is_not_read_a_column_seen_empty_is_an_error():
    form = make("national", {f"teachers.{i}.title": None for i in range(6)})
    ev = evidence_of(form, drop=tuple(f"teachers.{i}.title" for i in range(6)))
    fs = run_rules(form, ev)
    assert not [f for f in errors(fs) if f.rule == "fields-complete"]
    assert "teachers.*.title" in not_read(fs)[0].fields
    one = make("national", {"teachers.2.title": None})
    fs = run_rules(one, evidence_of(one, {"teachers.2.title": ""}))
    assert [f.fields for f in errors(fs) if f.rule == "fields-complete"] == [["teachers.2"]]


def test_without_evidence_the_form_is_taken_as_read():
    fs = run_rules(make("national", {"audience": None}))
    assert [f.fields for f in errors(fs) if f.rule == "fields-complete"] == [["audience"]]


SKIP = {"application_code"}  # optional on the form


def _paths(form: Form) -> list[str]:
    """Every field path a reader may fail on: top-level keys, lead/peer-reviewer keys, whole lists."""
    data = form.to_json_dict()
    out = []
    for k, v in data.items():
        if k in SKIP:
            continue
        if isinstance(v, dict):
            out += [f"{k}.{s}" for s in v]
        out.append(k)
    return out


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_clean_draft_never_gets_an_error_for_a_field_we_failed_to_read(variant):
    base = make(variant)
    assert not errors(run_rules(base, evidence_of(base)))
    bad: dict[str, list[str]] = {}
    for path in _paths(base):
        form = make(variant, {path: None})
        fs = run_rules(form, evidence_of(form, drop=(path,)))
        if errors(fs):
            bad[path] = [f"{f.rule}: {f.message}" for f in errors(fs)]
        assert len(not_read(fs)) <= 1, path
    assert not bad, bad


@settings(max_examples=60, derandomize=True, deadline=None)
@given(variant=st.sampled_from(sorted(VARIANTS)), data=st.data())
def test_any_set_of_unread_fields_gives_no_error_and_one_advice(variant, data):
    paths = _paths(make(variant))
    drop = data.draw(st.lists(st.sampled_from(paths), min_size=1, max_size=8, unique=True))
    form = make(variant, {p: None for p in drop if "." in p or not any(q.startswith(p + ".") for q in drop)})
    fs = run_rules(form, evidence_of(form, drop=tuple(drop)))
    assert not errors(fs), [f"{f.rule}: {f.message}" for f in errors(fs)]
    assert len(not_read(fs)) <= 1


def test_a_masked_id_number_is_its_own_advice_not_an_unread_field():
    form = make("national", {"lead.id_number": "110108********0017"})
    fs = run_rules(form, evidence_of(form))
    own = [f for f in fs if f.rule == "id-number"]
    assert len(own) == 1 and own[0].not_checked and "脱敏" in own[0].message
    assert not [f for f in fs if f.rule == "fields-complete"]
