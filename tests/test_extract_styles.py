"""Golden fixtures: one rendered draft per style, exact expected values for key fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from review.extract import extract_pdf

FIXTURES = Path(__file__).resolve().parent.parent / "eval" / "fixtures"


def _fixture(name: str) -> Path:
    p = FIXTURES / f"{name}.pdf"
    if not p.is_file():
        pytest.skip(f"fixture {p.name} not rendered (make fixtures)")
    return p


def test_word_table_national_cardio():
    stages: list[str] = []
    res = extract_pdf(_fixture("base-national-cardio"), progress=stages.append)
    f = res.form
    assert res.style == "word-table" and res.ocr_pages == [] and stages == ["识别表格/OCR"]
    assert f.application_code == "03-01-015"
    assert f.title == "冠心病介入诊疗规范化技术与心脏康复新进展学习班"
    assert (f.level, f.category, f.jjj, f.infectious_training, f.mode) == ("国家级", "普通项目", False, False, "面授")
    assert (f.enrollment, f.total_hours, f.theory_hours, f.practice_hours, f.credits) == (300, 18.0, 12.0, 6.0, 6.0)
    assert (f.out_of_province_pct, f.grassroots_pct, f.sessions) == (30.0, 20.0, 2)
    assert f.lead.model_dump() == {
        "name": "郭志远",
        "sex": "男",
        "birth": "1972-05",
        "id_number": "110105197205011016",
        "title": "主任医师",
        "post": "科主任",
        "education": "博士研究生",
        "unit": "北京大学第三医院",
        "employed": True,
        "specialty": "临床内科学-心血管病学",
    }
    assert f.peer_reviewer.model_dump() == {"name": "李振华", "title": "主任医师", "unit": "中国医学科学院阜外医院"}
    assert f.peer_review.startswith("该项目围绕冠心病介入诊疗") and f.peer_review.endswith("继续医学教育推荐项目。")
    assert len(f.teachers) == 11
    assert f.teachers[-1].model_dump() == {
        "name": "周海涛",
        "title": "教授",
        "unit": "首都医科大学附属北京安贞医院",
        "topic": "经导管主动脉瓣置换术模拟演示",
        "method": "技术示范",
        "hours": 2.0,
        "kind": "practice",
    }
    assert [h.national_code for h in f.history] == ["2022-03-01-021", "2023-03-01-017", "2024-03-01-012"]
    assert [(e.start, e.end, e.days) for e in f.events] == [
        ("2025-04-18", "2025-04-20", 3.0),
        ("2025-09-19", "2025-09-21", 3.0),
    ]
    assert f.signed is True
    ev = res.evidence["teachers.10.hours"]
    assert ev.page >= 3 and ev.source == "table" and ev.raw == "2"


def test_printout_spaced_labels():
    res = extract_pdf(_fixture("base-bj-association"))
    f = res.form
    assert res.style == "printout"
    assert f.title == "社区慢性病规范化管理能力提升培训班"
    assert (f.level, f.category, f.mode, f.jjj, f.enrollment, f.credits) == (
        "北京市级",
        "社区必修课",
        "面授",
        False,
        400,
        4.0,
    )
    assert f.lead.name == "张丽萍" and f.lead.title == "主任医师"
    assert f.peer_reviewer.name == "武桂兰"
    assert (
        len(f.teachers) == 10 and f.teachers[-1].topic == "心电图操作与判读实训" and f.teachers[-1].kind == "practice"
    )
    h = f.history[0]
    assert (h.year, h.national, h.provincial, h.executed, h.provincial_code) == (
        2022,
        False,
        True,
        True,
        "2022-17-01-006",
    )
    assert f.events[1].venue == "北京大学人民医院教学楼报告厅"
    assert f.signed is True


def test_fillable_remote():
    res = extract_pdf(_fixture("base-bj-remote"))
    f = res.form
    assert res.style == "fillable"
    assert (f.title, f.mode, f.enrollment, f.credits) == ("骨质疏松性骨折规范化诊疗远程培训项目", "远程", 600, 3.0)
    assert f.lead.name == "杨秀兰" and f.peer_reviewer.unit == "北京大学第三医院"
    assert len(f.teachers) == 8 and f.teachers[-1].method == "网络讲座" and f.teachers[-1].hours == 1.0
    assert f.events[0].venue == "北京积水潭医院远程教育中心（线上直播）"
    assert res.evidence["title"].source == "acroform" and res.evidence["title"].page is not None


@pytest.mark.slow
def test_scan_jjj():
    res = extract_pdf(_fixture("base-bj-jjj"))
    f = res.form
    assert res.style == "scan" and res.ocr_pages == list(range(1, res.pages + 1))
    assert any("OCR" in w for w in res.warnings)
    assert f.title == "神经外科急危重症规范化救治学习班"
    assert (f.jjj, f.infectious_training, f.mode, f.level) == (True, False, "面授", "北京市级")
    assert (f.enrollment, f.total_hours, f.out_of_province_pct) == (200, 15.0, 40.0)
    assert f.lead.id_number == "110106197102051417" and f.lead.employed is True
    assert len(f.teachers) == 9 and f.teachers[0].name == "刘国栋"
    assert [h.provincial_code for h in f.history] == ["2022-04-05-010", "2023-04-05-006", "2024-04-05-008"]
    assert f.signed is True
    assert res.evidence["title"].source == "ocr" and res.evidence["title"].bbox is not None


@pytest.mark.slow
def test_scan_checkbox_glyphs_dropped_by_ocr_are_restored_from_pixels():
    """Regression: "是■ 否□" OCR'd as bare "是否" left 是否在职 unread, so fields-complete cried wolf."""

    p = FIXTURES / "f-credit-per-day.pdf"
    if not p.is_file():
        pytest.skip("fixture f-credit-per-day.pdf not rendered (make fixtures)")
    assert extract_pdf(p).form.lead.employed is True
