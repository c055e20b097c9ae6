"""RapidOCR tuned for scanned A4 forms: detection on a downscaled page, recognition on full-resolution crops."""

from __future__ import annotations

import copy
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

log = logging.getLogger(__name__)

DET_MAX_SIDE = 1280  # px: text detection runs on the page scaled to this long side (the 200 dpi page is 2339)
TEXT_SCORE = 0.5  # recognitions below this confidence are dropped (RapidOCR's default)
THREADS = 2  # onnxruntime intra-op threads of the detector (the target machine has 2 cores)
REC_WORKERS = 2  # recognisers run side by side, one thread each: 10 % faster than one 2-thread session here
REC_BATCH = 1  # text lines per recognition run: no padding to the widest line of a batch; fastest on 2 cores
REC_HEIGHT = 48  # px: recognition input height (the PP-OCRv4 model's own)
_ENGINE: Optional[PageOCR] = None
_LOCK = threading.Lock()


class PageOCR:
    """Callable like RapidOCR (`engine(img, use_det=..., use_cls=...) -> (result, elapsed)`), but cheaper on pages."""

    def __init__(self, rapid: Any, det_max_side: Optional[int] = None, recognizers: Optional[list[Any]] = None) -> None:
        self.rapid = rapid
        self.det_max_side = det_max_side or DET_MAX_SIDE
        self.recognizers = recognizers or [rapid.text_rec]
        self._pool: Optional[ThreadPoolExecutor] = None

    def __call__(self, img: Any, use_det: bool = True, use_cls: bool = False) -> tuple[Optional[list[Any]], Any]:
        """[[box (4 corners, px of img), text, score], ...] and the engine's timings (None when nothing found)."""
        if not use_det:
            return self.rapid(img, use_det=False, use_cls=use_cls)  # type: ignore[no-any-return]
        boxes = self.detect(img)
        if not boxes:
            return None, None
        crops = self.rapid.get_crop_img_list(img, boxes)
        recs, elapsed = self.recognize(crops)
        out = [
            [b.tolist(), str(r[0]), float(r[1])] for b, r in zip(boxes, recs, strict=True) if float(r[1]) >= TEXT_SCORE
        ]
        return (out or None), elapsed

    def recognize(self, crops: list[Any]) -> tuple[list[tuple[str, float]], float]:
        """(text, score) per crop, in order; the crops are shared out among the recognisers by width."""
        if len(self.recognizers) < 2 or len(crops) < 2:
            return self.recognizers[0](crops)  # type: ignore[no-any-return]
        n = len(self.recognizers)
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / max(crops[i].shape[0], 1))
        shares = [order[k::n] for k in range(n)]  # alternate by width so each gets a like amount of work
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="ocr-rec")
        futures = [
            self._pool.submit(rec, [crops[i] for i in share])
            for rec, share in zip(self.recognizers, shares, strict=True)
        ]
        out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        elapsed = 0.0
        for share, fut in zip(shares, futures, strict=True):
            recs, took = fut.result()
            elapsed = max(elapsed, float(took or 0.0))
            for i, r in zip(share, recs, strict=True):
                out[i] = r
        return out, elapsed

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
            from review.config import load_settings

            rapid = _rapid(spin=bool(load_settings().ocr_spin))
            _ENGINE = PageOCR(rapid, recognizers=[_single_thread(rapid.text_rec) for _ in range(REC_WORKERS)])
        return _ENGINE


def _rapid(spin: bool = True) -> Any:
    """RapidOCR with our thread, batch and line-height settings; spin=False stops idle threads spinning."""
    from rapidocr_onnxruntime import RapidOCR
    from rapidocr_onnxruntime.utils import infer_engine

    base = infer_engine.OrtInferSession._init_sess_opts

    def opts(config: dict[str, Any]) -> Any:
        o = base(config)
        # spinning idle threads cut recognition from 2.2 to 1.5 s a page here (quiet), but on a 2-core machine
        # shared with other busy processes they steal the cores: CME_OCR_SPIN=0 turns it off
        o.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
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


def _single_thread(text_rec: Any) -> Any:
    """A copy of RapidOCR's recogniser with its own one-thread onnxruntime session (same model file).

    Relies on rapidocr-onnxruntime 1.4's layout (TextRecognizer.session is an OrtInferSession whose
    .session is the onnxruntime InferenceSession); the version is pinned in requirements.txt.
    """
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    rec = copy.copy(text_rec)
    rec.session = copy.copy(text_rec.session)
    rec.session.session = ort.InferenceSession(
        text_rec.session.session._model_path, opts, providers=["CPUExecutionProvider"]
    )
    return rec
