"""review.extract: bad input, tricky label variants, tables and history on small self-made PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest

from review.config import Settings
from review.errors import InputError
from review.extract import extract_pdf, extract_rows
from review.extract.history import parse_history_text
from review.extract.pdfio import Cell, Row

FONT = "STSong-Light"


def _pdf(path: Path, pages: list[list[str]], encrypt: str = "") -> Path:
    """A text PDF with one line per string (CID font), optionally encrypted."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt or None)
    for lines in pages:
        c.setFont(FONT, 10)
        y = 800
        for line in lines:
            c.drawString(50, y, line)
            y -= 18
        c.showPage()
    c.save()
    return path


def _rows(lines: list[list[str]], page: int = 1, table: int = -1) -> list[Row]:
    """Rows of cells laid out left to right (for pairing tests without a PDF)."""
    out = []
    for i, cells in enumerate(lines):
        top = 100.0 + 20 * i
        out.append(
            Row(
                [Cell(t, page, (50.0 + 100 * j, top, 140.0 + 100 * j, top + 12), "text") for j, t in enumerate(cells)],
                page,
                top,
                table,
            )
        )
    return out


# --- bad input -------------------------------------------------------------------------------


def _zh(exc: pytest.ExceptionInfo[InputError]) -> str:
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.zh), exc.value.zh
    return exc.value.zh


def test_not_a_pdf(tmp_path):
    p = tmp_path / "x.pdf"
    p.write_text("hello, not a pdf", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        extract_pdf(p)
    assert "不是 PDF" in _zh(exc)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.pdf"
    p.write_bytes(b"")
    with pytest.raises(InputError) as exc:
        extract_pdf(p)
    assert "为空" in _zh(exc)


def test_truncated_pdf(tmp_path):
    good = _pdf(tmp_path / "good.pdf", [["项目名称：测试"]] * 3)
    p = tmp_path / "cut.pdf"
    p.write_bytes(good.read_bytes()[:300])
    with pytest.raises(InputError) as exc:
        extract_pdf(p)
    assert "损坏" in _zh(exc)


def test_encrypted_pdf(tmp_path):
    p = _pdf(tmp_path / "enc.pdf", [["项目名称：测试"]], encrypt="secret")
    with pytest.raises(InputError) as exc:
        extract_pdf(p)
    assert _zh(exc) == "文件已加密，请上传未加密的 PDF"


def test_zero_pages(tmp_path):
    import pypdf

    w = pypdf.PdfWriter()
    p = tmp_path / "zero.pdf"
    with p.open("wb") as fh:
        w.write(fh)
    with pytest.raises(InputError) as exc:
        extract_pdf(p)
    assert "没有任何页面" in _zh(exc)


def test_too_many_pages(tmp_path):
    p = _pdf(tmp_path / "many.pdf", [[f"第 {i} 页"] for i in range(6)])
    with pytest.raises(InputError) as exc:
        extract_pdf(p, Settings(max_pages=5))
    assert "超过 5 页" in _zh(exc)


def test_too_large(tmp_path):
    p = _pdf(tmp_path / "big.pdf", [["项目名称：测试"]])
    with pytest.raises(InputError) as exc:
        extract_pdf(p, Settings(max_mb=0.0001))
    assert "MB" in _zh(exc)


# --- label variants on a real (self-made) PDF -----------------------------------------------


def test_printout_variants(tmp_path):
    lines = [
        "北京市CME项目网上申报及信息反馈系统",
        "拟授学分:6",  # half-width colon, fields shuffled
        "项 目 名 称：心血管病规范化诊疗学习班",  # spaced label
        "教学总时长(h):18",  # (h) suffix
        "拟招生人数：一百二十人",
        "拟招收外省学员占比（%）：30 %",
        "所在学科（二、三级学科）：",  # value on the next line
        "临床内科学-心血管病学",
        "京津冀互认项目：是■  否□",
        "举办方式：面授■  远程□",
        "同行评议意见：",
        "推荐理由（不少于200字）。建议理由应包含：培训内容、形式等。",  # hint left in place
        "项目负责人签名：",
        "日期：2024年11月20日",
    ]
    res = extract_pdf(_pdf(tmp_path / "p.pdf", [lines]))
    f = res.form
    assert f.title == "心血管病规范化诊疗学习班"
    assert f.credits == 6.0
    assert f.total_hours == 18.0
    assert f.enrollment == 120
    assert f.out_of_province_pct == 30.0
    assert f.subject == "临床内科学-心血管病学"
    assert f.jjj is True
    assert f.mode == "面授"
    assert f.peer_review is None
    assert f.signed is False
    assert res.style == "printout" and res.pages == 1 and res.ocr_pages == []
    ev = res.evidence["credits"]
    assert ev.page == 1 and ev.bbox is not None and ev.raw == "6"


def test_narrative_spans_pages_without_invented_characters(tmp_path):
    part1 = "本项目围绕冠心病介入诊疗设计培训内容课程涵盖急性冠脉综合征"
    part2 = "心力衰竭指南与心房颤动导管消融等方面内容系统重点突出"
    pages = [
        ["项目名称：测试项目", "项目负责人在临床诊疗、教学、科研等促进学科发展方面的主要成绩（不少于300字）", part1],
        ["第 1 页", part2, "项目负责人近三年继续医学教育项目申报、执行情况："],
    ]
    res = extract_pdf(_pdf(tmp_path / "n.pdf", pages))
    assert res.form.achievements == part1 + part2


def test_no_commitment_page_means_signed_unknown(tmp_path):
    res = extract_pdf(_pdf(tmp_path / "s.pdf", [["项目名称：测试项目", "拟授学分：3"]]))
    assert res.form.signed is None


# --- pairing, tables and history on rows -----------------------------------------------------


def test_table_cells_and_empty_value():
    form, ev = extract_rows(
        _rows([["项目名称", "测试", "拟招生人数", ""], ["拟授学分", "3.0", "举办期数", "2"]], table=1)
    )
    assert form.title == "测试" and form.enrollment is None and form.credits == 3.0 and form.sessions == 2
    assert ev["sessions"].bbox == (350.0, 120.0, 440.0, 132.0)


def test_peer_reviewer_context():
    rows = _rows(
        [
            ["同行评议意见", "推荐理由充分"],
            ["评议专家姓名", "李四", "评议专家职称", "主任医师"],
            ["评议专家工作单位", "阜外医院"],
            ["项目负责人姓名", "张三", "职称", "副主任医师"],
        ],
        table=1,
    )
    form, _ = extract_rows(rows)
    assert form.peer_reviewer.name == "李四" and form.peer_reviewer.title == "主任医师"
    assert form.peer_reviewer.unit == "阜外医院"
    assert form.lead.name == "张三" and form.lead.title == "副主任医师"
    assert form.peer_review == "推荐理由充分"


def test_teacher_table_continues_without_header_on_next_page():
    header = ["姓名", "专业技术职称", "教学方法", "所在单位", "讲授题目或实验内容", "学时"]
    p1 = _rows([header, ["张三", "主任医师", "讲座", "甲医院", "题目一", "1.5"]], page=1, table=1)
    p2 = _rows([["李四", "副主任医师", "技术示范", "乙医院", "题目二", "2"], ["四、多期举办信息"]], page=2, table=2)
    form, ev = extract_rows(p1 + p2)
    assert [(t.name, t.hours, t.kind) for t in form.teachers] == [("张三", 1.5, "theory"), ("李四", 2.0, "practice")]
    assert ev["teachers.1.hours"].page == 2


def test_teacher_table_repeated_header_is_skipped():
    header = ["姓名", "专业技术职称", "教学方法", "所在单位", "讲授题目或实验内容", "学时"]
    rows = _rows([header, ["张三", "主任医师", "实操", "甲医院", "题目一", "2"]], 1, 1)
    rows += _rows([header, ["王五", "教授", "讲座", "丙大学", "题目三", "1"]], 2, 2)
    form, _ = extract_rows(rows)
    assert [t.name for t in form.teachers] == ["张三", "王五"]


def test_history_line():
    h = parse_history_text(
        "2023年继续医学教育项目申报情况: 国家级 ☑ 省级 □ , 是否执行: 是 ☑ 否 □ 。 "
        "国家级项目编号: 2023-03-01-012、省级项目编号: ____"
    )
    assert (h.year, h.national, h.provincial, h.executed) == (2023, True, False, True)
    assert h.national_code == "2023-03-01-012" and h.provincial_code is None


def test_events_table():
    rows = _rows([["期次", "举办时间", "天数", "地点"], ["第1期", "2025-04-18至2025-04-20", "3", "报告厅"]], table=1)
    form, _ = extract_rows(rows)
    assert form.events[0].model_dump() == {"start": "2025-04-18", "end": "2025-04-20", "days": 3.0, "venue": "报告厅"}


# --- scan helpers (pixels, no OCR model) ------------------------------------------------------


def _grid_image():
    """A white page image with a 2x2 ruled grid and one solid square inside the top-left cell."""
    import numpy as np

    img = np.full((400, 600, 3), 255, dtype=np.uint8)
    for y in (50, 200, 350):
        img[y : y + 2, 50:551] = 0
    for x in (50, 300, 550):
        img[50:352, x : x + 2] = 0
    img[100:130, 200:230] = 0  # a filled box glyph
    return img


def test_grid_cell_of_finds_ruled_cell():
    from review.extract import grid

    h, v = grid.line_masks(_grid_image())
    assert grid.cell_of(150, 150, h, v) == (51, 51, 300, 200)
    assert grid.cell_of(400, 300, h, v) == (301, 201, 550, 350)
    assert grid.cell_of(20, 20, h, v) is None


def test_ruling_runs_match_brute_force():
    """grid._runs (min/max filters) marks exactly the pixels covered by a full run of ink."""
    import numpy as np

    from review.extract import grid

    rng = np.random.default_rng(7)
    mask = rng.random((40, 120)) < 0.85
    for run in (3, 4, 7):
        want = np.zeros_like(mask)
        for y in range(mask.shape[0]):
            for x in range(mask.shape[1] - run + 1):
                if mask[y, x : x + run].all():
                    want[y, x : x + run] = True
        assert (grid._runs(mask, run, 1) == want).all(), run
        assert (grid._runs(mask.T, run, 0) == want.T).all(), run


def test_filled_square_restores_dropped_box():
    from review.extract import ocr

    # OCR read '是否□' for a line whose box spans x 60..240 and whose filled square sits at x 200..230
    fixed = ocr.fix_filled_boxes("是□否", _grid_image(), (60.0, 95.0, 240.0, 135.0))
    assert fixed == "是□否■"


def test_ocr_boxes_become_rows_and_cells():
    from review.extract import ocr

    result = [
        ([[100, 100], [300, 100], [300, 130], [100, 130]], "项目名称", 0.9),
        ([[500, 102], [900, 102], [900, 132], [500, 132]], "测试项目", 0.9),
        ([[100, 200], [300, 200], [300, 230], [100, 230]], "拟授学分：3", 0.9),
    ]
    rows = ocr.items_to_rows(ocr.boxes_to_items(result), 1)
    assert [[c.text for c in r.cells] for r in rows] == [["项目名称", "测试项目"], ["拟授学分：3"]]
    assert rows[0].cells[0].bbox == (36.0, 36.0, 108.0, 46.8) and rows[0].cells[0].source == "ocr"
    form, _ = extract_rows(rows)
    assert form.title == "测试项目" and form.credits == 3.0


def test_ocr_label_missing_closing_bracket():
    rows = _rows([["工作单位", "甲医院", "是否在职（岗", "是■否□"]], table=1)
    form, _ = extract_rows(rows)
    assert form.lead.unit == "甲医院" and form.lead.employed is True


# --- robustness regressions (found by tests/test_fuzz.py) ---------------------------------------


def test_broken_page_tree_in_pdfplumber_falls_back_to_layout_text(tmp_path, monkeypatch):
    """Regression: pdfplumber raised PdfminerException listing pages (and again on close) -> traceback."""
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    def broken(self):
        raise PdfminerException("Invalid dictionary construct")

    monkeypatch.setattr(pdfplumber.PDF, "pages", property(broken))
    p = _pdf(tmp_path / "d.pdf", [["项目名称：心血管病诊疗进展学习班", "拟授学分：3"]])
    res = extract_pdf(p)
    assert res.pages == 1 and res.form.title == "心血管病诊疗进展学习班" and res.form.credits == 3.0
    assert any("版面文字" in w for w in res.warnings)


def test_unexpected_error_inside_extraction_becomes_input_error(tmp_path, monkeypatch):
    """The contract: extract_pdf returns a result or raises InputError, whatever a parser throws."""
    import review.extract as ex

    def boom(*a, **k):
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr(ex, "read_pages", boom)
    with pytest.raises(InputError) as exc:
        extract_pdf(_pdf(tmp_path / "d.pdf", [["项目名称：甲"]]))
    assert "损坏" in _zh(exc)


def _annotated_pdf(annots: list) -> object:
    """A pypdf reader over a one-page PDF whose /Annots array holds the given objects."""
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, NameObject

    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.pages[0][NameObject("/Annots")] = ArrayObject(annots)
    buf = io.BytesIO()
    w.write(buf)
    return PdfReader(io.BytesIO(buf.getvalue()))


def test_acroform_rects_skip_broken_annotations():
    """Regression: AttributeError when an annotation or its /Parent is None or a number."""
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NullObject, NumberObject
    from pypdf.generic import TextStringObject as T

    from review.extract.acroform import _rects

    def rect(*v: float) -> ArrayObject:
        return ArrayObject(FloatObject(x) for x in v)

    good = DictionaryObject({NameObject("/T"): T("title"), NameObject("/Rect"): rect(10, 150, 90, 170)})
    bad = [
        NumberObject(3),
        NullObject(),
        DictionaryObject({NameObject("/Parent"): NumberObject(5), NameObject("/Rect"): rect(0, 0, 1, 1)}),
        DictionaryObject({NameObject("/Parent"): NullObject(), NameObject("/Rect"): rect(0, 0, 1, 1)}),
        DictionaryObject({NameObject("/T"): T("x"), NameObject("/Rect"): NumberObject(7)}),
        DictionaryObject(
            {NameObject("/T"): T("y"), NameObject("/Rect"): ArrayObject([T("a"), T("b"), T("c"), T("d")])}
        ),
    ]
    assert _rects(_annotated_pdf([*bad, good])) == {"title": (1, (10.0, 30.0, 90.0, 50.0))}


def test_acroform_rects_with_annots_not_an_array():
    from pypdf.generic import NameObject, NumberObject

    from review.extract.acroform import _rects

    reader = _annotated_pdf([])
    reader.pages[0][NameObject("/Annots")] = NumberObject(4)
    assert _rects(reader) == {}


# --- OCR engine and blank pages (fake model) ------------------------------------------------------


class _FakeRapid:
    """Stands in for RapidOCR: one detected box in the coordinates of the image it is given."""

    def __init__(self):
        self.det_shapes: list[tuple[int, ...]] = []

    def __call__(self, img, use_det=True, use_cls=False, use_rec=True):
        self.det_shapes.append(img.shape)
        h, w = img.shape[:2]
        return [[[w * 0.1, h * 0.1], [w * 0.5, h * 0.1], [w * 0.5, h * 0.2], [w * 0.1, h * 0.2]]], None

    def get_crop_img_list(self, img, boxes):
        return [img[int(b[0][1]) : int(b[2][1]), int(b[0][0]) : int(b[1][0])] for b in boxes]

    def text_rec(self, crops):
        return [("项目名称", 0.9) if c.shape[0] >= 200 else ("低分", 0.1) for c in crops], 0.0


def test_page_ocr_detects_small_and_recognises_full_resolution():
    import numpy as np

    from review.extract.ocr_engine import PageOCR

    fake = _FakeRapid()
    eng = PageOCR(fake, det_max_side=1000)
    result, _ = eng(np.full((2400, 1600, 3), 255, dtype=np.uint8))
    assert fake.det_shapes == [(1000, 666, 3)]  # detection on the downscaled copy
    ((box, text, score),) = result
    assert text == "项目名称" and score == 0.9  # the crop came from the 2400 px page (240 px high)
    assert np.allclose(box[0], [160, 240], atol=3) and np.allclose(box[2], [800, 480], atol=3)


def test_page_ocr_drops_low_scores():
    import numpy as np

    from review.extract.ocr_engine import PageOCR

    result, _ = PageOCR(_FakeRapid(), det_max_side=1000)(np.full((1000, 800, 3), 255, dtype=np.uint8))
    assert result is None  # the 100 px crop scores 0.1 < TEXT_SCORE


def test_blank_scan_page_is_not_ocred(tmp_path, monkeypatch):
    """Blank pages (huge-image, empty scans) took 20-28 s of OCR that found nothing."""
    import io

    import numpy as np
    from PIL import Image

    from review.extract import ocr

    def no_engine():
        raise AssertionError("OCR engine called on a blank page")

    monkeypatch.setattr(ocr, "engine", no_engine)
    buf = io.BytesIO()
    Image.new("RGB", (1240, 1754), (250, 250, 250)).save(buf, format="PDF", resolution=150)
    (tmp_path / "blank.pdf").write_bytes(buf.getvalue())
    page = ocr.ocr_page(tmp_path / "blank.pdf", 0)
    assert page.rows == [] and page.width == pytest.approx(595.2, abs=1)
    img = np.full((800, 600, 3), 250, dtype=np.uint8)
    assert ocr.is_blank(img)
    img[400:430, 300:330] = 0  # one character-sized blot of ink is not blank
    assert not ocr.is_blank(img)
