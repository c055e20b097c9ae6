"""Scanned tables: deskew the page image, find ruling lines, and put OCR boxes into their grid cells."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

DARK = 150  # grey level below which a pixel is ink
H_RUN = 60  # pixels: a horizontal ruling line is at least this long (text strokes are shorter)
V_RUN = 40  # pixels: same for vertical lines
MAX_SKEW = 2.0  # degrees searched when deskewing
CELL_TOL = 6  # pixels: cells whose edges differ less are the same cell


def ink_mask(img: Any) -> Any:
    """Boolean mask of ink pixels: the channel mean below DARK (integer channel sum; 8x faster than mean(axis=2))."""
    return (img[..., 0].astype(np.uint16) + img[..., 1] + img[..., 2]) < 3 * DARK


def estimate_skew(ink: Any) -> float:
    """Skew angle in degrees that maximises the sharpness of the row profile.

    The ink pixels of a half-size sample are sheared by each candidate angle (for angles of a few
    degrees a shear is a rotation to well under a pixel) and binned into 4-pixel rows; the sharpest
    profile (largest sum of squared differences between neighbouring rows) wins. One bincount per
    angle instead of rotating an image 41 times: ~10x faster than the rotate-and-sum search.
    """
    small = ink[::2, ::2]
    ys, xs = np.nonzero(small)
    if len(ys) == 0:
        return 0.0
    xs_c = xs - small.shape[1] / 2.0
    best, score = 0.0, -1.0
    for tenth in range(int(-MAX_SKEW * 10), int(MAX_SKEW * 10) + 1, 1):
        angle = tenth / 10.0
        rows = np.floor((ys - xs_c * np.tan(np.deg2rad(angle))) / 2).astype(np.int64)
        prof = np.bincount(rows - rows.min()).astype(np.float64)
        s = float(np.square(np.diff(prof)).sum())
        if s > score:
            best, score = angle, s
    return best


def deskew(img: Any) -> tuple[Any, float]:
    """Rotated copy of an RGB page image with horizontal text lines, and the angle used."""
    import cv2

    angle = estimate_skew(ink_mask(img))
    if abs(angle) < 0.05:
        return img, 0.0
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)  # counter-clockwise, as PIL's rotate
    rot = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=(255, 255, 255))
    return rot, angle


def _runs(mask: Any, run: int, axis: int) -> Any:
    """Pixels covered by a full run of `run` ink pixels along axis (a morphological opening, O(pixels))."""
    from scipy import ndimage

    m = mask.astype(np.uint8)
    ax = 1 if axis == 1 else 0
    eroded = ndimage.minimum_filter1d(m, run, axis=ax, mode="constant", cval=0)
    # the dilation uses the reflected window: for an even run length its origin shifts by one
    opened = ndimage.maximum_filter1d(eroded, run, axis=ax, mode="constant", cval=0, origin=-1 if run % 2 == 0 else 0)
    return opened.astype(bool)


def line_masks(img: Any) -> tuple[Any, Any]:
    """Boolean masks of horizontal and vertical ruling-line pixels."""
    ink = ink_mask(img)
    return _runs(ink, H_RUN, 1), _runs(ink, V_RUN, 0)


def cell_of(cx: int, cy: int, hmask: Any, vmask: Any) -> Optional[tuple[int, int, int, int]]:
    """The ruled cell (left, top, right, bottom) around a point, or None when not inside a grid."""
    h, w = hmask.shape
    cx, cy = min(max(cx, 0), w - 1), min(max(cy, 0), h - 1)
    up = np.nonzero(hmask[:cy, cx])[0]
    down = np.nonzero(hmask[cy + 1 :, cx])[0]
    left = np.nonzero(vmask[cy, :cx])[0]
    right = np.nonzero(vmask[cy, cx + 1 :])[0]
    if not (len(up) and len(down) and len(left) and len(right)):
        return None
    return int(left[-1]), int(up[-1]), int(cx + 1 + right[0]), int(cy + 1 + down[0])


def _char_w(ch: str) -> float:
    return 0.5 if ch.isascii() else 1.0


def split_at_lines(
    box: tuple[float, float, float, float], text: str, vmask: Any
) -> list[tuple[tuple[float, float, float, float], str]]:
    """Split an OCR box whose text runs across a vertical ruling line (text split by character widths)."""
    x0, y0, x1, y1 = box
    cy = int((y0 + y1) / 2)
    if not 0 <= cy < vmask.shape[0]:
        return [(box, text)]
    lo, hi = int(x0) + 4, int(x1) - 4
    xs: Any = np.nonzero(vmask[cy, max(lo, 0) : max(hi, 0)])[0] if hi > lo else []
    if len(xs) == 0 or not text:
        return [(box, text)]
    cut_x = lo + int(xs[0])
    total = sum(_char_w(c) for c in text)
    frac, acc, cut = (cut_x - x0) / max(x1 - x0, 1.0), 0.0, len(text)
    for i, ch in enumerate(text):
        if acc + _char_w(ch) / 2 > frac * total:
            cut = i
            break
        acc += _char_w(ch)
    left, right = text[:cut].strip(), text[cut:].strip()
    out = []
    if left:
        out.append(((x0, y0, float(cut_x - 2), y1), left))
    if right:
        out += split_at_lines((float(cut_x + 3), y0, x1, y1), right, vmask)
    return out


def same_cell(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """True when two detected cells are the same within CELL_TOL."""
    return all(abs(p - q) <= CELL_TOL for p, q in zip(a, b, strict=True))
