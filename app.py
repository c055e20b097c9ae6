"""Streamlit app: upload a draft, read the review, sign it off, ask about policy, file a report (`streamlit run app.py`)."""

from __future__ import annotations

import hashlib
import logging
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Optional

import streamlit as st

from review import actions as actions_db
from review.config import Settings, load_settings
from review.errors import ReviewError
from review.render import to_docx, to_json, to_markdown
from review.report import Report
from review.rules.base import Finding
from review.ui import notices as notices_mod
from review.ui import views
from review.ui.pages import page_count

log = logging.getLogger("cme-review.app")
MB = 1024 * 1024
DRAFT_EXTS = (".pdf", ".docx")
INDEX_WAIT_S = 240  # longest a question waits for the policy index to finish opening

st.set_page_config(page_title="继续医学教育项目申报书预审", layout="wide", menu_items={})


# ---- look: Chinese uploader, compact summary, phone layout ---------------------------------------


def css(settings: Settings) -> str:
    """Page CSS: Streamlit's English uploader texts replaced by ours (with the real limits), summary chips."""
    limit = f"PDF 或 Word（.docx），单个文件不超过 {settings.max_mb:g} MB、{settings.max_pages} 页"
    return f"""<style>
[data-testid="stFileUploaderDropzoneInstructions"] {{ display: none !important; }}
[data-testid="stFileUploaderDropzone"]::before {{
  content: "将申报书拖放到此处，或点击“选择文件”（{limit}）"; font-size: 0.9rem; color: #555; flex: 1;
}}
[data-testid="stFileUploaderDropzone"] button {{ font-size: 0 !important; }}
[data-testid="stFileUploaderDropzone"] button * {{ display: none !important; }}
[data-testid="stFileUploaderDropzone"] button::after {{ content: "选择文件"; font-size: 0.9rem; }}
[data-testid="stFileChipName"] + * {{ display: none !important; }}
[data-testid="stFileChip"] [role="alert"] {{ font-size: 0 !important; }}
[data-testid="stFileChip"] [role="alert"]::after {{
  content: "上传失败（文件须不超过 {settings.max_mb:g} MB），请检查后重试"; font-size: 0.8rem;
}}
[data-testid="InputInstructions"], [data-testid="stMainMenu"], [data-testid="stAppDeployButton"] {{
  display: none !important;
}}
[data-testid="stStatusWidget"] label, [data-testid="stStatusWidget"] button {{ font-size: 0 !important; }}
[data-testid="stStatusWidget"] label::after {{ content: "处理中…"; font-size: 0.85rem; }}
[data-testid="stStatusWidget"] button::after {{ content: "停止"; font-size: 0.85rem; }}
.cme-summary {{ display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0.3rem 0 0.6rem 0; }}
.cme-chip {{ border: 1px solid; border-radius: 0.5rem; padding: 0.15rem 0.55rem; white-space: nowrap;
  display: inline-flex; gap: 0.35rem; align-items: baseline; font-size: 1.05rem; }}
.cme-chip-l {{ font-size: 0.8rem; color: #555; }}
@media (max-width: 640px) {{
  .cme-summary {{ flex-wrap: nowrap; overflow-x: auto; gap: 0.25rem; }}
  .cme-chip {{ font-size: 0.85rem; padding: 0.05rem 0.3rem; gap: 0.2rem; }}
  .cme-chip-l {{ font-size: 0.68rem; }}
  h1 {{ font-size: 1.5rem !important; }}
}}
</style>"""


# ---- the policy index: opened at start in the background, status always visible -----------------


@st.cache_resource(show_spinner=False)
def _warm_up(policy_dir: str, data_dir: str) -> float:
    """Start opening (or building) the policy index once per process; returns the start time."""
    from review.chat.scope import for_index
    from review.retrieval import get_index, warm_up

    settings = load_settings()
    thread = warm_up(settings)

    def examples() -> None:  # the chat gate's example questions, embedded once the index is open
        thread.join()
        scope = for_index(get_index(settings))
        if scope is not None:
            scope.warm()

    threading.Thread(target=examples, name="scope-examples-warm-up", daemon=True).start()
    return time.time()


def policy_index(settings: Settings) -> Any:
    """This process's PolicyIndex for the settings (may still be opening)."""
    from review.retrieval import get_index

    return get_index(settings)


def index_state(settings: Settings) -> tuple[str, str]:
    """('ready'|'loading'|'error', Chinese status) of the policy index."""
    try:
        idx = policy_index(settings)
    except Exception as e:  # noqa: BLE001 - the review still runs on the rules alone
        log.exception("index unavailable")
        return "error", getattr(e, "zh", "") or "政策索引暂不可用"
    if getattr(idx, "last_error", None):
        return "error", str(idx.last_error)
    if idx.is_ready():
        return "ready", "政策索引已就绪"
    return "loading", "政策索引正在打开（首次使用需建立索引，约半分钟），可以先上传申报书"


def wait_for_index(settings: Settings, timeout: float = INDEX_WAIT_S) -> Any:
    """The index once it is ready (None when it failed or took too long); a spinner says what is happening."""
    state, _ = index_state(settings)
    if state == "loading":
        with st.spinner("政策索引正在打开，完成后立即继续…"):
            t0 = time.perf_counter()
            while index_state(settings)[0] == "loading" and time.perf_counter() - t0 < timeout:
                time.sleep(0.3)
        state, _ = index_state(settings)
    if state != "ready":
        return None
    return policy_index(settings)


# ---- per-session state ---------------------------------------------------------------------------


def init_session() -> None:
    """Everything a user sees lives in st.session_state, never in globals."""
    ss = st.session_state
    ss.setdefault("sid", uuid.uuid4().hex[:12])
    ss.setdefault("report", None)
    ss.setdefault("pdf_bytes", None)
    ss.setdefault("review_id", None)
    ss.setdefault("upload_sig", None)
    ss.setdefault("error", None)
    ss.setdefault("chat", [])
    ss.setdefault("page_cache", {})
    ss.setdefault("model", None)
    ss.setdefault("model_ready", False)
    ss.setdefault("exports", {})
    ss.setdefault("notice_done", None)


def chat_model(settings: Settings) -> Any:
    """This session's chat model (None offline); created once per session."""
    ss = st.session_state
    if not ss.model_ready:
        ss.model_ready = True
        if settings.model_configured:
            try:
                from review.llm import get_chat_model

                ss.model = get_chat_model(settings)
            except Exception:  # noqa: BLE001 - fall back to offline, say so in the sidebar
                log.exception("model unavailable")
                ss.model = None
    return ss.model


# ---- sidebar -------------------------------------------------------------------------------------


def sidebar(settings: Settings) -> None:
    """Mode, reviewer name, index status, the notices in the corpus, adding a notice."""
    with st.sidebar:
        st.header("申报书预审")
        if settings.model_configured:
            st.success(f"模型模式：{settings.llm_model}")
            if st.session_state.model_ready and st.session_state.model is None:
                st.warning("模型不可用，本会话使用离线模式。")
        else:
            st.info("离线模式：规则检查、离线解释与点评，无需模型和网络。")
        st.text_input("审核人（记录在审核意见中）", key="reviewer", placeholder="姓名或工号")
        st.divider()
        index_status(settings)
        st.subheader("政策文件")
        done = st.session_state.notice_done
        if done:
            st.success(done)
        for n in notices_mod.list_notices(settings.policy_dir):
            st.markdown(f"- **{n.title}**  \n  <small>{n.date}</small>", unsafe_allow_html=True)
        add_notice(settings)


def index_status(settings: Settings) -> None:
    """The policy index's state; polls itself while the index is opening."""
    state, text = index_state(settings)
    if state == "loading":
        _index_status_polling(settings)
    elif state == "ready":
        st.caption(f":material/check_circle: {text}")
    else:
        st.warning(f"{text}；本次仅做规则检查，问答暂不可用。")


@st.fragment(run_every=2)
def _index_status_polling(settings: Settings) -> None:
    """Shown while the index opens; reruns the page once it is ready."""
    state, text = index_state(settings)
    if state != "loading":
        st.rerun()
    st.caption(f":material/hourglass_top: {text}")


def add_notice(settings: Settings) -> None:
    """Upload a notice (PDF/TXT) and index it, with a progress bar; the result stays visible above the list."""
    with st.expander("添加政策通知"):
        up = st.file_uploader("上传 PDF 或 TXT 格式的政策通知", key="notice_upload")
        if up is None or not st.button("加入政策文件并更新索引", key="notice_add"):
            return
        bar = st.progress(0.0, text="正在添加…")

        def progress(msg: str, frac: float = 0.0) -> None:
            bar.progress(max(0.0, min(1.0, float(frac))), text=msg)

        try:
            idx = policy_index(settings)
            stats = notices_mod.add_notice(idx, settings.policy_dir, up.name, up.getvalue(), progress=progress)
        except ReviewError as e:
            bar.empty()
            st.error(e.zh)
            return
        except Exception as e:  # noqa: BLE001
            log.exception("adding a notice failed")
            bar.empty()
            st.error(f"添加失败：{type(e).__name__}，请稍后重试。")
            return
        from review.render import notice_title

        name = str(stats.get("added") or notices_mod.safe_notice_name(up.name))
        st.session_state.notice_done = f"已加入《{notice_title(name, settings.policy_dir)}》，政策索引已更新。"
        st.rerun()


# ---- the review ----------------------------------------------------------------------------------


def check_limits(name: str, data: bytes, settings: Settings) -> Optional[str]:
    """A Chinese message when the upload breaks a limit, else None (content errors come from extraction)."""
    from review.extract.docx import OLD_DOC_ZH

    suffix = Path(name).suffix.lower()
    if suffix == ".doc" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return OLD_DOC_ZH
    if suffix not in DRAFT_EXTS:
        return f"请上传 PDF 或 Word（.docx）格式的申报书（收到的是“{Path(name).name}”）。"
    if len(data) > settings.max_mb * MB:
        return f"文件过大：{len(data) / MB:.1f} MB，上限为 {settings.max_mb:g} MB。请压缩或删去无关页面后再上传。"
    pages = page_count(data) if suffix == ".pdf" else None
    if pages is not None and pages > settings.max_pages:
        return f"页数过多：共 {pages} 页，上限为 {settings.max_pages} 页。请只上传申报书本身。"
    return None


def _reviewer() -> Any:
    """review.sandbox.review_bounded (the draft read in a bounded child) when present, else review_file."""
    import importlib

    from review.pipeline import review_file

    try:
        sandbox = importlib.import_module("review.sandbox")
    except ImportError:
        return review_file
    return getattr(sandbox, "review_bounded", None) or review_file


def run_review(name: str, data: bytes, settings: Settings) -> None:
    """Review one upload with truthful progress; the result or a Chinese error goes into session_state."""
    from review.pipeline import STAGES

    ss = st.session_state
    ss.report, ss.error, ss.chat, ss.page_cache, ss.exports = None, None, [], {}, {}
    problem = check_limits(name, data, settings)
    if problem:
        ss.error = problem
        return
    index = policy_index(settings) if index_state(settings)[0] != "error" else None
    model = chat_model(settings)
    with st.status("正在审查申报书…", expanded=True) as status:
        bar = st.progress(0.0, text=STAGES[0])
        seen: list[str] = []

        def progress(stage: str) -> None:
            if stage.startswith("识别第 ") and "/" in stage:
                done, total = stage.removeprefix("识别第 ").removesuffix(" 页").split("/")
                frac = (1 + (int(done) - 1) / max(1, int(total))) / (len(STAGES) + 1)
                bar.progress(min(1.0, frac), text=f"{STAGES[1]}：{stage}")
                return
            if stage in STAGES and stage not in seen:
                seen.append(stage)
                bar.progress(min(1.0, (STAGES.index(stage) + 1) / (len(STAGES) + 1)), text=stage)
                st.write(f"✓ {stage}")
                if stage == STAGES[3] and index is not None and not index.is_ready():
                    st.write("政策索引仍在打开，稍候…")

        t0 = time.perf_counter()
        try:
            with tempfile.TemporaryDirectory(prefix="cme-upload-") as tmp:
                path = Path(tmp) / (Path(name).name or "draft.pdf")
                path.write_bytes(data)
                report = _reviewer()(
                    path, settings, index=index, model=model, progress=progress, explain=index is not None
                )
        except ReviewError as e:
            status.update(label="无法完成审查", state="error", expanded=False)
            ss.error = e.zh
            return
        except Exception as e:  # noqa: BLE001 - never a traceback for the user
            log.exception("review failed")
            status.update(label="无法完成审查", state="error", expanded=False)
            ss.error = f"审查过程中出现内部错误（{type(e).__name__}），请稍后重试或联系管理员。"
            return
        if index is None:
            report.meta.notices.append("政策索引暂不可用，本次仅做规则检查，未生成解释与点评。")
        bar.progress(1.0, text="完成")
        status.update(label=f"审查完成（{time.perf_counter() - t0:.1f} 秒）", state="complete", expanded=False)
    ss.pdf_bytes = data if Path(name).suffix.lower() == ".pdf" else None
    ss.review_id = actions_db.review_id(data)
    report.actions = actions_db.actions_for(ss.review_id, actions_db.db_path(settings))
    ss.report = report


def new_upload(settings: Settings) -> Optional[tuple[str, bytes]]:
    """The draft uploader (labels and limits in Chinese); returns (name, bytes) when a new file arrived."""
    st.markdown(
        f"**上传申报书**（PDF 或 Word .docx：Word 原稿、Word 导出的 PDF、系统打印件、扫描件或可填写 PDF 均可；"
        f"不超过 {settings.max_mb:g} MB、{settings.max_pages} 页）"
    )
    up = st.file_uploader("上传申报书", key="draft_upload", label_visibility="collapsed")
    if up is None:
        return None
    data = up.getvalue()
    sig = (up.name, actions_db.review_id(data))
    if sig == st.session_state.upload_sig:
        return None
    st.session_state.upload_sig = sig
    return up.name, data


def on_action(settings: Settings) -> views.ActionFn:
    """Store a reviewer action (with the reviewer's name) and refresh the report's action record."""

    def act(f: Finding, action: str, reason: str) -> None:
        ss = st.session_state
        path = actions_db.db_path(settings)
        key = actions_db.finding_key(f)
        user = str(ss.get("reviewer") or "").strip()
        actions_db.record(ss.review_id, key, f.rule, action, reason, user=user, session=ss.sid, path=path)
        ss.report.actions = actions_db.actions_for(ss.review_id, path)

    return act


# ---- chat ----------------------------------------------------------------------------------------


def chat(settings: Settings, report: Optional[Report]) -> None:
    """Policy chat (about the current draft when there is one); history per session."""
    ss = st.session_state
    box = st.container()
    with box:
        for msg in ss.chat:
            show_message(msg)
    question = st.chat_input("就政策或本申报书提问，例如：远程项目最多可以授几个学分？", key="chat_q")
    if not question:
        return
    with box:
        show_message({"role": "user", "content": question})
        answer_question(question, settings, report)
        if not ss.chat[-1].get("streamed"):
            show_message(ss.chat[-1])


def dedupe_lines(text: str) -> str:
    """The text with repeated lines (same words) kept once."""
    seen: set[str] = set()
    out = []
    for line in str(text).split("\n"):
        key = "".join(line.split())
        if key and key in seen:
            continue
        seen.add(key)
        out.append(line)
    return "\n".join(out)


def show_message(msg: dict[str, Any]) -> None:
    """One chat message with its citations and the mode that produced it."""
    with st.chat_message(msg["role"]):
        st.markdown(dedupe_lines(msg["content"]).replace("\n", "  \n"))
        show_extras(msg)


def show_extras(msg: dict[str, Any]) -> None:
    """A message's cited clauses (by notice title) and the mode that produced it."""
    from review.render import notice_title

    for c in msg.get("citations", []):
        st.caption(f":material/attach_file: 《{notice_title(c['doc'])}》{c['section']}：{c['quote']}")
    if msg.get("mode"):
        st.caption(f"回答来源：{msg['mode']}")


def chat_mode(mode: str) -> str:
    """Who answered: the offline extractive answer or the model."""
    return "离线检索（政策原文摘录）" if mode in ("extractive", "offline") else f"模型 {mode}"


def answer_question(question: str, settings: Settings, report: Optional[Report]) -> None:
    """Ask the chat engine (waiting visibly for the index if it is still opening) and keep the exchange."""
    ss = st.session_state
    history = [{"role": m["role"], "content": m["content"]} for m in ss.chat]
    ss.chat.append({"role": "user", "content": question})
    index, model = wait_for_index(settings), chat_model(settings)
    if index is None:
        ss.chat.append({"role": "assistant", "content": "政策索引暂不可用，暂时无法回答。", "mode": "离线"})
        return
    try:
        from review.chat import ChatEngine

        engine = ChatEngine(index, model=model, report=report)
        if model is not None:
            with st.chat_message("assistant"):
                text = st.write_stream(engine.stream(question, history=history))
                ans = getattr(engine, "last_answer", None)
                cites = [c.model_dump() for c in ans.citations] if ans is not None else []
                msg: dict[str, Any] = {"role": "assistant", "content": str(text), "citations": cites, "streamed": True}
                msg["mode"] = chat_mode(ans.mode) if ans is not None else f"模型 {model.name}"
                show_extras(msg)
            ss.chat.append(msg)
            return
        with st.spinner("正在检索政策原文…"):
            ans = engine.ask(question, history=history)
        cites = [c.model_dump() for c in ans.citations]
        ss.chat.append({"role": "assistant", "content": ans.answer, "citations": cites, "mode": chat_mode(ans.mode)})
    except Exception as e:  # noqa: BLE001 - a failed answer is a message, not a crash
        log.exception("chat failed")
        why = getattr(e, "zh", "") or f"回答时出错（{type(e).__name__}）"
        ss.chat.append({"role": "assistant", "content": f"抱歉，{why}。", "mode": "错误"})


# ---- exports -------------------------------------------------------------------------------------


def export_files(report: Report) -> dict[str, bytes]:
    """JSON, Markdown and DOCX bytes for this report and its decisions, made once and kept in the session."""
    sig = hashlib.sha1(repr(sorted(report.actions.items())).encode()).hexdigest()
    cache = st.session_state.exports
    if cache.get("sig") != sig:
        cache.clear()
        cache.update(
            sig=sig,
            json=to_json(report).encode("utf-8"),
            md=to_markdown(report).encode("utf-8"),
            docx=to_docx(report),
        )
    return cache


def downloads(report: Report, settings: Settings) -> None:
    """JSON, Markdown and DOCX downloads (personal data masked), their bytes prepared before the buttons."""
    stem = Path(report.meta.file or "report").stem
    files = export_files(report)
    st.caption(
        "导出的报告已隐去身份证号、电话和地址，包含复核后的结论、每条审核意见的审核人和时间，以及各部分的生成方式。"
    )
    c1, c2, c3 = st.columns(3)
    c1.download_button("下载 JSON", files["json"], f"{stem}-预审.json", "application/json", key="dl_json")
    c2.download_button("下载 Markdown", files["md"], f"{stem}-预审.md", "text/markdown", key="dl_md")
    c3.download_button(
        "下载 Word（可打印归档）",
        files["docx"],
        f"{stem}-预审.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="dl_docx",
        type="primary",
    )
    st.download_button(
        "导出全部审核意见（JSONL，用于评测标注）",
        actions_db.export_text(actions_db.db_path(settings)).encode("utf-8"),
        "审核意见.jsonl",
        "application/json",
        key="dl_actions",
        help="加入评测集：cme-review eval --add-actions 审核意见.jsonl --pdf-dir 申报书所在目录",
    )


# ---- page ----------------------------------------------------------------------------------------


def report_view(report: Report, settings: Settings) -> None:
    """Summary, then the tabs of the report."""
    ss = st.session_state
    views.summary(report)
    tabs = st.tabs(["问题清单", "叙述点评", "读取的表单", "政策问答", "导出报告"], key="report_tabs")
    with tabs[0]:
        views.findings(report, ss.pdf_bytes, ss.page_cache, on_action(settings))
    with tabs[1]:
        views.narratives(report)
    with tabs[2]:
        views.form_view(report)
    with tabs[3]:
        chat(settings, report)
    with tabs[4]:
        downloads(report, settings)


def main() -> None:
    """The page: sidebar, upload (progress in a fixed slot, the old report cleared), report tabs, chat."""
    settings = load_settings()
    init_session()
    st.markdown(css(settings), unsafe_allow_html=True)
    _warm_up(str(settings.policy_dir), str(settings.data_dir))
    sidebar(settings)
    st.title("继续医学教育项目申报书预审")
    st.caption("上传申报书草稿，逐条核对政策要求；每个问题附修改建议、政策原文和读取位置。")
    upload = new_upload(settings)
    progress_slot = st.container()
    body = st.empty()
    ss = st.session_state
    if upload is not None:
        body.empty()  # the previous draft's report leaves the screen while the new one is read
        with progress_slot:
            run_review(*upload, settings)
    with body.container():
        if ss.error:
            st.error(ss.error)
        if ss.report is None:
            st.subheader("政策问答")
            chat(settings, None)
        else:
            report_view(ss.report, settings)


main()
