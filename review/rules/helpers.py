"""Shared pieces for rule modules: the registering decorator, the Hit builder, and small text/number helpers."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Optional

from review import normalize
from review.form import Form, Teacher
from review.rules.base import Finding, Rule, Scope, Severity, Source

REGISTRY: dict[str, Rule] = {}

# Chinese labels of form paths, used in "无法检查：未读取到字段「…」".
LABELS: dict[str, str] = {
    "title": "项目名称",
    "subject": "所在学科",
    "level": "项目级别",
    "mode": "举办方式（面授/远程）",
    "audience": "教学对象",
    "enrollment": "拟招生人数",
    "total_hours": "教学总时长（小时）",
    "theory_hours": "讲授理论时长（小时）",
    "practice_hours": "实践（技术示范）时长（小时）",
    "credits": "拟授学分",
    "sessions": "举办期数",
    "events": "举办时间/地点",
    "out_of_province_pct": "拟招收外省学员占比（%）",
    "grassroots_pct": "拟招收基层单位学员占比（%）",
    "applicant_unit": "申报单位",
    "unit_type": "申报单位类型",
    "unit_phone": "单位联系电话",
    "unit_contact": "单位联系人",
    "lead_address": "项目负责人通讯地址",
    "lead_phone": "项目负责人联系电话",
    "peer_review": "同行评议意见",
    "peer_reviewer": "同行评议专家",
    "achievements": "主要成绩",
    "history": "近三年继续医学教育项目申报、执行情况",
    "unit_profile": "申报单位及科室基本情况",
    "teachers": "课程及教师信息",
    "signed": "项目负责人签名（承诺书）",
    "lead": "项目负责人信息",
    "lead.name": "项目负责人姓名",
    "lead.sex": "性别",
    "lead.birth": "出生年月",
    "lead.id_number": "身份证号码",
    "lead.title": "项目负责人职称",
    "lead.post": "职务",
    "lead.education": "最高学历",
    "lead.unit": "项目负责人工作单位",
    "lead.employed": "是否在职（岗）",
    "lead.specialty": "从事专业",
}

_PLACEHOLDER = re.compile(r"^[\s_＿\-—.·。…/／无略暂无待填]*$")


@dataclass
class Hit:
    """What a check reports; the decorator turns it into a Finding with the rule's metadata."""

    message: str
    fields: list[str] = field(default_factory=list)
    fix: str = ""
    fixed_value: Any = None
    found: Any = None
    severity: Optional[Severity] = None
    not_checked: bool = False


def rule(
    id: str,
    title: str,
    severity: Severity,
    scope: Scope,
    sources: tuple[Source, ...],
    applies: Optional[Callable[[Form], bool]] = None,
    batch: bool = False,
    tags: tuple[str, ...] = (),
) -> Callable[[Callable[[Form], Iterable[Hit]]], Callable[[Form], Iterable[Hit]]]:
    """Register a check function as a Rule in REGISTRY."""

    def deco(fn: Callable[[Form], Iterable[Hit]]) -> Callable[[Form], Iterable[Hit]]:
        if id in REGISTRY:
            raise ValueError(f"duplicate rule id {id}")
        holder: list[Rule] = []

        def check(form: Form) -> list[Finding]:
            return [to_finding(holder[0], h) for h in fn(form)]

        r = Rule(
            id=id,
            title=title,
            severity=severity,
            scope=scope,
            sources=sources,
            check=check,
            applies=applies or (lambda form: True),
            batch=batch,
            tags=tags,
        )
        holder.append(r)
        REGISTRY[id] = r
        return fn

    return deco


def to_finding(r: Rule, h: Hit) -> Finding:
    """A Finding carrying the rule's id, title, severity and first source."""
    return Finding(
        rule=r.id,
        severity=h.severity or r.severity,
        title=r.title,
        message=h.message,
        fields=list(h.fields),
        fix=h.fix,
        fixed_value=h.fixed_value,
        found=h.found,
        source=r.sources[0] if r.sources else None,
        not_checked=h.not_checked,
    )


def unread(path: str, what: str = "") -> Hit:
    """Advice that a check could not run because an input was not read."""
    label = LABELS.get(path, path)
    return Hit(
        message=f"无法检查{what}：未读取到字段「{label}」",
        fields=[path],
        severity="advice",
        not_checked=True,
        found={"unread": path},  # marks a not-read notice (run_rules folds them into one)
        fix=f"请核对申报书中「{label}」是否已填写且清晰可读，补充后重新检查。",
    )


# --- text -----------------------------------------------------------------------------------------


def count_chars(text: Optional[str]) -> int:
    """Characters an online form counts: everything that is not white space (review.normalize.count_chars)."""
    return normalize.count_chars(text)


def blank(value: Any) -> bool:
    """True for None, an empty/placeholder string, or an empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return bool(_PLACEHOLDER.match(value)) or not value.strip()
    if isinstance(value, (list, tuple, dict)):
        return len(value) == 0
    return False


def unread_text(text: Optional[str], field: str = "") -> bool:
    """A narrative that counts as not filled in: missing, blank or template hint."""
    return blank(text) or normalize.not_filled_hint(field, text)


def norm(text: Optional[str]) -> str:
    """Text without white space (normalize.squash), with full-width brackets made half-width."""
    return normalize.squash(text or "").replace("（", "(").replace("）", ")")


def has_any(text: Optional[str], words: Iterable[str]) -> list[str]:
    """The words that occur in the text."""
    t = text or ""
    return [w for w in words if w in t]


# --- numbers --------------------------------------------------------------------------------------


def fmt(x: Optional[float]) -> str:
    """A number as a user reads it: 6 not 6.0, 5.5 stays."""
    if x is None:
        return "（未读取）"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def floor_half(x: float) -> float:
    """Round down to a multiple of 0.5."""
    return math.floor(x * 2 + 1e-9) / 2


def pct(part: int, whole: int) -> float:
    """Percentage, one decimal."""
    return round(100.0 * part / whole, 1) if whole else 0.0


# --- teachers -------------------------------------------------------------------------------------

PRACTICE_WORDS = ("实验", "演示", "技术示范", "示范", "实操", "操作", "实训", "模拟", "带教", "工作坊")


def teacher_kind(t: Teacher) -> Optional[str]:
    """'theory' or 'practice': the extracted kind, else from the teaching method."""
    if t.kind:
        return t.kind
    if not t.method:
        return None
    return "practice" if has_any(t.method, PRACTICE_WORDS) else "theory"


def person_key(t: Teacher, i: int) -> str:
    """One teacher across several rows: by name, else by row."""
    return norm(t.name) or f"#row{i}"


def persons(teachers: list[Teacher]) -> dict[str, tuple[int, Teacher]]:
    """First row (index, teacher) of each distinct teacher."""
    out: dict[str, tuple[int, Teacher]] = {}
    for i, t in enumerate(teachers):
        out.setdefault(person_key(t, i), (i, t))
    return out


# --- project kind ---------------------------------------------------------------------------------

SKILL_WORDS = ("技能", "操作", "实操", "技术")
# words that name the project itself as a clinical-skills course, whatever its hours
CLINICAL_SKILL_NAMES = ("临床技能", "操作技能", "技能操作", "实操")
# "技能" alone is content (skills can be lectured), not a format: it makes no project 实操训练类
HANDS_ON_WORDS = ("实操", "操作", "实训", "工作坊", "模拟", "手术演示", "训练")


def second_level(subject: Optional[str]) -> str:
    """The 二级学科 part of "临床内科学-心血管病学"."""
    return re.split(r"[-－—–/／]", norm(subject), maxsplit=1)[0] if subject else ""


def third_level(subject: Optional[str]) -> str:
    """The 三级学科 part of "临床内科学-心血管病学" ('' when absent)."""
    parts = re.split(r"[-－—–/／]", norm(subject), maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


def is_nursing_project(form: Form) -> bool:
    """A nursing project: 二级学科 护理学."""
    return second_level(form.subject).startswith("护理")


def is_clinical_skills(form: Form) -> bool:
    """临床技能项目: named so (临床技能/实操…), or skill words with practice at least half the hours; practice > 0."""
    text = (form.title or "") + (form.subject or "")
    ph, th = form.practice_hours or 0, form.total_hours or 0
    if ph <= 0:
        return False
    return bool(has_any(text, CLINICAL_SKILL_NAMES)) or (bool(has_any(text, SKILL_WORDS)) and th > 0 and ph * 2 >= th)


def is_hands_on(form: Form) -> bool:
    """实操训练类: practice hours at least half the total, or hands-on words in the title with practice hours > 0."""
    ph, th = form.practice_hours or 0, form.total_hours or 0
    if ph <= 0:
        return False
    return (th > 0 and ph * 2 >= th) or bool(has_any(form.title, HANDS_ON_WORDS))


ASSOCIATION_WORDS = ("学会", "协会", "学（协）会", "学(协)会", "联合会", "基金会", "研究会")
INSTITUTION_WORDS = ("医疗", "卫生", "教学", "科研", "医院", "大学", "学院", "研究所", "研究院", "中心", "卫生院")


def unit_kind(form: Form) -> Optional[str]:
    """'institution' (医疗卫生/教学/科研机构), 'association' (学（协）会 or other), or None when undecidable."""
    ut = norm(form.unit_type)
    if ut:
        if has_any(ut, ASSOCIATION_WORDS) or "其他" in ut:
            return "association"
        if has_any(ut, INSTITUTION_WORDS):
            return "institution"
    name = norm(form.applicant_unit)
    if has_any(name, ASSOCIATION_WORDS):
        return "association"
    if has_any(name, INSTITUTION_WORDS):
        return "institution"
    return None
