"""Held-out drafts: every eval case rendered as HTML + CSS and printed to PDF by the real browser.

A third generator, written apart from the project's own renderers (eval/make_fixtures.py,
eval/random_layout.py), that makes drafts the way Chinese online systems and Word files look:
grey label cells, input-looking value boxes, two-level teacher headers, merged cells, repeated
table headers over page breaks, borderless zebra tables, landscape teacher pages, running
headers with a QR-like box, 第X页/共Y页 footers, several checkbox and date conventions,
full-width digits, covers and 承诺书 pages; "mixed" drafts have one or two pages rasterised.
Every text on the page comes from the case's Form, plus labels and page furniture.

Usage: python -m eval.held_out_drafts [--n 40] [--seed 1] [--keep DIR] [--quiet]
"""

from __future__ import annotations

import argparse
import html
import io
import random
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from eval.cases import Case, gold_form, load_cases
from eval.extraction_accuracy import compare, teacher_rows_exact
from review.form import Form, Teacher

CHROMIUM = "/usr/bin/chromium"
FAMILIES = ("web", "word", "plain", "mixed")
SP = "\u3000"
FW = str.maketrans("0123456789.-%", "０１２３４５６７８９．－％")


@dataclass
class Style:
    """The random template parameters of one draft."""

    family: str
    grey_labels: bool
    colon: str
    input_boxes: bool
    borders: bool
    zebra: bool
    four_col: bool
    checkbox: str  # "☑☐" | "■□" | "√□" | "paren" | "plain"
    date_fmt: str  # "cn" | "iso" | "dot"
    fullwidth: bool
    narrative_above: bool
    two_level: bool
    seq_col: bool
    extra_col: Optional[str]
    landscape: bool
    header: bool
    footer: bool
    cover: bool
    pledge: bool
    br_wrap: bool
    font_pt: float
    label_w: int
    teacher_split: str  # "one" | "kind" (two tables: 理论 and 实践)
    mode_label: str
    category_label: str
    event_lines: bool
    reviewer_line: bool
    history_ticks: bool
    raster_pages: list[int] = field(default_factory=list)
    dpi: int = 150


def pick_style(rng: random.Random, family: Optional[str] = None) -> Style:
    """A random template; `family` fixes the overall look."""
    fam = family or rng.choice(FAMILIES)
    base = "word" if fam == "mixed" else fam
    return Style(
        family=fam,
        grey_labels=base == "web" or rng.random() < 0.4,
        colon=rng.choice(["：", "", ":"] if base != "word" else ["", "", "："]),
        input_boxes=base == "web" and rng.random() < 0.7,
        borders=base != "plain",
        zebra=base == "plain" and rng.random() < 0.7,
        four_col=rng.random() < 0.5,
        checkbox=rng.choice(["☑☐", "■□", "√□", "paren", "plain"]),
        date_fmt=rng.choice(["cn", "iso", "dot"]),
        fullwidth=rng.random() < 0.25,
        narrative_above=rng.random() < 0.5,
        two_level=rng.random() < 0.5,
        seq_col=rng.random() < 0.6,
        extra_col=rng.choice([None, None, "职务", "从事专业"]),
        landscape=rng.random() < 0.3,
        header=rng.random() < 0.7,
        footer=rng.random() < 0.8,
        cover=rng.random() < 0.5,
        pledge=rng.random() < 0.7,
        br_wrap=rng.random() < 0.5,
        font_pt=rng.choice([9.0, 10.0, 10.5, 11.0, 12.0]),
        label_w=rng.choice([18, 22, 26, 30]),
        teacher_split=rng.choice(["one", "one", "kind"]),
        mode_label=rng.choice(["举办方式", "举办形式", "教学形式"]),
        category_label=rng.choice(["项目类别", "项目类型"]),
        event_lines=rng.random() < 0.4,
        reviewer_line=rng.random() < 0.5,
        history_ticks=rng.random() < 0.6,
        raster_pages=[],
        dpi=rng.choice([150, 175, 200]),
    )


# ---------------------------------------------------------------- value formatting


def esc(text: Any) -> str:
    """HTML-escaped text ('' for None)."""
    return "" if text is None else html.escape(str(text))


def num(value: Optional[float], st: Style) -> str:
    """A number as a person types it (no trailing .0), full-width digits for some templates."""
    if value is None:
        return ""
    s = f"{value:g}"
    return s.translate(FW) if st.fullwidth else s


def date(iso: Optional[str], st: Style) -> str:
    """An ISO date (or year-month) in the template's date convention."""
    if not iso:
        return ""
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", iso)
    if not m:
        return iso
    y, mo, d = m.group(1), int(m.group(2)), m.group(3)
    if st.date_fmt == "cn":
        out = f"{y}年{mo}月" + (f"{int(d)}日" if d else "")
    elif st.date_fmt == "dot":
        out = f"{y}.{m.group(2)}" + (f".{d}" if d else "")
    else:
        out = iso
    return out.translate(FW) if st.fullwidth else out


def choice_html(options: list[str], chosen: Optional[str], st: Style) -> str:
    """A row of options with the chosen one ticked."""
    if st.checkbox == "plain":
        return esc(chosen or "")
    parts = []
    for opt in options:
        on = opt == chosen
        if st.checkbox == "paren":
            parts.append(f"{esc(opt)}（{'√' if on else SP}）")
        else:
            yes, no = st.checkbox[0], st.checkbox[1]
            parts.append(f"{yes if on else no}{esc(opt)}")
    return "\u3000".join(parts)


def yesno_html(value: Optional[bool], st: Style) -> str:
    """是/否 with one ticked (empty when the value is unknown)."""
    if value is None:
        return ""
    if st.checkbox == "plain":
        return "是" if value else "否"
    if st.checkbox == "paren":
        return f"是（{'√' if value else SP}）\u3000否（{SP if value else '√'}）"
    yes, no = st.checkbox[0], st.checkbox[1]
    return f"{yes if value else no}是\u3000{no if value else yes}否"


def wrap_br(text: str, st: Style, rng: random.Random, width: int = 9) -> str:
    """Cell text with hard <br> breaks in some templates (Word users press Enter inside cells)."""
    t = esc(text)
    if not st.br_wrap or len(text) <= width or rng.random() < 0.5:
        return t
    cut = rng.randint(max(2, len(text) // 3), len(text) - 1)
    return esc(text[:cut]) + "<br>" + esc(text[cut:])


# ---------------------------------------------------------------- HTML pieces


def label(text: str, st: Style) -> str:
    """A label cell."""
    return f'<td class="lab">{esc(text)}{st.colon}</td>'


def value(inner: str, st: Style, colspan: int = 1) -> str:
    """A value cell (optionally an input-looking box)."""
    span = f' colspan="{colspan}"' if colspan > 1 else ""
    body = f'<span class="box">{inner}</span>' if st.input_boxes else inner
    return f'<td class="val"{span}>{body}</td>'


def kv_table(pairs: list[tuple[str, str]], st: Style, rng: random.Random) -> str:
    """Label/value rows, two or four columns."""
    rows = []
    i = 0
    while i < len(pairs):
        lab, val = pairs[i]
        long = len(re.sub(r"<[^>]+>", "", val)) > 14 or len(lab) > 10
        if st.four_col and not long and i + 1 < len(pairs):
            lab2, val2 = pairs[i + 1]
            long2 = len(re.sub(r"<[^>]+>", "", val2)) > 14 or len(lab2) > 10
            if not long2:
                rows.append(f"<tr>{label(lab, st)}{value(val, st)}{label(lab2, st)}{value(val2, st)}</tr>")
                i += 2
                continue
        cols = 3 if st.four_col else 1
        rows.append(f"<tr>{label(lab, st)}{value(val, st, cols)}</tr>")
        i += 1
    return f'<table class="kv">{"".join(rows)}</table>'


def section(title: str) -> str:
    """A section heading."""
    return f'<h2 class="sec">{esc(title)}</h2>'


def narrative(lab: str, text: Optional[str], hint: str, st: Style) -> str:
    """A narrative: label above its text or to its left; hint text when the case left it unfilled."""
    body = esc(text) if text else f'<span class="hint">{esc(hint)}</span>'
    if st.narrative_above:
        return (
            f'<table class="kv nar"><tr>{label(lab + hint, st).replace("<td", "<td colspan=1")}</tr>'
            f'<tr><td class="val ntext">{body}</td></tr></table>'
        )
    return f'<table class="kv nar"><tr>{label(lab, st)}<td class="val ntext">{body}</td></tr></table>'


def events_html(form: Form, st: Style) -> str:
    """举办时间 / 天数 / 地点 per session: table rows or one line per session."""
    events = form.events or []
    if not events:
        return ""
    if st.event_lines:
        lines = []
        for i, ev in enumerate(events, 1):
            days = f"共{num(ev.days, st)}天，" if ev.days is not None else ""
            lines.append(
                f"<p class='evline'>第{i}期：{date(ev.start, st)}至{date(ev.end, st)}，{days}{esc(ev.venue)}</p>"
            )
        return f'<table class="kv"><tr>{label("举办时间及地点", st)}<td class="val">{"".join(lines)}</td></tr></table>'
    head = "<tr><th>期次</th><th>举办时间</th><th>举办天数</th><th>举办地点</th></tr>"
    rows = "".join(
        f"<tr><td>第{i}期</td><td>{date(ev.start, st)}至{date(ev.end, st)}</td>"
        f"<td>{num(ev.days, st)}</td><td>{esc(ev.venue)}</td></tr>"
        for i, ev in enumerate(events, 1)
    )
    return f'<table class="grid"><thead>{head}</thead><tbody>{rows}</tbody></table>'


def history_html(form: Form, st: Style) -> str:
    """近三年继续医学教育项目申报、执行情况."""
    hist = form.history or []
    if not hist:
        return ""
    head = (
        "<tr><th>年度</th><th>国家级</th><th>国家级项目编号</th><th>市级</th>"
        "<th>市级项目编号</th><th>是否执行</th></tr>"
    )
    rows = []
    for h in hist:
        if st.history_ticks and st.checkbox != "plain":
            nat = yesno_html(h.national, st)
            prov = yesno_html(h.provincial, st)
        else:
            nat = "" if h.national is None else ("是" if h.national else "否")
            prov = "" if h.provincial is None else ("是" if h.provincial else "否")
        ex = "" if h.executed is None else ("已执行" if h.executed else "未执行")
        rows.append(
            f"<tr><td>{esc(h.year)}年</td><td>{nat}</td><td>{esc(h.national_code)}</td>"
            f"<td>{prov}</td><td>{esc(h.provincial_code)}</td><td>{ex}</td></tr>"
        )
    return (
        section("近三年继续医学教育项目申报、执行情况")
        + f'<table class="grid"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
    )


def teacher_table(rows: list[Teacher], form: Form, st: Style, rng: random.Random, caption: str = "") -> str:
    """课程及教师信息: one- or two-level header, optional 序号 and an unneeded extra column."""
    extra = st.extra_col
    lead_post = (form.lead.post if form.lead else None) or ""
    specialty = (form.lead.specialty if form.lead else None) or ""
    pre = "<th rowspan=2>序号</th>" if st.seq_col else ""
    ex_h = f"<th rowspan=2>{extra}</th>" if extra else ""
    if st.two_level:
        head = (
            f"<tr>{pre}<th rowspan=2>姓名</th><th rowspan=2>专业技术职称</th>{ex_h}<th rowspan=2>所在单位</th>"
            "<th rowspan=2>讲授题目或实验内容</th><th rowspan=2>教学方法</th><th colspan=2>授课学时</th></tr>"
            "<tr><th>理论</th><th>实践</th></tr>"
        )
    else:
        head = (
            f"<tr>{pre.replace(' rowspan=2', '')}<th>姓名</th><th>专业技术职称</th>{ex_h.replace(' rowspan=2', '')}"
            "<th>所在单位</th><th>讲授题目或实验内容</th><th>教学方法</th><th>学时（小时）</th><th>类型</th></tr>"
        )
    body = []
    for i, t in enumerate(rows, 1):
        cells = [f"<td>{i}</td>"] if st.seq_col else []
        cells += [f"<td>{wrap_br(t.name or '', st, rng, 3)}</td>", f"<td>{wrap_br(t.title or '', st, rng, 4)}</td>"]
        if extra == "职务":
            cells.append(f"<td>{esc(lead_post if t.name == form.lead.name else '') if form.lead else ''}</td>")
        elif extra == "从事专业":
            cells.append(f"<td>{esc(specialty)}</td>")
        cells += [
            f"<td>{wrap_br(t.unit or '', st, rng, 8)}</td>",
            f"<td>{wrap_br(t.topic or '', st, rng, 10)}</td>",
            f"<td>{esc(t.method)}</td>",
        ]
        h = num(t.hours, st)
        if st.two_level:
            cells += [f"<td>{h if t.kind == 'theory' else ''}</td>", f"<td>{h if t.kind == 'practice' else ''}</td>"]
        else:
            kind = {"theory": "理论", "practice": "实践"}.get(t.kind or "", "")
            cells += [f"<td>{h}</td>", f"<td>{kind}</td>"]
        body.append(f"<tr>{''.join(cells)}</tr>")
    cap = f"<p class='cap'>{esc(caption)}</p>" if caption else ""
    return f'{cap}<table class="grid teach"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def teachers_html(form: Form, st: Style, rng: random.Random) -> str:
    """The teacher section, on a landscape page in some templates."""
    teachers = form.teachers or []
    if not teachers:
        return ""
    if st.teacher_split == "kind" and not st.two_level:
        theory = [t for t in teachers if t.kind == "theory"]
        practice = [t for t in teachers if t.kind != "theory"]
        # keep gold order: only split when the gold lists all theory rows first
        if teachers == theory + practice and theory and practice:
            inner = teacher_table(theory, form, st, rng, "（一）理论授课") + teacher_table(
                practice, form, st, rng, "（二）实践（技术示范）"
            )
        else:
            inner = teacher_table(teachers, form, st, rng)
    else:
        inner = teacher_table(teachers, form, st, rng)
    cls = "land" if st.landscape else "brk"
    return f'<div class="{cls}">{section("课程及教师信息")}{inner}</div>'


def cover_html(form: Form, st: Style) -> str:
    """A cover page: the level in the title, project name, unit, date."""
    year = ""
    if form.events and form.events[0].start and form.events[0].start[:4].isdigit():
        year = form.events[0].start[:4] + "年"
    when = date(form.events[0].start, st) if form.events and form.events[0].start else ""
    rows = [("项目名称", esc(form.title)), ("申办单位", esc(form.applicant_unit)), ("申报日期", when)]
    if st.family != "plain":
        rows.insert(0, ("申请代码", esc(form.application_code)))
    body = "".join(f"<p class='cl'><b>{lab}：</b><u>{v or SP * 6}</u></p>" for lab, v in rows)
    return (
        f'<div class="cover"><h1>{year}{esc(form.level or "")}继续医学教育项目申报书</h1>'
        f'<div class="cbody">{body}</div></div>'
    )


def pledge_html(form: Form, st: Style) -> str:
    """承诺书 with the lead's signature when the case says it is signed."""
    name = esc(form.lead.name) if form.signed and form.lead else ""
    when = date(form.events[0].start, st) if form.events and form.events[0].start else ""
    return (
        '<div class="brk pledge"><h1>承诺书</h1><p>本人承诺：所填报内容真实、准确，项目将按申报内容组织实施，'
        "严格遵守继续医学教育有关管理规定，接受主管部门的监督检查。</p>"
        f"<p class='sig'>项目负责人签名：<span class='signame'>{name}</span></p>"
        f"<p class='sig'>日期：{when if name else ''}</p><p class='sig'>申报单位（盖章）</p></div>"
    )


def form_html(form: Form, st: Style, rng: random.Random) -> str:
    """The whole draft as one HTML document."""
    lead = form.lead
    parts: list[str] = []
    if st.cover:
        parts.append(cover_html(form, st))
    parts.append(f'<h1 class="doc">{esc(form.level or "")}继续医学教育项目申报表</h1>')
    basic: list[tuple[str, str]] = []

    def add(lab: str, val: Any, rendered: Optional[str] = None) -> None:
        if val is None:
            return  # a field the case does not have: its label is absent too
        basic.append((lab, rendered if rendered is not None else esc(val)))

    add("申请代码", form.application_code if form.application_code is not None else "")
    add("项目名称", form.title)
    add("所在学科（二、三级学科）", form.subject)
    add("项目级别", form.level, choice_html(["国家级", "北京市级"], form.level, st))
    add(st.category_label, form.category, choice_html(["普通项目", "社区必修课"], form.category, st))
    add("京津冀互认项目", form.jjj, yesno_html(form.jjj, st))
    add("传染病防治知识培训类项目", form.infectious_training, yesno_html(form.infectious_training, st))
    add(st.mode_label, form.mode, choice_html(["面授", "远程"], form.mode, st))
    add("教学对象", form.audience)
    unit = rng.choice(["", "人"])
    add("拟招生人数", form.enrollment, num(form.enrollment, st) + unit if form.enrollment is not None else "")
    hs = rng.choice(["（小时）", "(h)", "（学时）"])
    add("教学总时长" + hs, form.total_hours, num(form.total_hours, st))
    add("讲授理论时长" + hs, form.theory_hours, num(form.theory_hours, st))
    add("实践（技术示范）时长" + hs, form.practice_hours, num(form.practice_hours, st))
    add("拟授学分", form.credits, num(form.credits, st))
    add("举办期数", form.sessions, num(form.sessions, st))
    pct = rng.choice(["%", ""])
    add("拟招收外省学员占比（%）", form.out_of_province_pct, num(form.out_of_province_pct, st) + pct)
    add("拟招收基层单位学员占比（%）", form.grassroots_pct, num(form.grassroots_pct, st) + pct)
    parts.append(section("一、项目基本信息") + kv_table(basic, st, rng) + events_html(form, st))

    unit_rows: list[tuple[str, str]] = []
    for lab, val in (("申报单位", form.applicant_unit),):
        if val is not None:
            unit_rows.append((lab, esc(val)))
    if form.unit_type is not None:
        unit_rows.append(
            (
                "申报单位类型",
                choice_html(["医疗卫生机构", "教学机构", "科研机构", "学（协）会", "其他"], form.unit_type, st),
            )
        )
    for lab, val in (
        ("单位联系人", form.unit_contact),
        ("单位联系电话", form.unit_phone),
        ("项目负责人通讯地址", form.lead_address),
        ("项目负责人联系电话", form.lead_phone),
    ):
        if val is not None:
            v = val.translate(FW) if st.fullwidth and "电话" in lab else val
            unit_rows.append((lab, esc(v)))
    parts.append(section("二、申报单位信息") + kv_table(unit_rows, st, rng))

    if lead:
        lrows: list[tuple[str, str]] = []
        for lab, val in (
            ("姓名", lead.name),
            ("性别", lead.sex),
            ("出生年月", date(lead.birth, st) if lead.birth else None),
            ("身份证号码", lead.id_number),
            ("职称", lead.title),
            ("职务", lead.post),
            ("最高学历", lead.education),
            ("工作单位", lead.unit),
            ("是否在职（岗）", None if lead.employed is None else yesno_html(lead.employed, st)),
            ("从事专业", lead.specialty),
        ):
            if val is not None:
                lrows.append((lab, val if lab in ("是否在职（岗）", "出生年月") else esc(val)))
        parts.append(section("三、项目负责人信息") + kv_table(lrows, st, rng))

    nar = section("四、同行评议意见") + narrative("推荐理由", form.peer_review, "（不少于200字）", st)
    pr = form.peer_reviewer
    if pr:
        if st.reviewer_line:
            nar += (
                f"<p class='revline'>评议专家{st.colon or '：'}{esc(pr.name)}\u3000职称：{esc(pr.title)}"
                f"\u3000工作单位：{esc(pr.unit)}\u3000签字：</p>"
            )
        else:
            nar += kv_table(
                [("评议专家姓名", esc(pr.name)), ("职称", esc(pr.title)), ("工作单位", esc(pr.unit))], st, rng
            )
    parts.append(nar)
    parts.append(
        section("五、项目负责人主要成绩")
        + narrative(
            "项目负责人在临床诊疗、教学、科研等促进学科发展方面的主要成绩", form.achievements, "（不少于300字）", st
        )
    )
    parts.append(history_html(form, st))
    parts.append(
        section("六、单位及科室基本情况")
        + narrative("项目申报单位及项目负责人所在科室基本情况", form.unit_profile, "（不少于300字）", st)
    )
    parts.append(teachers_html(form, st, rng))
    if st.pledge:
        parts.append(pledge_html(form, st))
    return page_html("".join(parts), st)


def page_html(body: str, st: Style) -> str:
    """Wrap the body with the template's CSS."""
    border = "0.6pt solid #333" if st.borders else "none"
    grey = "background:#e8e8e8;" if st.grey_labels else ""
    zebra = "tbody tr:nth-child(even) td{background:#f2f2f2}" if st.zebra else ""
    box = ".box{display:inline-block;min-width:60%;border:0.5pt solid #999;padding:1pt 3pt;}" if st.input_boxes else ""
    css = f"""
    @page {{ size: A4; margin: 22mm 16mm 20mm 16mm; }}
    @page land {{ size: A4 landscape; margin: 18mm 14mm; }}
    body {{ font-family: 'WenQuanYi Zen Hei', sans-serif; font-size: {st.font_pt}pt; line-height: 1.45; }}
    h1 {{ font-size: {st.font_pt + 6}pt; text-align: center; }}
    h2.sec {{ font-size: {st.font_pt + 1.5}pt; margin: 10pt 0 4pt 0; }}
    table {{ border-collapse: collapse; width: 100%; margin-bottom: 6pt; }}
    td, th {{ border: {border}; padding: 3pt 4pt; vertical-align: middle; word-break: break-all; }}
    th {{ {grey} font-weight: bold; }}
    td.lab {{ {grey} width: {st.label_w}%; }}
    .nar td.ntext {{ text-align: justify; vertical-align: top; }}
    .hint {{ color: #888; }}
    .teach td:nth-last-child(-n+2) {{ width: 7%; text-align: center; }}
    thead {{ display: table-header-group; }}
    tr {{ break-inside: avoid; }}
    .land {{ page: land; break-before: page; }}
    .brk {{ break-before: page; }}
    .cover {{ break-after: page; padding-top: 60mm; }}
    .cover h1 {{ font-size: 20pt; margin-bottom: 40mm; }}
    .cbody {{ margin-left: 25mm; font-size: 14pt; line-height: 2.4; }}
    .pledge p {{ text-indent: 2em; }} .sig {{ text-align: right; margin-right: 20mm; }}
    {zebra} {box}
    """
    return f"<!doctype html><html><head><meta charset='utf-8'><style>{css}</style></head><body>{body}</body></html>"


def header_footer(st: Style, form: Form) -> tuple[str, str]:
    """Running header (the system's name and a QR-code-like box) and footer 第X页/共Y页."""
    font = "font-family:'WenQuanYi Zen Hei';font-size:8pt;width:100%;margin:0 14mm;"
    qr = ""
    if st.header:
        cells = "".join(
            f"<span style='display:inline-block;width:2px;height:2px;background:{'#000' if (i * 7 + i // 9) % 3 else '#fff'}'></span>"
            + ("<br>" if i % 9 == 8 else "")
            for i in range(81)
        )
        qr = f"<div style='float:right;width:18px;line-height:2px;border:1px solid #000'>{cells}</div>"
        head = f"<div style='{font}'>{qr}<span>继续医学教育项目网上申报系统</span></div>"
    else:
        head = "<div></div>"
    if st.footer:
        foot = f"<div style='{font}text-align:center'>第<span class='pageNumber'></span>页/共<span class='totalPages'></span>页</div>"
    else:
        foot = "<div></div>"
    return head, foot


# ---------------------------------------------------------------- rendering


def rasterise(pdf: bytes, pages: list[int], dpi: int, rng: random.Random) -> bytes:
    """Replace the given pages (0-based) by grey JPEG images of themselves (a scanned page in a text PDF)."""
    import pypdfium2 as pdfium
    from PIL import Image
    from pypdf import PdfReader, PdfWriter
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    src = pdfium.PdfDocument(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    for i, page in enumerate(reader.pages):
        if i not in pages:
            writer.add_page(page)
            continue
        w, h = src[i].get_size()
        img = src[i].render(scale=dpi / 72).to_pil().convert("L")
        angle = rng.uniform(-1.0, 1.0)
        img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=80)
        out = io.BytesIO()
        c = canvas.Canvas(out, pagesize=(w, h))
        buf.seek(0)
        c.drawImage(ImageReader(buf), 0, 0, w, h)
        c.showPage()
        c.save()
        writer.add_page(PdfReader(io.BytesIO(out.getvalue())).pages[0])
    res = io.BytesIO()
    writer.write(res)
    return res.getvalue()


class Renderer:
    """One browser for many drafts."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])

    def pdf(self, doc: str, st: Style, form: Form) -> bytes:
        """Print the HTML to PDF."""
        page = self._browser.new_page()
        try:
            page.set_content(doc, wait_until="load")
            head, foot = header_footer(st, form)
            return page.pdf(
                format="A4",
                print_background=True,
                prefer_css_page_size=True,
                display_header_footer=st.header or st.footer,
                header_template=head,
                footer_template=foot,
            )
        finally:
            page.close()

    def close(self) -> None:
        """Stop the browser."""
        self._browser.close()
        self._pw.stop()


def render_draft(renderer: Renderer, case: Case, seed: int, family: Optional[str] = None) -> tuple[bytes, Style]:
    """The case rendered under the template chosen by the seed."""
    rng = random.Random(f"{seed}:{case.id}")
    st = pick_style(rng, family)
    form = gold_form(case)
    pdf = renderer.pdf(form_html(form, st, rng), st, form)
    if st.family == "mixed":
        from pypdf import PdfReader

        n = len(PdfReader(io.BytesIO(pdf)).pages)
        k = min(n, rng.choice([1, 1, 2]))
        # the pledge page is the one most often scanned; otherwise a random page
        st.raster_pages = sorted({n - 1} | set(rng.sample(range(n), k - 1))) if st.pledge else rng.sample(range(n), k)
        pdf = rasterise(pdf, st.raster_pages, st.dpi, rng)
    return pdf, st


def draft_plan(n: int, seed: int) -> list[tuple[Case, int, str]]:
    """(case, draft seed, family) for n drafts: cases and families cycled in a seeded order."""
    cases = [c for c in load_cases() if not c.id.startswith("base-")] or load_cases()
    rng = random.Random(seed)
    plan = []
    for i in range(n):
        case = rng.choice(cases)
        plan.append((case, seed * 1000 + i, FAMILIES[(seed + i) % len(FAMILIES)]))
    return plan


def measure(n: int = 40, seed: int = 1, keep: Optional[Path] = None, quiet: bool = False) -> dict[str, Any]:
    """Render n drafts, extract each, score field accuracy and teacher rows per family."""
    from review.extract import extract_pdf

    renderer = Renderer()
    rows: list[dict[str, Any]] = []
    tmp = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="held_out_"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        for case, draft_seed, family in draft_plan(n, seed):
            pdf, st = render_draft(renderer, case, draft_seed, family)
            path = tmp / f"{draft_seed}_{family}_{case.id}.pdf"
            path.write_bytes(pdf)
            gold = gold_form(case).to_json_dict()
            if not st.pledge:
                gold["signed"] = None  # no 承诺书 page in this draft: nothing to read
            try:
                got = extract_pdf(path).form.to_json_dict()
                ok, total, wrong = compare(gold, got)
                exact = teacher_rows_exact(gold, got)
            except Exception as exc:  # noqa: BLE001 - a crash is a measured miss
                got, ok, total, wrong, exact = {}, 0, 1, [f"<crash {exc}>"], False
            rows.append(
                {
                    "file": path.name,
                    "family": family,
                    "correct": ok,
                    "total": total,
                    "wrong": wrong,
                    "teachers_exact": exact,
                    "gold": gold,
                    "got": got,
                }
            )
            if not quiet:
                print(f"{path.name:60} {ok / total:7.2%} teachers={exact} {' '.join(wrong[:8])}", flush=True)
    finally:
        renderer.close()
    fams: dict[str, dict[str, Any]] = {}
    for r in rows:
        f = fams.setdefault(r["family"], {"correct": 0, "total": 0, "drafts": 0, "teachers_exact": 0})
        f["correct"] += r["correct"]
        f["total"] += r["total"]
        f["drafts"] += 1
        f["teachers_exact"] += r["teachers_exact"] is not False
    worst = Counter(re.sub(r"\.\d+", ".#", w) for r in rows for w in r["wrong"])
    tot = sum(r["total"] for r in rows)
    return {
        "drafts": len(rows),
        "accuracy": sum(r["correct"] for r in rows) / tot if tot else None,
        "teachers_exact": sum(r["teachers_exact"] is not False for r in rows),
        "families": fams,
        "worst": worst.most_common(15),
        "rows": rows,
        "dir": str(tmp),
    }


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point: accuracy per template family and the fields missed most."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, default=None, help="folder to keep the rendered PDFs in")
    ap.add_argument("--quiet", action="store_true", help="no per-draft lines (for held-out seeds)")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    m = measure(args.n, args.seed, args.keep, args.quiet)
    print()
    for fam, f in sorted(m["families"].items()):
        print(
            f"{fam:6} drafts={f['drafts']:3} field accuracy={f['correct'] / f['total']:.4f} "
            f"teachers exact={f['teachers_exact']}/{f['drafts']}"
        )
    print(
        f"all    drafts={m['drafts']:3} field accuracy={m['accuracy']:.4f} teachers exact={m['teachers_exact']}/{m['drafts']}"
    )
    if not args.quiet:
        print("worst fields:", ", ".join(f"{k}={v}" for k, v in m["worst"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
