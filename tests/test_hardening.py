"""Hostile and broken inputs: every file of eval/bad_inputs.py ends in a Chinese message or a degraded review, in time."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from eval.bad_inputs import build_all, corpus
from eval.hardening_report import MAX_RSS_MB, check_bad_input, meets, probe, probe_bounded

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")
NOT_A_DRAFT = ("english.pdf", "other-form.pdf", "huge-image.pdf", "huge-page.pdf")


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory) -> dict[str, Path]:
    return {b.name: p for b, p in build_all(tmp_path_factory.mktemp("bad"))}


@pytest.fixture(scope="module")
def outcomes(bad_dir) -> dict[str, dict]:
    """Every bad input reviewed (rules only) as users reach it: read in review.sandbox's bounded child."""
    return {name: probe_bounded(p) for name, p in bad_dir.items()}


def test_corpus_covers_the_issue_list():
    names = {b.name for b in corpus()}
    assert len(names) >= 20
    for must in (
        "empty.pdf",
        "encrypted-userpw.pdf",
        "encrypted-nopw.pdf",
        "zero-pages.pdf",
        "300-pages.pdf",
        "huge-image.pdf",
        "javascript.pdf",
        "bomb.pdf",
        "white-text-injection.pdf",
        "peer-review-injection.pdf",
    ):
        assert must in names


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("bad", corpus(), ids=lambda b: b.name)
def test_bad_input_ends_in_message_or_review_in_time(bad, outcomes):
    res = outcomes[bad.name]
    assert res["outcome"] in ("review", "reject"), res  # no crash, no timeout
    assert meets(bad.expect, res["outcome"]), (bad.expect, res)
    assert check_bad_input(bad, res), (bad.warn, res.get("warnings"))
    assert res["max_rss_mb"] < MAX_RSS_MB, res
    if res["outcome"] == "reject":
        assert CJK.search(res["message"]), res


@pytest.mark.slow
@pytest.mark.parametrize("name", ["huge-image.pdf", "huge-page.pdf", "bomb.pdf"])
def test_heavy_inputs_stay_within_memory(name, outcomes):
    assert outcomes[name].get("max_rss_mb", 0) < MAX_RSS_MB, outcomes[name]


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in NOT_A_DRAFT if n.startswith(("english", "other"))])
def test_not_a_draft_is_a_degraded_review_with_fields_complete(name, outcomes):
    res = outcomes[name]
    assert res["outcome"] == "review"
    assert ["fields-complete", "error"] in res["findings"]


def test_probe_reports_a_hang(monkeypatch, tmp_path):
    """The watchdog itself: a child that never answers is a hang, not a stuck test."""
    import time

    import eval.hardening_report as hr

    monkeypatch.setattr(hr, "_child", lambda path, conn: time.sleep(30))
    res = hr.probe(tmp_path / "x.pdf", timeout=1)
    assert res["outcome"] == "hang"


def test_probe_reports_a_crash(monkeypatch, tmp_path):
    import review.pipeline

    def boom(*a, **k):
        raise KeyError("boom")

    monkeypatch.setattr(review.pipeline, "review_pdf", boom)
    assert probe(tmp_path / "x.pdf")["outcome"] == "crash"


def test_unexpected_extraction_error_becomes_input_error(monkeypatch, tmp_path):
    """Regression: an exception type extract_pdf did not anticipate must not reach the user as a traceback."""
    import review.extract
    from review.errors import InputError
    from review.pipeline import review_pdf

    def boom(*a, **k):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(review.extract, "extract_pdf", boom)
    with pytest.raises(InputError) as info:
        review_pdf(tmp_path / "x.pdf", explain=False)
    assert CJK.search(info.value.zh)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from review.cli import main; main()", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("name", ["empty.pdf", "encrypted-userpw.pdf", "text-renamed.pdf", "zero-pages.pdf"])
def test_cli_review_rejects_with_exit_2_and_chinese_message(name, bad_dir):
    res = _cli("review", str(bad_dir[name]))
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    assert CJK.search(res.stderr)


def test_cli_review_missing_file_is_exit_2(tmp_path):
    res = _cli("review", str(tmp_path / "nope.pdf"))
    assert res.returncode == 2 and "Traceback" not in res.stderr and CJK.search(res.stderr)


@pytest.mark.slow
def test_batch_goes_on_past_every_bad_file(bad_dir, tmp_path):
    """run_batch over bad files mixed with a real draft: one row each, the draft reviewed, the rest explained."""
    import shutil

    from review.batch import run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("empty.pdf", "encrypted-userpw.pdf", "truncated.pdf", "text-renamed.pdf", "english.pdf"):
        shutil.copy(bad_dir[name], folder / name)
    shutil.copy(ROOT / "eval" / "fixtures" / "f-lead-title.pdf", folder / "good.pdf")
    rows = run_batch(folder, tmp_path / "out" / "summary.xlsx", workers=1)
    by = {r["文件"]: r for r in rows}
    assert set(by) == {p.name for p in folder.iterdir()}
    assert by["good.pdf"]["error"] is None and by["good.pdf"]["错误"] >= 1
    for name in ("empty.pdf", "encrypted-userpw.pdf", "text-renamed.pdf"):
        assert by[name]["error"] and CJK.search(by[name]["error"]), by[name]
    assert (tmp_path / "out" / "summary.xlsx").is_file()


# --- issue 14: no silent loss, text cleaned once, recovery -------------------------------------------------


def _review_file(path: Path):
    from review.config import load_settings
    from review.sandbox import review_bounded

    return review_bounded(path, load_settings(), explain=False)


@pytest.fixture(scope="module")
def fillables(tmp_path_factory) -> dict[str, Path]:
    """The clean fillable draft and its hostile twins."""
    from eval.bad_inputs import CONTROL_TITLE, _broken_field, _fillable, _set_values, _zwsp_names

    d = tmp_path_factory.mktemp("fill")
    out = {}
    for name, edit in (
        ("clean", _set_values({})),
        ("bad-field", _broken_field),
        ("control", _set_values({"title": CONTROL_TITLE})),
        ("zwsp", _zwsp_names),
    ):
        out[name] = d / f"{name}.pdf"
        _fillable(edit)(out[name])
    return out


def test_one_bad_form_field_keeps_the_others(fillables):
    clean, bad = _review_file(fillables["clean"]), _review_file(fillables["bad-field"])
    assert bad.form.title == clean.form.title and bad.form.teachers == clean.form.teachers
    assert bad.form.applicant_unit == clean.form.applicant_unit and bad.form.lead == clean.form.lead


def test_control_characters_reach_no_output(fillables):
    from review.render import to_docx, to_markdown

    rep = _review_file(fillables["control"])
    assert rep.form.title == "感染性疾病规范化[31m诊疗培训班"
    md = to_markdown(rep)
    bad = [ch for ch in md if (ord(ch) < 32 and ch not in "\n\t") or 0x200B <= ord(ch) <= 0x202E or ch == "\ufeff"]
    assert not bad
    import io
    import zipfile

    xml = zipfile.ZipFile(io.BytesIO(to_docx(rep))).read("word/document.xml").decode("utf-8")
    assert "感染性疾病规范化" in xml and "\x1b" not in xml and "\u200b" not in xml and "\u202e" not in xml


def test_zero_width_spaces_in_names_change_no_verdict(fillables):
    clean, zwsp = _review_file(fillables["clean"]), _review_file(fillables["zwsp"])
    assert zwsp.form.lead == clean.form.lead and zwsp.form.teachers == clean.form.teachers
    assert sorted((f.rule, f.severity) for f in zwsp.findings) == sorted((f.rule, f.severity) for f in clean.findings)


def test_missing_xref_is_recovered_with_a_notice(tmp_path):
    from eval.bad_inputs import _no_xref

    p = tmp_path / "noxref.pdf"
    _no_xref(p)
    rep = _review_file(p)
    assert rep.form.title and any("已自动修复" in w for w in rep.meta.warnings)


def test_xfa_only_form_gets_a_notice(tmp_path):
    from eval.bad_inputs import _xfa_only

    p = tmp_path / "xfa.pdf"
    _xfa_only(p)
    assert any("XFA" in w for w in _review_file(p).meta.warnings)
