"""RapidOCR tuned for scanned A4 forms: detection on a downscaled page, recognition on full-resolution crops."""

from __future__ import annotations

import logging
import threading
from typing import Any, Optional

log = logging.getLogger(__name__)

DET_MAX_SIDE = 1280  # px: text detection runs on the page scaled to this long side (the 200 dpi page is 2339)
TEXT_SCORE = 0.5  # recognitions below this confidence are dropped (RapidOCR's default)
THREADS = 2  # onnxruntime intra-op threads (the target machine has 2 cores)
REC_BATCH = 2  # text lines per recognition run: small batches were faster than RapidOCR's 6 on 2 cores
REC_HEIGHT = 48  # px: recognition input height (the PP-OCRv4 model's own)
_ENGINE: Optional[PageOCR] = None
_LOCK = threading.Lock()


class PageOCR:
    """Callable like RapidOCR (`engine(img, use_det=..., use_cls=...) -> (result, elapsed)`), but cheaper on pages."""

    def __init__(self, rapid: Any, det_max_side: Optional[int] = None) -> None:
        self.rapid = rapid
        self.det_max_side = det_max_side or DET_MAX_SIDE

    def __call__(self, img: Any, use_det: bool = True, use_cls: bool = False) -> tuple[Optional[list[Any]], Any]:
        """[[box (4 corners, px of img), text, score], ...] and the engine's timings (None when nothing found)."""
        if not use_det:
            return self.rapid(img, use_det=False, use_cls=use_cls)  # type: ignore[no-any-return]
        boxes = self.detect(img)
        if not boxes:
            return None, None
        crops = self.rapid.get_crop_img_list(img, boxes)
        recs, elapsed = self.rapid.text_rec(crops)
        out = [
            [b.tolist(), str(r[0]), float(r[1])] for b, r in zip(boxes, recs, strict=True) if float(r[1]) >= TEXT_SCORE
        ]
        return (out or None), elapsed

    def detect(self, img: Any) -> list[Any]:
        """Text boxes (float32 4x2 arrays, top-to-bottom) found on a copy of img scaled to det_max_side."""
        import cv2
        import numpy as np

        h, w = img.shape[:2]
        k = min(1.0, self.det_max_side / max(h, w, 1))
        small = (
            cv2.resize(img, (max(int(w * k), 1), max(int(h * k), 1)), interpolation=cv2.INTER_AREA) if k < 1 else img
        )
        found, _ = self.rapid(small, use_cls=False, use_rec=False)
        if not found:
            return []
        boxes = np.asarray(found, dtype=np.float32) / np.float32(k)
        boxes[..., 0] = boxes[..., 0].clip(0, w - 1)
        boxes[..., 1] = boxes[..., 1].clip(0, h - 1)
        return list(boxes)


def get_engine() -> PageOCR:
    """The engine, created once (models ship inside the wheel; nothing is downloaded)."""
    global _ENGINE
    with _LOCK:
        if _ENGINE is None:
            _ENGINE = PageOCR(_rapid())
        return _ENGINE


def _rapid() -> Any:
    """RapidOCR with our thread, batch and line-height settings and onnxruntime thread spinning off."""
    from rapidocr_onnxruntime import RapidOCR
    from rapidocr_onnxruntime.utils import infer_engine

    base = infer_engine.OrtInferSession._init_sess_opts

    def opts(config: dict[str, Any]) -> Any:
        o = base(config)
        # idle worker threads must not spin: on a shared 2-core machine spinning steals the other thread's core
        o.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return o

    infer_engine.OrtInferSession._init_sess_opts = staticmethod(opts)  # only while our sessions are built
    try:
        return RapidOCR(
            intra_op_num_threads=THREADS,
            inter_op_num_threads=1,
            rec_batch_num=REC_BATCH,
            rec_img_shape=[3, REC_HEIGHT, 320],
            text_score=TEXT_SCORE,
        )
    finally:
        infer_engine.OrtInferSession._init_sess_opts = staticmethod(base)
