"""The bounded reader: same result as in-process, clear bilingual messages on timeout, memory, death and bombs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from review.config import ROOT, load_settings
from review.errors import InputError
from review.sandbox import BoundedRead, extract_bounded, input_problem, review_bounded

FIXTURE = ROOT / "eval" / "fixtures" / "base-national-cardio.pdf"
CJK = "\u4e00"


def _settings(**kw):
    return load_settings().with_(**kw)


@pytest.fixture(scope="module")
def fixture_pdf():
    if not FIXTURE.is_file():
        pytest.skip("needs eval/fixtures (make fixtures)")
    return FIXTURE


def test_bounded_read_equals_in_process_read(fixture_pdf):
    from review.extract import extract_pdf

    bounded = extract_bounded(fixture_pdf, _settings())
    local = extract_pdf(fixture_pdf)
    assert bounded.form == local.form and bounded.style == local.style
    assert set(bounded.evidence) == set(local.evidence)


def test_review_bounded_gives_a_report(fixture_pdf):
    rep = review_bounded(fixture_pdf, _settings(), explain=False)
    assert rep.form.title and rep.meta.file == fixture_pdf.name


def test_timeout_is_a_bilingual_message_and_the_child_is_gone(fixture_pdf):
    job = BoundedRead(fixture_pdf, _settings(read_timeout=0.01))
    t0 = time.monotonic()
    while not job.step(0.5):
        pass
    assert time.monotonic() - t0 < 10
    with pytest.raises(InputError) as exc:
        job.outcome()
    assert "读取超时" in exc.value.zh and "timed out" in exc.value.en
    assert not job.proc.is_alive()


def test_a_killed_reader_is_a_message_not_a_dead_caller(fixture_pdf):
    job = BoundedRead(fixture_pdf, _settings())
    os.kill(job.proc.pid, signal.SIGKILL)
    while not job.step(0.5):
        pass
    with pytest.raises(InputError) as exc:
        job.outcome()
    assert "异常退出" in exc.value.zh and "SIGKILL" in exc.value.en


def test_memory_limit_is_a_message(fixture_pdf):
    with pytest.raises(InputError) as exc:
        extract_bounded(fixture_pdf, _settings(read_memory_mb=64))
    assert any(w in exc.value.zh for w in ("内存", "异常退出")), exc.value.zh


def test_zlib_bomb_is_refused_fast_and_small(tmp_path):
    from eval.bad_inputs import _bomb_content

    p = tmp_path / "bomb.pdf"
    _bomb_content(p)
    assert p.stat().st_size < 60_000  # ~33 KB that would inflate to 12 GiB
    job = BoundedRead(p, _settings())
    while not job.step(1.0):
        pass
    with pytest.raises(InputError) as exc:
        job.outcome()
    assert "压缩炸弹" in exc.value.zh
    assert job.max_rss_mb is not None and job.max_rss_mb < 1024


def test_capped_inflate_never_goes_past_the_cap():
    from eval.bad_inputs import zlib_bomb
    from review.extract.guard import inflate_capped, inflated_len

    data = zlib_bomb(1.0)
    inner, over = inflate_capped(data, 1_000_000)
    assert over and len(inner) == 1_000_001
    assert inflated_len(inner, 5_000_000) == 5_000_001


def test_input_problems_are_named(tmp_path):
    fifo, loop, folder = tmp_path / "a.pdf", tmp_path / "b.pdf", tmp_path / "c.pdf"
    os.mkfifo(fifo)
    loop.symlink_to(loop.name)
    folder.mkdir()
    assert "FIFO" in input_problem(fifo)
    assert "循环" in input_problem(loop)
    assert "文件夹" in input_problem(folder)
    assert "找不到" in input_problem(tmp_path / "none.pdf")
    with pytest.raises(InputError) as exc:
        extract_bounded(fifo, _settings())  # returns at once, never blocks on the pipe
    assert "FIFO" in exc.value.zh


def test_works_from_a_script_without_a_main_guard(tmp_path, fixture_pdf):
    script = tmp_path / "noguard.py"
    script.write_text(
        "from review.sandbox import extract_bounded\n"
        f"print('TITLE', extract_bounded({str(fixture_pdf)!r}).form.title)\n",
        encoding="utf-8",
    )
    res = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.count("TITLE") == 1 and CJK <= res.stdout.split("TITLE", 1)[1].strip()[:1]
