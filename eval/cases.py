"""Load the labelled draft cases in eval/cases/*.yaml (base forms deep-merged)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

from review.form import Form

EVAL_DIR = Path(__file__).resolve().parent
CASES_DIR = EVAL_DIR / "cases"
FIXTURES_DIR = EVAL_DIR / "fixtures"
STYLES = ("word-table", "printout", "scan", "fillable")
NARRATIVE_KEYS = ("peer_review", "achievements", "unit_profile")


@dataclass
class Case:
    """One labelled draft: its form, how to render it, and the rule ids a correct reviewer fires."""

    id: str
    style: str
    form: Form
    expect: list[str] = field(default_factory=list)
    variant: dict[str, Any] = field(default_factory=dict)
    notes: str = ""
    base: Optional[str] = None

    @property
    def pdf_path(self) -> Path:
        """The rendered fixture for this case."""
        return FIXTURES_DIR / f"{self.id}.pdf"


def deep_merge(base: Any, over: Any) -> Any:
    """Merge `over` onto `base`: dicts recursively, everything else (lists too) replaced whole."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = copy.deepcopy(base)
        for key, value in over.items():
            out[key] = deep_merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(over)


def _read_raw(dir_: Path) -> dict[str, dict[str, Any]]:
    """Every YAML file in the folder, keyed by case id."""
    raw: dict[str, dict[str, Any]] = {}
    for path in sorted(dir_.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("id") != path.stem:
            raise ValueError(f"{path.name}: id must equal the file name")
        raw[path.stem] = data
    return raw


def _merged_form(case_id: str, raw: dict[str, dict[str, Any]], seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """The case's form dict with its base chain merged underneath."""
    if case_id in seen:
        raise ValueError(f"base cycle: {' -> '.join(seen + (case_id,))}")
    data = raw[case_id]
    form = data.get("form") or {}
    base = data.get("base")
    if not base:
        return copy.deepcopy(form)
    if base not in raw:
        raise ValueError(f"{case_id}: unknown base {base}")
    return deep_merge(_merged_form(base, raw, seen + (case_id,)), form)


def _build(case_id: str, raw: dict[str, dict[str, Any]]) -> Case:
    """Validate one raw case into a Case."""
    data = raw[case_id]
    style = data.get("style")
    if style not in STYLES:
        raise ValueError(f"{case_id}: style {style!r} not in {STYLES}")
    return Case(
        id=case_id,
        style=style,
        form=Form.model_validate(_merged_form(case_id, raw)),
        expect=list(data.get("expect") or []),
        variant=dict(data.get("variant") or {}),
        notes=str(data.get("notes") or ""),
        base=data.get("base"),
    )


def load_cases(dir: Optional[Path] = None) -> list[Case]:
    """All cases in the folder (default eval/cases), sorted by id."""
    raw = _read_raw(Path(dir) if dir else CASES_DIR)
    return [_build(case_id, raw) for case_id in sorted(raw)]


def load_case(id: str, dir: Optional[Path] = None) -> Case:
    """One case by id."""
    raw = _read_raw(Path(dir) if dir else CASES_DIR)
    if id not in raw:
        raise KeyError(f"no case {id!r}")
    return _build(id, raw)


def gold_form(case: Case) -> Form:
    """The form as a correct extractor should read it from the PDF (hint-only narratives are null)."""
    form = case.form.model_copy(deep=True)
    for key in case.variant.get("hint_left") or []:
        setattr(form, key, None)
    return form
