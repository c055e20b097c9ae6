"""Every path or argument error is a Chinese + English message with exit 2, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from review.cli import dash_args
from review.config import ROOT

FIXTURE = ROOT / "eval" / "fixtures" / "base-national-cardio.pdf"


def _cli(*args: str | bytes, cwd=None) -> subprocess.CompletedProcess:
    cmd = [sys.executable.encode(), b"-c", b"from review.cli import main; main()"]
    cmd += [a if isinstance(a, bytes) else a.encode() for a in args]
    return subprocess.run(cmd, capture_output=True, timeout=300, cwd=cwd or ROOT)


def _err(res) -> str:
    return res.stderr.decode("utf-8", "replace")


def _bilingual_exit_2(res) -> None:
    err = _err(res)
    assert res.returncode == 2, (res.returncode, err[-1500:])
    assert "Traceback" not in err and "╭" not in err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err) and "Error" in err


@pytest.mark.parametrize(
    "args",
    [
        ("review", "--markdown", "/nonexistent/dir/r.md", str(FIXTURE)),
        ("batch", str(ROOT / "eval" / "fixtures"), "--out", "/dev/null/x.xlsx"),
        ("batch", "/nonexistent/folder"),
        ("review", "--bogus", "x.pdf"),
        ("review",),
        ("review", "/nonexistent.pdf"),
        ("search", "-k", "0", "学分"),
        ("search", "--channel", "nope", "学分"),
    ],
)
def test_usage_and_path_errors(args):
    _bilingual_exit_2(_cli(*args))


def test_fifo_is_named_not_missing(tmp_path):
    fifo = tmp_path / "d.pdf"
    os.mkfifo(fifo)
    res = _cli("review", str(fifo))
    _bilingual_exit_2(res)
    assert "FIFO" in _err(res) and "找不到" not in _err(res)


def test_non_utf8_search_is_not_a_traceback():
    res = _cli("search", b"\xd1\xa7\xb7\xd6\xff", "-k", "1")
    assert res.returncode in (0, 2), _err(res)
    assert "Traceback" not in _err(res)


@pytest.mark.skipif(not FIXTURE.is_file(), reason="needs eval/fixtures")
def test_file_names_starting_with_a_dash(tmp_path):
    shutil.copy(FIXTURE, tmp_path / "-draft.pdf")
    for args in (("review", "-draft.pdf"), ("review", "--", "-draft.pdf"), ("review", "--json", "-draft.pdf")):
        res = _cli(*args, cwd=tmp_path)
        assert res.returncode in (0, 1), (args, _err(res)[-1500:])
        assert "Traceback" not in _err(res)


def test_dash_args_moves_only_unknown_dash_words():
    assert dash_args(["review", "-draft.pdf", "--json"]) == ["review", "--json", "--", "-draft.pdf"]
    assert dash_args(["review", "--markdown", "-r.md", "a.pdf"]) == ["review", "--markdown", "-r.md", "a.pdf"]
    assert dash_args(["search", "-k", "3", "-学分"]) == ["search", "-k", "3", "--", "-学分"]
    assert dash_args(["search", "-k3", "学分"]) == ["search", "-k3", "学分"]
    assert dash_args(["review", "--", "-x.pdf"]) == ["review", "--", "-x.pdf"]
    assert dash_args(["rules", "--json"]) == ["rules", "--json"]


def test_long_marked_up_question_is_capped_and_fast():
    from review.textutil import MAX_QUESTION_CHARS, clean_question

    q = "<p>**继续医学教育学分**如何<b>授予</b>？</p>" + "啊" * 100_000
    t0 = time.perf_counter()
    out, notes = clean_question(q)
    assert time.perf_counter() - t0 < 1.0
    assert out.startswith("继续医学教育学分如何授予？") and len(out) <= MAX_QUESTION_CHARS
    assert notes and str(MAX_QUESTION_CHARS) in notes[0]


def test_markup_and_controls_are_stripped_from_questions():
    from review.textutil import clean_question

    q, notes = clean_question("# 标题\n> [学分](http://x.y) `审验`\u200b\x1b[31m **规则**<script>alert(1)</script>")
    assert q == "标题 学分 审验[31m 规则" and notes == []


def test_clean_text_removes_control_and_format_characters():
    from review.textutil import clean_text

    assert clean_text("张\u200b三\x00\x08\u202e\ufeff") == "张三"
    assert clean_text("１２学分⼈") == "12学分人"  # full-width digits, Kangxi radical
    assert clean_text("项目名称：（一）") == "项目名称：（一）"  # full-width punctuation kept
