"""review.narratives: the one matcher of the 基本情况 aspects, read by the rule and the rubric alike."""

from __future__ import annotations

import pytest

from review.critique.rubric import score_elements
from review.form import Form
from review.narratives import KINDS, MIN_CHARS, UNIT_PROFILE_ASPECTS, unit_profile_missing
from review.rules import get_rule
from tests.factories import UNIT_PROFILE

ASPECTS = [name for name, _, _ in UNIT_PROFILE_ASPECTS]


def rule_missing(text: str) -> list[str]:
    """The aspects the rule unit-profile-length names as not mentioned."""
    hits = [h for h in get_rule("unit-profile-length").check(Form(unit_profile=text)) if h.severity == "warning"]
    return [a for h in hits for a in h.found]


def test_aspects_follow_the_notice():
    assert ASPECTS == ["组织架构", "配套政策", "经费支持", "培训场地", "师资队伍"]
    assert MIN_CHARS == {"peer_review": 200, "achievements": 300, "unit_profile": 300}
    assert set(MIN_CHARS) == set(KINDS)


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        (UNIT_PROFILE, []),
        ("科室承担住院医师规范化培训任务，年门诊量二十万人次。" * 12, ASPECTS),  # 规范化培训 is no policy
        ("科室拥有一支技术精湛的医疗队伍，开展介入治疗多年。" * 12, ASPECTS),  # a clinical team is no faculty
        (
            "医院教育处统一管理继续教育，制定《继续医学教育管理办法》，每年投入专项经费50万元；"
            "培训依托远程教育中心和直播间2间，科室有高级职称医师20人、博士生导师4人。" * 5,
            [],
        ),
    ],
)
def test_rule_and_rubric_read_the_same_aspects(text: str, missing: list[str]) -> None:
    assert unit_profile_missing(text) == missing
    assert rule_missing(text) == missing
    elements = score_elements("unit_profile", text)
    assert elements.issues == ([f"缺少要素：{'、'.join(missing)}"] if missing else [])


def test_unread_profile_names_no_aspect():
    assert rule_missing("") == []
