"""Prompt files: strict rendering and the README's list of prompts and variables."""

from __future__ import annotations

import re

import pytest

from review.config import PROMPTS_DIR
from review.prompts import PromptError, list_prompts, render, render_messages, variables


@pytest.fixture
def tmp_prompts(tmp_path):
    (tmp_path / "greet.md").write_text(
        '系统：{role}\n<!-- user -->\n你好 {name}，示例 {"key": 1}，字面 {{name}}。', "utf-8"
    )
    (tmp_path / "README.md").write_text("not a prompt", "utf-8")
    return tmp_path


def test_render_fills_and_leaves_json_braces(tmp_prompts):
    text = render("greet", prompts_dir=tmp_prompts, role="审查", name="张三")
    assert "你好 张三" in text and '{"key": 1}' in text and "字面 {name}" in text


def test_render_value_is_not_reinterpreted(tmp_prompts):
    assert "你好 {role}" in render("greet", prompts_dir=tmp_prompts, role="r", name="{role}")


@pytest.mark.parametrize("kw", [{"role": "r"}, {"role": "r", "name": "n", "extra": 1}])
def test_render_missing_or_unused_variable_raises(tmp_prompts, kw):
    with pytest.raises(PromptError):
        render("greet", prompts_dir=tmp_prompts, **kw)


def test_unknown_prompt_raises(tmp_prompts):
    with pytest.raises(PromptError):
        render("nope", prompts_dir=tmp_prompts)


def test_render_messages_splits_system_and_user(tmp_prompts):
    system, user = render_messages("greet", prompts_dir=tmp_prompts, role="审查", name="李四")
    assert system == "系统：审查" and user.startswith("你好 李四")


def test_list_prompts_excludes_readme(tmp_prompts):
    assert list_prompts(tmp_prompts) == ["greet"]


def test_explain_prompt_variables():
    assert variables("explain_findings") == {"level", "facts", "passages", "findings", "count"}


def test_readme_lists_every_prompt_with_its_variables():
    readme = (PROMPTS_DIR / "README.md").read_text("utf-8")
    rows = {
        m.group(1): set(re.findall(r"`(\w+)`", m.group(2)))
        for m in re.finditer(r"^\| `(\w+)` \|[^|]*\| (.*) \|$", readme, re.M)
    }
    assert set(rows) == set(list_prompts())
    for name, names in rows.items():
        assert names == variables(name), name
