"""Rules on content and form filling: subject, meeting type, venue, commercial signs, narratives, completeness."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Optional

from review.form import Form
from review.narratives import MIN_CHARS, unit_profile_missing
from review.rules import sources as S
from review.rules.helpers import (
    LABELS,
    Hit,
    blank,
    count_chars,
    has_any,
    norm,
    rule,
    second_level,
    third_level,
    unread,
    unread_text,
)
from review.rules.units import same_unit
from review.titles import RANK_ZH, rank_of

# The 24 二级学科 of the Beijing code table (BJ25 学科类型选择准确), with the online system's short forms.
DISCIPLINES: tuple[str, ...] = (
    "基础形态",
    "基础机能",
    "临床内科学",
    "临床外科学",
    "妇产科学",
    "儿科学",
    "眼、耳鼻喉科学",
    "口腔医学",
    "影像医学",
    "急诊学",
    "医学检验",
    "公共卫生与预防医学",
    "药学",
    "护理学",
    "医学教育与卫生管理学",
    "康复医学",
    "全科医学",
    "麻醉学",
    "重症医学",
    "皮肤病学与性病学",
    "核医学",
    "医院感染（管理）学",
    "心理学",
    "卫生法规与医学伦理学",
)
_ALIASES = {
    "眼耳鼻喉科学": "眼、耳鼻喉科学",
    "医院感染管理学": "医院感染（管理）学",
    "医院感染学": "医院感染（管理）学",
}
TCM_WORDS = ("中医", "中西医", "中药", "针灸", "推拿", "民族医")


def discipline_of(subject: Optional[str]) -> Optional[str]:
    """The table discipline a subject's 二级学科 names ("临床内科-感染病学" → 临床内科学), or None."""
    sec = second_level(subject)
    sec = re.sub(r"^\d+[.、\s]*", "", sec)
    for d in DISCIPLINES:
        nd = norm(d)
        if sec in (nd, nd.rstrip("学")) or sec + "学" == nd:
            return d
    return _ALIASES.get(sec.replace("、", ""))


@rule(
    "subject-valid",
    "所在学科须为学科代码表中的学科（不含中医类）",
    "error",
    "all",
    (S.BJ_SUBJECT_NO_TCM, S.BJ_SUBJECT_CHOOSE),
)
def subject_valid(form: Form) -> Iterator[Hit]:
    """二级学科 is one of the 24 listed disciplines; nothing 中医类."""
    if blank(form.subject):
        yield unread("subject")
        return
    tcm = has_any(form.subject, TCM_WORDS)
    if tcm:
        yield Hit(
            f"所在学科「{form.subject}」属中医类（含“{tcm[0]}”），继续医学教育推荐项目学科选择不含中医类项目",
            ["subject"],
            found=form.subject,
            fix="中医类项目请按中医药继续教育渠道申报；本渠道请选择学科代码表中的非中医学科。",
        )
    elif discipline_of(form.subject) is None:
        yield Hit(
            f"所在学科「{form.subject}」的二级学科不在学科代码表（1 基础形态 … 24 卫生法规与医学伦理学）中",
            ["subject"],
            found=form.subject,
            fix="请按“二级学科-三级学科”格式，从学科代码表的24个二级学科中选择，如“临床内科学-心血管病学”。",
        )


@rule(
    "infectious-double",
    "已选“临床内科-感染病学”的项目不再勾选传染病防治知识培训类项目",
    "warning",
    "beijing",
    (S.BJ_INFECTIOUS,),
)
def infectious_double(form: Form) -> Iterator[Hit]:
    """Subject 临床内科-感染病学 and 传染病防治知识培训类 ticked together count twice."""
    if (
        discipline_of(form.subject) == "临床内科学"
        and "感染病" in third_level(form.subject)
        and form.infectious_training
    ):
        yield Hit(
            "所在学科为“临床内科-感染病学”，又勾选了“传染病防治知识培训类项目”，会造成传染病学时重复统计",
            ["infectious_training", "subject"],
            found=True,
            fixed_value=False,
            fix="请取消勾选“传染病防治知识培训类项目”。",
        )


MEETING_WORDS = ("年会", "峰会", "论坛", "学术大会", "学术会议", "大会")
TEACHING_WORDS = ("学习班", "培训班", "研讨班", "讲习班", "培训", "高级班", "提高班", "训练营", "工作坊")


@rule(
    "no-theme-meeting",
    "无主题授课内容的年会、峰会、论坛不作为项目申报",
    "warning",
    "all",
    (S.BJ_NO_THEME, S.NAT_NO_THEME),
)
def no_theme_meeting(form: Form) -> Iterator[Hit]:
    """Title names a 年会/峰会/论坛 and no teaching form (学习班/培训班/研讨班 …)."""
    if blank(form.title):
        yield unread("title")
        return
    meeting = has_any(form.title, MEETING_WORDS)
    if meeting and not has_any(form.title, TEACHING_WORDS):
        yield Hit(
            f"项目名称「{form.title}」为“{meeting[0]}”形式，无主题授课内容的年会、峰会、论坛原则上不作为项目申报",
            ["title"],
            found=form.title,
            fix="请明确培训主题和系统的授课内容（如“××规范化诊疗学习班”），去掉与授课无关的会议内容。",
        )


ABROAD = (
    "香港",
    "澳门",
    "台湾",
    "台北",
    "高雄",
    "新加坡",
    "东京",
    "大阪",
    "首尔",
    "曼谷",
    "普吉",
    "巴厘岛",
    "吉隆坡",
    "纽约",
    "洛杉矶",
    "旧金山",
    "伦敦",
    "巴黎",
    "柏林",
    "罗马",
    "悉尼",
    "墨尔本",
    "迪拜",
    "日本",
    "韩国",
    "泰国",
    "美国",
    "英国",
    "法国",
    "德国",
    "澳大利亚",
    "马尔代夫",
    "境外",
    "国外",
    "海外",
)
SCENIC = (
    "风景名胜区",
    "风景区",
    "景区",
    "度假村",
    "度假区",
    "温泉",
    "黄山",
    "九寨沟",
    "张家界",
    "三亚",
    "丽江",
    "桂林",
    "西双版纳",
    "峨眉山",
    "武夷山",
    "庐山",
    "泰山",
    "长白山",
    "北戴河",
    "千岛湖",
    "亚布力",
    "鼓浪屿",
)


@rule("venue", "举办地点须在中国内地且不在风景名胜区", "warning", "all", (S.NAT_MAINLAND, S.NAT_SCENIC, S.BJ_SCENIC))
def venue(form: Form) -> Iterator[Hit]:
    """No venue outside the mainland or in a scenic resort."""
    if not form.events:
        yield unread("events")
        return
    for i, ev in enumerate(form.events):
        v = ev.venue or ""
        abroad, scenic = has_any(v, ABROAD), has_any(v, SCENIC)
        if abroad:
            yield Hit(
                f"第 {i + 1} 期举办地点「{v}」不在中国内地（{abroad[0]}），项目的举办地点须在中国内地",
                [f"events.{i}.venue"],
                found=v,
                fix="请将举办地点改在中国内地。",
            )
        elif scenic:
            yield Hit(
                f"第 {i + 1} 期举办地点「{v}」疑似风景名胜区/度假场所（{scenic[0]}），严禁在风景名胜区举办项目",
                [f"events.{i}.venue"],
                found=v,
                fix="请改在医院、高校或城市会议场所举办，避开风景名胜区和度假场所。",
            )


COMMERCIAL = (
    "有限公司",
    "股份公司",
    "集团",
    "药业",
    "制药",
    "生物科技",
    "医疗器械公司",
    "®",
    "™",
    "赞助",
    "冠名",
    "辉瑞",
    "罗氏",
    "拜耳",
    "诺华",
    "阿斯利康",
    "强生",
    "默沙东",
    "赛诺菲",
    "恒瑞",
    "美敦力",
    "迈瑞",
    "葛兰素",
    "礼来",
    "诺和诺德",
    "百时美施贵宝",
    "雅培",
    "西门子医疗",
    "飞利浦医疗",
    "GE医疗",
    "波士顿科学",
)
NON_COMMERCIAL_GROUPS = ("医疗集团", "医院集团", "健康集团", "医联体")


# A trade name followed by its generic drug name: 泰能（注射用亚胺培南西司他丁钠）.
BRAND_GENERIC = re.compile(
    r"[\u4e00-\u9fffA-Za-z]{2,8}[（(][^（）()]{0,20}"
    r"(注射用|注射液|片|胶囊|颗粒|缓释|控释|滴眼液|喷雾|气雾剂|乳膏|凝胶|口服液|混悬液|单抗|钠|钾)[^（）()]{0,10}[）)]"
)


def _commercial_in(text: Optional[str]) -> list[str]:
    """Company, brand or sponsorship signs in a text."""
    t = text or ""
    for g in NON_COMMERCIAL_GROUPS:
        t = t.replace(g, "")
    return has_any(t, COMMERCIAL) + [m.group(0) for m in BRAND_GENERIC.finditer(t)]


@rule(
    "no-commercial",
    "项目名称及内容不得含企业、产品名称、商标或赞助信息",
    "warning",
    "all",
    (S.BJ_COMMERCIAL, S.BJ_SPONSOR, S.NAT_PUBLIC_GOOD),
)
def no_commercial(form: Form) -> Iterator[Hit]:
    """Title, narratives and teaching topics carry no company/brand/sponsor signs."""
    texts = [
        ("title", form.title),
        ("peer_review", form.peer_review),
        ("achievements", form.achievements),
        ("unit_profile", form.unit_profile),
    ]
    texts += [(f"teachers.{i}.topic", t.topic) for i, t in enumerate(form.teachers or [])]
    for path, text in texts:
        words = _commercial_in(text)
        if words:
            label = LABELS.get(path, "讲授题目")
            yield Hit(
                f"「{label}」中出现企业、产品或赞助相关字样：{'、'.join(words)}",
                [path],
                found=words,
                fix="请删除企业名称、产品名、商标和赞助、冠名信息，坚持公益性原则。",
            )


def length_hits(text: Optional[str], path: str, minimum: int) -> Iterator[Hit]:
    """Too short (error) or within 10% above the limit (advice); unread when missing or hint text."""
    label = LABELS[path]
    if unread_text(text, path):
        yield unread(path, "字数")
        return
    n = count_chars(text)
    if n < minimum:
        yield Hit(
            f"「{label}」共 {n} 字（不计空白），不少于 {minimum} 字",
            [path],
            found=n,
            fixed_value=minimum,
            fix=f"请补充「{label}」至少 {minimum - n} 字，使总字数不少于 {minimum} 字。",
        )
    elif n < minimum * 1.1:
        yield Hit(
            f"「{label}」共 {n} 字（不计空白），仅略高于 {minimum} 字的要求，不同系统计数方式可能不同",
            [path],
            found=n,
            severity="advice",
            fix=f"建议再补充一些内容，留出余量（如 {int(minimum * 1.1) + 1} 字以上）。",
        )


@rule("peer-review-length", f"同行评议意见不少于{MIN_CHARS['peer_review']}字", "error", "all", (S.BJ_PEER,))
def peer_review_length(form: Form) -> Iterator[Hit]:
    """同行评议意见 ≥ 200 non-whitespace characters."""
    yield from length_hits(form.peer_review, "peer_review", MIN_CHARS["peer_review"])


CONTENT_WORDS = ("内容", "课程", "讲授", "专题", "主题", "涵盖", "包括")
FORMAT_WORDS = (
    "形式",
    "讲座",
    "授课",
    "实操",
    "演示",
    "示范",
    "工作坊",
    "案例",
    "研讨",
    "线上",
    "线下",
    "面授",
    "模拟",
)


@rule("peer-review-content", "同行评议意见须写明培训内容、形式", "warning", "all", (S.BJ_PEER_CONTENT,))
def peer_review_content(form: Form) -> Iterator[Hit]:
    """The recommendation mentions the training content and the format."""
    if unread_text(form.peer_review, "peer_review"):
        yield unread("peer_review", "推荐理由内容")
        return
    missing = [
        n for n, ws in (("培训内容", CONTENT_WORDS), ("培训形式", FORMAT_WORDS)) if not has_any(form.peer_review, ws)
    ]
    if missing:
        yield Hit(
            f"同行评议意见未写明{'、'.join(missing)}",
            ["peer_review"],
            found=missing,
            fix="请在推荐理由中写明培训内容（主要课程、专题）和培训形式（讲座、实操演示、案例讨论等）。",
        )


@rule("peer-reviewer", "同行评议专家须为1名外单位同学科副高级及以上职称专家", "error", "all", (S.BJ_PEER,))
def peer_reviewer(form: Form) -> Iterator[Hit]:
    """Reviewer is from another unit and holds a 副高级 or higher title (discipline is not on the form)."""
    pr = form.peer_reviewer
    if pr is None or (blank(pr.name) and blank(pr.title) and blank(pr.unit)):
        yield unread("peer_reviewer")
        return
    if blank(pr.unit):
        yield unread("peer_reviewer.unit")
    elif same_unit(pr.unit, form.applicant_unit) or (form.lead and same_unit(pr.unit, form.lead.unit)):
        yield Hit(
            f"同行评议专家「{pr.name or ''}」所在单位「{pr.unit}」与申报单位相同，须由外单位专家填写",
            ["peer_reviewer.unit"],
            found=pr.unit,
            fix="请另请一位外单位同学科副高级及以上职称专家填写同行评议意见。",
        )
    rank = rank_of(pr.title)
    if blank(pr.title):
        yield unread("peer_reviewer.title")
    elif rank is None:
        yield Hit(
            f"同行评议专家职称「{pr.title}」不是明确的专业技术职称",
            ["peer_reviewer.title"],
            found=pr.title,
            fix="请填写专家的具体职称，如“主任医师”“教授”。",
        )
    elif rank in ("middle", "junior"):
        yield Hit(
            f"同行评议专家职称「{pr.title}」为{RANK_ZH[rank]}，须为副高级及以上",
            ["peer_reviewer.title"],
            found=pr.title,
            fix="请另请一位副高级及以上职称的外单位同学科专家填写同行评议意见。",
        )


@rule(
    "achievements-length",
    f"项目负责人主要成绩不少于{MIN_CHARS['achievements']}字",
    "error",
    "all",
    (S.BJ_ACHIEVEMENTS,),
)
def achievements_length(form: Form) -> Iterator[Hit]:
    """主要成绩 ≥ 300 non-whitespace characters."""
    yield from length_hits(form.achievements, "achievements", MIN_CHARS["achievements"])


@rule(
    "unit-profile-length",
    f"申报单位及科室基本情况不少于{MIN_CHARS['unit_profile']}字并涵盖规定方面",
    "error",
    "all",
    (S.BJ_UNIT_PROFILE,),
)
def unit_profile_length(form: Form) -> Iterator[Hit]:
    """基本情况 ≥ 300 characters (error) and mentions 组织架构、配套政策、经费支持、培训场地、师资队伍 (warning)."""
    yield from length_hits(form.unit_profile, "unit_profile", MIN_CHARS["unit_profile"])
    if unread_text(form.unit_profile, "unit_profile"):
        return
    missing = unit_profile_missing(form.unit_profile or "")
    if missing:
        yield Hit(
            f"「申报单位及科室基本情况」未涉及：{'、'.join(missing)}",
            ["unit_profile"],
            severity="warning",
            found=missing,
            fix=f"请补充{'、'.join(missing)}等方面的情况。",
        )


@rule("signatures", "承诺书须有项目负责人签名、申报单位盖章", "warning", "all", (S.BJ_SIGN, S.BJ_SIGN_SEAL))
def signatures(form: Form) -> Iterator[Hit]:
    """The lead signed the 承诺书 (the seal itself is checked on the page image, not here)."""
    if form.signed is None:
        yield unread("signed", "签字")
    elif form.signed is False:
        yield Hit(
            "承诺书未见项目负责人签名",
            ["signed"],
            found=False,
            fixed_value=True,
            fix="请项目负责人在承诺书和申报书中签字，申报单位加盖公章。",
        )


REQUIRED: tuple[str, ...] = (
    "title",
    "subject",
    "level",
    "mode",
    "audience",
    "enrollment",
    "total_hours",
    "theory_hours",
    "practice_hours",
    "credits",
    "sessions",
    "events",
    "out_of_province_pct",
    "grassroots_pct",
    "applicant_unit",
    "unit_phone",
    "unit_contact",
    "lead_address",
    "lead_phone",
    "peer_review",
    "achievements",
    "unit_profile",
    "teachers",
    "lead.name",
    "lead.sex",
    "lead.birth",
    "lead.id_number",
    "lead.title",
    "lead.post",
    "lead.education",
    "lead.unit",
    "lead.employed",
    "lead.specialty",
)
NARRATIVES = ("peer_review", "achievements", "unit_profile")
TEACHER_REQUIRED = (
    ("name", "姓名"),
    ("title", "专业技术职称"),
    ("unit", "所在单位"),
    ("topic", "讲授题目"),
    ("hours", "学时"),
)


def _value(form: Form, path: str) -> object:
    """Value at a dotted path (None when a parent is missing)."""
    obj: object = form
    for part in path.split("."):
        obj = getattr(obj, part, None) if obj is not None else None
    return obj


@rule(
    "fields-complete",
    "各项信息须填写完整准确：必填项不得空缺，不得保留模板提示文字",
    "error",
    "all",
    (S.BJ_ACCURATE, S.BJ_INFO_ACCURATE),
)
def fields_complete(form: Form) -> Iterator[Hit]:
    """Every required field holds a value (narratives: not empty, not hint text); teacher rows complete."""
    for path in REQUIRED:
        v = _value(form, path)
        empty = unread_text(v, path) if path in NARRATIVES else blank(v)  # type: ignore[arg-type]
        if empty:
            label = LABELS.get(path, path)
            hint = path in NARRATIVES and isinstance(v, str) and not blank(v)
            yield Hit(
                f"必填项「{label}」{'仍为模板提示文字' if hint else '未填写或未能读取'}",
                [path],
                found=v,
                fix=f"请填写「{label}」。",
            )
    for i, t in enumerate(form.teachers or []):
        miss = [zh for key, zh in TEACHER_REQUIRED if blank(getattr(t, key))]
        if miss:
            yield Hit(
                f"课程及教师信息第 {i + 1} 行缺少：{'、'.join(miss)}",
                [f"teachers.{i}"],
                found=miss,
                fix=f"请补全第 {i + 1} 行教师的{'、'.join(miss)}。",
            )
