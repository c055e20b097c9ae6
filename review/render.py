"""Reports people can file and print: Markdown and DOCX renderings of a Report (privacy-masked)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

from review.config import load_settings
from review.findings import finding_key
from review.privacy import mask_evidence, mask_form, masker_for
from review.report import NarrativeCritique, Report
from review.rules.base import SEVERITY_ZH, Finding
from review.sections import section_of

TITLE = "继续医学教育推荐项目申报书预审报告"
NARRATIVE_ZH: dict[str, str] = {
    "peer_review": "同行评议意见",
    "achievements": "项目负责人主要成绩",
    "unit_profile": "申报单位及科室基本情况",
}


# ---- privacy -------------------------------------------------------------------------------------


def _mask_strings(obj: Any, mask: Callable[[str], str], skip: tuple[str, ...] = ()) -> Any:
    """Apply `mask` to every string in a JSON-like structure, leaving keys in `skip` untouched."""
    if isinstance(obj, str):
        return mask(obj)
    if isinstance(obj, list):
        return [_mask_strings(x, mask, skip) for x in obj]
    if isinstance(obj, dict):
        return {k: (v if k in skip else _mask_strings(v, mask, skip)) for k, v in obj.items()}
    return obj


def masked_report(report: Report) -> Report:
    """A copy for export: form via mask_form, every other free text via mask_text (policy quotes kept verbatim)."""
    # this draft's own ID number and phones masked wherever they appear; evidence masked field by field
    mask_text = masker_for(report.form, report.evidence)
    evidence = {k: e.model_dump(mode="json") for k, e in mask_evidence(report.evidence, report.form).items()}
    data = report.model_dump(mode="json")
    form = mask_form(report.form.model_copy(deep=True))
    data = _mask_strings(data, mask_text, skip=("form", "citations", "source", "meta", "actions"))
    data["form"] = form.model_dump(mode="json")
    data["evidence"] = evidence
    meta = data.get("meta") or {}
    for key in ("file", "notices", "warnings"):  # a file name may hold a name or an ID number
        if key in meta:
            meta[key] = _mask_strings(meta[key], mask_text)
    return Report.model_validate(data)


# ---- shared wording ------------------------------------------------------------------------------


def mode_zh(mode: Optional[str], kind: str = "解释") -> str:
    """Who produced a part: 离线规则/离线解释/离线点评 or the model name."""
    if not mode or mode == "offline":
        return f"离线{kind}"
    return f"模型 {mode}"


def reviewed_counts(report: Report) -> dict[str, int]:
    """Counts per severity after the reviewer's decisions (dismissed findings left out), plus 'decided'."""
    out = {"error": 0, "warning": 0, "advice": 0, "decided": 0}
    for f in report.findings:
        a = report.actions.get(finding_key(f))
        if a:
            out["decided"] += 1
        if not a or a.get("action") != "dismiss":
            out[f.severity] += 1
    return out


def summary_line(report: Report) -> str:
    """通过/未通过 with counts."""
    c = report.counts()
    verdict = "通过（无错误项）" if report.passed else "未通过"
    return f"{verdict}：错误 {c['error']} 项 · 警告 {c['warning']} 项 · 建议 {c['advice']} 项"


def reviewed_line(report: Report) -> str:
    """The verdict after the reviewer's decisions ('' when nothing was decided)."""
    if not report.actions:
        return ""
    rc = reviewed_counts(report)
    verdict = "通过（无错误项）" if rc["error"] == 0 else "未通过"
    return (
        f"{verdict}：错误 {rc['error']} 项 · 警告 {rc['warning']} 项 · 建议 {rc['advice']} 项"
        f"（已复核 {rc['decided']}/{len(report.findings)} 项，已驳回的问题不计）"
    )


def when_zh(ts: str) -> str:
    """An ISO timestamp as '2026-12-02 08:51 UTC' ('' when missing)."""
    if not ts:
        return ""
    return ts.replace("T", " ")[:16] + (" UTC" if ts.endswith(("+00:00", "Z")) else "")


def _action_text(report: Report, f: Finding) -> str:
    """The reviewer's decision on a finding with reviewer and time, or an empty string."""
    a = report.actions.get(finding_key(f))
    if not a:
        return ""
    reason = f"（{a.get('reason')}）" if a.get("reason") else ""
    who = f"；审核人：{a.get('user') or '未署名'}，{when_zh(a.get('ts', ''))}"
    return f"{a.get('action_zh') or a.get('action')}{reason}{who}"


_TITLES: dict[tuple[str, float], dict[str, str]] = {}


def _first_title_line(path: Any) -> str:
    """A notice's own title: the first short non-empty line of its text ('' when unreadable)."""
    from review.retrieval.corpus import read_text  # the index stack (~0.5 s): only when titles are read

    try:
        text = read_text(path)
    except Exception:  # noqa: BLE001 - an unreadable notice is named by its file stem
        return ""
    for line in text.splitlines()[:15]:
        line = line.strip().strip("#").strip()
        if 4 <= len(line) <= 80:
            return line
    return ""


def notice_titles(policy_dir: Any = None) -> dict[str, str]:
    """Title per notice file: the provenance table's title, else the notice's first line (cached per folder state)."""
    # review.retrieval loads numpy and the index stack (~0.5 s): Markdown/DOCX output alone never pays for it
    from review.retrieval.corpus import load_provenance, source_files

    folder = Path(policy_dir or load_settings().policy_dir)
    try:
        stamp = max((p.stat().st_mtime for p in folder.iterdir()), default=0.0)
    except OSError:
        return {}
    key = (str(folder.resolve()), stamp)
    if key not in _TITLES:
        prov = load_provenance(folder)
        out = {}
        for p in source_files(folder):
            meta = prov.get(p.name)
            out[p.name] = (meta.title if meta and meta.title else "") or _first_title_line(p) or p.stem
        _TITLES.clear()
        _TITLES[key] = out
    return _TITLES[key]


def notice_title(doc: str, policy_dir: Any = None) -> str:
    """The title a clerk knows a notice by, for a file name in the corpus (the stem when unknown)."""
    try:
        titles = notice_titles(policy_dir)
    except Exception:  # noqa: BLE001 - naming is cosmetic; never break a report for it
        titles = {}
    return titles.get(doc) or doc.rsplit(".", 1)[0]


def _sentences(text: str) -> list[str]:
    """Lines of a text split after 。！？ (kept), empty parts dropped."""
    out: list[str] = []
    for line in (text or "").splitlines():
        part = ""
        for ch in line:
            part += ch
            if ch in "。！？":
                out.append(part.strip())
                part = ""
        if part.strip():
            out.append(part.strip())
    return [x for x in out if x]


def _squash(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def card_explanation(f: Finding) -> str:
    """The explanation without what the card already shows: title, message, fix and the quoted clause."""
    shown = [_squash(x) for x in (f.message, f.fix, f.title) if x]
    shown += [_squash(c.quote) for c in f.citations] + ([_squash(f.source.quote)] if f.source else [])
    keep: list[str] = []
    for sent in _sentences(f.explanation or ""):
        s = sent
        if f.title and s.startswith(f"【{f.title}】"):
            s = s[len(f.title) + 2 :].strip()
        body = _squash(s.split("：", 1)[1] if s.startswith(("修改建议", "依据")) and "：" in s else s)
        if not body or any(body in x or (len(x) > 8 and x in body) for x in shown if x):
            continue
        if s.startswith("依据") and any(q and q[:12] in body for q in shown):
            continue
        if s not in keep:
            keep.append(s)
    return "\n".join(keep)


def _meta_rows(report: Report) -> list[tuple[str, str]]:
    """Header facts about the draft and how it was reviewed."""
    f, m = report.form, report.meta
    return [
        ("文件", m.file or "—"),
        ("项目名称", f.title or "—"),
        ("申报单位", f.applicant_unit or "—"),
        ("项目负责人", (f.lead.name if f.lead else None) or "—"),
        ("项目级别", f.level or "—"),
        ("版式 / 页数", f"{m.style} / {m.pages} 页" + (f"（OCR 页：{m.ocr_pages}）" if m.ocr_pages else "")),
        ("审查模式", "离线规则" + ("" if m.mode == "offline" else f" + 模型 {m.mode}") + f"；解释：{mode_zh(m.mode)}"),
        ("生成时间", m.generated_at or "—"),
        ("版本", m.version or "—"),
    ]


# ---- Markdown ------------------------------------------------------------------------------------


def _md_cell(text: Any) -> str:
    """Text safe for a Markdown table cell."""
    return str(text if text is not None else "").replace("|", "｜").replace("\n", " ")


def _md_finding(i: int, f: Finding, report: Report) -> list[str]:
    """One finding's explanation block."""
    out = [f"### {i}. [{SEVERITY_ZH[f.severity]}] {f.title or f.rule}（{section_of(f)} · `{f.rule}`）", ""]
    out.append(f"- 问题：{f.message}")
    if f.fix:
        out.append(f"- 修改建议：{f.fix}")
    if f.explanation:
        out.append(f"- 解释（{mode_zh(f.explained_by)}）：" + f.explanation.replace("\n", "\n  "))
    for c in f.citations:
        out.append(f"- 依据：《{notice_title(c.doc)}》{c.section}")
        out.append(f"  > {c.quote}")
    if not f.citations and f.source:
        out.append(f"- 依据：《{notice_title(f.source.doc)}》{f.source.section}")
        out.append(f"  > {f.source.quote}")
    act = _action_text(report, f)
    if act:
        out.append(f"- 审核意见：{act}")
    out.append("")
    return out


def _md_narrative(key: str, n: NarrativeCritique) -> list[str]:
    """One narrative critique block."""
    out = [f"### {NARRATIVE_ZH.get(key, key)}（{n.score} 分，{mode_zh(n.critiqued_by, '点评')}）", ""]
    out.append(f"字数 {n.chars}（要求不少于 {n.min_chars}）")
    out.append("")
    if n.criteria:
        out += ["| 评分项 | 得分 | 满分 | 说明 |", "| --- | --- | --- | --- |"]
        out += [f"| {_md_cell(c.name)} | {c.score:g} | {c.max:g} | {_md_cell(c.note)} |" for c in n.criteria]
        out.append("")
    out += [f"- 问题：{x}" for x in n.issues]
    out += [f"- 建议：{x}" for x in n.suggestions]
    if n.rewrite:
        out += ["", "参考改写：", "", f"> {n.rewrite}"]
    out.append("")
    return out


def to_markdown(report: Report, mask: bool = True) -> str:
    """The report as Markdown (masked for export unless mask=False)."""
    rep = masked_report(report) if mask else report
    lines = [f"# {TITLE}", ""]
    lines += [f"- **{k}**：{v}" for k, v in _meta_rows(rep)]
    lines += ["", f"## 结论：{summary_line(rep)}", ""]
    if reviewed_line(rep):
        lines += [f"**复核后**：{reviewed_line(rep)}", ""]
    findings = rep.sorted_findings()
    if findings:
        lines += [
            "## 问题清单",
            "",
            "| 序号 | 级别 | 部分 | 规则 | 问题 | 修改建议 | 审核意见 |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for i, f in enumerate(findings, 1):
            cells = [i, SEVERITY_ZH[f.severity], section_of(f), f.rule, f.message, f.fix, _action_text(rep, f)]
            lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
        lines += ["", "## 解释与依据", ""]
        for i, f in enumerate(findings, 1):
            lines += _md_finding(i, f, rep)
    else:
        lines += ["未发现问题。", ""]
    if rep.narratives:
        lines += ["## 叙述点评", ""]
        for key, n in rep.narratives.items():
            lines += _md_narrative(key, n)
    lines += _md_notes(rep)
    return "\n".join(lines).rstrip() + "\n"


def _md_notes(rep: Report) -> list[str]:
    """Notices and warnings about how the review ran."""
    notes = [*rep.meta.warnings, *rep.meta.notices]
    if not notes:
        return []
    return ["## 说明", "", *[f"- {n}" for n in notes], ""]


# ---- DOCX ----------------------------------------------------------------------------------------


def _docx_setup(doc: Any) -> None:
    """A4 page, CJK-capable default font."""
    from docx.oxml.ns import qn  # python-docx (lxml) is slow to import: only for a Word export
    from docx.shared import Cm, Pt

    for s in doc.sections:
        s.page_width, s.page_height = Cm(21), Cm(29.7)
        s.left_margin = s.right_margin = Cm(2.2)
        s.top_margin = s.bottom_margin = Cm(2)
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        style = doc.styles[name]
        style.font.name = "SimSun" if name == "Normal" else "SimHei"
        rpr = style.element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(qn("w:eastAsia"), "宋体" if name == "Normal" else "黑体")
    doc.styles["Normal"].font.size = Pt(10.5)


def _docx_table(doc: Any, header: list[str], rows: list[list[Any]], widths: Optional[list[float]] = None) -> None:
    """A bordered table with a bold header row."""
    from docx.shared import Cm  # python-docx: only for a Word export

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=False):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=False):
            cell.text = str(text if text is not None else "")
    if widths:
        for row in table.rows:
            for cell, w in zip(row.cells, widths, strict=False):
                cell.width = Cm(w)
    doc.add_paragraph()


def _docx_finding(doc: Any, i: int, f: Finding, report: Report) -> None:
    """One finding with explanation and citations."""
    doc.add_heading(f"{i}. [{SEVERITY_ZH[f.severity]}] {f.title or f.rule}（{section_of(f)} · {f.rule}）", level=3)
    doc.add_paragraph(f"问题：{f.message}")
    if f.fix:
        doc.add_paragraph(f"修改建议：{f.fix}")
    if f.explanation:
        doc.add_paragraph(f"解释（{mode_zh(f.explained_by)}）：{f.explanation}")
    cites = [(c.doc, c.section, c.quote) for c in f.citations]
    if not cites and f.source:
        cites = [(f.source.doc, f.source.section, f.source.quote)]
    for d, sec, quote in cites:
        p = doc.add_paragraph(style="Intense Quote" if "Intense Quote" in doc.styles else None)
        p.add_run(f"「{quote}」").italic = True
        p.add_run(f" ——《{notice_title(d)}》{sec}")
    act = _action_text(report, f)
    if act:
        doc.add_paragraph(f"审核意见：{act}")


def _docx_narrative(doc: Any, key: str, n: NarrativeCritique) -> None:
    """One narrative critique."""
    doc.add_heading(f"{NARRATIVE_ZH.get(key, key)}：{n.score} 分（{mode_zh(n.critiqued_by, '点评')}）", level=3)
    doc.add_paragraph(f"字数 {n.chars}（要求不少于 {n.min_chars}）")
    if n.criteria:
        _docx_table(
            doc,
            ["评分项", "得分", "满分", "说明"],
            [[c.name, f"{c.score:g}", f"{c.max:g}", c.note] for c in n.criteria],
        )
    for x in n.issues:
        doc.add_paragraph(f"问题：{x}", style="List Bullet")
    for x in n.suggestions:
        doc.add_paragraph(f"建议：{x}", style="List Bullet")
    if n.rewrite:
        doc.add_paragraph(f"参考改写：{n.rewrite}")


def to_docx(report: Report, mask: bool = True) -> bytes:
    """A printable DOCX report office staff can file (masked unless mask=False)."""
    from docx import Document  # python-docx (lxml) is slow to import: only for a Word export

    rep = masked_report(report) if mask else report
    doc = Document()
    _docx_setup(doc)
    doc.add_heading(TITLE, level=0)
    _docx_table(doc, ["项目", "内容"], [list(r) for r in _meta_rows(rep)], widths=[3.5, 13])
    doc.add_heading(f"结论：{summary_line(rep)}", level=1)
    if reviewed_line(rep):
        doc.add_paragraph(f"复核后：{reviewed_line(rep)}")
    findings = rep.sorted_findings()
    if findings:
        doc.add_heading("问题清单", level=1)
        rows = [
            [i, SEVERITY_ZH[f.severity], section_of(f), f.message, f.fix, _action_text(rep, f)]
            for i, f in enumerate(findings, 1)
        ]
        _docx_table(
            doc, ["序号", "级别", "部分", "问题", "修改建议", "审核意见"], rows, widths=[1.1, 1.3, 1.9, 5.6, 4.6, 2.1]
        )
        doc.add_heading("解释与依据", level=1)
        for i, f in enumerate(findings, 1):
            _docx_finding(doc, i, f, rep)
    else:
        doc.add_paragraph("未发现问题。")
    if rep.narratives:
        doc.add_heading("叙述点评", level=1)
        for key, n in rep.narratives.items():
            _docx_narrative(doc, key, n)
    _docx_actions(doc, rep)
    notes = [*rep.meta.warnings, *rep.meta.notices]
    if notes:
        doc.add_heading("说明", level=1)
        for note in notes:
            doc.add_paragraph(note, style="List Bullet")
    doc.add_paragraph(
        f"本报告由 cme-review {rep.meta.version} 生成；审查模式：{mode_zh(rep.meta.mode)}。预审结果仅供参考，以主管部门审核为准。"
    )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _docx_actions(doc: Any, rep: Report) -> None:
    """The reviewer's accept/dismiss record."""
    if not rep.actions:
        return
    doc.add_heading("审核记录", level=1)
    titles = {finding_key(f): f.title or f.rule for f in rep.findings}
    rows = [
        [
            titles.get(k, k.split("|", 1)[0]),
            a.get("action_zh") or a.get("action"),
            a.get("reason", ""),
            a.get("user") or "未署名",
            when_zh(a.get("ts", "")),
        ]
        for k, a in rep.actions.items()
    ]
    _docx_table(doc, ["检查项", "处理", "理由", "审核人", "时间"], rows)


# ---- JSON ----------------------------------------------------------------------------------------


def to_json(report: Report, mask: bool = True) -> str:
    """The report as JSON (masked unless mask=False), with the verdict after the reviewer's decisions."""
    rep = masked_report(report) if mask else report
    data = rep.to_dict()
    if rep.actions:
        rc = reviewed_counts(rep)
        data["summary_reviewed"] = {**rc, "passed": rc["error"] == 0}
    return json.dumps(data, ensure_ascii=False, indent=2)
