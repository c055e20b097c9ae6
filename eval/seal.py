"""A red round unit seal as a reportlab Flowable: the fixtures' scans and the random layouts draw it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Flowable


@dataclass(frozen=True)
class SealStyle:
    """Geometry and type sizes of one seal design."""

    red: colors.Color
    radius: float
    cx: float
    cy: float
    star_size: float
    star_drop: float
    text_size: float
    max_chars: int
    text_inset: float
    span_max: float
    empty: str = ""  # the character drawn when the unit is blank ("" draws none)
    footer: str = ""  # a line under the star ("专用章"), or none


class Seal(Flowable):
    """The unit name around the rim, a star in the middle; drawn over the line just above it (zero size)."""

    def __init__(self, unit: str, font: str, style: SealStyle) -> None:
        super().__init__()
        self.unit, self.font, self.style = unit, font, style

    def wrap(self, *_: Any) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        s, c = self.style, self.canv
        r, cx, cy = s.radius, s.cx, s.cy
        c.saveState()
        c.setStrokeColor(s.red)
        c.setFillColor(s.red)
        c.setLineWidth(3)
        c.circle(cx, cy, r)
        c.setFont(self.font, s.star_size)
        c.drawCentredString(cx, cy - s.star_drop, "★")
        c.setFont(self.font, s.text_size)
        chars = list(self.unit)[: s.max_chars] or ([s.empty] if s.empty else [])
        span = min(s.span_max, 14.0 * len(chars))
        for i, ch in enumerate(chars):
            angle = 90 + span / 2 - (span * (i + 0.5) / len(chars))
            rad = math.radians(angle)
            c.saveState()
            c.translate(cx + (r - s.text_inset) * math.cos(rad), cy + (r - s.text_inset) * math.sin(rad))
            c.rotate(angle - 90)
            c.drawCentredString(0, 0, ch)
            c.restoreState()
        if s.footer:
            c.drawCentredString(cx, cy - 36, s.footer)
        c.restoreState()
