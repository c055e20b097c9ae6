"""Only what a reader sees counts: hidden text never changes values or verdicts, and the clerk is told."""

from __future__ import annotations

import pytest

from eval.bad_inputs import HIDDEN_RIGHT, HIDDEN_WRONG, hidden_pairs, hidden_pdf
from review.extract import extract_pdf
from review.rules import run_rules

PAIRS = hidden_pairs()


def _read(tmp_path, name: str, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return extract_pdf(p)


def _verdict(res) -> list[tuple[str, str]]:
    return sorted({(f.rule, f.severity) for f in run_rules(res.form, res.evidence)})


def _raw_text(data: bytes) -> str:
    """Every char pdfplumber puts in the text layer, visible or not."""
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "".join(c["text"] for p in pdf.pages for c in p.chars)


@pytest.mark.parametrize("name,visible,hidden", PAIRS, ids=[p[0] for p in PAIRS])
def test_hidden_text_changes_nothing_but_a_warning(tmp_path, name, visible, hidden):
    lines = HIDDEN_WRONG if name.startswith("wrong") else HIDDEN_RIGHT
    assert lines[0].replace("：", "") in _raw_text(hidden).replace("：", "")  # the hidden value is in the text layer
    a, b = _read(tmp_path, "visible.pdf", visible), _read(tmp_path, "hidden.pdf", hidden)
    assert b.form.credits == a.form.credits and b.form.lead == a.form.lead and b.form.enrollment == a.form.enrollment
    assert _verdict(b) == _verdict(a)
    assert any(w.startswith("草稿含不可见文字") and "第 1 页" in w for w in b.warnings), b.warnings
    assert not any("不可见" in w for w in a.warnings)


def test_real_errors_survive_hidden_correct_values(tmp_path):
    res = _read(tmp_path, "h.pdf", dict((n, h) for n, _, h in PAIRS)["right-mode3"])
    assert res.form.credits == 25
    assert res.form.lead is not None and res.form.lead.title == "住院医师"
    assert any(f.severity == "error" for f in run_rules(res.form, res.evidence))


def test_white_text_on_a_dark_box_is_visible(tmp_path):
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("STSong-Light", 11)
    c.drawString(60, 800, "继续医学教育推荐项目申报书")
    c.setFillColorRGB(0.1, 0.2, 0.5)
    c.rect(50, 770, 300, 20, fill=1, stroke=0)
    c.setFillColorRGB(1, 1, 1)
    c.drawString(60, 775, "项目名称：心力衰竭规范化诊疗学习班")
    c.showPage()
    c.save()
    res = _read(tmp_path, "banner.pdf", buf.getvalue())
    assert res.form.title == "心力衰竭规范化诊疗学习班"
    assert not any("不可见" in w for w in res.warnings)


def test_unmapped_font_goes_to_ocr_with_a_notice(tmp_path):
    from eval.bad_inputs import _no_unicode_map
    from eval.fuzz_atheris import no_ocr_engine

    p = tmp_path / "cid.pdf"
    _no_unicode_map(p)
    with no_ocr_engine():
        res = extract_pdf(p)
    assert any("无法解码" in w for w in res.warnings), res.warnings
    assert not any("(cid:" in str(v) for v in res.form.to_json_dict().values())


def test_hidden_pdf_without_hidden_lines_has_no_warning(tmp_path):
    res = _read(tmp_path, "plain.pdf", hidden_pdf(["项目名称：心力衰竭规范化诊疗学习班", "拟授学分：6"], [], "mode3"))
    assert res.form.credits == 6 and not any("不可见" in w for w in res.warnings)
