"""Render every case to eval/fixtures/<id>.pdf: `python -m eval.make_fixtures [--only ID]`."""

from __future__ import annotations

import argparse
import io
import logging
import random
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from pypdf import PdfReader, PdfWriter
from pypdf.generic import BooleanObject, NameObject, TextStringObject
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from eval import render_docs
from eval import render_text as rt
from eval.cases import FIXTURES_DIR, Case, load_cases
from eval.seal import Seal, SealStyle

log = logging.getLogger(__name__)
SCAN_DPI = 150
SCAN_QUALITY = 70
FIXED_TIME = time.struct_time((2024, 11, 20, 9, 0, 0, 2, 325, 0))
# the scans' seal: unit name around the rim, a star and 专用章 (eval/seal.py draws it)
SEAL = SealStyle(
    red=colors.Color(0.85, 0.1, 0.1),
    radius=58,
    cx=175,
    cy=30,
    star_size=26,
    star_drop=9,
    text_size=12,
    max_chars=18,
    text_inset=16,
    span_max=240.0,
    footer="专用章",
)


def render_scan(case: Case, path: Path) -> None:
    """Rasterise the word-table rendering, tilt, blur and speckle it, and save an image-only PDF."""
    rng = random.Random(zlib.crc32(case.id.encode()))
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src.pdf"
        extra = [Seal(case.form.applicant_unit or "", render_docs.FONT, SEAL)] if case.form.signed else []
        render_docs.render_word_table(case.form, case.variant, src, extra_last=extra)
        doc = pdfium.PdfDocument(str(src))
        pages = [_age(doc[i].render(scale=SCAN_DPI / 72).to_pil(), rng) for i in range(len(doc))]
        doc.close()
    first, rest = pages[0], pages[1:]
    first.save(
        path,
        "PDF",
        resolution=SCAN_DPI,
        save_all=True,
        append_images=rest,
        quality=SCAN_QUALITY,
        creationDate=FIXED_TIME,
        modDate=FIXED_TIME,
        title="scan",
        producer="eval.make_fixtures",
    )


def _age(img: Image.Image, rng: random.Random) -> Image.Image:
    """Make a clean page look scanned: gray paper, slight tilt, blur and noise; keep red ink red."""
    rgb = np.asarray(img.convert("RGB")).astype(np.int16)
    red = (rgb[..., 0] > 150) & (rgb[..., 1] < 120) & (rgb[..., 2] < 120)
    gray = Image.fromarray(np.asarray(img.convert("L")))
    angle = rng.uniform(0.3, 1.0) * rng.choice((-1, 1))
    gray = gray.rotate(angle, resample=Image.BILINEAR, fillcolor=255)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 6, (gray.height, gray.width))
    arr = np.clip(np.asarray(gray).astype(np.float32) * 0.93 + 8 + noise, 0, 255).astype(np.uint8)
    gray = Image.fromarray(arr).filter(ImageFilter.GaussianBlur(0.7))
    if not red.any():
        return gray
    mask = Image.fromarray((red * 255).astype(np.uint8)).rotate(angle, fillcolor=0).filter(ImageFilter.GaussianBlur(1))
    out = gray.convert("RGB")
    out.paste(Image.new("RGB", out.size, (200, 40, 40)), (0, 0), mask)
    return out


def _flatten(case: Case) -> list[tuple[str, str, Any]]:
    """The form as (dotted key, visible label, value) rows for the fillable PDF."""
    data = case.form.to_json_dict()
    for key in case.variant.get("hint_left") or []:
        data[key] = rt.HINTS[key]
    rows: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            rows += [(f"{key}.{k}", v) for k, v in value.items()]
        elif isinstance(value, list):
            rows += [(f"{key}.{i}.{k}", v) for i, item in enumerate(value) for k, v in item.items()]
        else:
            rows.append((key, value))
    return [(k, f"{FIELD_LABELS.get(k) or FIELD_LABELS.get(k.split('.')[0], '')} [{k}]", v) for k, v in rows]


FIELD_LABELS = {
    "application_code": "申请代码",
    "title": "项目名称",
    "subject": "所在学科（二、三级学科）",
    "level": "项目级别",
    "category": "项目类别",
    "jjj": "京津冀互认项目",
    "infectious_training": "传染病防治知识培训类项目",
    "mode": "举办方式",
    "audience": "教学对象",
    "enrollment": "拟招生人数",
    "total_hours": "教学总时长（小时）",
    "theory_hours": "讲授理论时长（小时）",
    "practice_hours": "实践（技术示范）时长（小时）",
    "credits": "拟授学分",
    "sessions": "举办期数",
    "events": "多期举办",
    "out_of_province_pct": "拟招收外省学员占比（%）",
    "grassroots_pct": "拟招收基层单位学员占比（%）",
    "applicant_unit": "申报单位",
    "unit_type": "申报单位类型",
    "unit_phone": "单位联系电话",
    "unit_contact": "单位联系人",
    "lead_address": "项目负责人通讯地址",
    "lead_phone": "项目负责人联系电话",
    "peer_review": "同行评议意见",
    "peer_reviewer.name": "评议专家姓名",
    "peer_reviewer.title": "评议专家职称",
    "peer_reviewer.unit": "评议专家工作单位",
    "lead.name": "项目负责人姓名",
    "lead.sex": "性别",
    "lead.birth": "出生年月",
    "lead.id_number": "身份证号码",
    "lead.title": "职称",
    "lead.post": "职务",
    "lead.education": "最高学历",
    "lead.unit": "工作单位",
    "lead.employed": "是否在职（岗）",
    "lead.specialty": "从事专业",
    "achievements": "主要成绩",
    "history": "近三年项目申报、执行情况",
    "unit_profile": "项目申报单位及科室基本情况",
    "teachers": "课程及教师信息",
    "signed": "项目负责人签名",
}


def _text_value(value: Any) -> str:
    """A field value as the text typed into the box."""
    if value is None:
        return ""
    if isinstance(value, float):
        return rt.num(value)
    return str(value)


def render_fillable(case: Case, path: Path) -> None:
    """An AcroForm PDF whose fields are named by the JSON keys; values are set afterwards (Unicode /V)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(case.form.title or "")
    values: dict[str, str] = {}
    y = 800.0
    c.setFont(render_docs.FONT, 14)
    c.drawString(60, y, "继续医学教育推荐项目申报书（电子表单）")
    y -= 30
    for key, label, value in _flatten(case):
        tall = key in rt.HINTS
        height = 150 if tall else 16
        if y - height < 50:
            c.showPage()
            y = 800.0
        c.setFont(render_docs.FONT, 8)
        c.drawString(40, y - 11, label)
        if isinstance(value, bool) or key in ("signed", "jjj", "infectious_training"):
            c.acroForm.checkbox(name=key, checked=bool(value), x=250, y=y - 14, size=12, buttonStyle="check")
        else:
            c.acroForm.textfield(
                name=key,
                value="",
                x=250,
                y=y - height,
                width=300,
                height=height,
                fontSize=8,
                borderWidth=0.5,
                fieldFlags="multiline" if tall else "",
            )
            values[key] = _text_value(value)
        y -= height + 6
    c.showPage()
    c.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buf.getvalue())))
    for page in writer.pages:
        for annot in page.get("/Annots") or []:
            obj = annot.get_object()
            name = str(obj.get("/T", ""))
            if name in values:
                obj[NameObject("/V")] = TextStringObject(values[name])
    writer._root_object["/AcroForm"][NameObject("/NeedAppearances")] = BooleanObject(True)
    writer.add_metadata({"/Producer": "eval.make_fixtures", "/CreationDate": "D:20241120090000+08'00'"})
    with open(path, "wb") as fh:
        writer.write(fh)


def render_case(case: Case, out_dir: Optional[Path] = None) -> Path:
    """Render one case to its fixture PDF."""
    path = Path(out_dir) / f"{case.id}.pdf" if out_dir else case.pdf_path
    path.parent.mkdir(parents=True, exist_ok=True)
    if case.style == "word-table":
        render_docs.render_word_table(case.form, case.variant, path)
    elif case.style == "printout":
        render_docs.render_printout(case.form, case.variant, path, case.id)
    elif case.style == "scan":
        render_scan(case, path)
    else:
        render_fillable(case, path)
    return path


def main(argv: Optional[list[str]] = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description="Render eval cases to PDF fixtures.")
    parser.add_argument("--only", action="append", help="case id (repeatable)")
    parser.add_argument("--out", type=Path, default=None, help=f"output folder (default {FIXTURES_DIR})")
    args = parser.parse_args(argv)
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    cases = [c for c in load_cases() if not args.only or c.id in args.only]
    if args.only and len(cases) != len(args.only):
        parser.error(f"unknown case id in {args.only}")
    for case in cases:
        path = render_case(case, args.out)
        print(f"{case.style:10s} {path.stat().st_size // 1024:5d} KB  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
