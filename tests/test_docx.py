"""Word drafts: the document's own tables and paragraphs read into the same form, rules and report as a PDF."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from eval.cases import gold_form, load_case
from eval.extraction_accuracy import compare
from eval.render_docx import layout_of, render_docx
from review.errors import InputError
from review.extract.docx import OLD_DOC_ZH, extract_docx, sniff, where_zh


def _doc_with_table(path: Path, build) -> Path:
    """A .docx made by `build(document)`."""
    from docx import Document

    doc = Document()
    build(doc)
    doc.save(str(path))
    return path


@pytest.mark.parametrize("case_id", ["f-credit-cap", "clean-national-printout-halfwidth", "f-forum-scan"])
def test_rendered_case_reads_back_exactly(case_id, tmp_path):
    case = load_case(case_id)
    res = extract_docx(render_docx(case, tmp_path / "d.docx"))
    ok, total, wrong = compare(gold_form(case).to_json_dict(), res.form.to_json_dict())
    assert wrong == [], (layout_of(case_id), wrong)
    assert res.style == "docx" and res.pages == 0


def test_evidence_names_table_row_and_column(tmp_path):
    case = load_case("f-credit-cap")
    res = extract_docx(render_docx(case, tmp_path / "d.docx"))
    ev = res.evidence["teachers.0.hours"]
    assert ev.page is None and ev.bbox is None and ev.source == "docx"
    table, row, col = ev.cell
    assert row == 2 and col == 6  # first data row under the header, 学时 is the sixth column
    assert where_zh(ev) == f"表 {table} 第 2 行第 6 列"
    assert res.evidence["title"].raw == case.form.title


def test_docx_and_pdf_give_the_same_findings(tmp_path):
    from review.pipeline import review_file

    case = load_case("f-credit-cap")
    if not case.pdf_path.is_file():
        pytest.skip("fixtures not rendered")
    a = review_file(render_docx(case, tmp_path / "d.docx"), explain=False)
    b = review_file(case.pdf_path, explain=False)
    assert sorted((f.rule, f.severity) for f in a.findings) == sorted((f.rule, f.severity) for f in b.findings)
    assert a.meta.style == "docx" and a.meta.file == "d.docx"


def test_merged_cells_once_nested_tables_and_paragraphs_between(tmp_path):
    def build(doc):
        doc.add_paragraph("项目名称：心血管介入学习班")
        t = doc.add_table(rows=3, cols=4)
        t.cell(0, 0).text, t.cell(0, 1).text = "拟授学分", "10"
        t.cell(0, 2).text, t.cell(0, 3).text = "举办期数", "1"
        t.cell(1, 0).text = "同行评议意见"
        m = t.cell(1, 1).merge(t.cell(1, 3))
        m.text = "评议意见正文" * 3
        v = t.cell(2, 0).merge(t.cell(2, 1))  # horizontal merge over the first two columns
        v.text = "拟招生人数"
        t.cell(2, 2).text = "80人"
        doc.add_paragraph("课程及教师信息")
        outer = doc.add_table(rows=1, cols=1)
        inner = outer.cell(0, 0).add_table(rows=2, cols=3)
        for c, text in zip(inner.rows[0].cells, ("姓名", "讲授题目", "学时"), strict=True):
            c.text = text
        for c, text in zip(inner.rows[1].cells, ("王红", "冠脉介入", "2"), strict=True):
            c.text = text

    res = extract_docx(_doc_with_table(tmp_path / "m.docx", build))
    f = res.form
    assert (f.title, f.credits, f.sessions, f.enrollment) == ("心血管介入学习班", 10.0, 1, 80)
    assert f.peer_review == "评议意见正文" * 3  # merged cell read once, not three times
    assert f.teachers and f.teachers[0].name == "王红" and f.teachers[0].hours == 2.0
    assert where_zh(res.evidence["title"]) == "正文第 1 段"


def test_vertical_merge_and_hidden_text(tmp_path):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def build(doc):
        t = doc.add_table(rows=2, cols=2)
        t.cell(0, 0).merge(t.cell(1, 0)).text = "举办方式"
        t.cell(0, 1).text = "面授■  远程□"
        p = doc.add_paragraph("项目名称：")
        p.add_run("真实名称")
        hidden = p.add_run("隐藏的文字")
        rpr = hidden._r.get_or_add_rPr()
        rpr.append(OxmlElement("w:vanish"))
        assert rpr.find(qn("w:vanish")) is not None

    res = extract_docx(_doc_with_table(tmp_path / "v.docx", build))
    assert res.form.mode == "面授"
    assert res.form.title == "真实名称"


def test_legacy_doc_and_broken_files_get_chinese_messages(tmp_path):
    from review.pipeline import review_file

    doc = tmp_path / "old.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert sniff(doc) == "doc"
    with pytest.raises(InputError) as e:
        review_file(doc, explain=False)
    assert e.value.zh == OLD_DOC_ZH and ".docx" in e.value.zh and "PDF" in e.value.zh
    broken = tmp_path / "b.docx"
    broken.write_bytes(b"PK\x03\x04" + b"garbage" * 50)
    with pytest.raises(InputError) as e:
        extract_docx(broken)
    assert "Word" in e.value.zh
    not_word = tmp_path / "z.docx"
    with zipfile.ZipFile(not_word, "w") as z:
        z.writestr("hello.txt", "x")
    with pytest.raises(InputError) as e:
        extract_docx(not_word)
    assert ".docx" in e.value.zh


def test_zip_bomb_document_is_refused(tmp_path, monkeypatch):
    import review.extract.docx as dx

    case = load_case("f-credit-cap")
    path = render_docx(case, tmp_path / "d.docx")
    monkeypatch.setattr(dx, "MAX_XML_BYTES", 1000)
    with pytest.raises(InputError) as e:
        extract_docx(path)
    assert "庞大" in e.value.zh


def test_page_count_limit_from_app_properties(tmp_path):
    from review.config import load_settings

    case = load_case("f-credit-cap")
    src = render_docx(case, tmp_path / "d.docx")
    big = tmp_path / "big.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(big, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/app.xml":
                data = re.sub(rb"<Pages>\d+</Pages>", b"<Pages>999</Pages>", data)
            zout.writestr(item, data)
    with pytest.raises(InputError) as e:
        extract_docx(big, load_settings())
    assert "999" in e.value.zh


@pytest.mark.slow
def test_every_case_as_docx_reads_back_at_least_99_percent(tmp_path):
    from eval.render_docx import measure

    m = measure(tmp_path)
    assert m["cases"] >= 60
    assert m["accuracy"] >= 0.99, [r for r in m["per_case"] if r["wrong"]][:5]
