"""Page furniture dropped before pairing: running headers/footers, page numbers, watermarks, 填表说明 text."""

from __future__ import annotations

import math
import re
from collections import Counter
from statistics import median
from typing import Any

from review.extract.pdfio import PageRows, Row
from review.normalize import nfkc, squash

BAND = 0.1  # top/bottom fraction of the page height where running headers and footers sit
WATERMARK_SIZE = 2.2  # chars this many times the page's median size are a watermark (never form text)
MAX_OCR_TILT = 12.0  # degrees: an OCR box tilted more than this is a diagonal watermark
_PAGE_NO = re.compile(
    r"^(第#页(共#页)?|#/#|[-—]#[-—]|page#(of#)?|共#页第#页|#)$",
    re.I,
)
_INSTRUCTIONS = re.compile(r"^(附件?\d*[:：]?)?(填表说明|填写说明|填报说明|申报说明|填表须知|说明)[:：]?$")


def _shape(text: str) -> str:
    """Text with whitespace removed and every digit run as '#': '第 2 页 共 4 页' -> '第#页共#页'."""
    return re.sub(r"\d+", "#", squash(nfkc(text)))


def is_page_number(text: str) -> bool:
    """True for page footers like '第 2 页 共 4 页', '- 2 -', '2/5'."""
    return bool(_PAGE_NO.match(_shape(text)))


def _in_band(row: Row, page: PageRows) -> bool:
    """True when a row sits in the page's top or bottom band."""
    if page.height <= 0:
        return False
    return row.top < BAND * page.height or row.top > (1 - BAND) * page.height


def drop_furniture(pages: list[PageRows]) -> None:
    """Remove running headers/footers (band text repeated on several pages, page numbers) in place."""
    band_texts: Counter[str] = Counter()
    for page in pages:
        seen = {_shape(r.text) for r in page.rows if r.table < 0 and _in_band(r, page)}
        band_texts.update(s for s in seen if s)
    repeated = {s for s, n in band_texts.items() if n >= 2 and n >= 0.5 * len(pages)}
    for page in pages:
        page.rows = [r for r in page.rows if not _furniture(r, page, repeated)]


def _furniture(row: Row, page: PageRows, repeated: set[str]) -> bool:
    """A running header/footer row: repeated band text, or a page number in the band."""
    if row.table >= 0 or not _in_band(row, page):
        return False
    shape = _shape(row.text)
    return shape in repeated or bool(_PAGE_NO.match(shape))


def drop_instructions(pages: list[PageRows]) -> None:
    """Remove 填表说明 blocks: from the heading to the end of its page (or to the first ruled table row)."""
    for page in pages:
        start = next((i for i, r in enumerate(page.rows) if r.table < 0 and _INSTRUCTIONS.match(squash(r.text))), None)
        if start is None:
            continue
        end = next((i for i in range(start + 1, len(page.rows)) if page.rows[i].table >= 0), len(page.rows))
        del page.rows[start:end]


def watermark_free(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chars without the rotated or oversized glyphs of a diagonal watermark ('草稿', '样本')."""
    if not chars:
        return chars
    sizes = [float(c.get("size") or 0.0) for c in chars if str(c.get("text", "")).strip()]
    cap = WATERMARK_SIZE * median(sizes) if sizes else math.inf
    return [c for c in chars if not _rotated(c) and float(c.get("size") or 0.0) <= cap]


def _rotated(ch: dict[str, Any]) -> bool:
    """True for a glyph drawn at an angle (its text matrix has a shear/rotation part)."""
    m = ch.get("matrix")
    if not m or len(m) < 4:
        return not ch.get("upright", True)
    a, b = float(m[0]), float(m[1])
    if a == 0 and b == 0:
        return False
    angle = abs(math.degrees(math.atan2(b, a)))
    return 5.0 < angle < 85.0 or 95.0 < angle < 175.0


def tilted_box(box: list[list[float]]) -> bool:
    """True for an OCR box (4 corners) whose top edge is tilted like a diagonal watermark."""
    (x0, y0), (x1, y1) = box[0][:2], box[1][:2]
    if x1 == x0:
        return True
    return abs(math.degrees(math.atan2(y1 - y0, x1 - x0))) > MAX_OCR_TILT
