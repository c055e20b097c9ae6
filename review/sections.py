"""Which part of the form a finding belongs to, and Chinese names of field paths (shared by the app and exports)."""

from __future__ import annotations

from review.findings import SEVERITY_ORDER, Finding

SECTIONS: tuple[str, ...] = ("项目负责人", "授课教师", "学时学分", "招生", "内容与填写")

# Field path prefixes → section (checked in order; the first field that maps wins).
_FIELD_SECTIONS: tuple[tuple[str, str], ...] = (
    ("lead", "项目负责人"),
    ("achievements", "项目负责人"),
    ("history", "项目负责人"),
    ("teachers", "授课教师"),
    ("total_hours", "学时学分"),
    ("theory_hours", "学时学分"),
    ("practice_hours", "学时学分"),
    ("credits", "学时学分"),
    ("sessions", "学时学分"),
    ("events", "学时学分"),
    ("enrollment", "招生"),
    ("out_of_province_pct", "招生"),
    ("grassroots_pct", "招生"),
)

# Rule-id keywords → section, used when the fields do not decide.
_RULE_SECTIONS: tuple[tuple[str, str], ...] = (
    ("lead", "项目负责人"),
    ("id-number", "项目负责人"),
    ("achievement", "项目负责人"),
    ("teacher", "授课教师"),
    ("share", "授课教师"),
    ("hour", "学时学分"),
    ("credit", "学时学分"),
    ("session", "学时学分"),
    ("deadline", "学时学分"),
    ("enrol", "招生"),
    ("province", "招生"),
    ("percent", "招生"),
    ("grassroots", "招生"),
)


def section_of(finding: Finding) -> str:
    """The form section a finding belongs to, from its rule id first, then its fields."""
    rule = finding.rule.lower()
    for key, section in _RULE_SECTIONS:
        if key in rule:
            return section
    for path in finding.fields:
        head = path.split(".", 1)[0]
        for prefix, section in _FIELD_SECTIONS:
            if head == prefix:
                return section
    return SECTIONS[-1]


def group_findings(findings: list[Finding]) -> dict[str, dict[str, list[Finding]]]:
    """Findings grouped by severity, then by section, both in display order (empty groups left out)."""
    out: dict[str, dict[str, list[Finding]]] = {}
    for sev in sorted(SEVERITY_ORDER, key=SEVERITY_ORDER.__getitem__):
        by_section: dict[str, list[Finding]] = {}
        for f in sorted((f for f in findings if f.severity == sev), key=lambda f: f.rule):
            by_section.setdefault(section_of(f), []).append(f)
        if by_section:
            out[sev] = {s: by_section[s] for s in SECTIONS if s in by_section}
    return out


# Chinese names of the form's fields (FORM.md keys), for messages that name a field.
FIELD_ZH: dict[str, str] = {
    "application_code": "申请代码",
    "title": "项目名称",
    "subject": "所在学科",
    "level": "项目级别",
    "category": "项目类别",
    "jjj": "京津冀互认项目",
    "infectious_training": "传染病防治知识培训类",
    "mode": "举办方式",
    "audience": "教学对象",
    "enrollment": "拟招生人数",
    "total_hours": "教学总时长（小时）",
    "theory_hours": "讲授理论时长（小时）",
    "practice_hours": "实践时长（小时）",
    "credits": "拟授学分",
    "sessions": "举办期数",
    "out_of_province_pct": "外省学员占比（%）",
    "grassroots_pct": "基层学员占比（%）",
    "applicant_unit": "申报单位",
    "unit_type": "申报单位类型",
    "unit_phone": "单位联系电话",
    "unit_contact": "单位联系人",
    "lead_address": "负责人通讯地址",
    "lead_phone": "负责人联系电话",
    "signed": "承诺书签名",
    "peer_review": "同行评议意见",
    "achievements": "项目负责人主要成绩",
    "unit_profile": "申报单位及科室基本情况",
}
LEAD_ZH: dict[str, str] = {
    "name": "姓名",
    "sex": "性别",
    "birth": "出生年月",
    "id_number": "身份证号码",
    "title": "职称",
    "post": "职务",
    "education": "最高学历",
    "unit": "工作单位",
    "employed": "是否在职（岗）",
    "specialty": "从事专业",
}
TEACHER_ZH: dict[str, str] = {
    "name": "姓名",
    "title": "职称",
    "unit": "所在单位",
    "topic": "讲授题目",
    "method": "教学方法",
    "hours": "学时",
    "kind": "类型",
}
EVENT_ZH: dict[str, str] = {"start": "开始", "end": "结束", "days": "天数", "venue": "地点"}
HISTORY_ZH: dict[str, str] = {
    "year": "年度",
    "national": "国家级",
    "provincial": "省级",
    "executed": "是否执行",
    "national_code": "国家级项目编号",
    "provincial_code": "省级项目编号",
}
REVIEWER_ZH: dict[str, str] = {"name": "姓名", "title": "职称", "unit": "工作单位"}
_LISTS: dict[str, tuple[str, dict[str, str]]] = {
    "teachers": ("第 {n} 位授课教师", TEACHER_ZH),
    "events": ("第 {n} 期", EVENT_ZH),
    "history": ("近三年第 {n} 行", HISTORY_ZH),
}
_LIST_WHOLE = {"teachers": "授课教师", "events": "举办时间与地点", "history": "近三年申报、执行情况"}


def field_zh(path: str) -> str:
    """A dotted field path in words: 'teachers.2.hours' -> '第 3 位授课教师的学时', 'lead.title' -> '项目负责人职称'."""
    parts = path.split(".")
    head = parts[0]
    if head == "lead":
        return "项目负责人" + (LEAD_ZH.get(parts[1], parts[1]) if len(parts) > 1 else "")
    if head == "peer_reviewer":
        return "同行评议专家" + (REVIEWER_ZH.get(parts[1], parts[1]) if len(parts) > 1 else "")
    if head in _LISTS:
        who, names = _LISTS[head]
        if len(parts) > 1 and parts[1].isdigit():
            base = who.format(n=int(parts[1]) + 1)
            return base + (f"的{names.get(parts[2], parts[2])}" if len(parts) > 2 else "")
        return _LIST_WHOLE[head]
    return FIELD_ZH.get(head, "其他内容")
