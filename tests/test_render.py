"""Markdown and DOCX reports: content, masking, citations, narratives, reviewer actions."""

from __future__ import annotations

import io

from review.findings import finding_key
from review.form import Evidence, Form, Lead, Teacher
from review.render import masked_report, to_docx, to_markdown
from review.report import CriterionScore, NarrativeCritique, Report, ReportMeta
from review.rules.base import Citation, Finding, Source

ID_NUMBER = "11010519750312001X"
PHONE = "13812345678"


def sample_report() -> Report:
    """A hand-built report with one finding per kind of content the renderers show."""
    form = Form(
        title="心血管介入诊疗新进展学习班",
        level="北京市级",
        applicant_unit="北京大学第三医院",
        lead_phone=PHONE,
        lead_address="北京市海淀区花园北路49号3号楼201室",
        lead=Lead(name="张伟", title="主任医师", id_number=ID_NUMBER, unit="北京大学第三医院", employed=True),
        teachers=[
            Teacher(name="张伟", title="主任医师", unit="北京大学第三医院", topic="冠脉介入", hours=3, kind="theory")
        ],
        credits=5,
        total_hours=12,
    )
    findings = [
        Finding(
            rule="credit-rate",
            severity="error",
            title="学分与学时不符",
            message="教学总时长 12 小时应授 4 学分，申报书填写 5 学分。",
            fields=["credits", "total_hours"],
            evidence=[Evidence(page=1, bbox=(100, 200, 300, 220), raw="5")],
            fix="将拟授学分改为 4。",
            explanation="按 3 小时折合 1 学分计算。",
            citations=[
                Citation(doc="bj-2025-application-requirements.txt", section="认真核对 10", quote="3小时授予1学分")
            ],
            explained_by="offline",
        ),
        Finding(
            rule="id-number",
            severity="warning",
            title="身份证号码校验",
            message=f"身份证号码 {ID_NUMBER} 与出生年月不一致。",
            fields=["lead.id_number"],
            fix=f"核对负责人电话 {PHONE} 与证件。",
            source=Source(doc="bj-2025-application-requirements.txt", section="各项信息", quote="各项信息填写准确"),
        ),
        Finding(rule="enrollment-range", severity="advice", message="拟招生人数偏少。", fields=["enrollment"]),
    ]
    narratives = {
        "peer_review": NarrativeCritique(
            chars=150,
            min_chars=200,
            score=55,
            criteria=[CriterionScore(name="字数", score=10, max=30, note="不足 200 字")],
            issues=["未写明培训形式"],
            suggestions=["补充培训内容与形式"],
            rewrite="本项目围绕冠脉介入……",
            critiqued_by="gpt-test",
        )
    }
    meta = ReportMeta(
        file="draft.pdf", style="word-table", pages=3, mode="offline", notices=["模型不可用，已使用离线解释。"]
    )
    actions = {
        finding_key(findings[0]): {
            "rule": "credit-rate",
            "action": "dismiss",
            "action_zh": "驳回",
            "reason": "按两天计",
            "user": "李审",
            "ts": "2025-01-01T00:00:00+00:00",
        }
    }
    return Report(form=form, findings=findings, narratives=narratives, meta=meta, actions=actions)


def test_markdown_has_summary_findings_citations_narratives_and_actions():
    md = to_markdown(sample_report())
    assert "未通过：错误 1 项 · 警告 1 项 · 建议 1 项" in md
    assert "心血管介入诊疗新进展学习班" in md
    assert "将拟授学分改为 4。" in md
    assert "> 3小时授予1学分" in md and "《北京市 2025 年继续医学教育推荐项目申报具体要求》认真核对 10" in md
    assert "bj-2025-application-requirements.txt" not in md  # notices are named by their title
    assert "同行评议意见（55 分，模型 gpt-test）" in md and "| 字数 | 10 | 30 | 不足 200 字 |" in md
    assert "参考改写" in md
    assert "驳回（按两天计）；审核人：李审，2025-01-01 00:00 UTC" in md
    assert "**复核后**：通过（无错误项）：错误 0 项 · 警告 1 项 · 建议 1 项（已复核 1/3 项" in md
    assert "离线解释" in md and "模型不可用，已使用离线解释。" in md
    assert "学时学分" in md and "项目负责人" in md  # sections


def test_exports_mask_id_number_and_phone():
    md = to_markdown(sample_report())
    assert ID_NUMBER not in md and PHONE not in md
    masked = masked_report(sample_report())
    assert masked.form.lead.id_number != ID_NUMBER
    assert masked.form.lead_phone != PHONE
    assert ID_NUMBER not in masked.to_json() and PHONE not in masked.to_json()
    assert "花园北路49号3号楼201室" not in masked.to_json()
    # policy quotes stay verbatim
    assert masked.findings[0].citations[0].quote == "3小时授予1学分"


def test_unmasked_markdown_keeps_values():
    assert ID_NUMBER in to_markdown(sample_report(), mask=False)


def test_docx_is_a_readable_document_with_tables():
    from docx import Document

    data = to_docx(sample_report())
    assert data[:2] == b"PK"
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "继续医学教育推荐项目申报书预审报告" in text
    assert "未通过" in text
    assert "教学总时长 12 小时应授 4 学分" in cells
    assert "3小时授予1学分" in text
    assert "驳回" in cells and "按两天计" in cells and "李审" in cells and "2025-01-01 00:00 UTC" in cells
    assert "复核后：通过（无错误项）" in text
    assert "字数" in cells
    assert ID_NUMBER not in text + cells and PHONE not in text + cells


def test_passing_report_renders_without_findings():
    rep = Report(form=Form(title="无问题项目"), meta=ReportMeta(mode="gpt-x"))
    md = to_markdown(rep)
    assert "通过（无错误项）" in md and "未发现问题" in md and "模型 gpt-x" in md
    assert to_docx(rep)[:2] == b"PK"


def test_json_export_has_reviewed_summary_and_reviewer():
    import json

    from review.render import to_json

    data = json.loads(to_json(sample_report()))
    assert data["summary"]["error"] == 1 and data["summary"]["passed"] is False
    assert data["summary_reviewed"] == {"error": 0, "warning": 1, "advice": 1, "decided": 1, "passed": True}
    (action,) = data["actions"].values()
    assert action["user"] == "李审" and action["ts"].startswith("2025-01-01")


def test_card_explanation_drops_what_the_card_already_shows():
    from review.render import card_explanation

    f = sample_report().findings[0]
    f.title = "学时学分须匹配"
    f.explanation = (
        f"【{f.title}】{f.message}\n申报书中填写的值：6。\n依据《某通知》认真核对 10：“{f.citations[0].quote}”\n"
        f"修改建议：{f.fix}\n这是硬性要求。这是硬性要求。"
    )
    text = card_explanation(f)
    assert text.splitlines() == ["申报书中填写的值：6。", "这是硬性要求。"]


def test_rendering_does_not_import_the_ui():
    import ast

    from review.config import ROOT

    tree = ast.parse((ROOT / "review" / "render.py").read_text(encoding="utf-8"))
    mods = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    mods += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in mods if m.startswith(("review.ui", "streamlit"))]
