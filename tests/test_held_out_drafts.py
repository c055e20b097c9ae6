"""Drafts printed by the real browser from HTML templates the extractor was not written against (eval.held_out_drafts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.held_out_drafts import CHROMIUM

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(), reason=f"{CHROMIUM} is missing: the held-out drafts are printed by Chromium"
)

SEED = 4  # three drafts: web (grey label cells), word (ruled tables), plain (borderless, centred wrapped cells)
N = 3


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One browser run for the module."""
    pytest.importorskip("playwright")
    from eval.held_out_drafts import measure

    return measure(N, SEED, keep=tmp_path_factory.mktemp("held_out"), quiet=True)


def test_field_accuracy_per_draft(measured: dict) -> None:
    assert measured["drafts"] == N
    for row in measured["rows"]:
        acc = row["correct"] / row["total"]
        assert acc >= 0.95, f"{row['file']}: {acc:.3f}, wrong {row['wrong'][:10]}"


def test_teacher_rows_exact(measured: dict) -> None:
    for row in measured["rows"]:
        assert row["teachers_exact"] is not False, f"{row['file']}: teacher rows differ"


def test_families_covered(measured: dict) -> None:
    assert {r["family"] for r in measured["rows"]} == {"web", "word", "plain"}
