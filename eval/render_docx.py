"""Render every case as the Word template filled in (.docx) and measure how well extract_docx reads it back.

Usage: python -m eval.render_docx [--out DIR] [--json]   (default DIR: eval/out/docx)
Layouts vary per case (seeded by the case id): basic info in 4-column or 2-column rows, the lead table in
6 or 4 columns, narratives in a merged full-width cell or as paragraphs between the tables.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from pathlib import Path
from typing import Any, Optional

from eval import render_text as rt
from eval.cases import Case, gold_form, load_cases
from review.form import Form

OUT = Path(__file__).resolve().parent / "out" / "docx"


def layout_of(case_id: str) -> dict[str, Any]:
    """The case's layout choices, stable per id."""
    h = zlib.crc32(case_id.encode())
    return {
        "basic_cols": 4 if h % 2 else 2,
        "lead_cols": 6 if (h >> 1) % 2 else 4,
        "narrative_cells": bool((h >> 2) % 3),  # else narratives are paragraphs between tables
    }


def _new_doc() -> Any:
    """An empty A4 document with a CJK font."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    return doc


def _grid(doc: Any, rows: list[list[str]], merges: Optional[list[tuple[int, int, int]]] = None) -> Any:
    """A bordered table from rows of text; `merges` = (row, first col, last col) merged into one cell."""
    ncols = max(len(r) for r in rows)
    table = doc.add_table(rows=len(rows), cols=ncols)
    table.style = "Table Grid"
    for ri, row in enumerate(rows):
        for ci, text in enumerate(row):
            if text:
                table.cell(ri, ci).text = text
    for ri, c0, c1 in merges or []:
        keep = table.cell(ri, c0).text
        merged = table.cell(ri, c0).merge(table.cell(ri, c1))
        merged.text = keep
    return table


def _pairs_rows(pairs: list[tuple[str, str]], cols: int) -> list[list[str]]:
    """label/value pairs laid out two (4 columns) or one (2 columns) per row."""
    if cols == 2:
        return [[k, v] for k, v in pairs]
    out = []
    for i in range(0, len(pairs), 2):
        chunk = pairs[i : i + 2]
        row = [x for kv in chunk for x in kv]
        out.append(row + [""] * (4 - len(row)))
    return out


def _basic(doc: Any, form: Form, v: dict[str, Any], lay: dict[str, Any]) -> None:
    """一、项目基本信息 with the peer review (merged cell or paragraph) and the reviewer."""
    cols = lay["basic_cols"]
    doc.add_paragraph("一、项目基本信息")
    pairs = [p for p in rt.basic_fields(form, v) if p[0] != "申请代码"]
    rows = _pairs_rows(pairs, cols)
    merges: list[tuple[int, int, int]] = []
    rev = rt.reviewer_fields(form)
    if lay["narrative_cells"]:
        rows.append(["同行评议意见", rt.narrative(form, "peer_review", v)] + [""] * (cols - 2))
        if cols == 4:
            merges.append((len(rows) - 1, 1, 3))
    rows += _pairs_rows(rev, cols)
    _grid(doc, rows, merges)
    if not lay["narrative_cells"]:
        doc.add_paragraph("同行评议意见：")
        doc.add_paragraph(rt.narrative(form, "peer_review", v))


def _lead(doc: Any, form: Form, v: dict[str, Any], lay: dict[str, Any]) -> None:
    """二、项目负责人信息: the lead's fields, achievements, history, unit profile."""
    doc.add_paragraph("二、项目负责人信息")
    pairs = rt.lead_fields(form, v)
    cols = lay["lead_cols"]
    per = cols // 2
    rows = [[x for kv in pairs[i : i + per] for x in kv] for i in range(0, len(pairs), per)]
    rows = [r + [""] * (cols - len(r)) for r in rows]
    merges: list[tuple[int, int, int]] = []

    def full(text: str) -> None:
        rows.append([text] + [""] * (cols - 1))
        merges.append((len(rows) - 1, 0, cols - 1))

    narratives = lay["narrative_cells"]
    if narratives:
        full("项目负责人在临床诊疗、教学、科研等促进学科发展方面的主要成绩（不少于300字）")
        full(rt.narrative(form, "achievements", v))
    full("项目负责人近三年继续医学教育项目申报、执行情况（优先填写国家级项目）：")
    for h in form.history or []:
        full(rt.history_line(h, v))
    if narratives:
        full("项目申报单位及项目负责人所在科室基本情况（不少于300字）")
        full(rt.narrative(form, "unit_profile", v))
    _grid(doc, rows, merges)
    if not narratives:
        doc.add_paragraph("项目负责人主要成绩：")
        doc.add_paragraph(rt.narrative(form, "achievements", v))
        doc.add_paragraph("项目申报单位及项目负责人所在科室基本情况：")
        doc.add_paragraph(rt.narrative(form, "unit_profile", v))


def _teachers_events(doc: Any, form: Form, v: dict[str, Any]) -> None:
    """三、课程及教师信息 and 四、多期举办信息."""
    doc.add_paragraph("三、课程及教师信息")
    rows = [["姓名", "专业技术职称", "教学方法", "所在单位", "讲授题目或实验内容", rt.hours_label("学时", v)]]
    rows += [
        [t.name or "", t.title or "", t.method or "", t.unit or "", t.topic or "", rt.num(t.hours)]
        for t in form.teachers or []
    ]
    _grid(doc, rows)
    doc.add_paragraph("四、多期举办信息")
    ev = [["期次", "举办时间", "天数", "地点"]]
    ev += [
        [f"第{i}期", rt.date_range(e.start, e.end), rt.num(e.days), e.venue or ""]
        for i, e in enumerate(form.events or [], 1)
    ]
    _grid(doc, ev)


def render_docx(case: Case, path: Path) -> Path:
    """Write the case as a filled-in Word template."""
    form, v, lay = case.form, case.variant, layout_of(case.id)
    doc = _new_doc()
    doc.add_paragraph(f"申请代码：{form.application_code or ''}")
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc.add_paragraph("继续医学教育推荐项目申报书").alignment = WD_ALIGN_PARAGRAPH.CENTER  # as in the template
    _basic(doc, form, v, lay)
    _lead(doc, form, v, lay)
    _teachers_events(doc, form, v)
    doc.add_paragraph("继续医学教育项目负责人承诺书")
    for text in rt.PROMISES:
        doc.add_paragraph(text)
    name = form.lead.name if form.lead and form.signed else ""
    doc.add_paragraph(f"项目负责人签名：{name}")
    doc.add_paragraph("日期：2024年11月20日")
    doc.add_paragraph(f"申报单位（盖章）：{form.applicant_unit or ''}")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def measure(out: Path = OUT, cases: Optional[list[Case]] = None) -> dict[str, Any]:
    """Render every case as .docx, read it back with extract_docx, score fields like eval.extraction_accuracy."""
    from eval.extraction_accuracy import compare
    from review.extract.docx import extract_docx

    per_case: list[dict[str, Any]] = []
    for case in cases if cases is not None else load_cases():
        path = render_docx(case, out / f"{case.id}.docx")
        try:
            got = extract_docx(path).form.to_json_dict()
        except Exception as exc:  # noqa: BLE001 - a crash is a measured failure
            per_case.append({"id": case.id, "correct": 0, "total": 1, "wrong": [f"<crash {exc}>"]})
            continue
        ok, total, wrong = compare(gold_form(case).to_json_dict(), got)
        per_case.append({"id": case.id, "layout": layout_of(case.id), "correct": ok, "total": total, "wrong": wrong})
    correct, total = sum(r["correct"] for r in per_case), sum(r["total"] for r in per_case)
    return {"cases": len(per_case), "accuracy": correct / total if total else None, "per_case": per_case}


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    m = measure(args.out)
    if args.json:
        print(json.dumps(m, ensure_ascii=False, indent=1))
    else:
        for r in m["per_case"]:
            if r["wrong"]:
                print(f"{r['id']:36} {r['correct']}/{r['total']}  {', '.join(r['wrong'][:8])}")
        print(f"docx field accuracy {m['accuracy']:.2%} over {m['cases']} cases (target >= 99%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
