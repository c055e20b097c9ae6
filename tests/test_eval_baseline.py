"""The whole offline eval against the committed baseline: a metric that drops fails CI."""

from __future__ import annotations

import pytest

from eval import metrics, runner


@pytest.mark.slow
@pytest.mark.timeout(1800)  # a hang guard: the whole eval (70 fixtures, 25 outside drafts, QA sets) takes minutes
def test_offline_eval_holds_the_baseline(tmp_path):
    base = metrics.baseline_metrics()
    assert base, "eval/baseline.json is missing: run `cme-review eval --update-baseline`"
    result = runner.run_eval(tmp_path)
    assert result["meta"]["errors"] == {}
    assert set(base) <= set(metrics.headline(result)), "a baseline metric is no longer measured"
    assert metrics.regressions(result) == []
    assert (tmp_path / "report.md").is_file() and (tmp_path / "rules_f1.png").is_file()
