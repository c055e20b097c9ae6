"""The form's three narratives: names, minimum lengths (the notice's 不少于N字) and the aspects 基本情况 must cover.

One home for these facts: the critique rubric and the rules (review/rules/content.py) read them here.
"""

from __future__ import annotations

import re

KINDS: tuple[str, ...] = ("peer_review", "achievements", "unit_profile")
KIND_ZH: dict[str, str] = {"peer_review": "同行评议意见", "achievements": "主要成绩", "unit_profile": "基本情况"}
# 北京市继续医学教育推荐项目申报要求: 同行评议意见不少于200字, 主要成绩与基本情况不少于300字
MIN_CHARS: dict[str, int] = {"peer_review": 200, "achievements": 300, "unit_profile": 300}


def pattern(p: str) -> re.Pattern[str]:
    """A case-insensitive synonym pattern."""
    return re.compile(p, re.IGNORECASE)


# 基本情况 "主要表述与项目有关的基本情况，如组织架构、配套政策、经费支持、培训场地、师资队伍等方面"
# (bj-2025-application-requirements): (aspect, synonyms, suggestion when missing). The one matcher of these
# aspects: the rule unit-profile-length (unit_profile_missing) and the rubric's 要素完整 both read it. The rule's
# former keyword list read 规范 (住院医师规范化培训) as a policy and 医疗队伍 as a teaching faculty, and missed
# 高级职称/博士生导师 counts and 直播间/录播 rooms; those words are not kept. 设有 (科室设有…亚专业组: the
# department's structure) still counts as 组织架构.
UNIT_PROFILE_ASPECTS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "组织架构",
        pattern(
            r"架构|组织机构|科室设置|领导小组|管理委员会|委员会|科教处|教育处|医务处|教学办公室|继续(医学)?教育(办公室|科|部)|分管|管理体系|下设|设有"
        ),
        "说明组织架构：继续医学教育管理部门（如科教处）、分管领导、科室内的教学小组及分工",
    ),
    (
        "配套政策",
        pattern(r"政策|制度|办法|规定|考核|激励|绩效|纳入"),
        "说明配套政策：医院继续医学教育管理制度、学分考核与绩效激励办法",
    ),
    (
        "经费支持",
        pattern(r"经费|资金|投入|预算|万元|拨款|专款|资助"),
        "说明经费支持：医院或科室每年用于培训的专项经费（金额）及来源，注意不得为企业赞助",
    ),
    (
        "培训场地",
        pattern(
            r"场地|会议室|教室|报告厅|礼堂|示教室|模拟(中心|训练|实训)|技能(中心|培训)|培训中心|实训|平方米|平米|座位|实验室|直播间|录播|远程教育中心|教学平台"
        ),
        "说明培训场地：报告厅/示教室/技能模拟中心的面积、座位数及设备",
    ),
    (
        "师资队伍",
        pattern(r"师资|教师|讲师|教授|主任医师|副主任|博士|硕士|人才|梯队|医师\d|\d+名"),
        "说明师资队伍：科室人员数量、高级职称人数、博士/硕士导师数量及授课经验",
    ),
)


def unit_profile_missing(text: str) -> list[str]:
    """The 基本情况 aspects the text does not mention (the rule unit-profile-length and the rubric's 要素完整)."""
    return [name for name, rx, _ in UNIT_PROFILE_ASPECTS if not rx.search(text)]
