"""Title ranks: one line per title."""

from __future__ import annotations

import pytest

from review.titles import at_least, is_nursing, is_specific, rank_of, series_of

RANKS = [
    ("主任医师", "senior"),
    ("副主任医师", "deputy"),
    ("主治医师", "middle"),
    ("住院医师", "junior"),
    ("医师", "junior"),
    ("医士", "junior"),
    ("主任药师", "senior"),
    ("副主任药师", "deputy"),
    ("主管药师", "middle"),
    ("药士", "junior"),
    ("主任护师", "senior"),
    ("副主任护师", "deputy"),
    ("主管护师", "middle"),
    ("护师", "junior"),
    ("护士", "junior"),
    ("主任技师", "senior"),
    ("副主任技师", "deputy"),
    ("主管技师", "middle"),
    ("技士", "junior"),
    ("教授", "senior"),
    ("副教授", "deputy"),
    ("讲师", "middle"),
    ("助教", "junior"),
    ("研究员", "senior"),
    ("副研究员", "deputy"),
    ("助理研究员", "middle"),
    ("研究实习员", "junior"),
    ("正高级 教授", "senior"),
    ("副高级 副主任医师", "deputy"),
    ("正高级工程师", "senior"),
    ("高级工程师", "deputy"),
    ("编审", "senior"),
    ("副编审", "deputy"),
    ("主任医师、教授", "senior"),
    ("主任医师（教授）", "senior"),
    ("副主任医师/教授", "senior"),
    ("主治医师，讲师", "middle"),
    ("主任医师、科主任", "senior"),
    ("二级教授", "senior"),
    ("主治医生", "middle"),
    ("心内科主任医师", "senior"),
    ("主任检验师", "senior"),
    ("高级", None),
    ("中级", None),
    ("正高", None),
    ("副高", None),
    ("主任", None),
    ("科主任", None),
    ("院长", None),
    ("护士长", None),
    ("博士", None),
    ("硕士", None),
    ("", None),
    (None, None),
    ("专家", None),
]


@pytest.mark.parametrize("title,rank", RANKS)
def test_rank_of(title, rank):
    assert rank_of(title) == rank
    assert is_specific(title) == (rank is not None)


@pytest.mark.parametrize(
    "title,nursing",
    [
        ("主管护师", True),
        ("副主任护师", True),
        ("护士", True),
        ("护士长", False),
        ("主任医师", False),
        ("主任医师、主任护师", True),
        (None, False),
    ],
)
def test_is_nursing(title, nursing):
    assert is_nursing(title) == nursing


def test_series_and_at_least():
    assert series_of("主管药师") == "pharmacy" and series_of("副研究员") == "research"
    assert at_least("副教授", "deputy") and not at_least("讲师", "deputy") and at_least("高级", "deputy") is None


def test_extra_words_lists_posts_and_degrees():
    from review.titles import extra_words

    assert extra_words("主任护师（博士）") == ["博士"] and extra_words("主任医师、科主任") == ["科主任"]
    assert extra_words("主任医师、教授") == []
