"""Property: extracting a case rendered under any random layout gives back the case's form (fixed seed in CI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from eval.bench_roundtrip import SCAN_TARGET, TEXT_TARGET, draw, roundtrip
from eval.random_layout import renderable_cases

CASES = renderable_cases()
SETTINGS = dict(
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: every example is a full render + extract
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _check(seed: int, scan: bool, tmp_path: Path, target: float) -> None:
    """One round trip; fails with the missed fields and the layout that produced them."""
    case, layout = draw(seed, scan, CASES)
    row = roundtrip(case, layout, tmp_path / f"{seed}.pdf")
    accuracy = row["correct"] / row["total"]
    note(f"case={case.id} seed={seed} layout: {layout.describe()}")
    assert accuracy >= target, (
        f"{case.id} (seed {seed}{', scan' if scan else ''}): accuracy {accuracy:.3f} < {target}; "
        f"missed {row['wrong']}; reproduce: python -m eval.random_layout --seed {seed}{' --scan' if scan else ''}"
    )


@settings(max_examples=20, **SETTINGS)  # type: ignore[arg-type]
@given(seed=st.integers(min_value=0, max_value=2**31 - 1))
def test_text_roundtrip(seed: int, tmp_path: Path) -> None:
    """A text rendering reads back with field accuracy >= 0.98."""
    _check(seed, False, tmp_path, TEXT_TARGET)


@pytest.mark.slow
@settings(max_examples=2, **SETTINGS)  # type: ignore[arg-type]
@given(seed=st.integers(min_value=0, max_value=2**31 - 1))
def test_scan_roundtrip(seed: int, tmp_path: Path) -> None:
    """A scan rendering (OCR) reads back with field accuracy >= 0.95."""
    _check(seed, True, tmp_path, SCAN_TARGET)
