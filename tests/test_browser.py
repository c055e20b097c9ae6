"""One real-browser run: streamlit server + Debian chromium via playwright (upload, finding, chat, screenshot)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from eval.bench_app import CHROMIUM, CHROMIUM_ARGS, streamlit_server
from review.config import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = ROOT / "eval" / "out" / "screenshots"
PDF = ROOT / "eval" / "fixtures" / "f-credit-cap.pdf"
WAIT_MS = 540_000  # first run on a machine builds the policy index


def wait_idle(page, timeout_ms: int = WAIT_MS) -> None:
    """Wait until the script run finishes (Streamlit's running indicator is gone)."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=timeout_ms)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)")
def test_upload_finding_and_chat_in_chromium(tmp_path):
    from playwright.sync_api import sync_playwright

    if not PDF.is_file():
        pytest.skip("eval/fixtures/f-credit-cap.pdf missing (run `make fixtures`)")
    policy = tmp_path / "policy"
    shutil.copytree(ROOT / "policy_docs", policy)
    env = {
        "CME_DATA_DIR": os.environ["CME_DATA_DIR"],  # the session's private dir (tests/conftest.py)
        "CME_POLICY_DIR": str(policy),
        "CME_LLM_MODEL": "",
        "CME_CONFIG": str(tmp_path / "x.toml"),
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(env) as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.get_by_text("继续医学教育项目申报书预审").first.wait_for(timeout=60_000)
        page.locator('[data-testid="stMainBlockContainer"] input[type="file"]').first.set_input_files(str(PDF))
        page.get_by_role("tab", name="问题清单").wait_for(timeout=WAIT_MS)
        page.locator('[data-testid="stMetricLabel"]').filter(has_text="结论").first.wait_for(timeout=30_000)
        wait_idle(page)
        assert page.get_by_text("未通过", exact=True).first.is_visible()  # f-credit-cap has error findings
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / "app.png"), full_page=False)

        summary = (
            page.locator('[data-testid="stExpander"] summary').filter(has_text=re.compile("(错误|警告|建议) · ")).first
        )
        summary.click()
        wait_idle(page)
        expander = page.locator('[data-testid="stExpander"]').filter(has_text=re.compile("(错误|警告|建议) · ")).first
        expander.get_by_text("问题").first.wait_for(timeout=30_000)
        image = expander.locator("img").first
        image.wait_for(timeout=30_000)
        image.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / "app-finding.png"), full_page=False)

        page.get_by_role("tab", name="政策问答").click()
        box = page.locator('[data-testid="stChatInputTextArea"]')
        box.fill("远程项目最多可以授予几个学分？")
        box.press("Enter")
        wait_idle(page)
        page.locator('[data-testid="stChatMessage"]').nth(1).wait_for(timeout=120_000)
        answer = page.locator('[data-testid="stChatMessage"]').nth(1).inner_text()
        page.screenshot(path=str(SHOTS / "app-chat.png"), full_page=False)
        browser.close()
    assert answer.strip() and "出错" not in answer
    assert (SHOTS / "app.png").stat().st_size > 10_000
