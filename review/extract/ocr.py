"""OCR of pages without a text layer: pypdfium2 render -> RapidOCR -> rows of cells in PDF points."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from review.extract.pdfio import Cell, PageRows, Row

log = logging.getLogger(__name__)

DPI = 200
OCR_CELL_GAP = 0.8  # gap wider than this many line heights starts a new cell
MAX_PIXELS = 12_000_000  # render cap: an A4 page at 200 dpi is ~3.9 Mpx
BLANK_INK = 3e-5  # a page with fewer ink pixels than this fraction is blank: no OCR


def engine() -> Any:
    """The OCR engine, created once: a RapidOCR callable (see review.extract.ocr_engine)."""
    from review.extract.ocr_engine import get_engine

    return get_engine()


def is_blank(img: Any) -> bool:
    """True when (a sample of) the page has almost no ink: nothing to detect, skip deskew and OCR."""
    from review.extract.grid import DARK

    sample = img[::4, ::4]
    return bool((sample.min(axis=2) < DARK).mean() < BLANK_INK)


def render(path: Path, index: int, dpi: float = DPI) -> tuple[Any, float]:
    """Page image as an RGB numpy array, and the dpi actually used (huge pages are capped)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[index]
        w, h = page.get_size()
        scale = min(dpi / 72.0, (MAX_PIXELS / max(w * h, 1.0)) ** 0.5)  # cap huge pages
        bitmap = page.render(scale=scale)
        img = bitmap.to_pil().convert("RGB")
    finally:
        pdf.close()
    import numpy as np

    return np.asarray(img), scale * 72.0


def boxes_to_items(result: list[Any], dpi: float = DPI) -> list[dict[str, Any]]:
    """RapidOCR boxes (pixels, 4 corners) -> dicts with x0/top/x1/bottom in PDF points."""
    k = 72.0 / dpi
    items = []
    for box, text, _score in result or []:
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        if not str(text).strip():
            continue
        items.append(
            {"text": str(text), "x0": min(xs) * k, "x1": max(xs) * k, "top": min(ys) * k, "bottom": max(ys) * k}
        )
    return items


def items_to_rows(items: list[dict[str, Any]], page: int) -> list[Row]:
    """Group OCR boxes into lines by vertical overlap, and lines into cells at wide x-gaps."""
    lines: list[list[dict[str, Any]]] = []
    for it in sorted(items, key=lambda d: (d["top"] + d["bottom"]) / 2):
        mid = (it["top"] + it["bottom"]) / 2
        if lines:
            ref = lines[-1]
            top = sum(d["top"] for d in ref) / len(ref)
            bottom = sum(d["bottom"] for d in ref) / len(ref)
            if top <= mid <= bottom:
                ref.append(it)
                continue
        lines.append([it])
    rows = []
    for ln in lines:
        ln.sort(key=lambda d: d["x0"])
        height = max(1.0, sum(d["bottom"] - d["top"] for d in ln) / len(ln))
        cells: list[Cell] = []
        group: list[dict[str, Any]] = []
        for it in ln:
            if group and it["x0"] - group[-1]["x1"] > OCR_CELL_GAP * height:
                cells.append(_cell(group, page))
                group = []
            group.append(it)
        if group:
            cells.append(_cell(group, page))
        rows.append(Row(cells, page, min(d["top"] for d in ln)))
    return rows


def _cell(group: list[dict[str, Any]], page: int) -> Cell:
    text = " ".join(d["text"].strip() for d in group)
    box = (
        round(min(d["x0"] for d in group), 1),
        round(min(d["top"] for d in group), 1),
        round(max(d["x1"] for d in group), 1),
        round(max(d["bottom"] for d in group), 1),
    )
    return Cell(text, page, box, "ocr")


def drop_red(img: Any) -> Any:
    """The page with red ink (a seal stamped over the text) turned white, so OCR reads the text under it."""
    import numpy as np

    rgb = img.astype(np.int16)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    red = (r - np.maximum(g, b) > RED_MARGIN) & (r > 120)
    if not red.any():
        return img
    out = img.copy()
    out[red] = 255
    return out


RED_MARGIN = 60  # a pixel is seal ink when its red channel exceeds green and blue by this much


def _fix_boxes(text: str) -> str:
    """OCR reads an empty box □ as the character 口: restore it next to option words and after a ...项目 label."""
    text = re.sub(r"(?<=[是否级授程构会他])口", "□", text)
    text = re.sub(r"(?<=项目)口(?![腔岸服径号头罩语味才述碑令诀音感红袋])", "□", text)
    return re.sub(r"口(?=\s*(是|否|国家级|省级|面授|远程))", "□", text)


# a cell of option words whose box glyphs OCR dropped entirely ("是■ 否□" read as "是否")
OPTIONS_ONLY = re.compile(r"^(?:\s*(?:是|否|国家级|省级|面授|远程)\s*){2,}$")


def _filled_squares(img: Any, box: tuple[float, float, float, float]) -> list[float]:
    """x-centres (fraction of the box width) of solid square glyphs (■) inside an OCR text box."""
    from scipy import ndimage

    x0, y0, x1, y1 = (int(round(v)) for v in box)
    crop = img[max(y0, 0) : y1, max(x0, 0) : x1]
    if crop.size == 0:
        return []
    ink = crop.mean(axis=2) < 150
    labels, n = ndimage.label(ink)
    height = max(y1 - y0, 1)
    out = []
    for i, sl in enumerate(ndimage.find_objects(labels), 1):
        if sl is None:
            continue
        h, w = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
        if not (0.35 * height <= h <= 1.1 * height and 0.7 <= w / max(h, 1) <= 1.4):
            continue
        fill = float((labels[sl] == i).sum()) / (h * w)
        if fill >= 0.75:
            out.append((sl[1].start + w / 2) / max(x1 - x0, 1))
    return out


def fix_filled_boxes(text: str, img: Any, box: tuple[float, float, float, float]) -> str:
    """Set ■ where the pixels show a solid square but OCR wrote □ or dropped the glyph."""
    squares = _filled_squares(img, box)
    if not squares or len(squares) <= text.count("■"):
        return text
    widths = [0.5 if ch.isascii() else 1.0 for ch in text]
    total = sum(widths) or 1.0
    starts, acc = [], 0.0
    for w in widths:
        starts.append(acc / total)
        acc += w
    chars = list(text)
    inserts: list[int] = []
    for frac in squares:
        idx = min(range(len(chars)), key=lambda i: abs(starts[i] + widths[i] / total / 2 - frac))
        # short option cells ("是□否"): only the glyph itself; long lines allow one character of drift
        span = 1 if len(chars) >= 10 else 0
        near = sorted(
            (i for i in range(max(0, idx - span), min(len(chars), idx + span + 1)) if chars[i] in "□■"),
            key=lambda i: abs(i - idx),
        )
        if near:
            chars[near[0]] = "■"
        else:
            inserts.append(idx if starts[idx] + widths[idx] / total / 2 > frac else idx + 1)
    for pos in sorted(inserts, reverse=True):
        chars.insert(pos, "■")
    return "".join(chars)


def grid_rows(result: list[Any], img: Any, page: int, dpi: float = DPI) -> list[Row]:
    """OCR boxes placed into ruled table cells where the page has a grid; other boxes as text lines."""
    from review.extract import grid
    from review.extract.furniture import tilted_box
    from review.normalize import join_lines

    hmask, vmask = grid.line_masks(img)
    k = 72.0 / dpi
    cells: list[tuple[tuple[int, int, int, int], list[dict[str, Any]]]] = []
    free: list[dict[str, Any]] = []
    for box, text, _score in result or []:
        if tilted_box(box):
            continue  # a diagonal watermark, not form text
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        for (x0, y0, x1, y1), part in grid.split_at_lines((min(xs), min(ys), max(xs), max(ys)), str(text), vmask):
            part = "□" if part.strip() == "口" else _fix_boxes(part)  # a lone empty box in a cell reads as 口
            if any(g in part for g in "□■") or OPTIONS_ONLY.match(part):
                part = fix_filled_boxes(part, img, (x0, y0, x1, y1))
            item = {"text": part, "x0": x0 * k, "x1": x1 * k, "top": y0 * k, "bottom": y1 * k}
            rect = grid.cell_of(int((x0 + x1) / 2), int((y0 + y1) / 2), hmask, vmask)
            if rect is None:
                free.append(item)
                continue
            for r, members in cells:
                if grid.same_cell(r, rect):
                    members.append(item)
                    break
            else:
                cells.append((rect, [item]))
    rows: list[Row] = items_to_rows(free, page)
    cells += _missed_cells(cells, img, hmask, vmask, k)
    by_top: list[tuple[tuple[int, int, int, int], list[Cell]]] = []
    for rect, members in sorted(cells, key=lambda c: (c[0][1], c[0][0])):
        texts = [" ".join(c.text for c in ln.cells) for ln in items_to_rows(members, page)]
        bbox = (round(rect[0] * k, 1), round(rect[1] * k, 1), round(rect[2] * k, 1), round(rect[3] * k, 1))
        cell = Cell(join_lines(texts), page, bbox, "ocr", texts if len(texts) > 1 else None)
        if by_top and abs(by_top[-1][0][1] - rect[1]) <= grid.CELL_TOL:
            by_top[-1][1].append(cell)
        else:
            by_top.append((rect, [cell]))
    table, prev_bottom = 0, None
    for rect, row_cells in by_top:
        if prev_bottom is None or abs(rect[1] - prev_bottom) > 3 * grid.CELL_TOL:
            table += 1
        prev_bottom = (
            max(prev_bottom or 0, rect[3])
            if prev_bottom is not None and abs(rect[1] - prev_bottom) <= 3 * grid.CELL_TOL
            else rect[3]
        )
        row_cells.sort(key=lambda c: c.bbox[0] if c.bbox else 0)
        rows.append(Row(row_cells, page, rect[1] * k, page * 1000 + table))
    rows.sort(key=lambda r: r.top)
    return rows


def _line_xs(vmask: Any, y: int) -> list[int]:
    """x positions of vertical ruling lines crossing row y (runs of pixels merged)."""
    import numpy as np

    xs = np.nonzero(vmask[y])[0]
    out: list[int] = []
    for x in xs.tolist():
        if not out or x - out[-1] > 3:
            out.append(x)
        else:
            out[-1] = x
    return out


def _missed_cells(cells: list[Any], img: Any, hmask: Any, vmask: Any, k: float) -> list[Any]:
    """Grid cells with ink that the detector missed (a lone '1' in 学时), read by recognition only."""
    from review.extract import grid

    found: list[Any] = []
    rows: dict[int, list[tuple[int, int, int, int]]] = {}
    for rect, _ in cells:
        key = next((k for k in rows if abs(k - rect[1]) <= grid.CELL_TOL), rect[1])
        rows.setdefault(key, []).append(rect)
    for rects in rows.values():
        if len(rects) < 2:
            continue
        top, bottom = rects[0][1], rects[0][3]
        xs = _line_xs(vmask, (top + bottom) // 2)
        for left, right in zip(xs, xs[1:], strict=False):
            if right - left < 15 or any(abs(r[0] - left) <= grid.CELL_TOL for r in rects):
                continue
            rect = grid.cell_of((left + right) // 2, (top + bottom) // 2, hmask, vmask)
            text = _read_crop(img, rect) if rect else ""
            if rect and text:
                item = {"text": text, "x0": rect[0] * k, "x1": rect[2] * k, "top": rect[1] * k, "bottom": rect[3] * k}
                found.append((rect, [item]))
    return found


def _read_crop(img: Any, rect: tuple[int, int, int, int]) -> str:
    """Recognition-only OCR of the ink inside one cell (tight crop, small white margin)."""
    import numpy as np

    left, top, right, bottom = rect
    crop = img[top + 4 : bottom - 3, left + 4 : right - 3]
    if crop.size == 0:
        return ""
    ink = crop.mean(axis=2) < 150
    if ink.sum() < 15:
        return ""
    ys, xs = np.nonzero(ink)
    pad = 10
    tight = np.ascontiguousarray(crop[max(ys.min() - pad, 0) : ys.max() + pad, max(xs.min() - pad, 0) : xs.max() + pad])
    result, _ = engine()(tight, use_det=False, use_cls=False)
    if not result:
        return ""
    text, score = result[0][0], float(result[0][1])
    return str(text).strip() if score >= 0.5 else ""


def ocr_page(path: Path, index: int) -> PageRows:
    """Rows of one scanned page (deskewed, table cells from the ruling lines)."""
    from review.extract import grid

    raw, dpi = render(path, index)
    raw = drop_red(raw)
    if is_blank(raw):
        log.info("page %d: blank, OCR skipped", index + 1)
        return PageRows(number=index + 1, height=raw.shape[0] * 72.0 / dpi, width=raw.shape[1] * 72.0 / dpi)
    img, _angle = grid.deskew(raw)
    result, _elapsed = engine()(img, use_cls=False)
    rows = grid_rows(result or [], img, index + 1, dpi)
    out = PageRows(number=index + 1, rows=rows)
    out.chars = sum(len(c.text) for r in rows for c in r.cells)
    out.height = img.shape[0] * 72.0 / dpi
    out.width = img.shape[1] * 72.0 / dpi
    return out
