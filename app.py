"""Streamlit app: upload a draft, read the review, ask about policy, file a report (`streamlit run app.py`)."""

from __future__ import annotations

import logging
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Optional

import streamlit as st

from review import actions as actions_db
from review.config import Settings, load_settings
from review.errors import InputError, ReviewError
from review.render import masked_report, to_docx, to_markdown
from review.report import Report
from review.rules.base import Finding
from review.ui import notices as notices_mod
from review.ui import views
from review.ui.pages import page_count

log = logging.getLogger("cme-review.app")
MB = 1024 * 1024

st.set_page_config(page_title="继续医学教育项目申报书预审", layout="wide")


# ---- cached read-only resources (shared across sessions) ----------------------------------------


@st.cache_resource(show_spinner=False)
def get_index_cached(policy_dir: str, data_dir: str) -> Any:
    """The policy index, opened (and built if needed) once per process."""
    from review.retrieval import get_index

    return get_index(load_settings().with_(policy_dir=Path(policy_dir), data_dir=Path(data_dir)))


def settings_() -> Settings:
    """Settings for this run (read from the environment each rerun: cheap, immutable)."""
    return load_settings()


def index_for(settings: Settings) -> Any:
    """The cached index for these settings, or None (with a notice) when it cannot be opened."""
    try:
        with st.spinner("正在加载政策索引（首次使用需建立索引，约需半分钟）…"):
            return get_index_cached(str(settings.policy_dir), str(settings.data_dir))
    except Exception as e:  # noqa: BLE001 - the review still runs on the rules alone
        log.exception("index unavailable")
        st.session_state.index_error = getattr(e, "zh", "") or "政策索引暂不可用"
        return None


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
    """Mode, reviewer name, the notices in the corpus, adding a notice."""
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
        st.subheader("政策文件")
        for n in notices_mod.list_notices(settings.policy_dir):
            st.markdown(f"- **{n.title}**  \n  <small>{n.date} · `{n.file}`</small>", unsafe_allow_html=True)
        add_notice(settings)


def add_notice(settings: Settings) -> None:
    """Upload a notice (PDF/TXT) into the corpus and rebuild the index."""
    with st.expander("添加政策通知"):
        done = st.session_state.pop("notice_done", None)
        if done:
            st.success(done)
        up = st.file_uploader("上传 PDF 或 TXT", key="notice_upload")
        if up is None or not st.button("加入语料并重建索引", key="notice_add"):
            return
        try:
            dest = notices_mod.save_notice(settings.policy_dir, up.name, up.getvalue())
        except InputError as e:
            st.error(e.zh)
            return
        try:
            with st.spinner("正在重建政策索引…"):
                idx = get_index_cached(str(settings.policy_dir), str(settings.data_dir))
                idx.build(force=True)
        except Exception as e:  # noqa: BLE001
            log.exception("index rebuild failed")
            st.error(f"已保存 {dest.name}，但重建索引失败：{getattr(e, 'zh', '') or type(e).__name__}")
            return
        st.session_state.notice_done = f"已加入 {dest.name} 并重建索引。"
        st.rerun()


# ---- the review ----------------------------------------------------------------------------------


def check_limits(name: str, data: bytes, settings: Settings) -> Optional[str]:
    """A Chinese message when the upload breaks a limit, else None (content errors come from extraction)."""
    if Path(name).suffix.lower() != ".pdf":
        return f"请上传 PDF 格式的申报书（收到的是“{Path(name).name}”）。"
    if len(data) > settings.max_mb * MB:
        return f"文件过大：{len(data) / MB:.1f} MB，上限为 {settings.max_mb:g} MB。请压缩或删去无关页面后再上传。"
    pages = page_count(data)
    if pages is not None and pages > settings.max_pages:
        return f"页数过多：共 {pages} 页，上限为 {settings.max_pages} 页。请只上传申报书本身。"
    return None


def run_review(name: str, data: bytes, settings: Settings) -> None:
    """Review one upload with visible stages; the result or a Chinese error goes into session_state."""
    from review.pipeline import STAGES, review_pdf

    ss = st.session_state
    ss.report, ss.error, ss.chat, ss.page_cache = None, None, [], {}
    problem = check_limits(name, data, settings)
    if problem:
        ss.error = problem
        return
    index = index_for(settings)
    model = chat_model(settings)
    with st.status("正在审查申报书…", expanded=True) as status:
        bar = st.progress(0.0, text=STAGES[0])
        seen: list[str] = []

        def progress(stage: str) -> None:
            if stage in STAGES and stage not in seen:
                seen.append(stage)
                bar.progress(min(1.0, (STAGES.index(stage) + 1) / (len(STAGES) + 1)), text=stage)
                st.write(f"✓ {stage}")

        t0 = time.perf_counter()
        try:
            with tempfile.TemporaryDirectory(prefix="cme-upload-") as tmp:
                path = Path(tmp) / (Path(name).name or "draft.pdf")
                path.write_bytes(data)
                report = review_pdf(
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
    ss.pdf_bytes = data
    ss.review_id = actions_db.review_id(data)
    report.actions = actions_db.actions_for(ss.review_id, actions_db.db_path(settings))
    ss.report = report


def handle_upload(settings: Settings) -> None:
    """The draft uploader; a new file starts a new review (progress shown in a fixed slot so the layout stays put)."""
    up = st.file_uploader("上传申报书 PDF（Word 导出、系统打印件、扫描件或可填写 PDF 均可）", key="draft_upload")
    slot = st.container()
    if up is None:
        return
    data = up.getvalue()
    sig = (up.name, actions_db.review_id(data))
    if sig != st.session_state.upload_sig:
        st.session_state.upload_sig = sig
        with slot:
            run_review(up.name, data, settings)


def on_action(settings: Settings) -> views.ActionFn:
    """Store a reviewer action and refresh the report's action record."""

    def act(f: Finding, action: str, reason: str) -> None:
        ss = st.session_state
        path = actions_db.db_path(settings)
        key = actions_db.finding_key(f)
        actions_db.record(
            ss.review_id, key, f.rule, action, reason, user=ss.get("reviewer", ""), session=ss.sid, path=path
        )
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


def show_message(msg: dict[str, Any]) -> None:
    """One chat message with its citations and the mode that produced it."""
    with st.chat_message(msg["role"]):
        st.markdown(str(msg["content"]).replace("\n", "  \n"))
        show_extras(msg)


def show_extras(msg: dict[str, Any]) -> None:
    """A message's cited clauses and the mode that produced it."""
    for c in msg.get("citations", []):
        st.caption(f":material/attach_file: {c['doc']} · {c['section']}：{c['quote']}")
    if msg.get("mode"):
        st.caption(f"回答来源：{msg['mode']}")


def chat_mode(mode: str) -> str:
    """Who answered: the offline extractive answer or the model."""
    return "离线检索（政策原文摘录）" if mode in ("extractive", "offline") else f"模型 {mode}"


def answer_question(question: str, settings: Settings, report: Optional[Report]) -> None:
    """Ask the chat engine and append the exchange to this session's history."""
    ss = st.session_state
    history = [{"role": m["role"], "content": m["content"]} for m in ss.chat]
    ss.chat.append({"role": "user", "content": question})
    index, model = index_for(settings), chat_model(settings)
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
        ans = engine.ask(question, history=history)
        cites = [c.model_dump() for c in ans.citations]
        ss.chat.append({"role": "assistant", "content": ans.answer, "citations": cites, "mode": chat_mode(ans.mode)})
    except Exception as e:  # noqa: BLE001 - a failed answer is a message, not a crash
        log.exception("chat failed")
        why = getattr(e, "zh", "") or f"回答时出错（{type(e).__name__}）"
        ss.chat.append({"role": "assistant", "content": f"抱歉，{why}。", "mode": "错误"})


# ---- exports -------------------------------------------------------------------------------------


def downloads(report: Report) -> None:
    """JSON, Markdown and DOCX downloads (personal data masked), generated on click."""
    stem = Path(report.meta.file or "report").stem
    st.caption("导出的报告已隐去身份证号、电话和地址，包含审核意见与各部分的生成方式。")
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        "下载 JSON", lambda: masked_report(report).to_json(), f"{stem}-预审.json", "application/json", key="dl_json"
    )
    c2.download_button("下载 Markdown", lambda: to_markdown(report), f"{stem}-预审.md", "text/markdown", key="dl_md")
    c3.download_button(
        "下载 Word（可打印归档）",
        lambda: to_docx(report),
        f"{stem}-预审.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="dl_docx",
        type="primary",
    )
    st.download_button(
        "导出全部审核意见（JSONL，用于评测标注）",
        lambda: actions_db.export_text(),
        "审核意见.jsonl",
        "application/json",
        key="dl_actions",
        help="加入评测集：cme-review eval --add-actions 审核意见.jsonl --pdf-dir 申报书所在目录",
    )


# ---- page ----------------------------------------------------------------------------------------


def main() -> None:
    """The page: sidebar, upload, report tabs, chat, downloads."""
    settings = settings_()
    init_session()
    sidebar(settings)
    st.title("继续医学教育项目申报书预审")
    st.caption("上传申报书草稿，逐条核对政策要求；每个问题附修改建议、政策原文和所在页面位置。")
    handle_upload(settings)
    ss = st.session_state
    if ss.error:
        st.error(ss.error)
    report: Optional[Report] = ss.report
    if report is None:
        st.subheader("政策问答")
        chat(settings, None)
        return
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
        downloads(report)


main()
