"""The extracted form as readable Chinese tables (screen only; exports mask personal data)."""

from __future__ import annotations

from typing import Any

from review.form import Form
from review.sections import EVENT_ZH, FIELD_ZH, HISTORY_ZH, LEAD_ZH, TEACHER_ZH

__all__ = ["EVENT_ZH", "FIELD_ZH", "HISTORY_ZH", "LEAD_ZH", "TEACHER_ZH"]

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
    return [{"项目": zh, "内容": show(data.get(key))} for key, zh in FIELD_ZH.items() if key not in NARRATIVE_FIELDS]


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
