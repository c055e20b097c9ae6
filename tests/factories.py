"""Form factories for tests: the one copy lives in eval/factories.py (eval may not import tests)."""

from __future__ import annotations

from eval.factories import (
    ACHIEVEMENTS,
    PEER_REVIEW,
    UNIT_PROFILE,
    VARIANTS,
    association_form,
    beijing_form,
    clean_form,
    form_dict,
    jjj_form,
    make,
    nursing_form,
    remote_form,
    set_path,
)

__all__ = [
    "ACHIEVEMENTS",
    "PEER_REVIEW",
    "UNIT_PROFILE",
    "VARIANTS",
    "association_form",
    "beijing_form",
    "clean_form",
    "form_dict",
    "jjj_form",
    "make",
    "nursing_form",
    "remote_form",
    "set_path",
]
