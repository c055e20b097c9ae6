"""Batch review: a row per draft, a broken draft carries its error, JSONs written, batch rules applied."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from review.batch import COLUMNS, run_batch, run_batch_cli
from review.config import ROOT

FIXTURES = ROOT / "eval" / "fixtures"
TEXT_STYLES_FIRST = ("base-national-cardio", "base-bj-nursing", "base-bj-association")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Three fixture drafts and one broken PDF."""
    pdfs = [FIXTURES / f"{s}.pdf" for s in TEXT_STYLES_FIRST if (FIXTURES / f"{s}.pdf").is_file()]
    pdfs = pdfs or sorted(FIXTURES.glob("*.pdf"))[:3]
    if len(pdfs) < 2:
        pytest.skip("needs fixture PDFs in eval/fixtures (run `make fixtures`)")
    d = tmp_path_factory.mktemp("drafts")
    for p in pdfs:
        shutil.copy(p, d / p.name)
    (d / "x.pdf").write_bytes(b"\x00garbage bytes, not a PDF\xff" * 20)
    (d / "notes.txt").write_text("not a draft", encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def batch(folder, tmp_path_factory):
    """Run the batch once with two worker processes."""
    out = tmp_path_factory.mktemp("out") / "summary.xlsx"
    seen: list[tuple[int, int, str]] = []
    rows = run_batch(folder, out, workers=2, progress=lambda d, t, n: seen.append((d, t, n)))
    return rows, out, seen


def test_xlsx_has_a_row_per_pdf_and_styled_header(batch, folder):
    rows, out, _ = batch
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header == [c for c, _ in COLUMNS]
    assert ws[1][0].font.bold and ws.freeze_panes == "B2"
    assert ws.column_dimensions["I"].width >= 60  # 主要问题
    files = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert files == sorted(p.name for p in folder.glob("*.pdf"))
    assert len(rows) == len(files)


def test_broken_pdf_carries_its_error_and_does_not_stop_the_batch(batch):
    rows, out, _ = batch
    bad = next(r for r in rows if r["文件"] == "x.pdf")
    assert bad["error"] and bad["主要问题"].startswith("无法审查：")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in bad["error"])
    good = [r for r in rows if r["文件"] != "x.pdf"]
    assert good and all(not r["error"] and r["项目名称"] and isinstance(r["错误"], int) for r in good)
    ws = load_workbook(out).active
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "x.pdf")
    assert row[1] == "无法审查" and row[8].startswith("无法审查：")


def test_jsons_written_next_to_the_summary(batch):
    rows, out, _ = batch
    for r in rows:
        path = out.parent / f"{Path(r['文件']).stem}.json"
        assert path.is_file() and r["json"] == str(path)
        data = json.loads(path.read_text(encoding="utf-8"))
        if r["error"]:
            assert data["error"] == r["error"]
        else:
            assert data["summary"]["error"] == r["错误"] and data["form"]["title"] == r["项目名称"]
            lead = data["form"].get("lead") or {}
            idn = lead.get("id_number") or ""
            assert not idn or "*" in idn  # masked


def test_progress_reports_every_file(batch, folder):
    _, _, seen = batch
    assert sorted(n for _, _, n in seen) == sorted(p.name for p in folder.glob("*.pdf"))
    assert max(d for d, _, _ in seen) == len(seen)


def test_batch_rules_add_findings_to_the_affected_drafts(tmp_path):
    from review.rules.batch import run_batch_rules  # noqa: F401 - skip cleanly until it exists

    src = FIXTURES / "base-national-cardio.pdf"
    if not src.is_file():
        pytest.skip("needs eval/fixtures/base-national-cardio.pdf")
    d = tmp_path / "same-lead"
    d.mkdir()
    for i in range(3):  # one lead, three new national applications: more than 2 a year per level
        shutil.copy(src, d / f"draft{i}.pdf")
    rows = run_batch(d, tmp_path / "o" / "s.xlsx", workers=1)
    for r in rows:
        data = json.loads(Path(r["json"]).read_text(encoding="utf-8"))
        assert "lead-max-projects" in {f["rule"] for f in data["findings"]}


def test_cli_exit_codes(folder, tmp_path):
    assert run_batch_cli(tmp_path / "missing", tmp_path / "s.xlsx", 1) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_batch_cli(empty, tmp_path / "s.xlsx", 1) == 2
    one = tmp_path / "one"
    one.mkdir()
    (one / "x.pdf").write_bytes(b"garbage")
    assert run_batch_cli(one, tmp_path / "o" / "s.xlsx", 1) == 1  # a draft failed: non-zero
    assert (tmp_path / "o" / "s.xlsx").is_file() and (tmp_path / "o" / "x.json").is_file()


# --- hostile folders: nothing lost, every entry a row, a dying or hanging reader costs only its own file -------


@pytest.fixture
def mixed(tmp_path):
    """Good drafts (two differing only by case), a bomb, hostile text, and entries that are not files."""
    import os

    from eval.bad_inputs import CONTROL_TITLE, _bomb_content, _fillable, _set_values

    src = FIXTURES / "base-national-cardio.pdf"
    if not src.is_file():
        pytest.skip("needs eval/fixtures")
    d = tmp_path / "in"
    d.mkdir()
    for name in ("dup.pdf", "dup.PDF", "crash.pdf", "slow.pdf", "good.pdf"):
        shutil.copy(src, d / name)
    _bomb_content(d / "bomb.pdf")
    _fillable(_set_values({"title": CONTROL_TITLE}))(d / "control.pdf")
    os.mkfifo(d / "fifo.pdf")
    (d / "loop.pdf").symlink_to("loop.pdf")
    (d / "folder.pdf").mkdir()
    return d


def _patched_reader(monkeypatch):
    """With fork-started readers: crash.pdf kills its reader (SIGSEGV), slow.pdf never finishes."""
    import os
    import signal
    import time

    import review.sandbox as sb

    real = sb.read_any

    def read_any(path, settings, progress=None):
        name = Path(path).name
        if name == "crash.pdf":
            import faulthandler

            faulthandler.disable()  # the crash is the point: no dump in the test log
            os.kill(os.getpid(), signal.SIGSEGV)
        if name == "slow.pdf":
            time.sleep(600)
        return real(path, settings, progress)

    monkeypatch.setattr(sb, "read_any", read_any)


def test_mixed_folder_every_entry_a_row_nothing_lost(mixed, tmp_path, monkeypatch):
    from review.config import load_settings

    _patched_reader(monkeypatch)
    settings = load_settings().with_(sandbox="fork", read_timeout=20.0)
    out = tmp_path / "out" / "summary.xlsx"
    rows = run_batch(mixed, out, workers=2, settings=settings)
    by = {r["文件"]: r for r in rows}
    assert sorted(by) == sorted(p.name for p in mixed.iterdir())  # one row per entry named .pdf
    for good in ("dup.pdf", "dup.PDF", "good.pdf", "control.pdf"):
        assert by[good]["状态"] == "已审查" and by[good]["项目名称"], by[good]
    assert "异常退出" in by["crash.pdf"]["error"]
    assert "读取超时" in by["slow.pdf"]["error"]
    assert "压缩炸弹" in by["bomb.pdf"]["error"]
    for name, word in (("fifo.pdf", "FIFO"), ("loop.pdf", "循环"), ("folder.pdf", "文件夹")):
        assert by[name]["状态"] == "已跳过" and word in by[name]["主要问题"]
    jsons = [r["json"] for r in rows if r["json"]]
    assert len(set(p.lower() for p in jsons)) == len(jsons) == 7  # dup.pdf and dup.PDF: two files
    ws = load_workbook(out).active
    assert ws.max_row == len(rows) + 1
    title = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "control.pdf")[2]
    assert title and not any(ord(ch) < 32 or 0x200B <= ord(ch) <= 0x202E for ch in title)
    assert all(r["max_rss_mb"] is None or r["max_rss_mb"] < 2048 for r in rows)


def test_formula_like_titles_stay_text(tmp_path):
    from review.batch import write_xlsx

    row = {c: "" for c, _ in COLUMNS} | {"文件": "a.pdf", "状态": "已审查", "项目名称": '=HYPERLINK("x")\x00'}
    write_xlsx([row], tmp_path / "s.xlsx")
    cell = load_workbook(tmp_path / "s.xlsx").active.cell(row=2, column=3)
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("x")'


def test_cli_summary_counts_and_exit_code(mixed, tmp_path, capsys):
    import os

    os.unlink(mixed / "crash.pdf")
    os.unlink(mixed / "slow.pdf")
    code = run_batch_cli(mixed, tmp_path / "o" / "s.xlsx", 2)
    err = capsys.readouterr().err
    assert code == 1  # the bomb failed
    assert "已审查 4 份" in err and "无法审查 1 份" in err and "跳过 3 个" in err


def test_cli_refuses_an_unwritable_summary_before_reading(mixed, capsys):
    assert run_batch_cli(mixed, Path("/dev/null/x.xlsx"), 1) == 2
    err = capsys.readouterr().err
    assert "错误" in err and "not a directory" in err
