"""Typed model of the application form (申报书); its JSON is the report's `form` object (FORM.md)."""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Evidence(_Model):
    """Where an extracted value came from: page (1-based), box (x0, top, x1, bottom in PDF points), raw text."""

    page: Optional[int] = None
    bbox: Optional[tuple[float, float, float, float]] = None
    raw: str = ""
    source: Literal["text", "table", "ocr", "acroform", "layout", "docx", "none"] = "text"
    cell: Optional[tuple[int, int, int]] = None  # Word drafts: (table, row, column), 1-based; table 0 = paragraph


class Event(_Model):
    """One session (期) of the project: 举办时间 / 天数 / 地点."""

    start: Optional[str] = None  # ISO date "2025-05-10" where it could be parsed, else the raw text
    end: Optional[str] = None
    days: Optional[float] = None
    venue: Optional[str] = None


class PeerReviewer(_Model):
    """The outside expert who wrote 同行评议意见."""

    name: Optional[str] = None
    title: Optional[str] = None
    unit: Optional[str] = None


class Lead(_Model):
    """项目负责人."""

    name: Optional[str] = None
    sex: Optional[str] = None
    birth: Optional[str] = None  # "1975-03" (year-month) where parseable
    id_number: Optional[str] = None
    title: Optional[str] = None
    post: Optional[str] = None
    education: Optional[str] = None
    unit: Optional[str] = None
    employed: Optional[bool] = None
    specialty: Optional[str] = None


class HistoryYear(_Model):
    """One line of 近三年继续医学教育项目申报、执行情况."""

    year: Optional[int] = None
    national: Optional[bool] = None
    provincial: Optional[bool] = None
    executed: Optional[bool] = None
    national_code: Optional[str] = None
    provincial_code: Optional[str] = None


class Teacher(_Model):
    """One row of 课程及教师信息."""

    name: Optional[str] = None
    title: Optional[str] = None
    unit: Optional[str] = None
    topic: Optional[str] = None
    method: Optional[str] = None
    hours: Optional[float] = None
    kind: Optional[Literal["theory", "practice"]] = None


class Form(_Model):
    """The whole form. Every field may be null: null means it could not be read."""

    application_code: Optional[str] = None
    title: Optional[str] = None
    subject: Optional[str] = None
    level: Optional[str] = None  # "国家级" | "北京市级"
    category: Optional[str] = None  # "普通项目" | "社区必修课"
    jjj: Optional[bool] = None
    infectious_training: Optional[bool] = None
    mode: Optional[str] = None  # "面授" | "远程"
    audience: Optional[str] = None
    enrollment: Optional[int] = None
    total_hours: Optional[float] = None
    theory_hours: Optional[float] = None
    practice_hours: Optional[float] = None
    credits: Optional[float] = None
    sessions: Optional[int] = None
    events: Optional[list[Event]] = None
    out_of_province_pct: Optional[float] = None
    grassroots_pct: Optional[float] = None
    applicant_unit: Optional[str] = None
    unit_type: Optional[str] = None
    unit_phone: Optional[str] = None
    unit_contact: Optional[str] = None
    lead_address: Optional[str] = None
    lead_phone: Optional[str] = None
    peer_review: Optional[str] = None
    peer_reviewer: Optional[PeerReviewer] = None
    lead: Optional[Lead] = None
    achievements: Optional[str] = None
    history: Optional[list[HistoryYear]] = None
    unit_profile: Optional[str] = None
    teachers: Optional[list[Teacher]] = None
    signed: Optional[bool] = None

    def to_json_dict(self) -> dict[str, Any]:
        """The report's `form` object: every key present, null where unread."""
        return self.model_dump(mode="json")


FORM_KEYS: tuple[str, ...] = tuple(Form.model_fields)


class ExtractResult(_Model):
    """Output of extraction: the form, per-field evidence, and how it was read."""

    form: Form = Field(default_factory=Form)
    # key is a dotted path: "credits", "lead.title", "teachers.3.hours", "history.0.national_code"
    evidence: dict[str, Evidence] = Field(default_factory=dict)
    style: str = "unknown"  # "word-table" | "printout" | "scan" | "fillable" | "unknown"
    pages: int = 0
    ocr_pages: list[int] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)  # Chinese, user-facing
    seconds: float = 0.0
