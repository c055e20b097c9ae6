"""Render any eval case under random layout parameters (a layout-randomising fixture generator).

`random_layout(rng, scan=False) -> Layout` draws the parameters from a `random.Random`;
`render(case, layout, out_path)` writes the PDF. Unlike eval/render_docs.py (one fixed template per style),
every aspect that varies between real templates is a parameter: column order, 2/4-column label rows, narrow
cells that force wrapping, fonts, running headers/footers, watermark, cover and 填表说明 pages, page breaks
inside tables and narratives, label synonyms, 合计 rows, printout lines with several labelled values, and
scans (dpi, skew, noise, JPEG, red seal over text, scanned promise page only).

CLI: `python -m eval.random_layout --seed 7 [--case ID] [--scan] --out /tmp/x.pdf` prints the layout.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import random
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from eval import render_text as rt
from eval.cases import Case, gold_form
from eval.seal import Seal, SealStyle
from review.form import Form, Teacher

rl_config.invariant = 1
CID_FONT = "STSong-Light"
WQY_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
DEJAVU_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
TEACHER_FIELDS = ("name", "title", "method", "unit", "topic", "hours")
# the random layouts' seal (eval/seal.py draws it)
SEAL = SealStyle(
    red=colors.Color(0.86, 0.08, 0.08),
    radius=52,
    cx=150,
    cy=20,
    star_size=24,
    star_drop=8,
    text_size=11,
    max_chars=16,
    text_inset=14,
    span_max=230.0,
    empty="章",
)


def _fonts() -> list[str]:
    """Fonts available here: the built-in CID font, and WenQuanYi Zen Hei when installed."""
    out = [CID_FONT]
    if WQY_PATH.is_file():
        try:
            if "WQYZenHei" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("WQYZenHei", str(WQY_PATH), subfontIndex=0))
            out.append("WQYZenHei")
        except Exception:  # noqa: BLE001 - a broken font file just leaves one font
            pass
    return out


def _symbol_font() -> Optional[str]:
    """A registered font with the ☑ ☐ ✓ glyphs (DejaVu Sans when installed), else None."""
    if "DejaVuSans" in pdfmetrics.getRegisteredFontNames():
        return "DejaVuSans"
    if not DEJAVU_PATH.is_file():
        return None
    try:
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU_PATH)))
    except Exception:  # noqa: BLE001 - without it only the glyphs the CJK fonts have are used
        return None
    return "DejaVuSans"


@dataclass
class Layout:
    """Every layout parameter of one rendering (all drawn by `random_layout`)."""

    seed: int = 0
    style: str = "table"  # "table" (Word template exported) | "printout" (label：value lines)
    font: str = CID_FONT
    font_size: float = 10.0
    label_cols: int = 2  # 2: label|value rows; 4: label|value|label|value
    label_width: float = 0.22  # fraction of the row width of a label cell (narrow forces wrapping)
    field_order: str = "template"  # "template" | "shuffled" (order of the basic fields)
    spaced_labels: bool = False  # "项 目 名 称"
    halfwidth: bool = False  # half-width colons and brackets
    hours_suffix: str = "（小时）"
    synonyms: dict[str, str] = field(default_factory=dict)  # key -> label used
    type_label_holds: str = "category"  # which field the label 项目类型 holds: "category" | "mode" | "none"
    checkbox: tuple[str, str] = ("■", "□")
    choices_as_boxes: bool = True  # 面授■ 远程□ vs the plain word
    mode_words: str = "plain"  # "plain" 面授/远程 | "online" 线下/线上/线上+线下
    number_units: bool = False  # "120人", "18小时", "30%"
    date_style: str = "iso"  # "iso" 2025-04-18 | "cn" 2025年4月18日 | "dot" 2025.04.18
    teacher_order: tuple[str, ...] = TEACHER_FIELDS
    teacher_seq: bool = False  # a 序号 column
    teacher_split_hours: bool = False  # separate 理论/实践 hour columns instead of one 学时 column
    teacher_total_row: bool = False  # a 合计 row under the table
    teacher_break: Optional[int] = None  # page break after this many teacher rows
    teacher_repeat_header: bool = True  # header row repeated after a break
    teacher_widths: tuple[float, ...] = ()  # relative column widths (narrow forces wrapped cells)
    teacher_lines: bool = False  # printout: one "姓名：… 职称：…" line per teacher instead of a table
    narrative_layout: str = "below"  # "below": label row then a merged value row | "beside": label cell left
    narrative_break: Optional[str] = None  # narrative key whose text continues on the next page
    history_table: bool = False  # history as a table instead of the template's lines
    events_table: bool = True  # 多期举办 as a table vs "第1期：…" lines
    events_in_basic: bool = False  # 举办时间及地点 / 举办天数 cells inside 项目基本信息 (no separate section)
    bool_in_label: bool = False  # "京津冀互认项目■" ticked in the label text itself, no 是/否 value
    multi_per_line: int = 1  # printout: labelled values per line (1-3)
    header: bool = False  # running header (system name, 打印时间)
    footer: bool = False  # "第 2 页 共 4 页"
    watermark: bool = False  # diagonal 草稿
    cover: bool = False
    level_in_cover_title: bool = False  # cover title "2026年国家级继续医学教育项目申报书"
    instructions: bool = False  # a 填表说明 page
    section_breaks: bool = False  # every section starts on a new page
    scan: bool = False
    scan_pages: str = "all"  # "all" | "last" (only the 承诺书 page scanned)
    dpi: int = 200
    skew: float = 0.0  # degrees
    noise: float = 4.0  # grey-level standard deviation
    blur: float = 0.5
    jpeg_quality: int = 70
    seal: bool = True  # red seal over the unit name on the 承诺书 page

    def describe(self) -> str:
        """Compact one-line form for logs and failing examples."""
        base = Layout()
        scan_keys = {"scan_pages", "dpi", "skew", "noise", "blur", "jpeg_quality", "seal"}
        diff = {
            k: v
            for k, v in dataclasses.asdict(self).items()
            if v != getattr(base, k) and (self.scan or k not in scan_keys) and k != "teacher_widths"
        }
        return ", ".join(f"{k}={v}" for k, v in diff.items())


SYNONYMS: dict[str, tuple[str, ...]] = {
    "mode": ("举办方式", "举办形式", "教学形式"),
    "applicant_unit": ("申报单位", "申办单位"),
    "category": ("项目类别", "项目类型"),
    "audience": ("教学对象", "招生对象", "培训对象"),
    "enrollment": ("拟招生人数", "招生人数"),
    "credits": ("拟授学分", "授予学分"),
    "lead.birth": ("出生年月", "出生日期"),
    "lead.id_number": ("身份证号码", "项目负责人身份证号码", "身份证号"),
    "lead.name": ("项目负责人姓名", "姓名"),
    "lead.title": ("职称", "专业技术职称"),
    "lead.education": ("最高学历", "学历"),
    "lead.employed": ("是否在职（岗）", "是否在职"),
    "lead.specialty": ("从事专业（二、三级学科）", "从事专业"),
    "peer_reviewer.name": ("评议专家姓名", "评议专家", "专家姓名"),
    "peer_reviewer.title": ("评议专家职称", "专家职称"),
    "peer_reviewer.unit": ("评议专家工作单位", "专家工作单位", "专家所在单位"),
}
TEACHER_HEAD: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "教师姓名", "授课教师"),
    "title": ("专业技术职称", "职称"),
    "method": ("教学方法", "授课方式"),
    "unit": ("所在单位", "工作单位"),
    "topic": ("讲授题目或实验内容", "授课内容", "讲授题目"),
    "hours": ("学时", "学时数"),
}
NARRATIVE_LABELS = {
    "peer_review": ("同行评议意见",),
    "achievements": (
        "项目负责人在临床诊疗、教学、科研等促进学科发展方面的主要成绩（不少于300字）",
        "项目负责人主要成绩",
    ),
    "unit_profile": (
        "项目申报单位及项目负责人所在科室基本情况（主要表述与项目有关的基本情况，如组织架构、配套政策、经费支持、"
        "培训场地、师资队伍等方面）（不少于300字）",
        "项目申报单位及项目负责人所在科室基本情况",
    ),
}
SYSTEMS = ("继续医学教育项目网上申报及信息反馈系统", "北京市继续医学教育管理平台", "CME项目申报系统")
BOXES_CID = (("■", "□"), ("√", "□"), ("[x]", "[ ]"))
BOXES_ALL = BOXES_CID + (("☑", "☐"), ("✓", "□"))


def random_layout(rng: random.Random, scan: bool = False) -> Layout:
    """Draw every layout parameter from `rng`."""
    fonts = _fonts()
    font = rng.choice(fonts)
    style = "printout" if (not scan and rng.random() < 0.3) else "table"
    order = list(TEACHER_FIELDS)
    if rng.random() < 0.7:
        rng.shuffle(order)
    narrow = rng.random() < 0.5
    widths = tuple(rng.uniform(0.6, 1.0) if narrow else rng.uniform(0.8, 1.6) for _ in range(8))
    syn = {k: rng.choice(v) for k, v in SYNONYMS.items() if rng.random() < 0.5}
    holds = rng.choice(("category", "category", "mode", "none"))
    if holds == "mode":
        syn["category"] = "项目类别"
    if holds == "category" and syn.get("mode") is None and rng.random() < 0.5:
        syn["category"] = "项目类型"
    layout = Layout(
        seed=rng.randrange(2**31),
        style=style,
        font=font,
        font_size=rng.choice((8.5, 9.0, 10.0, 10.5, 11.0)),
        label_cols=rng.choice((2, 4)),
        label_width=rng.uniform(0.09, 0.26) if rng.random() < 0.5 else rng.uniform(0.18, 0.3),
        field_order=rng.choice(("template", "template", "shuffled")),
        spaced_labels=rng.random() < 0.15,
        halfwidth=rng.random() < 0.25,
        hours_suffix=rng.choice(("（小时）", "(小时)", "(h)", "（学时）")),
        synonyms=syn,
        type_label_holds=holds,
        checkbox=rng.choice(BOXES_ALL if _symbol_font() else BOXES_CID),
        choices_as_boxes=rng.random() < 0.6,
        mode_words=rng.choice(("plain", "plain", "online")),
        number_units=rng.random() < 0.35,
        date_style=rng.choice(("iso", "iso", "cn", "dot")),
        teacher_order=tuple(order),
        teacher_seq=rng.random() < 0.5,
        teacher_split_hours=rng.random() < 0.25,
        teacher_total_row=rng.random() < 0.4,
        teacher_break=rng.randrange(1, 8) if rng.random() < 0.4 else None,
        teacher_repeat_header=rng.random() < 0.6,
        teacher_widths=widths,
        teacher_lines=style == "printout" and rng.random() < 0.5,
        narrative_layout=rng.choice(("below", "beside")),
        narrative_break=rng.choice(("achievements", "unit_profile", "peer_review")) if rng.random() < 0.4 else None,
        history_table=rng.random() < 0.35,
        events_table=rng.random() < 0.6,
        events_in_basic=rng.random() < 0.3,
        bool_in_label=rng.random() < 0.2,
        multi_per_line=rng.choice((1, 2, 3)) if style == "printout" else 1,
        header=rng.random() < 0.5,
        footer=rng.random() < 0.6,
        watermark=rng.random() < 0.3,
        cover=rng.random() < 0.5,
        level_in_cover_title=rng.random() < 0.7,
        instructions=rng.random() < 0.35,
        section_breaks=rng.random() < 0.25,
        scan=scan,
        scan_pages="last" if scan and rng.random() < 0.2 else "all",
        dpi=rng.choice((150, 200, 250, 300)),
        skew=rng.uniform(0.0, 2.0) * rng.choice((-1, 1)),
        noise=rng.uniform(2.0, 9.0),
        blur=rng.uniform(0.0, 0.9),
        jpeg_quality=rng.randrange(45, 90),
        seal=rng.random() < 0.8,
    )
    return layout


# ---------------------------------------------------------------- value formatting


class _Fmt:
    """How this layout writes labels and values."""

    def __init__(self, layout: Layout, form: Form, variant: dict[str, Any]) -> None:
        self.l, self.form, self.variant = layout, form, variant

    def colon(self) -> str:
        return ":" if self.l.halfwidth else "："

    def label(self, key: str, default: str) -> str:
        text = self.l.synonyms.get(key, default)
        if key in ("total_hours", "theory_hours", "practice_hours"):
            text = text.replace("（小时）", self.l.hours_suffix)
        if self.l.spaced_labels and len(text) <= 5 and "（" not in text:
            text = " ".join(text)
        if self.l.halfwidth:
            text = text.replace("（", "(").replace("）", ")")
        return text

    def box(self, on: Optional[bool]) -> str:
        return self.l.checkbox[0] if on else self.l.checkbox[1]

    def choice(self, value: Optional[str], options: tuple[str, ...], words: Optional[tuple[str, ...]] = None) -> str:
        """One value of a closed list: ticked boxes or the plain word."""
        words = words or options
        if value is None:
            return "" if not self.l.choices_as_boxes else "  ".join(f"{w}{self.box(False)}" for w in words)
        if not self.l.choices_as_boxes or value not in options:
            return words[options.index(value)] if value in options else value
        return "  ".join(f"{w}{self.box(o == value)}" for o, w in zip(options, words, strict=True))

    def yes_no(self, value: Optional[bool]) -> str:
        if not self.l.choices_as_boxes and value is not None:
            return "是" if value else "否"
        return f"是{self.box(value is True)}  否{self.box(value is False)}"

    def num(self, value: Optional[float], unit: str = "") -> str:
        if value is None:
            return ""
        text = rt.num(value)
        return f"{text}{unit}" if self.l.number_units and unit else text

    def date(self, iso: Optional[str]) -> str:
        if not iso:
            return ""
        parts = iso.split("-")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            return iso
        y, m, d = parts
        if self.l.date_style == "cn":
            return f"{y}年{int(m)}月{int(d)}日"
        if self.l.date_style == "dot":
            return f"{y}.{m}.{d}"
        return iso

    def ym(self, value: Optional[str]) -> str:
        if not value or "-" not in value:
            return value or ""
        y, m = value.split("-")[:2]
        return {"cn": f"{y}年{m}月", "dot": f"{y}.{m}"}.get(self.l.date_style, f"{y}-{m}")

    def mode(self) -> str:
        words = ("线下", "线上") if self.l.mode_words == "online" else ("面授", "远程")
        return self.choice(self.form.mode, ("面授", "远程"), words)

    def narrative(self, key: str) -> str:
        return rt.narrative(self.form, key, self.variant)


def basic_fields(f: _Fmt) -> list[tuple[str, str, str]]:
    """(key, label, value) of 项目基本信息 in template order."""
    form, lay = f.form, f.l
    mode_label = "项目类型" if lay.type_label_holds == "mode" else f.label("mode", "举办方式")
    cat_label = f.label("category", "项目类别")
    if lay.type_label_holds == "mode" and cat_label == "项目类型":
        cat_label = "项目类别"
    rows = [
        ("application_code", "申请代码", form.application_code or ""),
        ("title", "项目名称", form.title or ""),
        ("subject", f.label("subject", "所在学科（二、三级学科）"), form.subject or ""),
        ("level", "项目级别", f.choice(form.level, ("国家级", "北京市级"))),
        ("category", cat_label, f.choice(form.category, ("普通项目", "社区必修课"))),
        ("jjj", "京津冀互认项目", f.yes_no(form.jjj)),
        ("infectious_training", "传染病防治知识培训类项目", f.yes_no(form.infectious_training)),
        ("mode", mode_label, f.mode()),
        ("audience", f.label("audience", "教学对象"), form.audience or ""),
        ("enrollment", f.label("enrollment", "拟招生人数"), f.num(form.enrollment, "人")),
        ("total_hours", f.label("total_hours", "教学总时长（小时）"), f.num(form.total_hours, "小时")),
        ("theory_hours", f.label("theory_hours", "讲授理论时长（小时）"), f.num(form.theory_hours, "小时")),
        (
            "practice_hours",
            f.label("practice_hours", "实践（技术示范）时长（小时）"),
            f.num(form.practice_hours, "小时"),
        ),
        ("credits", f.label("credits", "拟授学分"), f.num(form.credits, "分")),
        ("sessions", "举办期数", "" if form.sessions is None else f.num(form.sessions, "期")),
        (
            "out_of_province_pct",
            f.label("out_of_province_pct", "拟招收外省学员占比（%）"),
            f.num(form.out_of_province_pct, "%"),
        ),
        ("grassroots_pct", f.label("grassroots_pct", "拟招收基层单位学员占比（%）"), f.num(form.grassroots_pct, "%")),
        ("applicant_unit", f.label("applicant_unit", "申报单位"), form.applicant_unit or ""),
        ("unit_type", "申报单位类型", form.unit_type or ""),
        ("unit_phone", "单位联系电话", form.unit_phone or ""),
        ("unit_contact", "单位联系人", form.unit_contact or ""),
        ("lead_address", "项目负责人通讯地址", form.lead_address or ""),
        ("lead_phone", "项目负责人联系电话", form.lead_phone or ""),
    ]
    if lay.field_order == "shuffled":
        head, rest = rows[:3], rows[3:]
        random.Random(lay.seed).shuffle(rest)
        rows = head + rest
    rows = [(k, f.label(k, lab) if k in ("application_code", "title", "level") else lab, v) for k, lab, v in rows]
    if lay.bool_in_label:
        rows = [
            (k, lab + f.box(getattr(form, k)), "") if k in ("jjj", "infectious_training") else (k, lab, v)
            for k, lab, v in rows
        ]
    if events_inline(f):
        at = next(i for i, r in enumerate(rows) if r[0] == "sessions") + 1
        rows[at:at] = _event_fields(f)
    return rows


def events_inline(f: _Fmt) -> bool:
    """Events go into the basic table when the layout says so and every session has the same length."""
    events = f.form.events or []
    return f.l.events_in_basic and bool(events) and len({e.days for e in events}) == 1


def _event_fields(f: _Fmt) -> list[tuple[str, str, str]]:
    """举办天数 and 举办时间及地点 as basic-table fields."""
    events = f.form.events or []
    c = f.colon()
    where = "\n".join(f"第{i}期{c}{f.date(e.start)}至{f.date(e.end)}，{e.venue or ''}" for i, e in enumerate(events, 1))
    return [("event.days", "举办天数", f"{rt.num(events[0].days)}天"), ("events", "举办时间及地点", where)]


def lead_fields(f: _Fmt) -> list[tuple[str, str, str]]:
    """(key, label, value) of 项目负责人信息."""
    lead = f.form.lead
    if lead is None:
        return []
    return [
        ("lead.name", f.label("lead.name", "项目负责人姓名"), lead.name or ""),
        ("lead.sex", "性别", lead.sex or ""),
        ("lead.birth", f.label("lead.birth", "出生年月"), f.ym(lead.birth)),
        ("lead.id_number", f.label("lead.id_number", "身份证号码"), lead.id_number or ""),
        ("lead.title", f.label("lead.title", "职称"), lead.title or ""),
        ("lead.post", "职务", lead.post or ""),
        ("lead.education", f.label("lead.education", "最高学历"), lead.education or ""),
        ("lead.unit", "工作单位", lead.unit or ""),
        ("lead.employed", f.label("lead.employed", "是否在职（岗）"), f.yes_no(lead.employed)),
        ("lead.specialty", f.label("lead.specialty", "从事专业（二、三级学科）"), lead.specialty or ""),
    ]


def reviewer_fields(f: _Fmt) -> list[tuple[str, str, str]]:
    """(key, label, value) of the peer reviewer."""
    r = f.form.peer_reviewer
    return [
        ("peer_reviewer.name", f.label("peer_reviewer.name", "评议专家姓名"), (r.name if r else None) or ""),
        ("peer_reviewer.title", f.label("peer_reviewer.title", "评议专家职称"), (r.title if r else None) or ""),
        ("peer_reviewer.unit", f.label("peer_reviewer.unit", "评议专家工作单位"), (r.unit if r else None) or ""),
    ]


def history_lines(f: _Fmt) -> list[str]:
    """近三年 lines in the template's wording."""
    out = []
    for h in f.form.history or []:
        out.append(
            f"{h.year}年继续医学教育项目申报情况{f.colon()}国家级{f.box(h.national)} 省级{f.box(h.provincial)}，"
            f"是否执行{f.colon()}是{f.box(h.executed is True)} 否{f.box(h.executed is False)}。"
            f"国家级项目编号{f.colon()}{h.national_code or '____'}、省级项目编号{f.colon()}{h.provincial_code or '____'}"
        )
    return out


def history_rows(f: _Fmt) -> list[list[str]]:
    """近三年 as a table: header then one row per year."""
    rows = [["年度", "国家级", "省级", "是否执行", "国家级项目编号", "省级项目编号"]]
    for h in f.form.history or []:
        executed = "" if h.executed is None else ("是" if h.executed else "否")
        rows.append(
            [
                f"{h.year}年",
                f.box(h.national),
                f.box(h.provincial),
                executed,
                h.national_code or "",
                h.provincial_code or "",
            ]
        )
    return rows


def event_line(f: _Fmt, i: int, e: Any) -> str:
    """One 第N期 line."""
    c = f.colon()
    return (
        f"第{i}期{c}{f.date(e.start)}至{f.date(e.end)}，{e.venue or ''}，举办天数{c}{rt.num(e.days)}天"
        if f.l.seed % 2
        else f"第{i}期{c}举办时间 {f.date(e.start)}至{f.date(e.end)}，举办天数 {rt.num(e.days)}天，举办地点 {e.venue or ''}"
    )


def teacher_header(f: _Fmt) -> list[str]:
    """Header cells of the teacher table in this layout's column order."""
    rng = random.Random(f.l.seed + 11)
    cells = ["序号"] if f.l.teacher_seq else []
    for col in f.l.teacher_order:
        if col == "hours" and f.l.teacher_split_hours:
            cells += ["讲授理论时长（小时）", "实践（技术示范）时长（小时）"]
        else:
            cells.append(rng.choice(TEACHER_HEAD[col]))
    return cells


def teacher_cells(f: _Fmt, i: int, t: Teacher) -> list[str]:
    """One teacher row."""
    cells = [str(i)] if f.l.teacher_seq else []
    for col in f.l.teacher_order:
        if col == "hours" and f.l.teacher_split_hours:
            h = rt.num(t.hours)
            cells += [h, ""] if t.kind != "practice" else ["", h]
        else:
            cells.append(rt.num(t.hours) if col == "hours" else getattr(t, col) or "")
    return cells


def total_cells(f: _Fmt) -> list[str]:
    """The 合计 row: the label in the first cell, only the hours filled."""
    teachers = f.form.teachers or []
    hdr = teacher_header(f)
    cells = ["合计"] + [""] * (len(hdr) - 1)
    if f.l.teacher_split_hours:
        theory = sum(t.hours or 0 for t in teachers if t.kind != "practice")
        practice = sum(t.hours or 0 for t in teachers if t.kind == "practice")
        cells[hdr.index("讲授理论时长（小时）")] = rt.num(theory)
        cells[hdr.index("实践（技术示范）时长（小时）")] = rt.num(practice)
    else:
        idx = (1 if f.l.teacher_seq else 0) + list(f.l.teacher_order).index("hours")
        cells[idx] = rt.num(sum(t.hours or 0 for t in teachers))
    cells[0] = "合计"
    return cells


# ---------------------------------------------------------------- platypus building


class _Story:
    """Builds the platypus story for one layout."""

    def __init__(self, case: Case, layout: Layout) -> None:
        self.case, self.l = case, layout
        self.form = case.form
        self.f = _Fmt(layout, case.form, case.variant)
        self.width = A4[0] - 36 * mm
        size = layout.font_size
        self.body = ParagraphStyle("b", fontName=layout.font, fontSize=size, leading=size * 1.45, wordWrap="CJK")
        self.small = ParagraphStyle("s", parent=self.body, fontSize=size - 1, leading=(size - 1) * 1.35)
        self.head = ParagraphStyle("h", parent=self.body, fontSize=size + 3, leading=(size + 3) * 1.5, spaceBefore=6)
        self.title = ParagraphStyle("t", parent=self.body, fontSize=size + 9, leading=(size + 9) * 1.5, alignment=1)
        self.center = ParagraphStyle("c", parent=self.body, alignment=1)

    def p(self, text: str, style: Optional[ParagraphStyle] = None) -> Paragraph:
        safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
        symbol = _symbol_font()
        if symbol:  # ☑ ☐ ✓ are missing from the CJK fonts: drawn in a font that has them
            safe = re.sub("([☑☐✓])", rf'<font name="{symbol}">\1</font>', safe)
        return Paragraph(safe, style or self.body)

    def table(self, rows: list[list[Any]], widths: list[float], spans: list[tuple] = (), repeat: int = 0) -> Table:  # type: ignore[assignment]
        cells = [[self.p(c, self.small) if isinstance(c, str) else c for c in r] for r in rows]
        t = Table(cells, colWidths=[w * self.width for w in widths], repeatRows=repeat, splitByRow=1)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        t.setStyle(TableStyle(style + [("SPAN", a, b) for a, b in spans]))
        return t

    # sections -------------------------------------------------------------
    def cover(self) -> list[Any]:
        form, f = self.form, self.f
        level = form.level or ""
        title = f"2026年{level}继续医学教育项目申报书" if self.l.level_in_cover_title else "继续医学教育推荐项目申报书"
        lead = form.lead.name if form.lead else ""
        rows = [
            [self.p("项目名称", self.center), self.p(form.title or "")],
            [self.p(f.label("applicant_unit", "申办单位"), self.center), self.p(form.applicant_unit or "")],
            [self.p("项目负责人", self.center), self.p(lead or "")],
            [self.p("申报日期", self.center), self.p("2026年10月8日")],
        ]
        t = Table(rows, colWidths=[0.28 * self.width, 0.6 * self.width])
        t.setStyle(TableStyle([("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black), ("TOPPADDING", (0, 0), (-1, -1), 9)]))
        return [
            self.p("申请代码" + f.colon() + (form.application_code or "")),
            Spacer(1, 30 * mm),
            self.p(title, self.title),
            Spacer(1, 25 * mm),
            t,
            Spacer(1, 35 * mm),
            self.p("国家卫生健康委科技教育司　制", self.center),
            PageBreak(),
        ]

    def instructions(self) -> list[Any]:
        lines = [
            "填 表 说 明",
            "一、本表用于申报国家级和北京市级继续医学教育推荐项目，请用计算机填写，内容应真实、准确。",
            "二、项目名称应简明扼要，不得出现商业宣传用语；所在学科填写二、三级学科，例如：临床内科学-呼吸病学。",
            "三、教学总时长不少于6小时；每3小时可授予1学分，项目最多授予10学分，远程项目最多5学分。",
            "四、拟招生人数一般不少于50人，不超过500人；外省学员占比（%）不低于20%。",
            "五、同行评议意见不少于200字，由副高级及以上职称的外单位专家填写；主要成绩不少于300字。",
            "六、授课教师应具有中级及以上专业技术职称，实践教学时长原则上不超过总时长的50%。",
            "七、举办期数不超过3期，每期举办天数一般为2至3天，举办地点不得在风景名胜区。",
            "八、申报单位类型：医疗卫生机构、教学机构、科研机构、学（协）会、其他，按实际情况选择。",
        ]
        out: list[Any] = [self.p(lines[0], self.title), Spacer(1, 6 * mm)]
        return out + [self.p(x) for x in lines[1:]] + [PageBreak()]

    def pairs_table(self, fields: list[tuple[str, str, str]], wide: tuple[str, ...] = ()) -> Table:
        """Label/value rows, 2 or 4 columns; keys in `wide` always take a whole row."""
        lw = self.l.label_width
        if self.l.label_cols == 2:
            return self.table([[label, value] for _, label, value in fields], [lw, 1 - lw])
        vw = 0.5 - lw
        rows: list[list[Any]] = []
        spans: list[tuple] = []
        pending: list[tuple[str, str]] = []

        def flush() -> None:
            if pending:
                row = [pending[0][0], pending[0][1], pending[1][0] if len(pending) > 1 else "", ""]
                row[3] = pending[1][1] if len(pending) > 1 else ""
                rows.append(row)
                if len(pending) == 1:
                    spans.append(((1, len(rows) - 1), (3, len(rows) - 1)))
                pending.clear()

        for key, label, value in fields:
            if key in wide or len(value) > 26:
                flush()
                rows.append([label, value, "", ""])
                spans.append(((1, len(rows) - 1), (3, len(rows) - 1)))
                continue
            pending.append((label, value))
            if len(pending) == 2:
                flush()
        flush()
        return self.table(rows, [lw, vw, lw, vw], spans)

    def narrative_block(self, key: str, label: str) -> list[Any]:
        """A narrative in a merged cell under (or beside) its long label; may continue on the next page."""
        text = self.f.narrative(key)
        parts = [text]
        if self.l.narrative_break == key and len(text) > 40:
            cut = random.Random(self.l.seed + 3).randrange(len(text) // 4, 3 * len(text) // 4)
            parts = [text[:cut], text[cut:]]
        out: list[Any] = []
        for i, part in enumerate(parts):
            if i:
                out.append(PageBreak())
            if self.l.narrative_layout == "beside":
                lw = max(self.l.label_width, 0.14)
                out.append(self.table([[label if i == 0 else "", self.p(part, self.small)]], [lw, 1 - lw]))
            elif i == 0:
                out.append(self.table([[label], [self.p(part, self.small)]], [1.0]))
            else:
                out.append(self.table([[self.p(part, self.small)]], [1.0]))
        return out

    def section(self, title: str) -> list[Any]:
        out: list[Any] = [PageBreak()] if self.l.section_breaks else []
        return out + [self.p(title, self.head)]

    def reviewer_block(self) -> list[Any]:
        return [self.pairs_table(reviewer_fields(self.f))]

    def history_block(self) -> list[Any]:
        label = "项目负责人近三年继续医学教育项目申报、执行情况（优先填写国家级项目）："
        if self.l.history_table and self.form.history:
            rows = [[label, "", "", "", "", ""]] + history_rows(self.f)
            return [self.table(rows, [0.12, 0.1, 0.1, 0.14, 0.27, 0.27], [((0, 0), (5, 0))])]
        return [self.table([[label]] + [[x] for x in history_lines(self.f)], [1.0])]

    def teacher_block(self) -> list[Any]:
        teachers = self.form.teachers or []
        if self.l.style == "printout" and self.l.teacher_lines:
            c = self.f.colon()
            return [
                self.p(
                    f"{i}. 姓名{c}{t.name or ''}  专业技术职称{c}{t.title or ''}  所在单位{c}{t.unit or ''}  "
                    f"讲授题目或实验内容{c}{t.topic or ''}  教学方法{c}{t.method or ''}  学时{c}{rt.num(t.hours)}"
                )
                for i, t in enumerate(teachers, 1)
            ]
        header = teacher_header(self.f)
        body = [teacher_cells(self.f, i, t) for i, t in enumerate(teachers, 1)]
        if self.l.teacher_total_row and teachers:
            body.append(total_cells(self.f))
        widths = self._teacher_widths(header)
        cut = self.l.teacher_break
        if cut is None or cut >= len(body):
            return [self.table([header] + body, widths, repeat=1)]
        first = self.table([header] + body[:cut], widths)
        rest = ([header] if self.l.teacher_repeat_header else []) + body[cut:]
        return [first, PageBreak(), self.table(rest, widths)]

    def _teacher_widths(self, header: list[str]) -> list[float]:
        """Relative widths: narrow ones force wrapped names, titles and units."""
        raw = list(self.l.teacher_widths or (1.0,) * 8)
        weights = []
        j = 0
        for h in header:
            if h == "序号":
                weights.append(0.45)
                continue
            base = 0.7 if ("时长" in h or "学时" in h) else (1.8 if "题目" in h or "内容" in h else 1.0)
            if "单位" in h:
                base = 1.5
            weights.append(base * raw[j % len(raw)])
            j += 1
        total = sum(weights)
        return [w / total for w in weights]

    def events_block(self) -> list[Any]:
        events = self.form.events or []
        if not events or events_inline(self.f):
            return []
        out = self.section("多期举办信息")
        if self.l.events_table:
            rows = [["期次", "举办时间", "举办天数", "举办地点"]]
            rows += [
                [f"第{i}期", f"{self.f.date(e.start)}至{self.f.date(e.end)}", rt.num(e.days), e.venue or ""]
                for i, e in enumerate(events, 1)
            ]
            return out + [self.table(rows, [0.12, 0.38, 0.12, 0.38], repeat=1)]
        return out + [self.p(event_line(self.f, i, e)) for i, e in enumerate(events, 1)]

    def promise(self, seal: bool) -> list[Any]:
        form, c = self.form, self.f.colon()
        name = form.lead.name if form.lead and form.signed else ""
        out: list[Any] = [PageBreak(), self.p("继续医学教育项目负责人承诺书", self.title), Spacer(1, 8 * mm)]
        out += [self.p(x) for x in rt.PROMISES]
        out += [Spacer(1, 20 * mm), self.p(f"项目负责人签名{c}{name}"), Spacer(1, 4 * mm)]
        out += [self.p(f"申报单位（盖章）{c}{form.applicant_unit or ''}")]
        if seal:
            out.append(Seal(form.applicant_unit or "", self.l.font, SEAL))
        out += [Spacer(1, 4 * mm), self.p(f"日期{c}2026年10月8日")]
        return out

    # whole documents -------------------------------------------------------
    def table_story(self, seal: bool) -> list[Any]:
        f = self.f
        basic = basic_fields(f)
        wide = ("title", "subject", "lead_address", "audience")
        story: list[Any] = self.section("一、项目基本信息")
        story.append(self.pairs_table(basic, wide))
        story += self.narrative_block("peer_review", self.p("同行评议意见", self.small))
        story += self.reviewer_block()
        story += [self.table([["申报单位意见", "同意申报。        盖章      年   月   日"]], [0.2, 0.8])]
        story += self.section("二、项目负责人信息")
        story.append(self.pairs_table(lead_fields(f), ("lead.id_number",) if self.l.label_cols == 2 else ()))
        story += self.narrative_block("achievements", self.p(NARRATIVE_LABELS["achievements"][0], self.small))
        story += self.history_block()
        story += self.narrative_block("unit_profile", self.p(NARRATIVE_LABELS["unit_profile"][0], self.small))
        story += self.section("三、课程及教师信息") + self.teacher_block()
        story += self.events_block()
        return story + self.promise(seal)

    def lines(self, fields: list[tuple[str, str, str]]) -> list[Any]:
        """label：value lines, `multi_per_line` short ones sharing a line."""
        c, n = self.f.colon(), self.l.multi_per_line
        out: list[Any] = []
        buf: list[str] = []
        for _, label, value in fields:
            item = f"{label}{c}{value}"
            if n == 1 or len(value) > 20:
                if buf:
                    out.append(self.p("    ".join(buf)))
                    buf = []
                out.append(self.p(item))
                continue
            buf.append(item)
            if len(buf) >= n:
                out.append(self.p("    ".join(buf)))
                buf = []
        if buf:
            out.append(self.p("    ".join(buf)))
        return out

    def printout_story(self, seal: bool) -> list[Any]:
        f, c = self.f, self.f.colon()
        story: list[Any] = self.section("1. 项目基本信息") + self.lines(basic_fields(f))
        story += self.section("2. 项目负责人信息") + self.lines(lead_fields(f))
        story += self._narr_lines("achievements", NARRATIVE_LABELS["achievements"][1])
        story.append(self.p("近三年继续医学教育项目申报、执行情况" + c))
        if self.l.history_table and self.form.history:
            story.append(self.table(history_rows(f), [0.12, 0.1, 0.1, 0.14, 0.27, 0.27]))
        else:
            story += [self.p(x) for x in history_lines(f)]
        story += self.section("3. 课程及教师信息") + self.teacher_block()
        story += self.section("4. 项目其他信息")
        r = self.form.peer_reviewer
        if self.l.multi_per_line > 1 and r is not None:
            story.append(
                self.p(
                    f"评议专家{c}{r.name or ''}  职称{c}{r.title or ''}  工作单位{c}{r.unit or ''}  "
                    f"签字{c}{r.name or ''}  2026年10月8日"
                )
            )
        else:
            story += self.lines(reviewer_fields(f))
        story += self._narr_lines("peer_review", "同行评议意见")
        story += self._narr_lines("unit_profile", NARRATIVE_LABELS["unit_profile"][1])
        story += self.events_block()
        return story + self.promise(seal)

    def _narr_lines(self, key: str, label: str) -> list[Any]:
        text = self.f.narrative(key)
        out: list[Any] = [self.p(label + self.f.colon())]
        if self.l.narrative_break == key and len(text) > 40:
            cut = random.Random(self.l.seed + 3).randrange(len(text) // 4, 3 * len(text) // 4)
            return out + [self.p(text[:cut]), PageBreak(), self.p(text[cut:])]
        return out + [self.p(text)]

    def build(self, seal: bool = False) -> list[Any]:
        story: list[Any] = []
        if self.l.cover:
            story += self.cover()
        if self.l.instructions:
            story += self.instructions()
        story += self.printout_story(seal) if self.l.style == "printout" else self.table_story(seal)
        return story


def _page_deco(layout: Layout, form: Form, total: int) -> Any:
    """onPage callback drawing header, footer and watermark."""
    system = SYSTEMS[layout.seed % len(SYSTEMS)]

    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        w, h = A4
        if layout.watermark:
            canvas.setFillColor(colors.Color(0.78, 0.78, 0.78))
            canvas.setFont(layout.font, 90)
            canvas.translate(w / 2, h / 2)
            canvas.rotate(40)
            canvas.drawCentredString(0, -30, "草稿")
            canvas.rotate(-40)
            canvas.translate(-w / 2, -h / 2)
        canvas.setFillColor(colors.black)
        canvas.setFont(layout.font, 8)
        if layout.header:
            canvas.drawString(18 * mm, h - 10 * mm, system)
            canvas.drawRightString(w - 18 * mm, h - 10 * mm, "打印时间：2026-10-08 14:32")
            canvas.line(18 * mm, h - 11.5 * mm, w - 18 * mm, h - 11.5 * mm)
        if layout.footer:
            canvas.drawCentredString(w / 2, 9 * mm, f"第 {doc.page} 页 共 {total} 页")
        canvas.restoreState()

    return draw


def _build_pdf(case: Case, layout: Layout, seal: bool) -> bytes:
    """The text PDF of this layout (two passes when the footer needs the page count)."""
    total = 0
    data = b""
    for _ in range(2 if layout.footer else 1):
        buf = io.BytesIO()
        doc = SimpleDocTemplate(
            buf,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=16 * mm,
            bottomMargin=16 * mm,
            title=case.form.title or "",
            author="eval.random_layout",
        )
        deco = _page_deco(layout, case.form, total)
        doc.build(_Story(case, layout).build(seal), onFirstPage=deco, onLaterPages=deco)
        total = doc.page
        data = buf.getvalue()
    return data


def _age(img: Any, layout: Layout, rng: random.Random) -> Any:
    """Scan look: grey paper, skew, blur, noise; red ink kept red."""
    from PIL import Image, ImageFilter

    rgb = np.asarray(img.convert("RGB")).astype(np.int16)
    red = (rgb[..., 0] > 150) & (rgb[..., 1] < 120) & (rgb[..., 2] < 120)
    gray = img.convert("L").rotate(layout.skew, resample=Image.Resampling.BILINEAR, fillcolor=255)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, layout.noise, (gray.height, gray.width))
    arr = np.clip(np.asarray(gray).astype(np.float32) * 0.92 + 10 + noise, 0, 255).astype(np.uint8)
    gray = Image.fromarray(arr)
    if layout.blur > 0.05:
        gray = gray.filter(ImageFilter.GaussianBlur(layout.blur))
    if not red.any():
        return gray
    mask = Image.fromarray((red * 255).astype(np.uint8)).rotate(layout.skew, fillcolor=0)
    out = gray.convert("RGB")
    out.paste(Image.new("RGB", out.size, (205, 45, 45)), (0, 0), mask.filter(ImageFilter.GaussianBlur(0.8)))
    return out


def _scan(pdf: bytes, layout: Layout, out_path: Path) -> None:
    """Rasterise pages (all, or only the last) and write an image PDF (mixed when only the last is scanned)."""
    import pypdfium2 as pdfium
    from pypdf import PdfReader, PdfWriter

    rng = random.Random(layout.seed)
    doc = pdfium.PdfDocument(pdf)
    n = len(doc)
    which = range(n) if layout.scan_pages == "all" else range(n - 1, n)
    images = [_age(doc[i].render(scale=layout.dpi / 72).to_pil(), layout, rng) for i in which]
    doc.close()
    buf = io.BytesIO()
    images[0].save(
        buf, "PDF", resolution=layout.dpi, save_all=True, append_images=images[1:], quality=layout.jpeg_quality
    )
    if layout.scan_pages == "all":
        out_path.write_bytes(buf.getvalue())
        return
    writer = PdfWriter()
    text = PdfReader(io.BytesIO(pdf))
    for page in text.pages[: n - 1]:
        writer.add_page(page)
    for page in PdfReader(io.BytesIO(buf.getvalue())).pages:
        writer.add_page(page)
    with open(out_path, "wb") as fh:
        writer.write(fh)


def render(case: Case, layout: Layout, out_path: Path | str) -> Path:
    """Render `case` under `layout` to `out_path` (a text PDF, or an image/mixed PDF when layout.scan)."""
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    seal = layout.scan and layout.seal and bool(case.form.signed)
    pdf = _build_pdf(case, layout, seal)
    if layout.scan:
        _scan(pdf, layout, out)
    else:
        out.write_bytes(pdf)
    return out


def expected_form(case: Case) -> Form:
    """What a correct extractor reads from any rendering of the case (hint-only narratives are null)."""
    return gold_form(case)


def renderable_cases() -> list[Case]:
    """Cases whose form can be laid out as a draft (the fillable style is rendered as a draft too)."""
    from eval.cases import load_cases

    return [c for c in load_cases() if c.form.lead is not None or c.form.title]


def main(argv: Optional[list[str]] = None) -> int:
    """CLI: render one case under one random layout and print the layout."""
    parser = argparse.ArgumentParser(description="Render an eval case under a random layout.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--case", default=None, help="case id (default: drawn from the seed)")
    parser.add_argument("--scan", action="store_true")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "random_layout.pdf")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    cases = renderable_cases()
    case = next((c for c in cases if c.id == args.case), None) if args.case else rng.choice(cases)
    if case is None:
        parser.error(f"unknown case {args.case}")
    layout = random_layout(rng, scan=args.scan)
    render(case, layout, args.out)
    print(f"{case.id}: {layout.describe()}\n-> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
