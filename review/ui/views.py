"""Streamlit views of a Report: summary, findings with page images, narratives, the extracted form."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Optional

import streamlit as st

from review.render import NARRATIVE_ZH, mode_zh
from review.report import NarrativeCritique, Report
from review.rules.base import SEVERITY_ZH, Finding
from review.sections import group_findings
from review.ui import formview
from review.ui.pages import finding_evidence, highlighted_page, pages_with_boxes

log = logging.getLogger(__name__)

SEVERITY_ICON = {"error": ":material/error:", "warning": ":material/warning:", "advice": ":material/lightbulb:"}
SEVERITY_COLOR = {"error": "red", "warning": "orange", "advice": "blue"}
ActionFn = Callable[[Finding, str, str], None]


def summary(report: Report) -> None:
    """Verdict, counts by severity, and how the review was produced."""
    c = report.counts()
    cols = st.columns(4)
    cols[0].metric("结论", "通过" if report.passed else "未通过")
    cols[1].metric("错误", c["error"])
    cols[2].metric("警告", c["warning"])
    cols[3].metric("建议", c["advice"])
    m = report.meta
    ocr = f" · OCR 页：{', '.join(map(str, m.ocr_pages))}" if m.ocr_pages else ""
    total = sum(v for k, v in m.timings.items() if k != "index")
    st.caption(
        f"文件：{m.file} · 版式：{m.style} · {m.pages} 页{ocr} · 规则：离线规则 · 解释与点评：{mode_zh(m.mode)} · 用时 {total:.1f} 秒"
    )
    for w in m.warnings:
        st.warning(w)
    for n in m.notices:
        st.info(n)


def _citations(f: Finding) -> None:
    """The cited clauses (doc · section · quote); the rule's own source when nothing was retrieved."""
    cites = [(c.doc, c.section, c.quote) for c in f.citations]
    if not cites and f.source:
        cites = [(f.source.doc, f.source.section, f.source.quote)]
    for doc, section, quote in cites:
        st.markdown(f"> {quote}\n\n<small>—— {doc} · {section}</small>", unsafe_allow_html=True)


def _page_images(f: Finding, report: Report, pdf_bytes: Optional[bytes], cache: dict[int, Any]) -> None:
    """The page(s) where the finding's values were read, boxes in red."""
    if not pdf_bytes:
        return
    pages = pages_with_boxes(finding_evidence(f, report))
    for page, boxes in pages.items():
        try:
            png = highlighted_page(pdf_bytes, page, boxes, cache)
        except Exception:  # noqa: BLE001 - a page image is a nicety; never break the report for it
            log.exception("page render failed: page %s", page)
            continue
        st.image(png, caption=f"第 {page} 页（红框：读取到的位置）", width="stretch")


def _action_controls(f: Finding, i: int, report: Report, on_action: ActionFn) -> None:
    """接受 / 驳回 with a reason; shows the stored decision."""
    from review.actions import finding_key

    done = report.actions.get(finding_key(f))
    if done:
        reason = f"：{done['reason']}" if done.get("reason") else ""
        st.success(f"审核意见：{done.get('action_zh', done.get('action'))}{reason}（{done.get('user') or '匿名'}）")
    c1, c2, c3 = st.columns([2, 5, 1])
    choice = c1.radio("审核意见", ["接受", "驳回"], key=f"act-{i}", horizontal=True, index=None)
    reason = c2.text_input("理由（驳回时必填）", key=f"reason-{i}")
    if c3.button("保存", key=f"save-{i}"):
        if choice is None:
            st.warning("请先选择“接受”或“驳回”。")
        elif choice == "驳回" and not reason.strip():
            st.warning("驳回时请填写理由，便于复核。")
        else:
            on_action(f, "accept" if choice == "接受" else "dismiss", reason)
            st.rerun()


def finding_block(
    f: Finding, i: int, report: Report, pdf_bytes: Optional[bytes], cache: dict[int, Any], on_action: ActionFn
) -> None:
    """One finding in an expander: message, fix, explanation, citations, page image, actions."""
    short = f.message[:48] + ("…" if len(f.message) > 48 else "")
    label = f"{SEVERITY_ZH[f.severity]} · {f.title or f.rule} · {short}"
    with st.expander(label, icon=SEVERITY_ICON[f.severity]):
        st.markdown(f"**问题**：{f.message}")
        if f.fix:
            st.markdown(f"**修改建议**：{f.fix}")
        if f.not_checked:
            st.caption("该项未能检查：相关字段未读取到。")
        if f.explanation:
            tag = "" if f.verified is None else ("（引文已核对）" if f.verified else "（引文未能核对）")
            st.markdown(f"**解释**（{mode_zh(f.explained_by)}{tag}）：" + f.explanation.replace("\n", "  \n"))
        _citations(f)
        _page_images(f, report, pdf_bytes, cache)
        st.caption(f"规则：`{f.rule}` · 字段：{', '.join(f.fields) or '—'}")
        _action_controls(f, i, report, on_action)


def findings(report: Report, pdf_bytes: Optional[bytes], cache: dict[int, Any], on_action: ActionFn) -> None:
    """Findings grouped by severity and form section."""
    if not report.findings:
        st.success("未发现问题。")
        return
    order = {id(f): i for i, f in enumerate(report.findings)}
    for sev, by_section in group_findings(report.findings).items():
        n = sum(len(v) for v in by_section.values())
        st.subheader(f":{SEVERITY_COLOR[sev]}[{SEVERITY_ZH[sev]}（{n}）]", icon=SEVERITY_ICON[sev])
        for section, items in by_section.items():
            st.markdown(f"**{section}**")
            for f in items:
                finding_block(f, order[id(f)], report, pdf_bytes, cache, on_action)


def _narrative(key: str, n: NarrativeCritique) -> None:
    """One narrative critique: score, criteria table, issues, suggestions, rewrite."""
    st.subheader(NARRATIVE_ZH.get(key, key))
    c1, c2, c3 = st.columns(3)
    c1.metric("得分", f"{n.score} / 100")
    c2.metric("字数", n.chars, delta=n.chars - n.min_chars, help=f"要求不少于 {n.min_chars} 字（不计空白）")
    c3.caption(f"点评来源：{mode_zh(n.critiqued_by, '点评')}")
    if n.criteria:
        st.table([{"评分项": c.name, "得分": f"{c.score:g}", "满分": f"{c.max:g}", "说明": c.note} for c in n.criteria])
    for x in n.issues:
        st.markdown(f"- :material/report: 问题：{x}")
    for x in n.suggestions:
        st.markdown(f"- :material/lightbulb: 建议：{x}")
    if n.rewrite:
        with st.expander("参考改写"):
            st.write(n.rewrite)


def narratives(report: Report) -> None:
    """The 叙述点评 tab."""
    if not report.narratives:
        st.info("本次审查未生成叙述点评。")
        return
    for key, n in report.narratives.items():
        _narrative(key, n)
        st.divider()


def form_view(report: Report) -> None:
    """What was read from the draft, as tables (full values, on screen only)."""
    form = report.form
    st.caption("以下为从申报书中读取到的内容（仅在屏幕上显示完整信息，导出的报告会隐去身份证号、电话和地址）。")
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**基本信息**")
        st.table(formview.basic_rows(form))
    with c2:
        st.markdown("**项目负责人**")
        st.table(formview.lead_rows(form))
    for title, items, labels in (
        ("课程及教师信息", form.teachers, formview.TEACHER_ZH),
        ("举办时间与地点", form.events, formview.EVENT_ZH),
        ("近三年申报、执行情况", form.history, formview.HISTORY_ZH),
    ):
        st.markdown(f"**{title}**")
        rows = formview.table_rows(items, labels)
        if rows:
            st.table(rows)
        else:
            st.caption(formview.UNREAD)
    for key, zh in formview.NARRATIVE_FIELDS.items():
        text = getattr(form, key)
        with st.expander(f"{zh}（{len(''.join((text or '').split()))} 字）"):
            st.write(text or formview.UNREAD)
