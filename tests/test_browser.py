"""Real browser (Debian chromium via playwright) against `streamlit run app.py`: the clerk's whole day.

PDF upload, a finding opened, a dismissal that changes the 复核后 counts, two downloads in a row, a question in chat,
a Word draft with text addressed to the checker (warning shown, verdict unchanged), the phone layout. Every screen
is checked for English UI text and for rule ids / policy file names outside the 详细信息 toggle, and saved to
eval/out/screenshots/.
"""

from __future__ import annotations

import dataclasses
import io
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
# English a Chinese clerk may see: format and unit names, and the notices' own section labels.
ALLOWED_WORDS = {"PDF", "Word", "docx", "OCR", "JSON", "JSONL", "Markdown", "MB", "UTC", "PART", "CME", "AI"}
FIELD_PATH = re.compile(r"\b[a-z_]+\.(\d+\.)?[a-z_]+\b")

VISIBLE_TEXT_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest('[data-testid="stIconMaterial"], script, style, noscript')) continue;
    if (/Material/i.test(getComputedStyle(el).fontFamily)) continue;  // icon ligatures, drawn as icons
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const cs = getComputedStyle(el);
    if (parseFloat(cs.fontSize) === 0) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2 || r.right <= 0 || r.bottom <= 0) continue;
    if (el.closest('[data-testid="stFileChipName"]')) continue;  // the user's own file name
    out.push(text);
  }
  return out;
}"""


def wait_idle(page, timeout_ms: int = WAIT_MS) -> None:
    """Wait until the script run finishes (Streamlit's running indicator is gone)."""
    page.wait_for_timeout(400)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=timeout_ms)
    page.wait_for_timeout(300)


def allowed_words() -> set[str]:
    """ASCII words that may appear because the policy notices or the drafts contain them (proper names)."""
    words = set(ALLOWED_WORDS)
    for p in (ROOT / "policy_docs").glob("*.txt"):
        words |= set(re.findall(r"[A-Za-z]{2,}", p.read_text(encoding="utf-8")))
    for p in (ROOT / "eval" / "cases").glob("*.yaml"):
        words |= set(
            re.findall(r"[A-Za-z]{2,}", p.read_text(encoding="utf-8").split("expect:")[0].split("form:", 1)[-1])
        )
    return words - {"rule", "Upload", "Browse", "files", "Drag", "drop", "Deploy", "per", "file", "Running", "Stop"}


def check_screen(page, name: str, allowed: set[str], forbidden: list[str]) -> list[str]:
    """Screenshot, then the visible text: no English outside the allowed words, no rule id or policy file name."""
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)
    texts = page.evaluate(VISIBLE_TEXT_JS)
    english = sorted({w for t in texts for w in re.findall(r"[A-Za-z]{2,}", t)} - allowed)
    assert not english, (name, english, [t for t in texts if any(w in t for w in english)][:8])
    joined = "\n".join(texts)
    leaked = [f for f in forbidden if re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", joined)]
    assert not leaked, (name, leaked)
    assert not FIELD_PATH.search(joined), (name, FIELD_PATH.search(joined))
    return texts


def upload(page, path: Path) -> None:
    """Put a file into the draft uploader and wait for the report tabs."""
    page.locator('[data-testid="stMainBlockContainer"] input[type="file"]').first.set_input_files(str(path))
    page.get_by_role("tab", name="问题清单").wait_for(timeout=WAIT_MS)
    wait_idle(page)
    page.get_by_role("tab", name="问题清单").click()
    wait_idle(page)


def chips(page) -> dict[str, str]:
    """The summary row: label -> value."""
    out = {}
    for chip in page.locator(".cme-chip").all():
        label = chip.locator(".cme-chip-l").inner_text().strip()
        out[label] = chip.locator("b").inner_text().strip()
    return out


def injected_docx(tmp: Path) -> Path:
    """A Word draft of a labelled case with an instruction to the checker in its peer review."""
    from eval.bad_inputs import INJECT_CASE, inject_form
    from eval.cases import load_case
    from eval.render_docx import render_docx

    case = load_case(INJECT_CASE)
    bad = dataclasses.replace(case, form=inject_form(case.form, "peer_review"))
    return render_docx(bad, tmp / "申报书（Word 原稿）.docx")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)")
def test_clerk_day_in_chromium(tmp_path):
    from docx import Document
    from playwright.sync_api import sync_playwright

    from review.rules import ALL_RULES
    from review.ui.pages import SCALE

    if not PDF.is_file():
        pytest.skip("eval/fixtures/f-credit-cap.pdf missing (run `make fixtures`)")
    policy = tmp_path / "policy"
    shutil.copytree(ROOT / "policy_docs", policy)
    draft = tmp_path / "申报书草稿.pdf"  # a clerk's file name, so no rule id hides in it
    shutil.copy(PDF, draft)
    word = injected_docx(tmp_path)
    env = {
        # the session's private dir (tests/conftest.py); CME_BROWSER_DATA_DIR keeps a built index between runs
        "CME_DATA_DIR": os.environ.get("CME_BROWSER_DATA_DIR") or os.environ["CME_DATA_DIR"],
        "CME_POLICY_DIR": str(policy),
        "CME_LLM_MODEL": "",
        "CME_CONFIG": str(tmp_path / "x.toml"),
    }
    (Path(env["CME_DATA_DIR"]) / "actions.sqlite3").unlink(missing_ok=True)  # no decisions from an earlier run
    allowed = allowed_words()
    forbidden = [r.id for r in ALL_RULES] + [p.name for p in policy.iterdir()]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(env) as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
        page.goto(url)
        page.get_by_text("继续医学教育项目申报书预审").first.wait_for(timeout=60_000)
        page.get_by_text("政策索引已就绪").first.wait_for(timeout=WAIT_MS)  # opened at start, status visible
        wait_idle(page)
        start = check_screen(page, "app-start", allowed, forbidden)
        assert any("不超过 30 MB" in t for t in start)  # the real limit, in Chinese

        # -- a PDF draft: the report, a finding opened --------------------------------------------------
        upload(page, draft)
        before = chips(page)
        assert before["自动结论"] == "未通过" and int(before["错误"]) >= 1
        check_screen(page, "app", allowed, forbidden)
        card = page.locator('[data-testid="stExpander"]').filter(has_text=re.compile("待复核.*错误 · ")).first
        card.locator("summary").click()
        wait_idle(page)
        card.get_by_text("修改建议").first.wait_for(timeout=30_000)
        card.locator("img").first.wait_for(timeout=30_000)
        card.locator("img").first.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        check_screen(page, "app-finding", allowed, forbidden)
        sentences = [x.strip() for x in re.split(r"(?<=[。！？])|\n", card.inner_text()) if len(x.strip()) > 12]
        assert len(sentences) == len(set(sentences)), "a sentence repeats on the opened card"
        card.get_by_text("详细信息").first.click()  # the toggle reveals the internals
        wait_idle(page)
        assert card.get_by_text(re.compile("规则：")).first.is_visible()
        card.get_by_text("详细信息").first.click()
        wait_idle(page)

        # -- sign-off: reviewer name, a dismissal, the 复核后 counts --------------------------------
        page.locator('[data-testid="stSidebar"] input').first.fill("王审核")
        page.locator('[data-testid="stSidebar"] input').first.press("Enter")
        wait_idle(page)
        card.get_by_text("驳回", exact=True).first.click()
        card.locator("input[type='text']").first.fill("已电话核实，学分按批复执行")
        card.locator("input[type='text']").first.press("Enter")
        wait_idle(page)
        card.get_by_role("button", name="保存").click()
        wait_idle(page)
        page.get_by_text("复核后", exact=True).first.wait_for(timeout=30_000)
        after = chips(page)
        assert after["错误"] == f"{int(before['错误']) - 1}/{before['错误']}", after
        assert page.get_by_text("已驳回").first.is_visible()
        check_screen(page, "app-signoff", allowed, forbidden)

        # -- two downloads in a row: Markdown, then Word ------------------------------------------------
        page.get_by_role("tab", name="导出报告").click()
        wait_idle(page)
        with page.expect_download(timeout=60_000) as md_dl:
            page.get_by_role("button", name="下载 Markdown").click()
        md = Path(md_dl.value.path()).read_text(encoding="utf-8")
        with page.expect_download(timeout=60_000) as docx_dl:
            page.get_by_role("button", name="下载 Word（可打印归档）").click()
        docx_bytes = Path(docx_dl.value.path()).read_bytes()
        assert len(md) > 500 and "复核后" in md and "王审核" in md
        assert len(docx_bytes) > 5_000
        doc = Document(io.BytesIO(docx_bytes))
        cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
        assert "王审核" in cells and "复核后" in "\n".join(par.text for par in doc.paragraphs)
        check_screen(page, "app-downloads", allowed, forbidden)

        # -- a question in chat ---------------------------------------------------------------------
        page.get_by_role("tab", name="政策问答").click()
        box = page.locator('[data-testid="stChatInputTextArea"]')
        box.fill("远程项目最多可以授予几个学分？")
        box.press("Enter")
        page.locator('[data-testid="stChatMessage"]').nth(1).wait_for(timeout=120_000)
        wait_idle(page)
        answer = page.locator('[data-testid="stChatMessage"]').nth(1).inner_text()
        assert answer.strip() and "出错" not in answer
        check_screen(page, "app-chat", allowed, forbidden)

        # -- a Word draft with an instruction to the checker -------------------------------------------
        upload(page, word)
        warning = page.get_by_text(re.compile("疑似写给审查程序的指令")).first
        warning.wait_for(timeout=30_000)
        assert "同行评议意见" in warning.inner_text()
        assert chips(page)["自动结论"] == "未通过"  # f-lead-title keeps its errors: the verdict is not changed
        card = page.locator('[data-testid="stExpander"]').filter(has_text=re.compile("错误 · ")).first
        card.locator("summary").click()
        wait_idle(page)
        cell = card.get_by_text(re.compile(r"表 \d+ 第 \d+ 行第 \d+ 列")).first
        cell.wait_for(timeout=30_000)
        cell.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        check_screen(page, "app-docx-injection", allowed, forbidden)

        # -- a phone: one row of counts, readable page crops ----------------------------------------------
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
        phone.goto(url)
        phone.get_by_text("继续医学教育项目申报书预审").first.wait_for(timeout=60_000)
        wait_idle(phone)
        upload(phone, draft)
        tops = {round(b["y"]) for b in (c.bounding_box() for c in phone.locator(".cme-chip").all()) if b}
        assert len(tops) == 1, f"summary wraps on a phone: {tops}"
        check_screen(phone, "app-phone", allowed, forbidden)
        card = phone.locator('[data-testid="stExpander"]').filter(has_text=re.compile("错误 · ")).first
        card.locator("summary").click()
        wait_idle(phone)
        img = card.locator("img").first
        img.wait_for(timeout=30_000)
        img.scroll_into_view_if_needed()
        phone.wait_for_timeout(300)
        shown = img.bounding_box()
        natural = img.evaluate("i => i.naturalWidth")
        assert shown and shown["width"] >= 250
        # CSS pixels per PDF point on the phone: 10 pt text is drawn at least 8 px high
        assert shown["width"] / (natural / SCALE) >= 0.8, (natural, shown)
        check_screen(phone, "app-phone-finding", allowed, forbidden)
        browser.close()
