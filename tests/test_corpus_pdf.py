"""A PDF notice is read through review.extract (text rows), so its sentences index and quote like a text notice."""

from __future__ import annotations

from pathlib import Path

import pytest

from review.retrieval import corpus

RULE = "理论授课教师应具有副高级及以上专业技术职务。"


def _notice_pdf(path: Path) -> Path:
    """A small one-page notice in STSong-Light (a real text layer, CJK font)."""
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("STSong-Light", 14)
    c.drawString(72, 760, "关于继续医学教育项目申报的通知")
    c.setFont("STSong-Light", 12)
    c.drawString(72, 720, "一、授课教师要求")
    c.drawString(72, 700, RULE)
    c.drawString(72, 680, "每名教师授课时间不超过3学时。")
    c.save()
    return path


def test_pdf_notice_text_comes_from_the_extract_pipeline(tmp_path: Path) -> None:
    pdf = _notice_pdf(tmp_path / "notice.pdf")
    text = corpus.read_text(pdf)
    assert RULE in text
    assert "每名教师授课时间不超过3学时。" in text
    sents = [s.text for s in corpus.split_sentences_doc("notice.pdf", text) if s.kind == "sent"]
    assert RULE in sents


def test_pdf_notice_quotes_verify(tmp_path: Path) -> None:
    _notice_pdf(tmp_path / "notice.pdf")
    assert corpus.quote_in_corpus(RULE, tmp_path)
    assert corpus.is_whole_sentence(RULE, "notice.pdf", tmp_path)
    assert not corpus.is_whole_sentence("理论授课教师应具有副高级", "notice.pdf", tmp_path)


def test_a_broken_pdf_notice_raises_a_chinese_input_error(tmp_path: Path) -> None:
    from review.errors import InputError

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf at all")
    with pytest.raises(InputError) as e:
        corpus.read_text(bad)
    assert "PDF" in e.value.zh
