"""Context from the current review: findings, form values and critiques that a chat question refers to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Optional

from review.findings import SEVERITY_ZH, Citation, Finding
from review.report import Report

DRAFT_CUES: tuple[str, ...] = (
    "我的",
    "我们的",
    "我这",
    "我们这",
    "这份",
    "本申报书",
    "申报书里",
    "为什么说",
    "怎么改",
    "如何改",
    "如何修改",
    "怎么修改",
    "本项目",
    "草稿",
    "被标",
    "报错",
    "哪里不对",
    "哪些问题",
    "有什么问题",
    "不对",
    "错在",
    "未通过",
    "没通过",
    "没有通过",
)
# topic word -> (rule id fragments, form field prefixes, narrative key)
TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "学分": (("credit",), ("credits",), ""),
    "学时": (("hours", "credit-rate"), ("total_hours", "theory_hours", "practice_hours", "teachers"), ""),
    "时长": (("hours",), ("total_hours", "theory_hours", "practice_hours"), ""),
    "同行评议": (("peer-review",), ("peer_review",), "peer_review"),
    "主要成绩": (("achievements",), ("achievements",), "achievements"),
    "基本情况": (("unit-profile",), ("unit_profile",), "unit_profile"),
    "职称": (("title",), ("lead.title", "teachers"), ""),
    "外省": (("out-of-province",), ("out_of_province_pct", "grassroots_pct"), ""),
    "基层": (("out-of-province",), ("grassroots_pct",), ""),
    "招生": (("enrollment",), ("enrollment",), ""),
    "负责人": (("lead-",), ("lead",), ""),
    "教师": (("teacher", "share"), ("teachers",), ""),
    "期数": (("sessions",), ("sessions",), ""),
    "举办时间": (("deadline", "credit-per-day"), ("events",), ""),
    "签字": (("signatures",), ("signed",), ""),
    "盖章": (("signatures",), ("signed",), ""),
    "身份证": (("id-number",), ("lead.id_number",), ""),
    "学科": (("subject", "specialty"), ("subject",), ""),
    "京津冀": (("jjj",), ("jjj",), ""),
    "地点": (("venue",), ("events",), ""),
}
FORM_LABELS: dict[str, str] = {
    "credits": "拟授学分",
    "total_hours": "教学总时长（小时）",
    "theory_hours": "讲授理论时长（小时）",
    "practice_hours": "实践（技术示范）时长（小时）",
    "enrollment": "拟招生人数",
    "sessions": "举办期数",
    "out_of_province_pct": "拟招收外省学员占比（%）",
    "grassroots_pct": "拟招收基层单位学员占比（%）",
    "level": "项目级别",
    "mode": "项目类型",
    "subject": "所在学科",
}
NARRATIVE_ZH = {"peer_review": "同行评议意见", "achievements": "主要成绩", "unit_profile": "基本情况"}


@dataclass
class DraftContext:
    """What the answer can say about the draft: lines, their citations, and the numbers they carry."""

    lines: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    model_text: str = ""  # the same facts for a model prompt (personal data masked)

    @property
    def empty(self) -> bool:
        """True when nothing in the draft matches the question."""
        return not self.lines


def refers_to_draft(question: str) -> bool:
    """True when the question is about the user's own draft."""
    return any(c in question for c in DRAFT_CUES)


def topics_of(question: str) -> list[str]:
    """Finding topics named in the question."""
    return [t for t in TOPICS if t in question]


def _matches(f: Finding, topic: str) -> bool:
    rules, fields, _ = TOPICS[topic]
    if any(r in f.rule for r in rules):
        return True
    if any(fl == p or fl.startswith(p + ".") or fl.startswith(p) for fl in f.fields for p in fields):
        return True
    return topic in (f.message or "") or topic in (f.title or "")


def matching_findings(report: Report, question: str) -> list[Finding]:
    """Findings of the report that the question is about (all of them when it names no topic)."""
    tops = topics_of(question)
    found = report.sorted_findings()
    if not tops:
        return found[:5]
    return [f for f in found if any(_matches(f, t) for t in tops)]


def finding_citation(f: Finding) -> Optional[Citation]:
    """The rule's citation: the explainer's first citation, else the rule's source clause."""
    if f.citations:
        return f.citations[0]
    if f.source is not None:
        return Citation(doc=f.source.doc, section=f.source.section, quote=f.source.quote)
    return None


def _form_values(report: Report, question: str) -> list[str]:
    """'label：value' of the form fields behind the question's topics."""
    out = []
    form = report.form
    for t in topics_of(question):
        for key in TOPICS[t][1]:
            if key in FORM_LABELS and getattr(form, key, None) is not None:
                val = getattr(form, key)
                val = int(val) if isinstance(val, float) and val.is_integer() else val
                out.append(f"{FORM_LABELS[key]}：{val}")
    return list(dict.fromkeys(out))


def _critique_lines(report: Report, question: str) -> list[str]:
    """Issues and suggestions of the narrative critiques the question names."""
    out = []
    for t in topics_of(question):
        key = TOPICS[t][2]
        crit = report.narratives.get(key) if key else None
        if crit is None:
            continue
        name = NARRATIVE_ZH[key]
        out.append(f"{name}点评：{crit.chars} 字（要求不少于 {crit.min_chars} 字），评分 {crit.score}。")
        out += [f"{name}问题：{x}" for x in crit.issues[:3]]
        out += [f"{name}修改建议：{x}" for x in crit.suggestions[:3]]
    return out


def draft_context(
    report: Optional[Report], question: str, offset: int = 0, mask: Optional[Callable[[str], str]] = None
) -> DraftContext:
    """Findings, form values and critique suggestions of the draft that the question refers to."""
    ctx = DraftContext()
    if report is None:
        return ctx
    # a general policy question ("远程项目最多几个学分？") is answered from the notices alone,
    # even while a draft is loaded; the draft comes in only when the question points at it
    if not refers_to_draft(question):
        return ctx
    findings = matching_findings(report, question)
    values = _form_values(report, question)
    if values:
        ctx.lines.append("申报书填写：" + "；".join(values) + "。")
    for f in findings:
        line = f"【{SEVERITY_ZH[f.severity]}】{f.message}"
        if f.fix:
            line += f" 修改建议：{f.fix}"
        cit = finding_citation(f)
        if cit is not None:
            ctx.citations.append(cit)
            line += f" [{offset + len(ctx.citations)}]"
        ctx.lines.append(line)
    ctx.lines += _critique_lines(report, question)
    masker = mask or (lambda s: s)
    ctx.model_text = "\n".join(masker(x) for x in ctx.lines)
    return ctx
