"""Render a case as the Word template exported to PDF (word-table) or as the online system's printout."""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from eval import render_text as rt
from review.form import Form

FONT = "STSong-Light"
APPLY_DATE = "2024年11月20日"
rl_config.invariant = 1  # fixed dates and document ids: reruns give the same bytes
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
SMALL = ParagraphStyle("small", parent=BODY, fontSize=9, leading=12)
HEAD = ParagraphStyle("head", parent=BODY, fontSize=13, leading=20, spaceBefore=8, spaceAfter=6)
TITLE = ParagraphStyle("title", parent=BODY, fontSize=20, leading=30, alignment=1)
CENTER = ParagraphStyle("center", parent=BODY, fontSize=12, leading=20, alignment=1)
WIDTH = A4[0] - 40 * mm
GRID = [
    ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("FONTNAME", (0, 0), (-1, -1), FONT),
]


def P(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph with XML-escaped text."""
    safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
    return Paragraph(safe, style)


def _doc(path: Path, title: str) -> SimpleDocTemplate:
    """An A4 document with fixed metadata."""
    return SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="cme-review eval",
        subject="继续医学教育推荐项目申报书",
        creator="eval.make_fixtures",
    )


def _table(
    rows: list[list[Any]], widths: list[float], spans: Sequence[tuple] = (), repeat: int = 0, pad: float = 3
) -> Table:
    """A bordered table; rows may split across pages."""
    cells = [[P(c, SMALL) if isinstance(c, str) else c for c in r] for r in rows]
    table = Table(cells, colWidths=[w * WIDTH for w in widths], repeatRows=repeat, splitByRow=1)
    pads = [("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad)]
    table.setStyle(TableStyle(GRID + pads + [("SPAN", a, b) for a, b in spans]))
    return table


def _cover(form: Form) -> list[Any]:
    """The cover page of the template."""
    lead = form.lead.name if form.lead else ""
    lines = [
        ("项目名称", form.title),
        ("所在学科", form.subject),
        ("项目负责人", lead),
        ("申报单位", form.applicant_unit),
        ("申报日期", APPLY_DATE),
    ]
    out: list[Any] = [
        P(f"申请代码：{form.application_code or ''}"),
        Spacer(1, 30 * mm),
        P("继续医学教育推荐项目申报书", TITLE),
        P("（2025 年）", CENTER),
        Spacer(1, 25 * mm),
    ]
    rows = [[P(label, CENTER), P(value or "", BODY)] for label, value in lines]
    table = Table(rows, colWidths=[0.28 * WIDTH, 0.62 * WIDTH])
    table.setStyle(TableStyle([("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black), ("TOPPADDING", (0, 0), (-1, -1), 9)]))
    return out + [table, Spacer(1, 40 * mm), P("国家卫生健康委科技教育司制", CENTER), PageBreak()]


def _basic(form: Form, v: dict[str, Any]) -> list[Any]:
    """项目基本信息 as a four-column table of label/value cells."""
    pairs = dict(rt.basic_fields(form, v))
    keys = list(pairs)
    rows: list[list[Any]] = [
        ["项目名称", pairs["项目名称"], "", ""],
        ["所在学科（二、三级学科）", pairs[keys[2]], "", ""],
    ]
    spans = [((1, 0), (3, 0)), ((1, 1), (3, 1))]
    rest = [k for k in keys if k not in ("申请代码", "项目名称", "所在学科（二、三级学科）", "项目负责人通讯地址")]
    for i in range(0, len(rest), 2):
        pair = rest[i : i + 2] + [""] * (2 - len(rest[i : i + 2]))
        rows.append([pair[0], pairs.get(pair[0], ""), pair[1], pairs.get(pair[1], "")])
    rows.append(["项目负责人通讯地址", pairs["项目负责人通讯地址"], "", ""])
    spans.append(((1, len(rows) - 1), (3, len(rows) - 1)))
    rows.append(["同行评议意见", P(rt.narrative(form, "peer_review", v)), "", ""])
    spans.append(((1, len(rows) - 1), (3, len(rows) - 1)))
    rev = rt.reviewer_fields(form)
    rows.append([rev[0][0], rev[0][1], rev[1][0], rev[1][1]])
    rows.append([rev[2][0], rev[2][1], "", ""])
    spans.append(((1, len(rows) - 1), (3, len(rows) - 1)))
    rows.append(["申报单位意见", "同意申报。        盖章      年   月   日", "", ""])
    spans.append(((1, len(rows) - 1), (3, len(rows) - 1)))
    return [P("一、项目基本信息", HEAD), _table(rows, [0.2, 0.3, 0.2, 0.3], spans)]


def _lead(form: Form, v: dict[str, Any]) -> list[Any]:
    """项目负责人 table, achievements, history and unit profile."""
    f = dict(rt.lead_fields(form, v))
    rows: list[list[Any]] = [
        ["项目负责人姓名", f.get("项目负责人姓名", ""), "性别", f.get("性别", ""), "出生年月", f.get("出生年月", "")],
        ["项目负责人身份证号码", f.get("项目负责人身份证号码", ""), "", "", "", ""],
        ["职称", f.get("职称", ""), "职务", f.get("职务", ""), "最高学历", f.get("最高学历", "")],
        [
            "工作单位",
            f.get("工作单位", ""),
            "是否在职（岗）",
            f.get("是否在职（岗）", ""),
            "从事专业（二、三级学科）",
            f.get("从事专业（二、三级学科）", ""),
        ],
        ["项目负责人在临床诊疗、教学、科研等促进学科发展方面的主要成绩（不少于300字）", "", "", "", "", ""],
        [P(rt.narrative(form, "achievements", v)), "", "", "", "", ""],
        ["项目负责人近三年继续医学教育项目申报、执行情况（优先填写国家级项目）：", "", "", "", "", ""],
    ]
    rows += [[rt.history_line(h, v), "", "", "", "", ""] for h in form.history or []]
    rows += [
        [
            "项目申报单位及项目负责人所在科室基本情况（主要表述与项目有关的基本情况，如组织架构、配套政策、经费支持、"
            "培训场地、师资队伍等方面）（不少于300字）",
            "",
            "",
            "",
            "",
            "",
        ],
        [P(rt.narrative(form, "unit_profile", v)), "", "", "", "", ""],
    ]
    spans = [((1, 1), (5, 1))] + [((0, i), (5, i)) for i in range(4, len(rows))]
    return [P("二、项目负责人信息", HEAD), _table(rows, [0.17, 0.2, 0.13, 0.15, 0.15, 0.2], spans)]


def _teachers(form: Form, v: dict[str, Any]) -> list[Any]:
    """课程及教师信息 with a header row repeated on every page."""
    rows: list[list[Any]] = [
        ["姓名", "专业技术职称", "教学方法", "所在单位", "讲授题目或实验内容", rt.hours_label("学时", v)]
    ]
    rows += [
        [t.name or "", t.title or "", t.method or "", t.unit or "", t.topic or "", rt.num(t.hours)]
        for t in form.teachers or []
    ]
    return [P("三、课程及教师信息", HEAD), _table(rows, [0.11, 0.14, 0.13, 0.25, 0.29, 0.08], repeat=1, pad=7)]


def _events(form: Form) -> list[Any]:
    """多期举办信息."""
    rows: list[list[Any]] = [["期次", "举办时间", "天数", "地点"]]
    rows += [
        [f"第{i}期", rt.date_range(e.start, e.end), rt.num(e.days), e.venue or ""]
        for i, e in enumerate(form.events or [], 1)
    ]
    return [P("四、多期举办信息", HEAD), _table(rows, [0.1, 0.35, 0.1, 0.45], repeat=1)]


def _promise(form: Form) -> list[Any]:
    """The 承诺书 page with the lead's signature (blank when unsigned)."""
    name = form.lead.name if form.lead and form.signed else ""
    out: list[Any] = [PageBreak(), P("继续医学教育项目负责人承诺书", TITLE), Spacer(1, 10 * mm)]
    out += [P(text) for text in rt.PROMISES]
    out += [
        Spacer(1, 25 * mm),
        P(f"项目负责人签名：{name}"),
        Spacer(1, 4 * mm),
        P(f"日期：{APPLY_DATE}"),
        Spacer(1, 4 * mm),
        P(f"申报单位（盖章）：{form.applicant_unit or ''}"),
    ]
    return out


def render_word_table(form: Form, variant: dict[str, Any], path: Path, extra_last: Sequence[Any] = ()) -> None:
    """The official Word template filled in and exported to PDF; `extra_last` goes after the 盖章 line."""
    story = _cover(form) + _basic(form, variant) + [Spacer(1, 6 * mm)] + _lead(form, variant)
    story += _teachers(form, variant) + _events(form) + _promise(form) + list(extra_last)
    _doc(path, form.title or "").build(story)


def _lines(pairs: list[tuple[str, str]], v: dict[str, Any], seed: int) -> list[Any]:
    """label：value lines in the printout's variant."""
    pairs = list(pairs)
    if v.get("shuffle_order"):
        random.Random(seed).shuffle(pairs)
    out: list[Any] = []
    for label, value in pairs:
        label = rt.shape_label(label, v)
        if v.get("next_line_values"):
            out += [P(f"{label}{rt.colon(v)}"), P(value or " ")]
        else:
            out.append(P(f"{label}{rt.colon(v)}{value}"))
    return out


def _printout_teachers(form: Form, v: dict[str, Any]) -> list[Any]:
    """Teachers as a ruled table or one line per row."""
    if v.get("teacher_layout") == "lines":
        c = rt.colon(v)
        return [
            P(
                f"{i}. 姓名{c}{t.name or ''}  专业技术职称{c}{t.title or ''}  教学方法{c}{t.method or ''}  "
                f"所在单位{c}{t.unit or ''}  讲授题目或实验内容{c}{t.topic or ''}  学时{c}{rt.num(t.hours)}"
            )
            for i, t in enumerate(form.teachers or [], 1)
        ]
    return _teachers(form, v)[1:]


def render_printout(form: Form, variant: dict[str, Any], path: Path, case_id: str) -> None:
    """The online system's printout: numbered sections of label：value lines."""
    v, seed = variant, zlib.crc32(case_id.encode())
    system = "国家级CME项目网上申报及信息反馈系统" if form.level == "国家级" else "北京市CME项目网上申报及信息反馈系统"
    story: list[Any] = [P(system, CENTER), P(f"打印时间：{APPLY_DATE}", CENTER), P("1. 项目基本信息", HEAD)]
    story += _lines(rt.basic_fields(form, v), v, seed)
    story += [P("2. 项目负责人信息", HEAD)] + _lines(rt.lead_fields(form, v), v, seed + 1)
    story += [P(rt.shape_label("项目负责人主要成绩", v) + rt.colon(v)), P(rt.narrative(form, "achievements", v))]
    story += [P(rt.shape_label("近三年继续医学教育项目申报、执行情况", v) + rt.colon(v))]
    story += [P(rt.history_line(h, v)) for h in form.history or []]
    story += [P("3. 课程及教师信息", HEAD)] + _printout_teachers(form, v)
    story += [P("4. 项目其他信息", HEAD)]
    story += _lines(rt.reviewer_fields(form), v, seed + 2)
    story += [P(rt.shape_label("同行评议意见", v) + rt.colon(v)), P(rt.narrative(form, "peer_review", v))]
    story += [
        P(rt.shape_label("项目申报单位及项目负责人所在科室基本情况", v) + rt.colon(v)),
        P(rt.narrative(form, "unit_profile", v)),
    ]
    story += [P("5. 多期举办信息", HEAD)]
    for i, e in enumerate(form.events or [], 1):
        story.append(
            P(
                f"第{i}期{rt.colon(v)}举办时间 {rt.date_range(e.start, e.end)}，举办天数 {rt.num(e.days)}天，"
                f"举办地点 {e.venue or ''}"
            )
        )
    name = form.lead.name if form.lead and form.signed else ""
    story += [Spacer(1, 10 * mm), P(f"项目负责人签名{rt.colon(v)}{name}"), P(f"申报单位（盖章）{rt.colon(v)}")]
    _doc(path, form.title or "").build(story)
