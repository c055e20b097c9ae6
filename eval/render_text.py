"""Labels and value formatting shared by the fixture renderers (how a draft writes each field)."""

from __future__ import annotations

from typing import Any, Optional

from review.form import Form

HINTS = {
    "peer_review": "推荐理由（不少于200字）。建议理由应包含：培训内容、形式等。",
    "achievements": "（不少于300字）",
    "unit_profile": "（主要表述与项目有关的基本情况，如组织架构、配套政策、经费支持、培训场地、师资队伍等方面）（不少于300字）",
}
CHECKBOXES = {"■□": ("■", "□"), "√□": ("√", "□"), "[x]": ("[x]", "[ ]")}
HOURS_SUFFIX = {"full": "（小时）", "h": "(h)", "half": "(小时)"}
PROMISES = (
    "一、本人承诺所填写的申报信息真实、完整、准确，项目内容符合继续医学教育相关规定。",
    "二、项目不含任何商业宣传内容，不以营利为目的，不接受与项目无关的任何形式的赞助。",
    "三、已征得全部授课教师的知情同意并留存相关证据备查，授课教师均按申报内容亲自授课。",
    "四、严格按照批准的时间、地点、学时和学分举办项目，规范授予学分，保证培训质量。",
)


def box(checked: Optional[bool], variant: dict[str, Any]) -> str:
    """One checkbox glyph in the case's glyph set."""
    on, off = CHECKBOXES.get(variant.get("checkbox", "■□"), CHECKBOXES["■□"])
    return on if checked else off


def yes_no(value: Optional[bool], variant: dict[str, Any]) -> str:
    """A 是/否 pair of checkboxes."""
    if value is None:
        return f"是{box(False, variant)}  否{box(False, variant)}"
    return f"是{box(value, variant)}  否{box(not value, variant)}"


def num(value: Optional[float]) -> str:
    """A number as a person types it: 12 not 12.0, 1.5 kept."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def hours_label(text: str, variant: dict[str, Any]) -> str:
    """A label ending in （小时） rewritten to the case's unit-suffix style."""
    return text.replace("（小时）", HOURS_SUFFIX.get(variant.get("unit_suffix", "full"), "（小时）"))


def narrative(form: Form, key: str, variant: dict[str, Any]) -> str:
    """The narrative text, or the template hint when the case leaves the hint in place."""
    if key in (variant.get("hint_left") or []):
        return HINTS[key]
    return getattr(form, key) or ""


def ym(value: Optional[str]) -> str:
    """'1972-05' as 1972年05月."""
    if not value or "-" not in value:
        return value or ""
    year, month = value.split("-")[:2]
    return f"{year}年{month}月"


def date_range(start: Optional[str], end: Optional[str]) -> str:
    """An event's 举办时间."""
    return f"{start or ''}至{end or ''}"


def history_line(h: Any, variant: dict[str, Any]) -> str:
    """One 近三年 line as in the template."""
    return (
        f"{h.year}年继续医学教育项目申报情况：国家级{box(h.national, variant)} 省级{box(h.provincial, variant)}，"
        f"是否执行：是{box(h.executed is True, variant)} 否{box(h.executed is False, variant)}。"
        f"国家级项目编号：{h.national_code or '____'}、省级项目编号：{h.provincial_code or '____'}"
    )


def basic_fields(form: Form, variant: dict[str, Any]) -> list[tuple[str, str]]:
    """项目基本信息 as (label, value) pairs."""
    return [
        ("申请代码", form.application_code or ""),
        ("项目名称", form.title or ""),
        ("所在学科（二、三级学科）", form.subject or ""),
        ("项目级别", form.level or ""),
        ("项目类别", form.category or ""),
        ("京津冀互认项目", yes_no(form.jjj, variant)),
        ("传染病防治知识培训类项目", yes_no(form.infectious_training, variant)),
        ("举办方式", f"面授{box(form.mode == '面授', variant)}  远程{box(form.mode == '远程', variant)}"),
        ("教学对象", form.audience or ""),
        ("拟招生人数", f"{form.enrollment}人" if form.enrollment is not None else ""),
        (hours_label("教学总时长（小时）", variant), num(form.total_hours)),
        (hours_label("讲授理论时长（小时）", variant), num(form.theory_hours)),
        (hours_label("实践（技术示范）时长（小时）", variant), num(form.practice_hours)),
        ("拟授学分", num(form.credits)),
        ("举办期数", str(form.sessions) if form.sessions is not None else ""),
        ("拟招收外省学员占比（%）", num(form.out_of_province_pct)),
        ("拟招收基层单位学员占比（%）", num(form.grassroots_pct)),
        ("申报单位", form.applicant_unit or ""),
        ("申报单位类型", form.unit_type or ""),
        ("单位联系电话", form.unit_phone or ""),
        ("单位联系人", form.unit_contact or ""),
        ("项目负责人通讯地址", form.lead_address or ""),
        ("项目负责人联系电话", form.lead_phone or ""),
    ]


def lead_fields(form: Form, variant: dict[str, Any]) -> list[tuple[str, str]]:
    """项目负责人信息 as (label, value) pairs."""
    lead = form.lead
    if lead is None:
        return []
    return [
        ("项目负责人姓名", lead.name or ""),
        ("性别", lead.sex or ""),
        ("出生年月", ym(lead.birth)),
        ("项目负责人身份证号码", lead.id_number or ""),
        ("职称", lead.title or ""),
        ("职务", lead.post or ""),
        ("最高学历", lead.education or ""),
        ("工作单位", lead.unit or ""),
        ("是否在职（岗）", yes_no(lead.employed, variant)),
        ("从事专业（二、三级学科）", lead.specialty or ""),
    ]


def reviewer_fields(form: Form) -> list[tuple[str, str]]:
    """The peer reviewer's name, title and unit."""
    r = form.peer_reviewer
    return [
        ("评议专家姓名", (r.name if r else None) or ""),
        ("评议专家职称", (r.title if r else None) or ""),
        ("评议专家工作单位", (r.unit if r else None) or ""),
    ]


def shape_label(label: str, variant: dict[str, Any]) -> str:
    """Apply the label variants: spaces inside short labels, half-width brackets."""
    if variant.get("spaced_labels") and len(label) <= 6 and "（" not in label:
        label = " ".join(label)
    if variant.get("halfwidth"):
        label = label.replace("（", "(").replace("）", ")")
    return label


def colon(variant: dict[str, Any]) -> str:
    """The colon the draft uses."""
    return ":" if variant.get("halfwidth") else "："
