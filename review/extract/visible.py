"""Only what a reader sees counts: drop invisible, clipped, off-page, white-on-white and unreadably small chars.

pdfminer does not keep the text render mode, the clipping path or the fill alpha on its chars, so `install()`
adds three small hooks: the text device tags each string's graphic state with the render mode (Tr), the
interpreter keeps the bounding box of the clipping path (W/W*) and the ExtGState fill alpha (gs /ca) in the
graphic state (carried through q/Q and into Form XObjects), and pdfplumber copies them onto its char dicts.
`visible_chars(page)` then keeps only what a reader of the printed page can see and records what it dropped.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from review.textutil import clean_text, is_ignorable_char

log = logging.getLogger(__name__)

INVISIBLE_MODES = (3, 7)  # Tr 3: neither fill nor stroke; Tr 7: add to clip only
STROKE_MODES = (1, 5)  # stroke only: the stroking colour is what shows
MIN_SIZE = 2.5  # points: text smaller than this cannot be read on paper
MIN_ALPHA = 0.05  # fill alpha below this is transparent
WHITE = 0.97  # colour components at or above this (RGB/gray) are white paper colour
CID = re.compile(r"^\(cid:\d+\)$")
MAX_GLYPHS = 30_000  # glyphs laid out per page at most (a dense A4 page has ~5 000): the rest is not parsed
MAX_PATHS = 20_000  # drawn paths per page at most (table rulings are a few hundred)
_over = {"glyphs": False, "paths": False}  # set by the hooks while a page is laid out, read by visible_chars
_Box = tuple[float, float, float, float]
_INSTALLED = False


@dataclass
class Hidden:
    """What visible_chars dropped on one page, by reason (counts of non-blank chars)."""

    counts: dict[str, int] = field(default_factory=dict)
    unmapped: int = 0  # "(cid:N)" / U+FFFD chars: glyphs without a Unicode mapping
    kept: int = 0  # visible non-blank chars
    truncated: bool = False  # the page had more glyphs or paths than MAX_GLYPHS / MAX_PATHS: the rest was skipped

    @property
    def hidden(self) -> int:
        """Non-blank chars a reader cannot see."""
        return sum(self.counts.values())


REASONS = {
    "mode": "不可见模式",
    "clip": "被裁剪",
    "offpage": "页面外",
    "white": "白色",
    "alpha": "透明",
    "small": "过小",
}


def _clip_of(gs: Any) -> Optional[_Box]:
    return getattr(gs, "cme_clip", None)


def _intersect(a: Optional[_Box], b: _Box) -> _Box:
    if a is None:
        return b
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _path_box(curpath: list[Any], ctm: Any) -> Optional[_Box]:
    """Device-space bounding box of the current path (None when it has no points)."""
    from pdfminer.utils import apply_matrix_pt

    xs: list[float] = []
    ys: list[float] = []
    for seg in curpath:
        nums = [v for v in seg[1:] if isinstance(v, (int, float))]
        for i in range(0, len(nums) - 1, 2):
            x, y = apply_matrix_pt(ctm, (float(nums[i]), float(nums[i + 1])))
            xs.append(x)
            ys.append(y)
    if not xs:
        return None
    return (min(xs), min(ys), max(xs), max(ys))


def install() -> None:
    """Hook pdfminer/pdfplumber once so chars carry render mode, clip box and fill alpha."""
    global _INSTALLED
    if _INSTALLED:
        return
    try:
        _install()
        _INSTALLED = True
    except Exception as exc:  # noqa: BLE001 - a changed library version degrades to colour/box checks only
        log.warning("visible-text hooks not installed: %s", exc)


def _install() -> None:
    """The hooks themselves (see the module docstring)."""
    from pdfminer import pdfinterp
    from pdfminer.layout import LTChar
    from pdfminer.pdfdevice import PDFTextDevice
    from pdfplumber.page import Page

    gs_cls = pdfinterp.PDFGraphicState
    interp_cls = pdfinterp.PDFPageInterpreter
    orig_copy, orig_render = gs_cls.copy, PDFTextDevice.render_string
    orig_init, orig_dup, orig_process = interp_cls.init_state, interp_cls.dup, Page.process_object
    from pdfminer.converter import PDFLayoutAnalyzer

    orig_paint, orig_begin = PDFLayoutAnalyzer.paint_path, PDFLayoutAnalyzer.begin_page

    def begin_page(self: Any, page: Any, ctm: Any) -> None:
        self.cme_glyphs = self.cme_paths = 0
        orig_begin(self, page, ctm)

    def paint_path(self: Any, gstate: Any, stroke: Any, fill: Any, evenodd: Any, path: Any) -> None:
        self.cme_paths = getattr(self, "cme_paths", 0) + 1
        if self.cme_paths > MAX_PATHS:
            _over["paths"] = True
            return
        orig_paint(self, gstate, stroke, fill, evenodd, path)

    def copy(self: Any) -> Any:
        obj: Any = orig_copy(self)
        obj.cme_clip = getattr(self, "cme_clip", None)
        obj.cme_alpha = getattr(self, "cme_alpha", 1.0)
        return obj

    def render_string(self: Any, textstate: Any, seq: Any, ncs: Any, graphicstate: Any) -> None:
        n = sum(len(x) for x in seq if isinstance(x, (bytes, str)))
        self.cme_glyphs = getattr(self, "cme_glyphs", 0) + n
        if self.cme_glyphs > MAX_GLYPHS * 2:  # 2 bytes per glyph in CJK fonts
            _over["glyphs"] = True
            return
        graphicstate.cme_render = getattr(textstate, "render", 0)
        orig_render(self, textstate, seq, ncs, graphicstate)

    def init_state(self: Any, ctm: Any) -> None:
        orig_init(self, ctm)
        self.graphicstate.cme_clip = getattr(self, "cme_parent_clip", None)
        self.graphicstate.cme_alpha = getattr(self, "cme_parent_alpha", 1.0)

    def dup(self: Any) -> Any:
        new: Any = orig_dup(self)
        gs = getattr(self, "graphicstate", None)
        new.cme_parent_clip = _clip_of(gs)
        new.cme_parent_alpha = getattr(gs, "cme_alpha", 1.0)
        return new

    def do_w_clip(self: Any) -> None:
        box = _path_box(self.curpath, self.ctm)
        if box is not None:
            self.graphicstate.cme_clip = _intersect(_clip_of(self.graphicstate), box)

    def do_gs(self: Any, name: Any) -> None:
        try:
            from pdfminer.pdftypes import resolve1

            states = resolve1((self.resources or {}).get("ExtGState")) or {}
            key = getattr(name, "name", name)
            state = resolve1(states.get(key)) if isinstance(states, dict) else None
            ca = resolve1(state.get("ca")) if isinstance(state, dict) else None
            if isinstance(ca, (int, float)):
                self.graphicstate.cme_alpha = float(ca)
        except Exception as exc:  # noqa: BLE001 - a broken ExtGState changes nothing
            log.debug("gs %r unreadable: %s", name, exc)

    def process_object(self: Any, obj: Any) -> Any:
        attr = orig_process(self, obj)
        if isinstance(obj, LTChar):
            gs = obj.graphicstate
            attr["cme_render"] = getattr(gs, "cme_render", 0)
            attr["cme_alpha"] = getattr(gs, "cme_alpha", 1.0)
            clip = _clip_of(gs)
            if clip is not None:
                cx, cy = (obj.x0 + obj.x1) / 2, (obj.y0 + obj.y1) / 2
                attr["cme_clipped"] = not (clip[0] - 1 <= cx <= clip[2] + 1 and clip[1] - 1 <= cy <= clip[3] + 1)
        return attr

    gs_cls.copy = copy  # type: ignore[method-assign]
    PDFTextDevice.render_string = render_string  # type: ignore[method-assign]
    interp_cls.init_state = init_state  # type: ignore[method-assign]
    interp_cls.dup = dup  # type: ignore[method-assign]
    interp_cls.do_W = do_w_clip  # type: ignore[method-assign]
    interp_cls.do_W_a = do_w_clip  # type: ignore[method-assign]
    interp_cls.do_gs = do_gs  # type: ignore[method-assign]
    Page.process_object = process_object  # type: ignore[method-assign]
    PDFLayoutAnalyzer.paint_path = paint_path  # type: ignore[method-assign]
    PDFLayoutAnalyzer.begin_page = begin_page  # type: ignore[method-assign]


def _floats(color: Any) -> list[float]:
    if isinstance(color, (int, float)):
        color = (color,)
    if not isinstance(color, (tuple, list)):
        return []
    try:
        return [float(v) for v in color]
    except (TypeError, ValueError):
        return []


def is_white(color: Any) -> bool:
    """True for a colour that leaves the paper white (RGB/gray near 1, CMYK with no ink)."""
    vals = _floats(color)
    if not vals:
        return False
    if len(vals) == 4:
        return all(v <= 1 - WHITE for v in vals)
    return all(v >= WHITE for v in vals)


def _dark_fills(page: Any) -> list[_Box]:
    """Boxes (x0, top, x1, bottom) of filled, non-white rectangles: white text on them is visible."""
    out = []
    for r in getattr(page, "rects", None) or []:
        if r.get("fill") and not is_white(r.get("non_stroking_color")):
            out.append((r["x0"], r["top"], r["x1"], r["bottom"]))
    return out


def _center_in(ch: dict[str, Any], box: _Box) -> bool:
    cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def hidden_reason(ch: dict[str, Any], page_box: _Box, fills: list[_Box]) -> Optional[str]:
    """Why a reader cannot see this char (a REASONS key), or None when it is visible."""
    mode = ch.get("cme_render", 0)
    if mode in INVISIBLE_MODES:
        return "mode"
    if ch.get("cme_clipped"):
        return "clip"
    if not _center_in(ch, page_box):
        return "offpage"
    alpha = ch.get("cme_alpha", 1.0)
    if isinstance(alpha, (int, float)) and alpha < MIN_ALPHA:
        return "alpha"
    size = ch.get("size") or 0.0
    if size < MIN_SIZE or (ch["x1"] - ch["x0"] < 0.3 and ch["bottom"] - ch["top"] < 0.3):
        return "small"
    color = ch.get("stroking_color") if mode in STROKE_MODES else ch.get("non_stroking_color")
    if is_white(color) and not any(_center_in(ch, f) for f in fills):
        return "white"
    return None


def visible_chars(page: Any) -> list[dict[str, Any]]:
    """The chars of a pdfplumber page a reader can see, text cleaned; what was dropped goes to page_stats()."""
    install()
    stats = Hidden()
    try:
        box = tuple(float(v) for v in page.bbox)
        page_box: _Box = (box[0], box[1], box[2], box[3])
    except Exception:  # noqa: BLE001 - no usable box: keep everything on the page
        page_box = (-1e9, -1e9, 1e9, 1e9)
    _over["glyphs"] = _over["paths"] = False
    chars = page.chars
    stats.truncated = _over["glyphs"] or _over["paths"]
    fills = _dark_fills(page) if any(is_white(c.get("non_stroking_color")) for c in chars) else []
    out: list[dict[str, Any]] = []
    for ch in chars:
        text = ch.get("text") or ""
        if not text or all(is_ignorable_char(t) for t in text):
            continue
        blank = not text.strip()
        if not blank and (CID.match(text) or text == "\ufffd"):
            stats.unmapped += 1
            continue
        reason = hidden_reason(ch, page_box, fills)
        if reason is not None:
            if not blank:
                stats.counts[reason] = stats.counts.get(reason, 0) + 1
            continue
        cleaned = clean_text(text) if len(text) > 1 or not text.isalnum() else text
        if not cleaned:
            continue
        if cleaned != text:
            ch = {**ch, "text": cleaned}
        stats.kept += 0 if blank else 1
        out.append(ch)
    try:
        page.cme_hidden = stats
    except Exception:  # noqa: BLE001 - a page object without attributes just has no stats
        pass
    return out


def page_stats(page: Any) -> Optional[Hidden]:
    """What visible_chars dropped on this page (None when it did not run)."""
    return getattr(page, "cme_hidden", None)


def hidden_warning(page_no: int, stats: Hidden) -> str:
    """The clerk's notice for a page with hidden text."""
    why = "、".join(REASONS[k] for k in REASONS if stats.counts.get(k))
    return f"草稿含不可见文字：第 {page_no} 页有 {stats.hidden} 个读者看不到的字符（{why}），已忽略，请人工核对原件"


def unmapped_share(stats: Hidden) -> float:
    """Share of the page's text glyphs that have no Unicode mapping."""
    total = stats.unmapped + stats.kept
    return stats.unmapped / total if total else 0.0
