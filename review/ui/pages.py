"""Page images with the finding's evidence boxes drawn in red (pypdfium2 + PIL)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Optional

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from review.form import Evidence
from review.report import Report
from review.rules.base import Finding

SCALE = 2.0  # 144 dpi: sharp when a phone shows the crop at its natural size
BOX_COLOR = (220, 30, 30)
BOX_PAD = 3  # points around the box so thin boxes stay visible
CONTEXT = 140  # points of page kept above and below the boxes
HCONTEXT = (190, 60)  # points kept left (where the labels are) and right of the boxes ...
MIN_WIDTH = 340  # ... and never a band narrower than this (so a phone shows it near 1 px per point)


def render_page(pdf_bytes: bytes, page: int, scale: float = SCALE) -> Image.Image:
    """Render one page (1-based) of a PDF held in memory."""
    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        pg = doc[page - 1]
        img = pg.render(scale=scale).to_pil().convert("RGB")
        pg.close()
    finally:
        doc.close()
    return img


def draw_boxes(
    img: Image.Image, boxes: Iterable[tuple[float, float, float, float]], scale: float = SCALE
) -> Image.Image:
    """A copy of the page image with each (x0, top, x1, bottom) box, in PDF points, outlined in red."""
    out = img.copy()
    draw = ImageDraw.Draw(out)
    width = max(2, int(round(scale * 1.5)))
    for x0, top, x1, bottom in boxes:
        rect = [
            (min(x0, x1) - BOX_PAD) * scale,
            (min(top, bottom) - BOX_PAD) * scale,
            (max(x0, x1) + BOX_PAD) * scale,
            (max(top, bottom) + BOX_PAD) * scale,
        ]
        draw.rectangle(rect, outline=BOX_COLOR, width=width)
    return out


def finding_evidence(finding: Finding, report: Report) -> list[Evidence]:
    """The evidence of a finding: its own, else the report's evidence for its fields."""
    ev = [e for e in finding.evidence if e.page]
    if ev:
        return ev
    return [report.evidence[f] for f in finding.fields if f in report.evidence and report.evidence[f].page]


def pages_with_boxes(evidence: list[Evidence], limit: int = 2) -> dict[int, list[tuple[float, float, float, float]]]:
    """Boxes per page (first `limit` pages only), pages in order of first appearance."""
    out: dict[int, list[tuple[float, float, float, float]]] = {}
    for e in evidence:
        if e.page is None:
            continue
        if e.page not in out and len(out) >= limit:
            continue
        boxes = out.setdefault(e.page, [])
        if e.bbox:
            boxes.append(e.bbox)
    return out


def to_png(img: Image.Image) -> bytes:
    """PNG bytes of an image."""
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def highlighted_page(
    pdf_bytes: bytes,
    page: int,
    boxes: list[tuple[float, float, float, float]],
    cache: Optional[dict[int, Image.Image]] = None,
) -> bytes:
    """PNG of a page with boxes drawn; `cache` (per session) keeps rendered pages between reruns."""
    if cache is not None and page in cache:
        base = cache[page]
    else:
        base = render_page(pdf_bytes, page)
        if cache is not None:
            cache[page] = base
    return to_png(crop_to_boxes(draw_boxes(base, boxes), boxes))


def crop_to_boxes(
    img: Image.Image, boxes: list[tuple[float, float, float, float]], scale: float = SCALE
) -> Image.Image:
    """The part of the page around the boxes (CONTEXT points above/below, HCONTEXT beside); whole page if no box."""
    if not boxes:
        return img
    top = max(0.0, min(min(b[1], b[3]) for b in boxes) - CONTEXT) * scale
    bottom = min(img.height, (max(max(b[1], b[3]) for b in boxes) + CONTEXT) * scale)
    x0 = min(min(b[0], b[2]) for b in boxes) - HCONTEXT[0]
    x1 = max(max(b[0], b[2]) for b in boxes) + HCONTEXT[1]
    if x1 - x0 < MIN_WIDTH:
        mid = (x0 + x1) / 2
        x0, x1 = mid - MIN_WIDTH / 2, mid + MIN_WIDTH / 2
    page_w = img.width / scale
    if x1 > page_w:
        x0, x1 = max(0.0, x0 - (x1 - page_w)), page_w
    if x0 < 0:
        x0, x1 = 0.0, min(page_w, x1 - x0)
    return img.crop((int(x0 * scale), int(top), int(x1 * scale), int(bottom)))


def page_count(pdf_bytes: bytes) -> Optional[int]:
    """Number of pages, or None when pdfium cannot open the bytes (extraction then reports why)."""
    try:
        doc = pdfium.PdfDocument(pdf_bytes)
        n = len(doc)
        doc.close()
        return n
    except Exception:  # noqa: BLE001 - any failure here is reported by extract_pdf with a Chinese message
        return None
