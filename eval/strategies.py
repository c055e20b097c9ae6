"""Hypothesis strategies for random forms, shared by the fuzz tests and eval/hardening_report.py."""

from __future__ import annotations

import typing
from typing import Any

from hypothesis import strategies as st

from review.form import Form

# Vocabulary the form really uses, mixed with arbitrary text, so rules reach their deeper branches.
WORDS = [
    "国家级",
    "北京市级",
    "面授",
    "远程",
    "主任医师",
    "副主任医师",
    "主治医师",
    "高级",
    "教授",
    "博士",
    "科主任",
    "北京大学第三医院",
    "北医三院",
    "学会",
    "医疗卫生机构",
    "学（协）会",
    "临床内科学-心血管病学",
    "护理学",
    "临床内科学-感染病学",
    "中医学",
    "2025-05-10",
    "2026-12-30",
    "1975-03",
    "男",
    "女",
    "论坛",
    "年会",
    "110105197503151234",
    "11010519750315123X",
    "讲座",
    "实操",
    "技术示范",
    "某某制药",
    "风景名胜区",
    "",
]
TEXT = st.one_of(st.sampled_from(WORDS), st.text(max_size=40))
NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6).map(float),
    st.sampled_from([0.0, 3.0, 6.0, 10.0, 18.0, 50.0, 100.0, 1000.0]),
)
INT = st.one_of(st.integers(-(10**9), 10**9), st.sampled_from([0, 1, 6, 7, 49, 100, 1000, 1001]))


def strategy_for(ann: Any) -> st.SearchStrategy[Any]:
    """A strategy for one pydantic field annotation (None always possible for Optional)."""
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if origin is typing.Union:
        inner = [a for a in args if a is not type(None)]
        return st.one_of(st.none(), *(strategy_for(a) for a in inner))
    if origin is list:
        return st.lists(strategy_for(args[0]), max_size=6)
    if origin is tuple:
        return st.tuples(*(strategy_for(a) for a in args))
    if origin is typing.Literal:
        return st.sampled_from(args)
    if isinstance(ann, type) and hasattr(ann, "model_fields"):
        return model_strategy(ann)
    return {str: TEXT, float: NUMBER, int: INT, bool: st.booleans()}[ann]


def model_strategy(model: type) -> st.SearchStrategy[Any]:
    """A pydantic model with every field drawn at random (None or a value)."""
    fields = {name: strategy_for(f.annotation) for name, f in model.model_fields.items()}  # type: ignore[attr-defined]
    return st.fixed_dictionaries(fields).map(lambda d: model.model_validate(d))  # type: ignore[attr-defined]


FORMS = model_strategy(Form)
