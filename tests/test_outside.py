"""eval/outside_eval.py scores drafts as ../shared/outside_drafts/score.py does, in-process."""

from __future__ import annotations

import copy
import importlib.util
import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from eval import outside_eval
from eval.cases import gold_form, load_case
from review.rules import get_rule

SCORE_PY = outside_eval.DEFAULT_DIR / "score.py"


def test_absent_folder_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setenv("CME_OUTSIDE_DRAFTS", str(tmp_path / "nowhere"))
    assert outside_eval.drafts_dir() is None
    assert "skipped" in outside_eval.measure()


def _mutations(form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A copy of a truth form with a few fields changed the ways extraction goes wrong."""
    out = copy.deepcopy(form)
    for _ in range(rng.randrange(0, 5)):
        key = rng.choice(sorted(out))
        value = out[key]
        if isinstance(value, str):
            out[key] = rng.choice([None, value + "错", " ".join(value), value[: len(value) // 2]])
        elif isinstance(value, bool):
            out[key] = not value
        elif isinstance(value, (int, float)):
            out[key] = rng.choice([None, value + 1, str(value)])
        elif isinstance(value, list) and value:
            out[key] = (
                value[:-1]
                if rng.random() < 0.5
                else [dict(value[0], **{k: None for k in list(value[0])[:1]})] + value[1:]
            )
        elif isinstance(value, dict):
            sub = rng.choice(sorted(value))
            out[key] = dict(value, **{sub: None})
    return out


@pytest.mark.skipif(not SCORE_PY.is_file(), reason="../shared/outside_drafts not present")
def test_field_scores_agree_with_score_py_on_mutated_truths():
    spec = importlib.util.spec_from_file_location("outside_score", SCORE_PY)
    assert spec and spec.loader
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    truth = json.loads((SCORE_PY.parent / "truth.json").read_text(encoding="utf-8"))
    rng = random.Random(13)
    for name, t in truth.items():
        for _ in range(8):
            form = _mutations(t["form"], rng)
            assert outside_eval.score_form(form, t["form"]) == score.score_form(form, t["form"]), name
    assert outside_eval.score_form({}, truth["h01"]["form"])[1] < 5  # an empty read scores near zero


def test_rule_scores_count_recall_and_false_errors():
    t = {"expect": ["credit-cap"], "expect_warn": ["venue"], "anyof": [["a", "b"]], "allow": ["lead-title"]}
    findings = [
        {"rule": "credit-cap", "severity": "error"},
        {"rule": "venue", "severity": "warning"},
        {"rule": "b", "severity": "advice"},
        {"rule": "lead-title", "severity": "error"},
        {"rule": "fields-complete", "severity": "error"},
        {"rule": "fields-complete", "severity": "advice"},
    ]
    r = outside_eval.score_rules(findings, t)
    assert (r["hit"], r["need"], r["false_errors"], r["rules_missed"]) == (3, 3, ["fields-complete"], [])
    r = outside_eval.score_rules([{"rule": "credit-cap", "severity": "warning"}], t)
    assert (r["hit"], r["rules_missed"]) == (0, ["credit-cap", "venue"])


@pytest.mark.slow
def test_measure_end_to_end_on_a_folder_of_our_own(tmp_path):
    case = load_case("f-credit-cap")
    shutil.copy(case.pdf_path, tmp_path / "d1.pdf")
    truth = {
        "d1": {
            "style": "W",
            "form": gold_form(case).to_json_dict(),
            "expect": [r for r in case.expect if get_rule(r).severity == "error"],
            "expect_warn": [r for r in case.expect if get_rule(r).severity != "error"],
            "anyof": [],
            "allow": [],
        }
    }
    (tmp_path / "truth.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    m = outside_eval.measure(tmp_path)
    assert m["drafts"] == 1 and m["field_accuracy_W"] >= 0.95, m["per_draft"][0]["missed"]
    assert m["error_recall"] == 1.0 and m["teacher_tables_exact"] == 1
