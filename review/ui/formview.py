"""The extracted form as readable Chinese tables (screen only; exports mask personal data)."""

from __future__ import annotations

from typing import Any

from review.form import Form

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
NARRATIVE_FIELDS: dict[str, str] = {
    "peer_review": "同行评议意见",
    "achievements": "项目负责人主要成绩",
    "unit_profile": "申报单位及科室基本情况",
}
KIND_ZH = {"theory": "理论", "practice": "实践"}
UNREAD = "（未读取）"


def show(value: Any) -> str:
    """A value as the applicant would read it."""
    if value is None or value == "":
        return UNREAD
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return KIND_ZH.get(value, str(value)) if isinstance(value, str) else str(value)


def basic_rows(form: Form) -> list[dict[str, str]]:
    """项目 / 内容 rows for the scalar fields."""
    data = form.to_json_dict()
    return [{"项目": zh, "内容": show(data.get(key))} for key, zh in FIELD_ZH.items()]


def lead_rows(form: Form) -> list[dict[str, str]]:
    """The lead as 项目 / 内容 rows, plus the peer reviewer."""
    lead = form.lead.model_dump() if form.lead else {}
    rows = [{"项目": zh, "内容": show(lead.get(k))} for k, zh in LEAD_ZH.items()]
    pr = form.peer_reviewer
    rows.append(
        {"项目": "同行评议专家", "内容": " · ".join(show(v) for v in (pr.name, pr.title, pr.unit)) if pr else UNREAD}
    )
    return rows


def table_rows(items: Any, labels: dict[str, str]) -> list[dict[str, str]]:
    """A list of sub-objects (teachers, events, history) as rows with Chinese column names."""
    return [{zh: show(getattr(it, k)) for k, zh in labels.items()} for it in items or []]
