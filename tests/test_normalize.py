"""review.normalize: table-driven examples plus hypothesis properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from review.normalize import (
    count_chars,
    hint_in,
    is_hint_text,
    join_lines,
    norm_label,
    not_filled_hint,
    parse_bool_yesno,
    parse_checkbox,
    parse_date,
    parse_int,
    parse_number,
    parse_percent,
    strip_hint_passages,
    ticked_options,
)


@pytest.mark.parametrize(
    "text, value",
    [
        ("120人", 120),
        ("30 %", 30),
        ("3.0", 3.0),
        ("一百二十", 120),
        ("三学时", 3),
        ("1,000", 1000),
        ("6分", 6),
        ("十二", 12),
        ("两千零五", 2005),
        ("三点五", 3.5),
        ("1.5学时", 1.5),
        ("", None),
        ("无", None),
        (None, None),
    ],
)
def test_parse_number_examples(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "a, b",
    [
        ("项 目 名 称", "项目名称"),
        ("教学总时长（小时）", "教学总时长"),
        ("教学总时长(h)", "教学总时长"),
        ("拟招收外省学员占比（%）：", "拟招收外省学员占比"),
        ("实践（技术示范）时长(小时)", "实践(技术示范)时长"),
        ("所在学科：", "所在学科"),
    ],
)
def test_norm_label_unifies_variants(a, b):
    assert norm_label(a) == norm_label(b)


@pytest.mark.parametrize("mark", ["☑", "■", "√", "✓", "✔", "[x]", "[X]", "●"])
def test_checked_marks(mark):
    assert parse_checkbox(mark) is True


@pytest.mark.parametrize("mark", ["□", "☐", "[ ]", "○"])
def test_unchecked_marks(mark):
    assert parse_checkbox(mark) is False


def test_checkbox_absent_is_none():
    assert parse_checkbox("面授") is None


@pytest.mark.parametrize(
    "text, options, ticked",
    [
        ("国家级 ☑ 省级 □", ("国家级", "省级"), ["国家级"]),
        ("☐国家级 ☑省级", ("国家级", "省级"), ["省级"]),
        ("是否执行：是 □ 否 ■", ("是", "否"), ["否"]),
        ("面授[x] 远程[ ]", ("面授", "远程"), ["面授"]),
        ("国家级□ 省级□", ("国家级", "省级"), []),
        ("是 否□", ("是", "否"), ["是"]),
    ],
)
def test_ticked_options(text, options, ticked):
    assert ticked_options(text, options) == ticked


@pytest.mark.parametrize(
    "text",
    [
        "不少于200字",
        "推荐理由（不少于 200 字）。建议注明推荐理由如：培训内容、形式等。",
        "（主要表述与项目有关的基本情况，如组织架构、配套政策、经费支持、培训场地、师资队伍等方面）（不少于300字）",
        "（不少于300字）",
        "",
        "   ",
        "____",
    ],
)
def test_hint_text_is_empty(text):
    assert is_hint_text("peer_review", text)


def test_real_text_is_not_hint():
    assert not is_hint_text("peer_review", "推荐理由（不少于200字）：本项目内容系统，形式多样。")


@pytest.mark.parametrize(
    "text, iso",
    [
        ("2025年5月10日", "2025-05-10"),
        ("2025-05-10", "2025-05-10"),
        ("2025.5.1", "2025-05-01"),
        ("1975年3月", "1975-03"),
        ("1972年05月", "1972-05"),
        ("明天", None),
        ("2025年13月", None),
    ],
)
def test_parse_date(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    "text, value", [("是", True), ("否", False), ("是■ 否□", True), ("是□ 否■", False), ("是□ 否□", None), ("", None)]
)
def test_yes_no(text, value):
    assert parse_bool_yesno(text) is value


def test_percent_keeps_scale():
    assert parse_percent("30％") == 30.0
    assert parse_percent("0.3") == 0.3


@given(st.integers(min_value=0, max_value=10**9))
def test_number_roundtrip_with_units(n):
    for text in (f"{n}", f"{n}人", f"{n} 学时", f"{n:,}"):
        assert parse_number(text) == n
        assert parse_int(text) == n


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda x: round(x, 3)))
def test_float_roundtrip(x):
    assert parse_number(f"{x}") == pytest.approx(x)


@given(st.integers(min_value=0, max_value=99999))
def test_chinese_numerals_roundtrip(n):
    assert parse_number(_to_chinese(n)) == n


@given(st.text(alphabet=st.sampled_from(list("项目名称教学对象 \u3000\t（）()：:")), min_size=1, max_size=20))
def test_norm_label_ignores_whitespace_and_width(s):
    spaced = " ".join(s).replace("（", "(").replace("：", ":")
    assert norm_label(spaced) == norm_label(s)
    assert norm_label(norm_label(s)) == norm_label(s)


@given(st.text(max_size=200))
def test_count_chars_ignores_whitespace(s):
    assert count_chars(s) == len("".join(s.split()))
    assert count_chars(s + " \n\t") == count_chars(s)


@given(st.lists(st.text(alphabet=st.sampled_from(list("汉字测试内容，。")), min_size=1, max_size=10), max_size=6))
def test_join_lines_never_invents_characters(parts):
    assert join_lines(parts) == "".join(p.strip() for p in parts)


@given(st.text(max_size=60))
def test_parsers_never_raise(s):
    parse_number(s)
    parse_checkbox(s)
    parse_date(s)
    parse_bool_yesno(s)
    is_hint_text("achievements", s)


def _to_chinese(n: int) -> str:
    """Reference conversion used only by the property test."""
    digits = "零一二三四五六七八九"
    if n == 0:
        return "零"
    units = [(10000, "万"), (1000, "千"), (100, "百"), (10, "十")]
    out, zero = "", False
    for value, name in units:
        q, n = divmod(n, value)
        if q:
            if zero:
                out += "零"
            out += (_to_chinese(q) if value == 10000 else digits[q]) + name
            zero = False
        elif out:
            zero = True
    if n:
        out += ("零" if zero and out else "") + digits[n]
    return out


def test_hint_left_in_content_is_found_and_hint_passages_are_stripped():
    text = "本科室设有继续教育小组（主要表述与项目有关的基本情况，不少于300字）。年培训经费50万元。"
    assert hint_in(text) == "主要表述与项目有关"
    assert hint_in("本科室设有继续教育小组，年培训经费50万元。") is None
    assert strip_hint_passages(text) == "本科室设有继续教育小组。年培训经费50万元。"


@pytest.mark.parametrize(
    "text, hint",
    [
        ("（不少于300字）", True),
        ("请填写申报单位基本情况", True),
        ("推荐理由（不少于200字）：", True),
        ("", False),
        (None, False),
        ("本项目针对基层医生的需求设计，内容系统，师资力量雄厚，建议推荐。" * 6, False),
    ],
)
def test_not_filled_hint(text, hint):
    assert not_filled_hint("peer_review", text) is hint
