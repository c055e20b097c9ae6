"""Every draft is read in a bounded child process: a wall-time limit, an address-space limit, a clear message.

`extract_bounded(path, settings)` returns the ExtractResult (sent back as JSON) or raises InputError with a
Chinese+English message when the file is bad, too slow (timeout), too big (memory) or kills its reader.
`review_bounded(...)` is review_pdf with the reading step bounded. `BoundedRead` lets the batch run several
reads at once. The child is started by a fork server that has the extractor preloaded (no threads inherited).
"""

from __future__ import annotations

import errno
import logging
import multiprocessing as mp
import os
import resource
import signal
import stat
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Unpack

from review.config import Settings, load_settings
from review.errors import InputError, ReviewError
from review.form import ExtractResult
from review.pipeline import Stages, read_draft, review_read
from review.report import Report
from review.textutil import clean_model

if TYPE_CHECKING:  # the type only
    from multiprocessing.connection import Connection

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
_CTX: dict[str, Any] = {}  # multiprocessing contexts (typeshed types them without .Process)


def _context(method: str) -> Any:
    """The multiprocessing context; the fork server preloads the extractor once."""
    if method not in _CTX:
        ctx = mp.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(["review.sandbox", "review.extract", "review.extract.visible"])
        _CTX[method] = ctx
    return _CTX[method]


_MAIN_LOCK = threading.Lock()


@contextmanager
def _main_hidden() -> Iterator[None]:
    """Start children without re-importing the caller's __main__ (a script without a main guard, Streamlit's
    runner): the child's target lives in this module, so the main module is never needed there."""
    with _MAIN_LOCK:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if main is not None:
                sys.modules["__main__"] = main


def _limit_memory(mb: int) -> None:
    """Cap this process's address space (and forbid core dumps)."""
    if mb > 0:
        limit = mb * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def input_problem(path: str | Path) -> str:
    """Why this path cannot be read as a draft file, in Chinese ('' when it is a readable regular file)."""
    try:
        st = os.stat(path)  # follows symlinks
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "符号链接循环，无法打开（symlink loop）"
        if os.path.islink(path):
            return "符号链接指向的文件不存在（dangling symlink）"
        if e.errno == errno.ENOENT:
            return "找不到文件，请检查路径（file not found）"
        return f"无法读取文件信息（{e.strerror or e}）"
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        return "这是一个文件夹，不是 PDF 文件（a folder）"
    if stat.S_ISFIFO(mode):
        return "这是一个命名管道（FIFO），不是普通文件（not a regular file）"
    if not stat.S_ISREG(mode):
        return "这是设备或套接字，不是普通文件（not a regular file）"
    if not os.access(path, os.R_OK):
        return "没有读取权限（permission denied）"
    return ""


def read_any(path: str | Path, settings: Settings, progress: Optional[Progress] = None) -> ExtractResult:
    """extract_pdf, or extract_docx for a Word draft (chosen by the first bytes), in this process."""
    return read_draft(path, settings, progress)


def _child(path: str, settings: Settings, conn: Connection) -> None:
    """Child: read one draft, send ("ok", json) / ("error", zh, en) / ("memory",), with progress on the way."""
    from review.extract import guard  # pdfplumber/pypdfium2 (~0.5 s): only the child (forkserver-preloaded) needs it

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        _limit_memory(settings.read_memory_mb)
        guard.ocr_page_hook = lambda page: conn.send(("ocr", page))
        res = read_any(path, settings, progress=lambda s: conn.send(("progress", s)))
        clean_model(res)
        conn.send(("ok", res.model_dump_json()))
    except ReviewError as e:
        conn.send(("memory",) if _out_of_memory(e.en) else ("error", e.zh, e.en))
    except MemoryError:
        conn.send(("memory",))
    except BaseException as e:  # noqa: BLE001 - the child reports everything; the parent decides
        if _out_of_memory(f"{type(e).__name__}: {e}"):
            conn.send(("memory",))
            return
        try:
            conn.send(
                ("error", "PDF 文件结构异常，无法读取，请重新导出为 PDF 后上传", f"{type(e).__name__}: {e}"[:500])
            )
        except BaseException:  # noqa: BLE001 - the pipe is gone: the parent sees the exit code
            pass
    finally:
        try:
            conn.send(("rss", _max_rss_mb()))
        except BaseException:  # noqa: BLE001 - the pipe is gone
            pass
        conn.close()


_OOM_WORDS = ("MemoryError", "bad_alloc", "failed to map", "Cannot allocate memory", "out of memory")


def _out_of_memory(text: str) -> bool:
    """True when an error text says an allocation failed (the address-space limit was reached)."""
    return any(w in text for w in _OOM_WORDS)


def _max_rss_mb() -> int:
    """Peak resident memory of this process in MB."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)


def timeout_error(seconds: float) -> InputError:
    """The message for a file that took longer than its time budget."""
    return InputError(
        f"读取超时：此文件在 {seconds:.0f} 秒内未能读完（可能结构异常复杂或已损坏），已停止读取",
        f"reading timed out after {seconds:.0f} s",
    )


def memory_error(mb: int) -> InputError:
    """The message for a file that needed more memory than allowed."""
    return InputError(
        f"读取此文件需要超过 {mb} MB 内存，已停止（文件可能异常或含压缩炸弹）",
        f"address-space limit of {mb} MB exceeded while reading",
    )


def died_error(exitcode: Optional[int], mb: int) -> InputError:
    """The message for a reader that died without an answer (a crash inside a native parser, or memory)."""
    if exitcode is not None and exitcode < 0:
        try:
            sig = signal.Signals(-exitcode).name
        except ValueError:
            sig = str(-exitcode)
        how = f"signal {sig}"
    else:
        how = f"exit code {exitcode}"
    return InputError(
        f"读取此文件时读取进程异常退出（可能内存不足，上限 {mb} MB，或文件已损坏），请重新导出为 PDF 后上传",
        f"reader process died ({how})",
    )


class BoundedRead:
    """One draft being read in a child process; poll it with step() until it returns a result."""

    def __init__(self, path: str | Path, settings: Settings, progress: Optional[Progress] = None) -> None:
        self.path = str(path)
        self.settings = settings
        self.progress = progress
        ctx = _context(settings.sandbox)
        self.conn, child = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_child, args=(self.path, settings, child), daemon=True)
        self.started = time.monotonic()
        self.budget = float(settings.read_timeout)
        with _main_hidden():
            self.proc.start()
        child.close()
        self.result: Optional[ExtractResult] = None
        self.error: Optional[InputError] = None
        self.max_rss_mb: Optional[int] = None  # the reader's peak resident memory, when it reported it

    @property
    def done(self) -> bool:
        """True once a result or an error is known."""
        return self.result is not None or self.error is not None

    def remaining(self) -> float:
        """Seconds left in this file's budget."""
        return self.started + self.budget - time.monotonic()

    def step(self, wait: float) -> bool:
        """Handle messages for up to `wait` seconds; True when the read is finished (result or error)."""
        if self.done:
            return True
        end = time.monotonic() + max(0.0, wait)
        while not self.done:
            left = min(end - time.monotonic(), self.remaining())
            if self.remaining() <= 0:
                self._finish(timeout_error(self.budget))
            elif self.conn.poll(max(0.0, left)):
                self._message()
            elif not self.proc.is_alive() and not self.conn.poll(0):
                self.proc.join(1)
                self._finish(died_error(self.proc.exitcode, self.settings.read_memory_mb))
            elif time.monotonic() >= end:
                return False
        return True

    def _message(self) -> None:
        try:
            msg = self.conn.recv()
        except (EOFError, OSError):
            self.proc.join(2)
            self._finish(died_error(self.proc.exitcode, self.settings.read_memory_mb))
            return
        kind = msg[0]
        if kind == "progress" and self.progress:
            self.progress(str(msg[1]))
        elif kind == "ocr":
            self.budget += float(self.settings.ocr_page_timeout)
        elif kind == "ok":
            self.result = ExtractResult.model_validate_json(msg[1])
            self._finish(None)
        elif kind == "error":
            self._finish(InputError(str(msg[1]), str(msg[2])))
        elif kind == "memory":
            self._finish(memory_error(self.settings.read_memory_mb))
        elif kind == "rss":
            self.max_rss_mb = int(msg[1])

    def _finish(self, error: Optional[InputError]) -> None:
        if error is not None:
            self.error = error
        self._drain()
        self.kill()

    def _drain(self) -> None:
        """Read the reader's last message (its peak memory) if it comes within a moment."""
        try:
            while self.max_rss_mb is None and self.conn.poll(0.5):
                msg = self.conn.recv()
                if msg[0] == "rss":
                    self.max_rss_mb = int(msg[1])
        except (EOFError, OSError):
            pass

    def kill(self) -> None:
        """Stop the child (if still running) and release the pipe."""
        if self.proc.is_alive():
            self.proc.join(0.5 if self.result is not None else 0)
        if self.proc.is_alive():
            try:
                os.kill(self.proc.pid, signal.SIGKILL)  # type: ignore[arg-type]
            except (OSError, TypeError):
                pass
            self.proc.join(5)
        self.conn.close()

    def fileno(self) -> int:
        """The pipe's file descriptor (for multiprocessing.connection.wait)."""
        return int(self.conn.fileno())

    def outcome(self) -> ExtractResult:
        """The result, or raise the error."""
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def extract_bounded(
    path: str | Path, settings: Optional[Settings] = None, progress: Optional[Progress] = None
) -> ExtractResult:
    """extract_pdf in a bounded child (time + memory); raises InputError (Chinese + English) on any failure."""
    settings = settings or load_settings()
    problem = input_problem(path)
    if problem:
        raise InputError(problem, "input is not a readable regular file")
    if settings.sandbox == "off":
        res = read_any(path, settings, progress)
        clean_model(res)
        return res
    job = BoundedRead(path, settings, progress)
    try:
        while not job.step(1.0):
            pass
    finally:
        job.kill()
    return job.outcome()


def review_bounded(
    path: str | Path,
    settings: Optional[Settings] = None,
    **stages: Unpack[Stages],
) -> Report:
    """review_pdf with the reading step in a bounded child: a Report, or InputError with a clear message."""
    return review_read(extract_bounded, path, settings, **stages)
