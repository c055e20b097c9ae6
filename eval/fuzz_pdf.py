"""Time-bounded fuzz benchmark of the PDF reader: hypothesis-generated PDF objects and mutated PDF bytes.

`python -m eval.fuzz_pdf --seconds 1800 [--out eval/out/fuzz.json]`. Every input goes through extract_pdf in this
process (OCR engine stubbed, rendering kept), some through the bounded reader (review.sandbox) as users reach it,
and hypothesis text through clean_text / clean_question. Contract: a result or an InputError with a Chinese
message; anything else is an unhandled exception and is listed. A per-input alarm counts hangs separately.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any, Optional

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
PER_INPUT_SECONDS = 30  # an input still running after this is a hang
MEMORY_MB = 3072  # address-space limit of the fuzz process: a bomb shows as MemoryError, not a dead machine
SANDBOX_EVERY = 40  # every n-th PDF input also goes through review.sandbox.extract_bounded

# --- hypothesis strategies: PDF objects, content streams, pages ---------------------------------------

NUM = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from([0, 1, -1, 1e30, -1e30, 1e-30, 2**31, 2**63]),
)
OPS_TEXT = st.sampled_from(["Tj", "'", '"', "TJ"])
HANZI = st.text(
    alphabet=st.sampled_from(list("项目名称拟授学分教学总时长申报单位负责人职称主任医师：0123456789")), max_size=30
)
WEIRD = st.text(alphabet=st.characters(codec="utf-8"), max_size=20)


def _pdf_str(text: str) -> bytes:
    """A PDF literal string of UTF-16BE bytes (escaped)."""
    raw = text.encode("utf-16-be", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


@st.composite
def content_op(draw: Any) -> bytes:
    """One content-stream operation, often hostile (render modes, clips, extreme matrices, unbalanced q/Q)."""
    kind = draw(st.integers(0, 12))
    n = lambda: str(draw(NUM)).encode()  # noqa: E731 - local shorthand
    if kind == 0:
        return b"%s Tr" % str(draw(st.integers(-2, 9))).encode()
    if kind == 1:
        return b"%s %s %s %s re W n" % (n(), n(), n(), n())
    if kind == 2:
        return b"%s %s %s %s %s %s cm" % (n(), n(), n(), n(), n(), n())
    if kind == 3:
        return draw(st.sampled_from([b"q", b"Q", b"BT", b"ET", b"q q q", b"Q Q"]))
    if kind == 4:
        return b"%s %s %s rg" % (n(), n(), n())
    if kind == 5:
        return b"/F1 %s Tf" % n()
    if kind == 6:
        return b"%s %s Td %s Tj" % (n(), n(), _pdf_str(draw(st.one_of(HANZI, WEIRD))))
    if kind == 7:
        return b"[%s %s %s] TJ" % (_pdf_str(draw(HANZI)), n(), _pdf_str(draw(WEIRD)))
    if kind == 8:
        return b"/GS%s gs" % str(draw(st.integers(0, 2))).encode()
    if kind == 9:
        return b"/X%s Do" % str(draw(st.integers(0, 2))).encode()
    if kind == 10:
        return b"%s %s m %s %s l S" % (n(), n(), n(), n())
    if kind == 11:
        return draw(st.binary(max_size=40))
    return b"%s %s %s %s re f" % (n(), n(), n(), n())


@st.composite
def pdf_spec(draw: Any) -> dict[str, Any]:
    """A description of a small hostile PDF: boxes, content, filters, XObjects, ExtGStates, form fields."""
    return {
        "media": draw(st.sampled_from([(0, 0, 595, 842), (0, 0, 0, 0), (-100, -100, 100, 100), (0, 0, 14400, 14400)])),
        "crop": draw(st.one_of(st.none(), st.tuples(NUM, NUM, NUM, NUM))),
        "ops": draw(st.lists(content_op(), min_size=1, max_size=60)),
        "filters": draw(
            st.lists(st.sampled_from(["/FlateDecode", "/ASCIIHexDecode", "/ASCII85Decode", "/Bogus"]), max_size=3)
        ),
        "bomb": draw(st.sampled_from([0, 0, 0, 1, 2])),
        "xobject": draw(st.sampled_from(["none", "form", "self", "image", "huge-image"])),
        "alpha": draw(st.one_of(NUM, st.text(max_size=3))),
        "fields": draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["title", "credits", "teachers.0.hours", "x" * 300, "lead.title"]),
                    st.one_of(WEIRD, st.text(alphabet="9", min_size=1, max_size=400)),
                ),
                max_size=4,
            )
        ),
        "xfa": draw(st.booleans()),
        "unicode_font": draw(st.booleans()),
        "truncate": draw(st.one_of(st.none(), st.floats(0.05, 1.0))),
    }


def _encode(data: bytes, filters: list[str]) -> bytes:
    """Apply filters (listed in decode order) to data."""
    import base64

    out = data
    for f in reversed(filters):
        if f == "/FlateDecode":
            out = zlib.compress(out)
        elif f == "/ASCIIHexDecode":
            out = out.hex().encode() + b">"
        elif f == "/ASCII85Decode":
            out = base64.a85encode(out) + b"~>"
    return out


def build_pdf(spec: dict[str, Any]) -> bytes:
    """The PDF bytes for a pdf_spec."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        StreamObject,
        TextStringObject,
    )

    w = PdfWriter()
    x0, y0, x1, y1 = spec["media"]
    page = w.add_blank_page(max(x1 - x0, 1), max(y1 - y0, 1))
    page[NameObject("/MediaBox")] = ArrayObject([FloatObject(v) for v in spec["media"]])
    if spec["crop"] is not None:
        page[NameObject("/CropBox")] = ArrayObject([FloatObject(float(v)) for v in spec["crop"]])
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    if spec["unicode_font"]:
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type0"),
                NameObject("/BaseFont"): NameObject("/STSong-Light"),
                NameObject("/Encoding"): NameObject("/Identity-H"),
            }
        )
    gs = DictionaryObject(
        {
            NameObject("/ca"): FloatObject(spec["alpha"])
            if isinstance(spec["alpha"], (int, float))
            else TextStringObject(spec["alpha"])
        }
    )
    res = DictionaryObject(
        {
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): w._add_object(font)}),
            NameObject("/ExtGState"): DictionaryObject({NameObject("/GS0"): gs, NameObject("/GS1"): NumberObject(3)}),
        }
    )
    content = b"\n".join(spec["ops"])
    stream = StreamObject()
    filters = list(spec["filters"])
    if spec["bomb"]:
        filters, body = ["/FlateDecode"] * spec["bomb"], zlib.compress(b"0 0 m " * 2_000_000, 9)
        stream._data = zlib.compress(body, 9) if spec["bomb"] == 2 else body
    else:
        stream._data = _encode(content, [f for f in filters if f != "/Bogus"]) if "/Bogus" not in filters else content
    if filters:
        stream[NameObject("/Filter")] = ArrayObject([NameObject(f) for f in filters])
    ref = w._add_object(stream)
    page[NameObject("/Contents")] = ref
    xo = spec["xobject"]
    if xo != "none":
        obj = StreamObject()
        if xo in ("form", "self"):
            obj._data = content
            obj.update(
                {
                    NameObject("/Subtype"): NameObject("/Form"),
                    NameObject("/BBox"): ArrayObject([FloatObject(v) for v in (0, 0, 100, 100)]),
                }
            )
        else:
            side = 100_000 if xo == "huge-image" else 8
            obj._data = zlib.compress(b"\x00" * 192)
            obj.update(
                {
                    NameObject("/Subtype"): NameObject("/Image"),
                    NameObject("/Width"): NumberObject(side),
                    NameObject("/Height"): NumberObject(side),
                    NameObject("/BitsPerComponent"): NumberObject(8),
                    NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
                    NameObject("/Filter"): NameObject("/FlateDecode"),
                }
            )
        xref = w._add_object(obj)
        if xo == "self":
            obj[NameObject("/Resources")] = DictionaryObject(
                {NameObject("/XObject"): DictionaryObject({NameObject("/X0"): xref})}
            )
        res[NameObject("/XObject")] = DictionaryObject({NameObject("/X0"): xref, NameObject("/X1"): NumberObject(1)})
    page[NameObject("/Resources")] = res
    if spec["fields"] or spec["xfa"]:
        fields = ArrayObject()
        for name, value in spec["fields"]:
            f = DictionaryObject(
                {
                    NameObject("/T"): TextStringObject(name),
                    NameObject("/V"): TextStringObject(value),
                    NameObject("/FT"): NameObject("/Tx"),
                }
            )
            fields.append(w._add_object(f))
        acro = DictionaryObject({NameObject("/Fields"): fields})
        if spec["xfa"]:
            xfa = StreamObject()
            xfa._data = b"<xdp:xdp><template/><datasets/></xdp:xdp>"
            acro[NameObject("/XFA")] = w._add_object(xfa)
        w._root_object[NameObject("/AcroForm")] = w._add_object(acro)
    buf = io.BytesIO()
    w.write(buf)
    data = buf.getvalue()
    if spec["truncate"] is not None and spec["truncate"] < 1.0:
        data = data[: max(16, int(len(data) * spec["truncate"]))]
    return data


# --- the harness ------------------------------------------------------------------------------------


class Hang(Exception):
    """Raised by the alarm when one input runs longer than PER_INPUT_SECONDS."""


def _alarm(_sig: int, _frame: Any) -> None:
    raise Hang()


class Tally:
    """Counts per input kind and outcome, and every unhandled exception (kind, type, message)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.unhandled: list[dict[str, str]] = []
        self.hangs: list[str] = []
        self.slowest = 0.0

    def add(self, key: str) -> None:
        """Count one outcome."""
        self.counts[key] = self.counts.get(key, 0) + 1

    @property
    def inputs(self) -> int:
        """Inputs tried."""
        return sum(v for k, v in self.counts.items() if k.endswith((".result", ".reject", ".hang", ".unhandled")))


def check_pdf(data: bytes, kind: str, tally: Tally, sandboxed: bool = False) -> None:
    """One PDF through extract_pdf (and optionally the bounded reader); outcome into tally."""
    from review.config import load_settings
    from review.errors import InputError
    from review.extract import extract_pdf
    from review.sandbox import extract_bounded

    fd, name = tempfile.mkstemp(suffix=".pdf", prefix="cme-fuzz-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    t0 = time.perf_counter()
    signal.alarm(PER_INPUT_SECONDS * (4 if sandboxed else 1))
    try:
        if sandboxed:
            extract_bounded(name, load_settings().with_(read_timeout=float(PER_INPUT_SECONDS)))
        else:
            extract_pdf(name)
        tally.add(f"{kind}.result")
    except InputError as err:
        if not any("\u4e00" <= ch <= "\u9fff" for ch in err.zh):
            tally.unhandled.append({"kind": kind, "type": "InputError without Chinese", "message": err.zh[:200]})
            tally.add(f"{kind}.unhandled")
        else:
            tally.add(f"{kind}.reject")
    except Hang:
        tally.hangs.append(kind)
        tally.add(f"{kind}.hang")
        _keep(data, "hang")
    except BaseException as exc:  # noqa: BLE001 - the point is to record it
        if isinstance(exc, KeyboardInterrupt):
            raise
        tally.unhandled.append({"kind": kind, "type": type(exc).__name__, "message": str(exc)[:200]})
        tally.add(f"{kind}.unhandled")
        _keep(data, "unhandled")
    finally:
        signal.alarm(0)
        tally.slowest = max(tally.slowest, time.perf_counter() - t0)
        os.unlink(name)


def _keep(data: bytes, why: str) -> None:
    """Save a failing input for reproduction."""
    d = Path(tempfile.gettempdir()) / "cme-fuzz-failures"
    d.mkdir(exist_ok=True)
    (d / f"{why}-{len(list(d.iterdir()))}.pdf").write_bytes(data)


def check_text(text: str, tally: Tally) -> None:
    """clean_text / clean_question on any text: no control or format characters left, capped, fast."""
    from review.textutil import MAX_QUESTION_CHARS, clean_question, clean_text, is_ignorable_char

    try:
        out = clean_text(text)
        q, _notes = clean_question(text)
        assert not any(is_ignorable_char(c) for c in out + q), (text, out, q)
        assert len(q) <= MAX_QUESTION_CHARS
        tally.add("text.result")
    except BaseException as exc:  # noqa: BLE001 - recorded
        if isinstance(exc, KeyboardInterrupt):
            raise
        tally.unhandled.append({"kind": "text", "type": type(exc).__name__, "message": str(exc)[:200]})
        tally.add("text.unhandled")


def run(seconds: float, seed_no: int = 0) -> dict[str, Any]:
    """Fuzz for `seconds`: rounds of hypothesis PDF specs, byte mutations and text; returns the figures."""
    from eval.fuzz_atheris import mutate, no_ocr_engine, seed_pdfs

    logging.disable(logging.CRITICAL)
    signal.signal(signal.SIGALRM, _alarm)
    tally, rng, seeds = Tally(), random.Random(seed_no), seed_pdfs()
    t_end = time.monotonic() + seconds
    t0 = time.monotonic()
    counter = {"n": 0}
    cfg = settings(
        max_examples=25, deadline=None, database=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck)
    )
    with no_ocr_engine():
        rnd = 0
        while time.monotonic() < t_end:
            rnd += 1

            @seed(seed_no * 100_000 + rnd)
            @cfg
            @given(pdf_spec())
            def structured(spec: dict[str, Any]) -> None:
                if time.monotonic() >= t_end:
                    return
                try:
                    data = build_pdf(spec)
                except Exception:  # noqa: BLE001 - pypdf refused to write this spec: not an input
                    tally.add("spec.unbuildable")
                    return
                counter["n"] += 1
                check_pdf(data, "structured", tally, sandboxed=counter["n"] % SANDBOX_EVERY == 0)

            @seed(seed_no * 100_000 + rnd)
            @settings(
                max_examples=200,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(st.text(max_size=3000))
            def texts(text: str) -> None:
                check_text(text, tally)

            structured()
            for _ in range(25):
                if time.monotonic() >= t_end:
                    break
                data = mutate(seeds[rng.randrange(len(seeds))], rng, rng.randint(1, 12))
                counter["n"] += 1
                check_pdf(data, "mutated", tally, sandboxed=counter["n"] % SANDBOX_EVERY == 0)
            texts()
    logging.disable(logging.NOTSET)
    return {
        "seconds": round(time.monotonic() - t0, 1),
        "inputs": tally.inputs,
        "pdf_inputs": sum(v for k, v in tally.counts.items() if k.startswith(("structured.", "mutated."))),
        "text_inputs": sum(v for k, v in tally.counts.items() if k.startswith("text.")),
        "counts": dict(sorted(tally.counts.items())),
        "unhandled_exceptions": len(tally.unhandled),
        "unhandled": tally.unhandled[:50],
        "hangs": len(tally.hangs),
        "slowest_input_s": round(tally.slowest, 2),
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "commit": _commit(),
    }


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except Exception:  # noqa: BLE001 - not a checkout
        return ""


def main(argv: Optional[list[str]] = None) -> int:
    """CLI: fuzz for --seconds, print (and optionally write) the JSON figures; exit 1 on any unhandled exception."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)
    limit = MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    figures = run(args.seconds, args.seed)
    text = json.dumps(figures, ensure_ascii=False, indent=1)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    print(
        f"\nfuzz: {figures['inputs']} inputs in {figures['seconds']} s, "
        f"{figures['unhandled_exceptions']} unhandled exceptions, {figures['hangs']} hangs",
        file=sys.stderr,
    )
    return 1 if figures["unhandled_exceptions"] or figures["hangs"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
