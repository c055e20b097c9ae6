"""No ID number unmasked in any export (JSON with evidence, Markdown, DOCX, Excel) for any fixture.

The search is tolerant of separators: an ID broken over lines ("110105197205151\\n238") or spaced out
("1101 0519 ...") is found as well as a plain one.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from eval.cases import FIXTURES_DIR, load_cases
from review.form import Evidence, Form, Lead
from review.privacy import mask_evidence, mask_text
from review.report import Report

_GROUPS = re.compile(r"[0-9]+|[Xx](?![A-Za-z])")
_JOINABLE = re.compile(r"[0-9Xx][\s\-－]{0,4}(?=[0-9Xx])")
_PROVINCE = r"(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3]|91)\d{4}"
_MD = r"(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])"
_ID18 = re.compile(rf"^{_PROVINCE}(19|20)\d{{2}}{_MD}\d{{3}}[\dXx]$")
_ID15 = re.compile(rf"^{_PROVINCE}\d{{2}}{_MD}\d{{3}}$")


def id_numbers_in(text: str) -> list[str]:
    """Every 15/18-character ID-number shape in the text, its digit groups joined across white space and hyphens."""
    found: list[str] = []
    for run in re.finditer(r"(?<![0-9.])[0-9Xx](?:[\s\-－]{0,4}[0-9Xx])*", text):  # not a decimal fraction
        groups = [g for g in _GROUPS.findall(run.group())]
        for i in range(len(groups)):
            compact = ""
            for g in groups[i:]:
                compact += g
                if len(compact) > 18:
                    break
                if _ID18.match(compact) or (len(compact) == 15 and _ID15.match(compact)):
                    found.append(compact)
    return found


def leaked(text: str, raw_ids: list[str]) -> list[str]:
    """ID shapes in the text, plus any of this draft's own ID numbers after removing every separator."""
    flat = re.sub(r"[\s\-－]", "", text)
    return id_numbers_in(text) + [r for r in raw_ids if r and r in flat]


def exports(rep: Report, tmp: Path) -> dict[str, str]:
    """The text of every export of one report."""
    from docx import Document
    from openpyxl import load_workbook

    from review.batch import summary_row, write_xlsx
    from review.render import masked_report, to_docx, to_json, to_markdown

    doc = Document(io.BytesIO(to_docx(rep)))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    xlsx = tmp / "summary.xlsx"
    write_xlsx([summary_row({"file": rep.meta.file or "draft.pdf", "report_obj": rep})], xlsx)
    wb = load_workbook(xlsx)
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    return {
        "json": to_json(rep),
        "batch-json": masked_report(rep).to_json(evidence=True),
        "markdown": to_markdown(rep),
        "docx": "\n".join(parts),
        "excel": "\n".join(cells),
    }


def _raw_ids(rep: Report, extra: list[str]) -> list[str]:
    """The draft's own ID numbers: as read, as in the evidence, as the case states."""
    ids = [rep.form.lead.id_number if rep.form.lead else None] + extra
    ev = rep.evidence.get("lead.id_number")
    ids.append(re.sub(r"\s", "", ev.raw) if ev else None)
    return [i for i in ids if i and len(i) >= 14 and "*" not in i]


def test_detector_finds_broken_and_spaced_ids():
    assert id_numbers_in("身份证号码 110105197205151\n238") == ["110105197205151238"]
    assert id_numbers_in("1101 0519 7205 1512 38 其他") == ["110105197205151238"]
    assert id_numbers_in("11010519720515123X") == ["11010519720515123X"]
    assert id_numbers_in("项目编号 2025-03-01-002，电话 010-65123456") == []


@pytest.mark.parametrize(
    "raw",
    ["110105197205151\n238", "1101 0519 7205 1512 38", "110105 19720515 1238", "11010519720515123\nX"],
)
def test_mask_text_masks_ids_broken_over_lines_or_spaced(raw):
    out = mask_text(f"身份证号码：{raw}，电话13800138000")
    assert id_numbers_in(out) == [] and "110105" in out and "13800138000" not in out


def test_evidence_masked_field_by_field_even_when_misread():
    form = Form(lead=Lead(name="王建国", id_number="11010519720515I238"), lead_phone="13901234567")
    ev = {
        "lead.id_number": Evidence(page=3, raw="11010519720515\nI238"),
        "lead_phone": Evidence(page=1, raw="139 0123 4567"),
        "peer_review": Evidence(page=1, raw="负责人身份证 110105197205151238，手机 13901234567"),
    }
    masked = mask_evidence(ev, form)
    assert "I238" in masked["lead.id_number"].raw and "0515" not in masked["lead.id_number"].raw
    assert "0123" not in masked["lead_phone"].raw
    assert id_numbers_in(masked["peer_review"].raw) == [] and "13901234567" not in masked["peer_review"].raw


def test_wrapped_id_in_evidence_never_reaches_an_export(tmp_path):
    form = Form(title="测试项目", lead=Lead(name="王建国", id_number="110105197205151238"))
    rep = Report(form=form, evidence={"lead.id_number": Evidence(page=3, raw="110105197205151\n238", source="table")})
    assert leaked(rep.to_json(), ["110105197205151238"])  # guard: the unmasked report does carry it
    for name, text in exports(rep, tmp_path).items():
        assert leaked(text, ["110105197205151238"]) == [], name


CASES = [c for c in load_cases()]


@pytest.fixture(scope="module")
def fixtures_ready() -> None:
    """Render the fixtures once when they are absent."""
    if not all(c.pdf_path.is_file() for c in CASES):
        from eval.make_fixtures import main

        main(["--out", str(FIXTURES_DIR)])


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_no_id_number_unmasked_in_any_export_of_any_fixture(case, fixtures_ready, tmp_path):
    from review.config import Settings
    from review.extract import extract_pdf
    from review.pipeline import review_extracted
    from tests.test_explain import FakeIndex

    res = extract_pdf(case.pdf_path)
    rep = review_extracted(res, Settings(), index=FakeIndex(), file_name=case.pdf_path.name, explain=True)
    truth = [case.form.lead.id_number] if case.form.lead and case.form.lead.id_number else []
    raw_ids = _raw_ids(rep, truth)
    for name, text in exports(rep, tmp_path).items():
        assert leaked(text, raw_ids) == [], f"{case.id}: {name} export holds an unmasked ID number"
