"""General extraction steps found on browser-printed templates (eval/held_out_drafts.py)."""

from __future__ import annotations

from review.extract.build import typed
from review.extract.history import _flag
from review.extract.pdfio import Cell, Row, overlap_bands


def test_option_inside_a_longer_option_takes_no_box() -> None:
    # 市级 sits inside 北京市级: the box before 北京市级 is not 市级's, and the leading-box convention holds
    assert typed("level", "☐国家级 ☑北京市级") == "北京市级"
    assert typed("level", "☑国家级 ☐北京市级") == "国家级"
    assert typed("level", "√国家级\u3000□北京市级") == "国家级"
    assert typed("level", "☐国家级 ☐北京市级") is None


def test_status_words_for_execution() -> None:
    assert _flag("已执行") is True
    assert _flag("未执行") is False
    assert _flag("") is None


def test_full_width_and_ocr_spaced_numbers() -> None:
    assert typed("out_of_province_pct", "３０％") == 30.0
    assert typed("out_of_province_pct", "3 0%") == 30.0
    assert typed("lead_phone", "１３８０１０１２３４５") == "13801012345"


def test_ocr_v_in_brackets_is_a_tick() -> None:
    assert typed("infectious_training", "是（ ） 否（V）") is False
    assert typed("unit_type", "医疗卫生机构（V） 教学机构（ ） 其他（ ）") == "医疗卫生机构"


def _line(top: float, *cells: tuple[str, float, float]) -> tuple[Row, list[Cell]]:
    cs = [Cell(t, 1, (x0, top, x1, top + 10)) for t, x0, x1 in cells]
    return Row(cs, 1, top), cs


def test_interleaved_lines_of_a_borderless_row_become_one_row() -> None:
    # a label wrapped over two lines, its single-line value centred between them
    rows = overlap_bands(
        [
            _line(100, ("所在学科（二、三级学", 50, 160)),
            _line(106, ("临床内科学-感染病学", 180, 290)),
            _line(114, ("科）：", 50, 80)),
            _line(140, ("教学对象：", 50, 100), ("全科医师", 180, 230)),
        ]
    )
    assert [[c.text for c in r.cells] for r in rows] == [
        ["所在学科（二、三级学科）：", "临床内科学-感染病学"],
        ["教学对象：", "全科医师"],
    ]


def test_running_text_lines_stay_apart() -> None:
    rows = overlap_bands([_line(100, ("第一行文字", 50, 500)), _line(114, ("第二行文字", 50, 500))])
    assert len(rows) == 2
