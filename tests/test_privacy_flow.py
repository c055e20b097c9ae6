"""Personal data through a whole review: never raw in logs, prompts or exported reports; uploads not kept."""

from __future__ import annotations

import io
import json
import logging
import shutil
from pathlib import Path

import pytest

from review.llm import ChatModel
from tests.scripted_server import scripted_server_fixture  # noqa: F401  (fixture "scripted_server")
from tests.test_explain import FakeIndex

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "eval" / "fixtures" / "f-lead-title.pdf"
RAW_ID = "110111197205152414"
RAW_MOBILE = "13801012345"
RAW_LANDLINE = "82266699"
RAW_STREET = "花园北路49号"
SECRETS = (RAW_ID, RAW_MOBILE, RAW_LANDLINE, RAW_STREET)


def leaks(text: str) -> list[str]:
    """Raw personal values present in a text."""
    return [s for s in SECRETS if s in text]


@pytest.fixture(scope="module")
def report():
    """The fixture reviewed offline (rules, explanations, critiques), as the applicant's own view holds it."""
    from review.config import Settings
    from review.pipeline import review_pdf

    rep = review_pdf(FIXTURE, Settings(), index=FakeIndex(), explain=True)
    assert rep.form.lead and rep.form.lead.id_number == RAW_ID and rep.form.lead_phone == RAW_MOBILE
    return rep


def test_fixture_really_carries_the_personal_data(report):
    """Guard: the checks below are only meaningful if the raw values are in the unmasked report."""
    assert set(leaks(report.to_json())) == set(SECRETS)


def test_logs_never_hold_raw_personal_data(scripted_server, tmp_path, caplog):
    from review.chat import ChatEngine
    from review.config import Settings
    from review.pipeline import review_pdf

    scripted_server.default = lambda body: "无法回答"  # every model answer fails verification → more logging
    caplog.set_level(logging.DEBUG)
    draft = tmp_path / f"申报书-{RAW_ID}.pdf"
    shutil.copy(FIXTURE, draft)
    model = ChatModel(scripted_server.settings(llm_structured="json_schema"))
    rep = review_pdf(draft, Settings(), index=FakeIndex(), model=model, explain=True)
    eng = ChatEngine(FakeIndex(), model=model, report=rep)
    eng.ask(f"我的身份证号是{RAW_ID}，电话{RAW_MOBILE}，远程项目不超过多少学分？")
    eng.ask("那每个项目呢？")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records, "nothing was logged: the test would prove nothing"
    assert leaks(text) == []


def test_prompts_never_hold_raw_personal_data(scripted_server, report):
    from review.chat import ChatEngine
    from review.config import Settings
    from review.form import ExtractResult
    from review.pipeline import review_extracted

    scripted_server.default = lambda body: "无法回答"
    model = ChatModel(scripted_server.settings(llm_structured="json_schema"))
    review_extracted(
        ExtractResult(form=report.form, evidence=report.evidence), Settings(), index=FakeIndex(), model=model
    )
    ChatEngine(FakeIndex(), model=model, report=report).ask(f"远程项目不超过多少学分？我的身份证号是{RAW_ID}。")
    bodies = [json.dumps(b, ensure_ascii=False) for b in scripted_server.requests]
    assert len(bodies) >= 3  # explain, critique, chat
    assert [leaks(b) for b in bodies] == [[]] * len(bodies)


def test_markdown_export_is_masked(report):
    from review.render import to_markdown

    assert leaks(to_markdown(report)) == []


def test_docx_export_is_masked(report):
    from docx import Document

    from review.render import to_docx

    doc = Document(io.BytesIO(to_docx(report)))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells
    )
    assert text.strip() and leaks(text) == []


def test_json_export_is_masked(report):
    """What the app's 下载 JSON button and the batch <stem>.json write."""
    from review.render import masked_report

    data = masked_report(report).to_json()
    assert leaks(data) == []
    assert json.loads(data)["form"]["lead"]["id_number"].startswith("110111")


def test_export_masks_a_file_name_holding_an_id_number(report):
    from review.render import masked_report, to_markdown

    rep = report.model_copy(deep=True)
    rep.meta.file = f"申报书-{RAW_ID}.pdf"
    assert RAW_ID not in to_markdown(rep) and RAW_ID not in masked_report(rep).to_json()


def test_batch_json_is_masked(tmp_path):
    from review.batch import run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "draft.pdf")
    rows = run_batch(folder, tmp_path / "out" / "summary.xlsx", workers=1)
    assert leaks(Path(rows[0]["json"]).read_text(encoding="utf-8")) == []


def test_app_removes_the_upload_after_the_review():
    """Static check of app.run_review: the upload is written into a TemporaryDirectory used as a context."""
    import ast

    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "run_review")
    withs = [w for w in ast.walk(fn) if isinstance(w, ast.With)]
    temp = [w for w in withs if any("TemporaryDirectory" in ast.unparse(i.context_expr) for i in w.items)]
    assert temp, "uploads must live in a temporary directory removed after the review"
    reviewers = ("review_pdf", "review_file", "_reviewer()")  # the upload is reviewed inside the with block
    assert any(r in ast.unparse(n) for r in reviewers for w in temp for n in w.body)
