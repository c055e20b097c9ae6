"""Failing dependencies: the model endpoint down/slow/500/429, a missing or corrupt Chroma index, concurrent
reviews and index builds, a policy file changing during a run. The review always completes."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from review.config import POLICY_DIR, Settings
from review.form import ExtractResult
from review.llm import ChatModel
from review.pipeline import review_extracted
from tests.scripted_server import (
    Delay,
    ScriptedServer,
    Status,
    scripted_server_fixture,  # noqa: F401  (fixture "scripted_server")
)
from tests.test_explain import FakeIndex

ROOT = Path(__file__).resolve().parent.parent


def verdict(rep) -> list[tuple[str, str]]:
    return sorted({(f.rule, f.severity) for f in rep.findings})


@pytest.fixture(scope="module")
def extracted() -> ExtractResult:
    from eval.cases import load_case

    return ExtractResult(form=load_case("f-lead-title").form, style="word-table", pages=5)


@pytest.fixture(scope="module")
def offline(extracted):
    return review_extracted(extracted, Settings(), index=FakeIndex(), model=None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assert_offline_with_notice(rep, offline) -> None:
    assert verdict(rep) == verdict(offline)
    assert all(f.explained_by == "offline" for f in rep.findings)
    assert rep.narratives and all(n.critiqued_by == "offline" for n in rep.narratives.values())
    assert rep.meta.notices and all(any("\u4e00" <= c <= "\u9fff" for c in n) for n in rep.meta.notices)
    assert any("离线" in n for n in rep.meta.notices)


# --- the model endpoint ------------------------------------------------------------------------------------


def test_model_endpoint_down(extracted, offline):
    settings = Settings(
        llm_base_url=f"http://127.0.0.1:{free_port()}/v1", llm_model="m", llm_timeout=2, llm_max_retries=0
    )
    rep = review_extracted(extracted, settings, index=FakeIndex(), model=ChatModel(settings))
    assert_offline_with_notice(rep, offline)
    assert any("无法连接" in n for n in rep.meta.notices)


@pytest.mark.parametrize(
    "script, word",
    [
        (lambda body: Delay(3.0, "late"), "超时"),
        (lambda body: Status(500), "500"),
        (lambda body: Status(429), "429"),
    ],
    ids=["slow", "500", "429"],
)
def test_model_endpoint_failing(scripted_server, extracted, offline, script, word):
    scripted_server.default = script
    settings = scripted_server.settings(llm_timeout=1.0, llm_max_retries=1, llm_structured="json_schema")
    rep = review_extracted(extracted, settings, index=FakeIndex(), model=ChatModel(settings))
    assert_offline_with_notice(rep, offline)
    assert any(word in n for n in rep.meta.notices), rep.meta.notices
    assert len(scripted_server.chat_requests) <= 4  # bounded retries, no storm


# --- the policy index ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def embed_server():
    server = ScriptedServer().start()
    yield server
    server.stop()


def index_settings(server, tmp: Path, policy_dir: Path = POLICY_DIR) -> Settings:
    return server.settings(
        data_dir=tmp,
        policy_dir=policy_dir,
        embed_base_url=server.base_url,
        embed_model="scripted-embed",
        retrieval_channel="hybrid",
    )


def fresh_index(settings):
    from review.retrieval import PolicyIndex

    return PolicyIndex(settings)


QUERY = "项目负责人须具有副高级及以上专业技术职称"
REOPEN = """
import sys
from pathlib import Path
from review.config import Settings
from review.retrieval import PolicyIndex
s = Settings(data_dir=Path(sys.argv[1]), embed_base_url=sys.argv[2], embed_model="scripted-embed")
idx = PolicyIndex(s)
st = idx.build()
assert idx.search(sys.argv[3], k=3, channel="dense") and idx.search(sys.argv[3], k=3)
print(st["rebuilt"], *[p.chunk_id for p in idx.search(sys.argv[3], k=3, channel="bm25")])
"""


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["delete", "garbage", "truncate-manifest"])
def test_missing_or_corrupt_index_is_rebuilt(embed_server, tmp_path, damage):
    settings = index_settings(embed_server, tmp_path)
    first = fresh_index(settings)
    first.build()
    want = [p.chunk_id for p in first.search(QUERY, k=3, channel="bm25")]
    chroma = tmp_path / "chroma"
    if damage == "delete":
        shutil.rmtree(chroma)
    elif damage == "garbage":
        for f in chroma.rglob("*"):
            if f.is_file():
                f.write_bytes(b"\x00garbage" * 64)
    else:
        (tmp_path / "retrieval" / "manifest.json").write_text("{not json", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-c", REOPEN, str(tmp_path), embed_server.base_url, QUERY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )  # the next run: a fresh process
    assert out.returncode == 0, out.stderr[-2000:]
    rebuilt, ids = out.stdout.split(maxsplit=1)
    assert rebuilt == "True" and ids.split() == want
    again = fresh_index(settings)  # this process (chroma's client cache may still hold the old collection)
    again.build()
    assert [p.chunk_id for p in again.search(QUERY, k=3, channel="bm25")] == want
    assert again.search(QUERY, k=3, channel="dense") and again.search(QUERY, k=3)


BUILD = """
import sys
from pathlib import Path
from review.config import Settings
from review.retrieval import PolicyIndex
s = Settings(data_dir=Path(sys.argv[1]), embed_base_url=sys.argv[2], embed_model="scripted-embed")
st = PolicyIndex(s).build()
print(st["chunks"], len(PolicyIndex(s).search("学分", k=3)))
"""


@pytest.mark.slow
def test_two_processes_building_the_same_index(embed_server, tmp_path):
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", BUILD, str(tmp_path), embed_server.base_url],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e[-2000:] for _, e in outs]
    counts = {o.split()[0] for o, _ in outs}
    assert len(counts) == 1 and all(o.split()[1] == "3" for o, _ in outs)
    stats = fresh_index(index_settings(embed_server, tmp_path)).build()
    assert stats["rebuilt"] is False and str(stats["chunks"]) in counts


@pytest.mark.slow
def test_policy_file_changing_during_a_run_is_reindexed(embed_server, tmp_path):
    policy = tmp_path / "policy"
    shutil.copytree(POLICY_DIR, policy)
    index = fresh_index(index_settings(embed_server, tmp_path / "data", policy))
    index.build()
    marker = "缬沙坦哨兵条款：每期培训结束后七日内提交学员签到表"
    assert not any(marker in p.text for p in index.search(marker, k=5, channel="bm25"))
    target = policy / "bj-2025-application-requirements.txt"
    target.write_text(target.read_text(encoding="utf-8") + f"\n\n十、补充规定\n{marker}。\n", encoding="utf-8")
    hits = index.search(marker, k=5, channel="bm25")
    assert any(marker in p.text for p in hits)
    from review.retrieval.corpus import quote_in_corpus

    assert quote_in_corpus(marker, policy_dir=policy)


# --- concurrent reviews ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_concurrent_reviews_do_not_interfere():
    from review.pipeline import review_pdf

    names = ["f-lead-title", "f-peer-review-short", "clean-national-printout-halfwidth", "f-credit-rate"]
    paths = [ROOT / "eval" / "fixtures" / f"{n}.pdf" for n in names]
    alone = {p.name: verdict(review_pdf(p, explain=False)) for p in paths}
    together: dict[str, list] = {}
    errors: list[BaseException] = []

    def run(p: Path) -> None:
        try:
            for _ in range(2):
                together.setdefault(p.name, []).append(verdict(review_pdf(p, explain=False)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join(240)
    assert not errors, errors
    assert {k: v for k, v in together.items()} == {k: [v, v] for k, v in alone.items()}
