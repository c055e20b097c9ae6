"""Streamlit views of a Report: summary, finding cards, narratives, the extracted form."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import Any, Optional

import streamlit as st

from review.actions import ACTIONS, finding_key
from review.extract.docx import where_zh
from review.form import Evidence
from review.render import NARRATIVE_ZH, card_explanation, mode_zh, notice_title, reviewed_counts, when_zh
from review.report import NarrativeCritique, Report
from review.rules.base import SEVERITY_ZH, Finding
from review.sections import field_zh, group_findings
from review.ui import formview
from review.ui.pages import finding_evidence, highlighted_page, pages_with_boxes

log = logging.getLogger(__name__)

SEVERITY_ICON = {"error": ":material/error:", "warning": ":material/warning:", "advice": ":material/lightbulb:"}
SEVERITY_COLOR = {"error": "red", "warning": "orange", "advice": "blue"}
ActionFn = Callable[[Finding, str, str], None]
STYLE_ZH = {
    "word-table": "Word 导出的表格",
    "printout": "系统打印件",
    "scan": "扫描件",
    "fillable": "可填写 PDF",
    "docx": "Word 文档",
    "unknown": "未识别",
}


# ---- summary -------------------------------------------------------------------------------------


def _chip(label: str, value: str, color: str) -> str:
    """One count in the summary row (HTML; escaped)."""
    return (
        f'<span class="cme-chip" style="border-color:{color}"><span class="cme-chip-l">{html.escape(label)}</span>'
        f'<b style="color:{color}">{html.escape(value)}</b></span>'
    )


def summary_html(report: Report) -> str:
    """The verdict and counts in one wrapping row: automatic, and after the reviewer's decisions."""
    c = report.counts()
    auto = "通过" if report.passed else "未通过"
    chips = [_chip("自动结论", auto, "#2e7d32" if report.passed else "#c62828")]
    if report.actions:
        rc = reviewed_counts(report)
        ok = rc["error"] == 0
        chips.append(_chip("复核后", "通过" if ok else "未通过", "#2e7d32" if ok else "#c62828"))
        chips += [
            _chip("错误", f"{rc['error']}/{c['error']}" if rc["error"] != c["error"] else str(c["error"]), "#c62828"),
            _chip(
                "警告",
                f"{rc['warning']}/{c['warning']}" if rc["warning"] != c["warning"] else str(c["warning"]),
                "#ef6c00",
            ),
            _chip(
                "建议", f"{rc['advice']}/{c['advice']}" if rc["advice"] != c["advice"] else str(c["advice"]), "#1565c0"
            ),
            _chip("已复核", f"{rc['decided']}/{len(report.findings)}", "#555"),
        ]
    else:
        chips += [
            _chip("错误", str(c["error"]), "#c62828"),
            _chip("警告", str(c["warning"]), "#ef6c00"),
            _chip("建议", str(c["advice"]), "#1565c0"),
        ]
    return f'<div class="cme-summary" data-testid="cme-summary">{"".join(chips)}</div>'


def summary(report: Report) -> None:
    """Verdict and counts (one row, also on a phone), warnings, and how the review ran inside 详细信息."""
    st.markdown(summary_html(report), unsafe_allow_html=True)
    if report.actions:
        st.caption("“复核后”为去掉已驳回问题后的结论与数量（“1/2”表示复核后 1 项、自动检查 2 项）。")
    for w in report.meta.warnings:
        st.warning(w)
    for n in report.meta.notices:
        st.info(n)
    m = report.meta
    with st.expander("详细信息：文件与审查方式", icon=":material/info:"):
        ocr = f"；OCR 识别页：{', '.join(map(str, m.ocr_pages))}" if m.ocr_pages else ""
        pages = "" if m.style == "docx" else f"；{m.pages} 页"
        total = sum(v for k, v in m.timings.items() if k != "index")
        st.caption(
            f"文件：{m.file}；版式：{STYLE_ZH.get(m.style, m.style)}{pages}{ocr}；规则：离线规则；"
            f"解释与点评：{mode_zh(m.mode)}；用时 {total:.1f} 秒；版本 {m.version}"
        )


# ---- finding cards -------------------------------------------------------------------------------


def _citations(f: Finding) -> None:
    """The cited clauses, named by the notice's title and section."""
    cites = [(c.doc, c.section, c.quote) for c in f.citations]
    if not cites and f.source:
        cites = [(f.source.doc, f.source.section, f.source.quote)]
    for doc, section, quote in cites:
        st.markdown(f"> {quote}\n\n<small>—— 《{notice_title(doc)}》{section}</small>", unsafe_allow_html=True)


def _page_images(f: Finding, report: Report, pdf_bytes: Optional[bytes], cache: dict[int, Any]) -> None:
    """The page band(s) where the finding's values were read, boxes in red."""
    if not pdf_bytes:
        return
    for page, boxes in pages_with_boxes(finding_evidence(f, report)).items():
        try:
            png = highlighted_page(pdf_bytes, page, boxes, cache)
        except Exception:  # noqa: BLE001 - a page image is a nicety; never break the report for it
            log.exception("page render failed: page %s", page)
            continue
        st.image(png, caption=f"第 {page} 页（红框：读取到的位置）", width="content")


def word_places(f: Finding, report: Report) -> list[Evidence]:
    """Word evidence (table/row/cell) of a finding: its own, else the report's for its fields."""
    ev = [e for e in f.evidence if e.cell]
    return ev or [report.evidence[k] for k in f.fields if k in report.evidence and report.evidence[k].cell]


def _word_evidence(f: Finding, report: Report) -> None:
    """Where in the Word document the values were read: table, row, column and the text found there."""
    for e in word_places(f, report)[:4]:
        raw = e.raw if len(e.raw) <= 80 else e.raw[:80] + "…"
        st.markdown(f":material/table: **{where_zh(e)}**：{raw}")


def decision_badge(report: Report, f: Finding) -> str:
    """':green-badge[已接受]' / ':gray-badge[已驳回]' / ':orange-badge[待复核]' for the card's label."""
    a = report.actions.get(finding_key(f))
    if not a:
        return ":orange-badge[待复核]"
    if a.get("action") == "dismiss":
        return ":gray-badge[已驳回]"
    return ":green-badge[已接受]"


def _action_controls(f: Finding, i: int, report: Report, on_action: ActionFn) -> None:
    """接受 / 驳回 with a reason; the stored decision with the reviewer's name and time."""
    done = report.actions.get(finding_key(f))
    if done:
        reason = f"，理由：{done['reason']}" if done.get("reason") else ""
        st.success(
            f"已{ACTIONS.get(done.get('action', ''), done.get('action'))}{reason}"
            f"（审核人：{done.get('user') or '未署名'}，{when_zh(done.get('ts', ''))}）"
        )
    c1, c2, c3 = st.columns([2, 5, 1], vertical_alignment="bottom")
    choice = c1.radio("审核意见", ["接受", "驳回"], key=f"act-{i}", horizontal=True, index=None)
    reason = c2.text_input("理由（驳回时必填）", key=f"reason-{i}")
    if c3.button("保存", key=f"save-{i}"):
        if choice is None:
            st.warning("请先选择“接受”或“驳回”。")
        elif choice == "驳回" and not reason.strip():
            st.warning("驳回时请填写理由，便于复核。")
        elif not str(st.session_state.get("reviewer") or "").strip():
            st.warning("请先在左侧栏填写审核人姓名，审核意见会署名记录。")
        else:
            on_action(f, "accept" if choice == "接受" else "dismiss", reason)
            st.rerun()


def finding_block(
    f: Finding, i: int, report: Report, pdf_bytes: Optional[bytes], cache: dict[int, Any], on_action: ActionFn
) -> None:
    """One finding: the message once, one explanation, one fix, the clause, where it was read, actions, details."""
    label = f"{decision_badge(report, f)} {SEVERITY_ZH[f.severity]} · {f.title or f.message[:40]}"
    with st.expander(label, icon=SEVERITY_ICON[f.severity]):
        st.markdown(f"**问题**：{f.message}")
        expl = card_explanation(f)
        if expl:
            st.markdown("**说明**：" + expl.replace("\n", "  \n"))
        if f.fix:
            st.markdown(f"**修改建议**：{f.fix}")
        _citations(f)
        if report.meta.style == "docx":
            _word_evidence(f, report)
        else:
            _page_images(f, report, pdf_bytes, cache)
        _action_controls(f, i, report, on_action)
        if st.toggle("详细信息", key=f"details-{i}"):
            tag = "" if f.verified is None else ("；引文已核对" if f.verified else "；引文未能核对")
            docs = ", ".join(dict.fromkeys(c.doc for c in f.citations)) or (f.source.doc if f.source else "—")
            st.caption(
                f"规则：{f.rule}；字段：{', '.join(f.fields) or '—'}；解释：{mode_zh(f.explained_by)}{tag}；文件：{docs}"
            )


def not_checked_block(items: list[Finding]) -> None:
    """Every 'could not check' item in one block: the unread fields, and where to look."""
    fields = list(dict.fromkeys(field_zh(k) for f in items for k in f.fields)) or ["（未注明）"]
    titles = "、".join(dict.fromkeys(f.title for f in items if f.title))
    st.info(
        f"有 {len(items)} 项未能检查，因为没有读取到这些内容：{'、'.join(fields)}。"
        "请到“读取的表单”标签页核对读取结果；若申报书中确有填写，请人工检查这些项目，或补全后重新上传。",
        icon=":material/help:",
    )
    if titles:
        st.caption(f"涉及的检查项：{titles}")
    if st.toggle("详细信息", key="details-not-checked"):
        st.caption("；".join(f"{f.rule}（{', '.join(f.fields)}）" for f in items))


def findings(report: Report, pdf_bytes: Optional[bytes], cache: dict[int, Any], on_action: ActionFn) -> None:
    """Findings grouped by severity and form section; 'could not check' items in one block at the end."""
    if not report.findings:
        st.success("未发现问题。")
        return
    order = {id(f): i for i, f in enumerate(report.findings)}
    checked = [f for f in report.findings if not f.not_checked]
    for sev, by_section in group_findings(checked).items():
        n = sum(len(v) for v in by_section.values())
        st.subheader(f":{SEVERITY_COLOR[sev]}[{SEVERITY_ZH[sev]}（{n}）]")
        for section, items in by_section.items():
            st.markdown(f"**{section}**")
            for f in items:
                finding_block(f, order[id(f)], report, pdf_bytes, cache, on_action)
    unchecked = [f for f in report.findings if f.not_checked]
    if unchecked:
        st.subheader("未能检查的项目")
        not_checked_block(unchecked)


# ---- narratives and form -------------------------------------------------------------------------


def _narrative(key: str, n: NarrativeCritique) -> None:
    """One narrative critique: score, criteria table, issues, suggestions, rewrite."""
    st.subheader(NARRATIVE_ZH.get(key, key))
    c1, c2, c3 = st.columns(3)
    c1.metric("得分", f"{n.score} / 100")
    c2.metric("字数", n.chars, delta=n.chars - n.min_chars, help=f"要求不少于 {n.min_chars} 字（不计空白）")
    c3.caption(f"点评来源：{mode_zh(n.critiqued_by, '点评')}")
    if n.criteria:
        st.table([{"评分项": c.name, "得分": f"{c.score:g}", "满分": f"{c.max:g}", "说明": c.note} for c in n.criteria])
    for x in dict.fromkeys(n.issues):
        st.markdown(f"- :material/report: 问题：{x}")
    for x in dict.fromkeys(n.suggestions):
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
