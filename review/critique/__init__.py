"""Critique of the three narratives (同行评议意见, 主要成绩, 基本情况): offline rubric, optional model pass.

`rubric` scores each narrative deterministically, `offline` sums it into a NarrativeCritique, `model` runs the
optional batched model call. The offline critique is always the floor: on any model failure it stands with a
Chinese notice.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Optional

from review.critique.model import PLACEHOLDER, build_prompt, check_rewrite, critique_with_model
from review.critique.offline import critique_offline
from review.form import Form
from review.narratives import KINDS
from review.report import NarrativeCritique

__all__ = [
    "KINDS",
    "PLACEHOLDER",
    "NarrativeCritique",
    "build_prompt",
    "check_rewrite",
    "critique_narratives",
    "critique_offline",
]

if TYPE_CHECKING:  # review.llm imports langchain (~7 s measured with -X importtime): the type only
    from review.llm.protocol import ChatModelProtocol

log = logging.getLogger(__name__)


def critique_narratives(
    form: Form, model: Optional[ChatModelProtocol] = None
) -> tuple[dict[str, NarrativeCritique], list[str]]:
    """Critique peer_review, achievements and unit_profile; model pass when given, offline always as floor."""
    offline = {k: critique_offline(k, form) for k in KINDS}
    if model is None or all(c.issues == ["未填写"] for c in offline.values()):
        return offline, []
    try:
        return critique_with_model(form, offline, model)
    except Exception as exc:  # any model failure: the offline critique stands
        log.warning("narrative critique model pass failed: %s", exc)
        reason = getattr(exc, "zh", "") or f"{type(exc).__name__}"
        return offline, [f"叙述点评未能使用模型（{reason}），三段叙述均采用离线规则点评"]
