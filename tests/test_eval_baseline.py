"""The whole offline eval against the committed baseline: a metric that drops fails CI."""

from __future__ import annotations

import pytest

from review import evaluation


@pytest.mark.slow
def test_offline_eval_holds_the_baseline(tmp_path):
    base = evaluation.baseline_metrics()
    assert base, "eval/baseline.json is missing: run `cme-review eval --update-baseline`"
    metrics = evaluation.run_eval(tmp_path)
    assert metrics["meta"]["errors"] == {}
    assert set(base) <= set(evaluation.headline(metrics)), "a baseline metric is no longer measured"
    assert evaluation.regressions(metrics) == []
    assert (tmp_path / "report.md").is_file() and (tmp_path / "rules_f1.png").is_file()
