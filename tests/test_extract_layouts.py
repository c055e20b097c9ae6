"""Regression tests for layouts of other templates, each named after the bug it guards (PDFs made here)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from review.extract import extract_pdf, extract_rows
from review.extract.furniture import is_page_number, tilted_box
from review.extract.labels import prefix_label
from review.extract.ocr import drop_red
from review.extract.pdfio import Cell, Row
from review.normalize import join_lines

FONT = "STSong-Light"
ID = "110105197205151238"


def _register() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _table_pdf(path: Path, tables: list[tuple[list[list[str]], list[float]]], deco: bool = False) -> Path:
    """A Word-like export: ruled tables whose cells wrap (Paragraphs in narrow columns), one table per page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    _register()
    style = ParagraphStyle("c", fontName=FONT, fontSize=10, leading=13, wordWrap="CJK")
    story: list = []
    for data, widths in tables:
        cells = [[Paragraph(t.replace("\n", "<br/>"), style) for t in row] for row in data]
        tbl = Table(cells, colWidths=widths)
        tbl.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [tbl, PageBreak()]

    def furniture(canvas, doc):  # noqa: ANN001 - reportlab callback
        if not deco:
            return
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawString(60, 810, "继续医学教育项目网上申报系统  打印时间：2026-10-08")
        canvas.drawString(260, 30, f"第 {doc.page} 页 共 3 页")
        canvas.setFont(FONT, 60)
        canvas.setFillGray(0.85)
        canvas.translate(300, 420)
        canvas.rotate(45)
        canvas.drawString(-60, 0, "草稿")
        canvas.restoreState()

    SimpleDocTemplate(str(path), pagesize=A4).build(story, onFirstPage=furniture, onLaterPages=furniture)
    return path


def _lines_pdf(path: Path, pages: list[list[str]], deco: bool = False) -> Path:
    """A printout: one label：value line per string; optional running header, footer and diagonal watermark."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _register()
    c = canvas.Canvas(str(path), pagesize=A4)
    for n, lines in enumerate(pages, 1):
        if deco:
            c.setFont(FONT, 9)
            c.drawString(50, 815, "北京市继续医学教育管理平台   打印时间：2026-10-08 14:32")
            c.drawString(260, 25, f"第 {n} 页 共 {len(pages)} 页")
            c.saveState()
            c.setFont(FONT, 72)
            c.setFillGray(0.85)
            c.translate(300, 400)
            c.rotate(35)
            c.drawString(-80, 0, "草稿")
            c.restoreState()
        c.setFont(FONT, 10)
        y = 780
        for line in lines:
            c.drawString(50, y, line)
            y -= 18
        c.showPage()
    c.save()
    return path


def _rows(lines: list[list[str]], table: int = 1) -> list[Row]:
    """Table rows of cells; a cell text with '\\n' keeps its lines like a wrapped cell."""
    out = []
    for i, cells in enumerate(lines):
        top = 100.0 + 40 * i
        row = []
        for j, t in enumerate(cells):
            parts = t.split("\n")
            box = (50.0 + 100 * j, top, 140.0 + 100 * j, top + 30)
            row.append(Cell(join_lines(parts), 1, box, "table", parts if len(parts) > 1 else None))
        out.append(Row(row, 1, top, table))
    return out


TEACHERS = [
    ["序号", "授课教师\n姓名", "专业技术\n职称", "所在单位", "讲授题目\n或实验内\n容", "教学方法", "学时"],
    ["1", "王建国", "主任医师", "北京康华\n医院", "急性胸痛\n的早期识\n别", "讲座", "3"],
    ["2", "李红梅", "副主任医\n师", "北京康华\n医院", "规范化诊\n疗进展", "技术示范", "3"],
    ["合计", "", "", "", "", "", "6"],
]


def test_wrapped_teacher_cells_read_as_one_value_each(tmp_path):
    pdf = _table_pdf(tmp_path / "t.pdf", [(TEACHERS, [30, 50, 50, 50, 50, 55, 30])])
    teachers = extract_pdf(pdf).form.teachers or []
    got = [(t.name, t.title, t.unit, t.topic, t.hours, t.kind) for t in teachers]
    assert got == [
        ("王建国", "主任医师", "北京康华医院", "急性胸痛的早期识别", 3.0, "theory"),
        ("李红梅", "副主任医师", "北京康华医院", "规范化诊疗进展", 3.0, "practice"),
    ]


def test_id_number_wrapped_in_a_cell_is_one_value(tmp_path):
    rows = [["姓名", "王建国", "身份证号码", ID[:15] + "\n" + ID[15:]], ["职称", "主任医师", "性别", "男"]]
    pdf = _table_pdf(tmp_path / "id.pdf", [(rows, [80, 120, 80, 100])])
    lead = extract_pdf(pdf).form.lead
    assert lead is not None and lead.id_number == ID and lead.title == "主任医师"


def test_numbers_broken_over_lines_join_without_space():
    assert join_lines([ID[:15], ID[15:]]) == ID
    assert join_lines(["11010519720515123", "X"]) == "11010519720515123X"
    assert join_lines(["SCI", "papers"]) == "SCI papers"


def test_long_label_and_its_narrative_share_one_cell():
    text = "王建国，主任医师，从事心血管内科临床工作二十余年。"
    rows = _rows([["项目负责人在临床诊疗、教学、科研等促进学\n科发展方面的主要成绩（不少于300字）\n" + text]])
    form, _ = extract_rows(rows)
    assert form.achievements == text


def test_prefix_label_without_hint_ends_at_its_line():
    raw = "主要成绩\n王建国（博士），主任医师"
    key, end = prefix_label(raw) or ("", 0)
    assert key == "achievements" and raw[end:].strip() == "王建国（博士），主任医师"


def test_signature_on_the_next_line_of_a_reviewer_cell_is_not_the_unit():
    rows = _rows(
        [
            [
                "同行评议意见",
                "该项目内容实用，同意推荐。\n评议专家：孙立新 职称：主任医师 工作单位：北京明德医院\n签字：孙立新 2026年10月8日",
            ]
        ]
    )
    form, _ = extract_rows(rows)
    pr = form.peer_reviewer
    assert pr is not None and (pr.name, pr.title, pr.unit) == ("孙立新", "主任医师", "北京明德医院")
    assert form.peer_review == "该项目内容实用，同意推荐。"


def test_label_split_over_lines_inside_a_label_cell():
    form, _ = extract_rows(_rows([["讲授理论时长（小\n时）", "12", "实践（技术示范）时\n长（小时）", "6"]]))
    assert (form.theory_hours, form.practice_hours) == (12.0, 6.0)


def test_type_label_holding_the_mode_is_read_as_mode():
    rows = _rows(
        [["项目级别", "国家级", "项目类型", "面授"], ["项目类别", "普通项目 京津冀互认项目□", "教学对象", "医师"]]
    )
    form, _ = extract_rows(rows)
    assert (form.mode, form.category, form.jjj) == ("面授", "普通项目", False)


def test_several_history_years_in_one_cell():
    years = "".join(
        f"{y}年继续医学教育项目申报情况：国家级{a} 省级{b}，是否执行：是■ 否□。国家级项目编号：{c}、省级项目编号：{d}\n"
        for y, a, b, c, d in (
            (2023, "■", "□", "2023-03-04-021", "——"),
            (2024, "□", "■", "——", "2024-03-04-033"),
        )
    )
    form, _ = extract_rows(_rows([["项目负责人近三年继续医学教育项目申报、执行情况：\n" + years.strip()]]))
    got = [(h.year, h.national, h.provincial, h.executed, h.national_code, h.provincial_code) for h in form.history]
    assert got == [(2023, True, False, True, "2023-03-04-021", None), (2024, False, True, True, None, "2024-03-04-033")]


def test_history_as_a_table_with_a_header_row():
    rows = _rows(
        [
            ["项目负责人近三年继续医学教育项目申报、执行情况"],
            ["年度", "国家级", "省级", "是否执行", "国家级项目编号", "省级项目编号"],
            ["2023年", "[x]", "[ ]", "是", "2023-03-01-017", ""],
            ["2024年", "[ ]", "[x]", "否", "", "2024-03-01-012"],
        ]
    )
    form, _ = extract_rows(rows)
    got = [(h.year, h.national, h.provincial, h.executed, h.national_code, h.provincial_code) for h in form.history]
    assert got == [
        (2023, True, False, True, "2023-03-01-017", None),
        (2024, False, True, False, None, "2024-03-01-012"),
    ]


def test_teacher_table_with_theory_and_practice_hour_columns_in_any_order():
    rows = _rows(
        [
            ["理论学时", "姓名", "工作单位", "职称", "实践学时"],
            ["2", "张三", "甲医院", "主任医师", ""],
            ["", "李四", "乙医院", "主治医师", "3"],
        ]
    )
    form, _ = extract_rows(rows)
    got = [(t.name, t.unit, t.title, t.hours, t.kind) for t in form.teachers]
    assert got == [("张三", "甲医院", "主任医师", 2.0, "theory"), ("李四", "乙医院", "主治医师", 3.0, "practice")]


def test_sessions_listed_in_a_time_and_venue_label():
    rows = _rows(
        [
            [
                "举办天数",
                "3天",
                "举办时间及地点",
                "第1期：2026-09-18至2026-09-20，北京康华医院；第2期：2026-10-09至2026-10-11，北京饭店",
            ],
        ]
    )
    form, _ = extract_rows(rows)
    got = [(e.start, e.end, e.days, e.venue) for e in form.events]
    assert got == [("2026-09-18", "2026-09-20", 3.0, "北京康华医院"), ("2026-10-09", "2026-10-11", 3.0, "北京饭店")]


def test_running_header_footer_and_watermark_never_enter_values(tmp_path):
    part1 = "本项目围绕冠心病介入诊疗设计培训内容课程涵盖急性冠脉综合征"
    part2 = "心力衰竭指南与心房颤动导管消融等方面内容系统重点突出"
    pages = [
        ["项目名称：冠心病介入诊疗学习班", "拟授学分：6", "同行评议意见：", part1],
        [part2, "评议专家：李四  职称：主任医师", "继续医学教育项目负责人承诺书", "本人承诺所填内容真实。"],
    ]
    f = extract_pdf(_lines_pdf(tmp_path / "d.pdf", pages, deco=True)).form
    assert f.title == "冠心病介入诊疗学习班" and f.credits == 6.0
    assert f.peer_review == part1 + part2
    assert f.peer_reviewer is not None and f.peer_reviewer.title == "主任医师"


def test_table_pages_with_furniture_keep_the_teacher_table_whole(tmp_path):
    head, rows = TEACHERS[0], TEACHERS[1:3]
    pdf = _table_pdf(
        tmp_path / "f.pdf",
        [([head, rows[0]], [30, 50, 50, 50, 50, 55, 30]), ([rows[1]], [30, 50, 50, 50, 50, 55, 30])],
        deco=True,
    )
    teachers = extract_pdf(pdf).form.teachers or []
    assert [t.name for t in teachers] == ["王建国", "李红梅"]


def test_instruction_page_text_is_never_a_value(tmp_path):
    pages = [
        ["2026年国家级继续医学教育项目申报书", "项目名称：胸痛诊治培训班", "申报日期：2026年10月8日"],
        [
            "填 表 说 明",
            "一、教学总时长不少于6小时；每3小时可授予1学分。",
            "八、申报单位类型：医疗卫生机构、教学机构，按实际情况选择。",
        ],
        ["一、项目基本信息", "拟授学分：4", "教学总时长(小时)：12"],
    ]
    f = extract_pdf(_lines_pdf(tmp_path / "i.pdf", pages)).form
    assert f.unit_type is None and f.total_hours == 12.0 and f.credits == 4.0
    assert f.level == "国家级" and f.title == "胸痛诊治培训班"


def test_narrative_never_swallows_the_commitment_page(tmp_path):
    text = "医院设有继续医学教育委员会，科教处负责项目的日常管理。"
    pages = [
        ["项目申报单位及项目负责人所在科室基本情况（不少于300字）：", text],
        ["继续医学教育项目负责人承诺书", "一、本人承诺所填写的申报信息真实、完整、准确。", "项目负责人签名：王建国"],
    ]
    f = extract_pdf(_lines_pdf(tmp_path / "c.pdf", pages)).form
    assert f.unit_profile == text and f.signed is True


def test_wrapped_printout_value_continues_on_the_next_line(tmp_path):
    long = "第1期：2026-03-10至2026-03-12，北京康华医院临床技能培训中心；第2期：2026-04-10至2026-04-12，北京"
    pages = [["举办天数：3天", "举办时间及地点：" + long, "康华医院临床技能培训中心", "拟授学分：6"]]
    f = extract_pdf(_lines_pdf(tmp_path / "w.pdf", pages)).form
    assert [e.venue for e in f.events or []] == ["北京康华医院临床技能培训中心"] * 2


def test_red_seal_pixels_become_white_before_ocr():
    img = np.full((4, 4, 3), 255, dtype=np.uint8)
    img[0, 0] = (220, 30, 30)  # seal red
    img[1, 1] = (20, 20, 20)  # black text
    out = drop_red(img)
    assert tuple(out[0, 0]) == (255, 255, 255) and tuple(out[1, 1]) == (20, 20, 20)


def test_diagonal_ocr_boxes_are_watermarks():
    assert tilted_box([[0, 100], [100, 40], [120, 70], [20, 130]])
    assert not tilted_box([[0, 100], [100, 101], [100, 120], [0, 119]])


def test_page_numbers_in_any_common_shape():
    assert all(is_page_number(t) for t in ("第 2 页 共 4 页", "- 3 -", "2/5", "共4页 第2页"))
    assert not is_page_number("拟授学分：6")


def test_printout_label_wrapped_at_the_margin_rejoins(tmp_path):
    pages = [
        [
            "所在学科（二、三级学科）：临床内科学-心血管病学  外省学员占比（%）：20%  实践（技术示范）时长（",
            "小时）：6",
            "拟授学分：2",
        ]
    ]
    f = extract_pdf(_lines_pdf(tmp_path / "s.pdf", pages)).form
    assert (f.subject, f.out_of_province_pct, f.practice_hours, f.credits) == ("临床内科学-心血管病学", 20.0, 6.0, 2.0)
