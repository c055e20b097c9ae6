"""The eval runner's scoring functions, on small hand-made inputs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from eval import metrics as eval_metrics
from eval import runner as evaluation
from eval.report import write_report
from review.form import ExtractResult, Form
from review.rules.base import Citation, Finding
from tests.factories import clean_form


@dataclass
class FakeCase:
    id: str
    expect: list[str] = field(default_factory=list)


def test_rules_metrics_counts_tp_fp_fn():
    good = clean_form()
    bad = clean_form(credits=good.credits + 1)  # breaks credit-rate
    cases = [FakeCase("clean"), FakeCase("bad", ["credit-rate"]), FakeCase("mislabelled", ["lead-title"])]
    ext = {"clean": ExtractResult(form=good), "bad": ExtractResult(form=bad), "mislabelled": ExtractResult(form=good)}
    m = evaluation.rules_metrics(cases, ext)
    assert m["per_rule"]["credit-rate"]["tp"] == 1
    assert m["per_rule"]["lead-title"]["fn"] == 1
    assert m["clean_error_free"] == 1.0
    assert m["micro_recall"] == pytest.approx(0.5)
    assert "mislabelled: missed lead-title" in m["disagreements"]


def test_rules_metrics_unreadable_draft_counts_as_missed():
    cases = [FakeCase("broken", ["credit-rate"])]
    m = evaluation.rules_metrics(cases, {"broken": ValueError("corrupt")})
    assert m["per_rule"]["credit-rate"]["fn"] == 1


def _finding(**kw) -> Finding:
    base = dict(
        rule="credit-rate",
        severity="error",
        message="拟授学分 5 与教学总时长 18 小时不符：应为 6 学分",
        fix="改为 6 学分",
        found=5.0,
    )
    base.update(kw)
    return Finding(**base)


def test_explanation_scores_all_good():
    q = "每个项目**不超过10学分**"
    f = _finding(
        explanation="拟授学分 5 不符合要求，应为 6 学分。依据：每个项目不超过10学分。",
        citations=[Citation(doc="bj-2025-application-requirements.txt", section="认真核对 03", quote=q)],
    )
    s = evaluation.explanation_scores(
        f, json.dumps(Form(credits=5).to_json_dict()), {"bj-2025-application-requirements.txt"}
    )
    assert s == {
        "citation_valid": 1.0,
        "citation_correct": 1.0,
        "numbers_consistent": 1.0,
        "fix_present": 1.0,
        "found_stated": 1.0,
    }


@pytest.mark.parametrize(
    "kw, metric",
    [
        (
            {"citations": [Citation(doc="bj-2025-application-requirements.txt", quote="每个项目不超过99学分")]},
            "citation_valid",
        ),
        (
            {
                "citations": [
                    Citation(doc="pku-2026-approved-projects-notice.txt", quote="应在 2026 年 12 月 25 日前举办完成")
                ]
            },
            "citation_correct",
        ),
        ({"explanation": "应为 7 学分"}, "numbers_consistent"),
        ({"fix": ""}, "fix_present"),
        ({"explanation": "学分不对"}, "found_stated"),
        ({"found": True, "explanation": "勾选有误"}, "found_stated"),
    ],
)
def test_explanation_scores_each_metric_can_fail(kw, metric):
    base = {
        "explanation": "拟授学分 5 应为 6 学分",
        "citations": [Citation(doc="bj-2025-application-requirements.txt", quote="3小时1学分")],
    }
    base.update(kw)
    s = evaluation.explanation_scores(_finding(**base), "{}", {"bj-2025-application-requirements.txt"})
    assert s[metric] == 0.0


def test_regressions_against_baseline(tmp_path, monkeypatch):
    base = tmp_path / "baseline.json"
    base.write_text(json.dumps({"rules.micro_f1": 0.9}), encoding="utf-8")
    monkeypatch.setattr(eval_metrics, "BASELINE", base)
    assert eval_metrics.regressions({"rules": {"micro_f1": 0.95}}) == []
    assert eval_metrics.regressions({"rules": {"micro_f1": 0.8}})


def test_add_actions_appends_labels_and_copies_pdf(tmp_path, monkeypatch):
    import hashlib

    monkeypatch.setattr(evaluation, "REVIEWED_DIR", tmp_path / "reviewed")
    pdf = tmp_path / "pdfs" / "a.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes(b"%PDF-1.4 fake")
    sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
    actions = tmp_path / "actions.jsonl"
    actions.write_text(
        json.dumps({"review_id": sha, "rule": "credit-rate", "action": "dismiss", "reason": "核对无误"}) + "\n",
        encoding="utf-8",
    )
    assert evaluation.add_actions(actions, pdf.parent) == 1
    rec = json.loads((tmp_path / "reviewed" / "labels.jsonl").read_text(encoding="utf-8"))
    assert rec["rule"] == "credit-rate" and rec["action"] == "dismiss"
    assert (tmp_path / "reviewed" / rec["pdf"]).read_bytes() == pdf.read_bytes()


def test_report_written_with_chart(tmp_path):
    metrics = {
        "meta": {"mode": "offline", "cases": 2, "seconds": 1.0, "errors": {}},
        "rules": {
            "micro_precision": 1.0,
            "micro_recall": 0.5,
            "micro_f1": 0.667,
            "error_recall": 0.5,
            "clean_error_findings": 0,
            "clean_error_free": 1.0,
            "per_rule": {"credit-rate": {"precision": 1.0, "recall": 0.5, "f1": 0.667, "tp": 1, "fp": 0, "fn": 1}},
            "disagreements": [],
        },
    }
    path = write_report(metrics, Path(tmp_path), {"rules.micro_f1": 0.9})
    text = path.read_text(encoding="utf-8")
    assert "DROP" in text and "credit-rate" in text
    assert (tmp_path / "rules_f1.png").stat().st_size > 1000
