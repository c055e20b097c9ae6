"""Reviewer actions in SQLite: record, read back (latest wins), export JSONL."""

from __future__ import annotations

import json

import pytest

from review.actions import actions_for, export_jsonl, finding_key, record, review_id
from review.rules.base import Finding


def test_record_and_read_back_latest_wins(tmp_path):
    db = tmp_path / "a.sqlite3"
    rid = review_id(b"%PDF-1.4 test")
    f = Finding(rule="credit-rate", severity="error", message="x", fields=["credits", "total_hours"])
    key = finding_key(f)
    assert key.startswith("credit-rate|credits,total_hours|") and key == finding_key(f.model_copy())
    record(rid, key, f.rule, "accept", user="u1", session="s1", path=db)
    record(rid, key, f.rule, "dismiss", reason=" 已电话核实 ", user="u1", session="s1", path=db)
    record(review_id(b"other"), key, f.rule, "accept", path=db)
    got = actions_for(rid, path=db)
    assert list(got) == [key]
    assert got[key]["action"] == "dismiss" and got[key]["action_zh"] == "驳回"
    assert got[key]["reason"] == "已电话核实" and got[key]["user"] == "u1" and got[key]["ts"]


def test_two_problems_of_one_rule_on_one_field_have_their_own_keys():
    # e.g. a 基本情况 that misses aspects and is also just over 300 characters: dismissing one keeps the other
    a = Finding(rule="unit-profile-length", severity="error", message="未涉及：经费支持", fields=["unit_profile"])
    b = Finding(
        rule="unit-profile-length", severity="warning", message="共 304 字，仅略高于 300 字", fields=["unit_profile"]
    )
    assert finding_key(a) != finding_key(b)


def test_unknown_action_is_refused(tmp_path):
    with pytest.raises(ValueError):
        record("r", "k", "rule", "maybe", path=tmp_path / "a.sqlite3")


def test_export_jsonl_has_every_action(tmp_path):
    db = tmp_path / "a.sqlite3"
    record("r1", "a|x", "a", "accept", path=db)
    record("r2", "b|y", "b", "dismiss", reason="误报", path=db)
    n = export_jsonl(tmp_path / "out" / "actions.jsonl", path=db)
    rows = [json.loads(x) for x in (tmp_path / "out" / "actions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert n == 2 and [r["rule"] for r in rows] == ["a", "b"]
    assert rows[1]["action"] == "dismiss" and rows[1]["reason"] == "误报" and rows[1]["review_id"] == "r2"


def test_empty_review_has_no_actions(tmp_path):
    assert actions_for("nothing", path=tmp_path / "a.sqlite3") == {}


def test_export_text_feeds_the_eval_label_import(tmp_path, monkeypatch):
    """The app's JSONL download is exactly what `cme-review eval --add-actions` reads."""
    import json as _json

    import eval.runner as evaluation
    from review import actions

    db = tmp_path / "actions.sqlite3"
    actions.record("a" * 64, "credit-rate|credits", "credit-rate", "dismiss", reason="已核实", path=db)
    text = actions.export_text(db)
    rec = _json.loads(text.splitlines()[0])
    assert rec["rule"] == "credit-rate" and rec["action"] == "dismiss"
    monkeypatch.setattr(evaluation, "REVIEWED_DIR", tmp_path / "reviewed")
    f = tmp_path / "a.jsonl"
    f.write_text(text, encoding="utf-8")
    assert evaluation.add_actions(f) == 1
