"""Sizes measured without inflating: capped stream decompression, image pixel counts, repair, XFA, OCR budget.

Nothing here decodes more than a cap: a 38 KB stream that would inflate to 12 GB is measured as "over the cap"
after inflating the cap plus one byte, in 1 MB steps.
"""

from __future__ import annotations

import logging
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

log = logging.getLogger(__name__)

MAX_CONTENT_BYTES = 1_000_000  # a page's content (streams + form XObjects) larger than this is not text-parsed
MAX_STREAM_BYTES = 64_000_000  # any other stream (fonts, CMaps, metadata) inflating beyond this: bomb, refused
MAX_IMAGE_PIXELS = 60_000_000  # an embedded image with more pixels than this is not rendered (no OCR of its page)
MAX_OBJECTS_SCANNED = 20_000  # streams checked per file (a draft has a few hundred objects)
STEP = 1 << 20  # inflate in 1 MB steps
_FLATE = ("/FlateDecode", "/Fl")
_IMAGE_FILTERS = ("/DCTDecode", "/DCT", "/JPXDecode", "/CCITTFaxDecode", "/CCF", "/JBIG2Decode")

# Set by review.sandbox in a bounded child: called with the page number before each OCR'd page.
ocr_page_hook: Optional[Callable[[int], None]] = None


def inflate_capped(data: bytes, cap: int) -> tuple[bytes, bool]:
    """zlib-inflate at most cap bytes (output kept); (output, True) when the stream is longer than cap."""
    d = zlib.decompressobj()
    out = bytearray()
    buf = data
    try:
        while buf and len(out) <= cap:
            out += d.decompress(buf, min(STEP, cap + 1 - len(out)))
            buf = d.unconsumed_tail
            if d.eof:
                break
    except zlib.error:
        pass  # a broken tail: what was inflated so far is the size a parser can reach
    return bytes(out[: cap + 1]), len(out) > cap


def inflated_len(data: bytes, cap: int) -> int:
    """Inflated length of zlib data, counted in steps without keeping it; cap + 1 when longer than cap."""
    d = zlib.decompressobj()
    n = 0
    buf = data
    try:
        while buf and n <= cap:
            n += len(d.decompress(buf, STEP))
            buf = d.unconsumed_tail
            if d.eof:
                break
    except zlib.error:
        pass
    return min(n, cap + 1)


def _filters(stream: Any) -> list[str]:
    f = stream.get("/Filter")
    f = f.get_object() if hasattr(f, "get_object") else f
    if f is None:
        return []
    if isinstance(f, list):
        return [str(x.get_object() if hasattr(x, "get_object") else x) for x in f]
    return [str(f)]


def _raw(stream: Any) -> bytes:
    """The encoded bytes of a pypdf stream object (never decoded)."""
    data = getattr(stream, "_data", None)
    return bytes(data) if isinstance(data, (bytes, bytearray)) else b""


def stream_size(stream: Any, cap: int) -> int:
    """Decoded size of one stream, decoding at most cap bytes per filter; cap + 1 means "larger than cap"."""
    data = _raw(stream)
    filters = _filters(stream)
    if not filters:
        return min(len(data), cap + 1)
    for i, name in enumerate(filters):
        last = i == len(filters) - 1
        if name in _FLATE:
            if last:
                return inflated_len(data, cap)
            data, over = inflate_capped(data, cap)
            if over:
                return cap + 1
        elif name in _IMAGE_FILTERS:
            return min(len(data), cap + 1)  # image codecs: bounded by the pixel check
        elif name in ("/LZWDecode", "/LZW", "/RunLengthDecode", "/RL") and len(data) * 256 > cap:
            return cap + 1  # these expand up to ~256x: only small inputs are decoded to be measured
        else:
            data = _decode_other(name, data)
    return min(len(data), cap + 1)


def _decode_other(name: str, data: bytes) -> bytes:
    """ASCIIHex/ASCII85/LZW/RunLength via pypdf (each input is small or shrinks)."""
    from pypdf import filters as pf

    try:
        if name in ("/ASCIIHexDecode", "/AHx"):
            return bytes(pf.ASCIIHexDecode.decode(data))
        if name in ("/ASCII85Decode", "/A85"):
            return bytes(pf.ASCII85Decode.decode(data))
        if name in ("/LZWDecode", "/LZW"):
            return bytes(pf.LZWDecode.decode(data))
        if name in ("/RunLengthDecode", "/RL"):
            return bytes(pf.RunLengthDecode.decode(data))
    except Exception as exc:  # noqa: BLE001 - an undecodable stream is measured by its raw size
        log.debug("filter %s failed: %s", name, exc)
    return data


def _resolved(obj: Any) -> Any:
    return obj.get_object() if hasattr(obj, "get_object") else obj


def content_size(reader: Any, index: int, cap: int = MAX_CONTENT_BYTES) -> int:
    """Decoded size of a page's content streams plus its form XObjects (one level), never inflating past cap."""
    try:
        page = reader.pages[index]
        contents = _resolved(page.get("/Contents"))
        streams = list(contents) if isinstance(contents, list) else ([contents] if contents is not None else [])
        total = 0
        for s in streams:
            total += stream_size(_resolved(s), cap - total)
            if total > cap:
                return cap + 1
        for xo in _xobjects(page):
            if str(xo.get("/Subtype")) == "/Form":
                total += stream_size(xo, cap - total)
                if total > cap:
                    return cap + 1
        return total
    except Exception as exc:  # noqa: BLE001 - an unreadable page is handled by the page parser
        log.debug("page %d: content size unknown: %s", index + 1, exc)
        return 0


def _xobjects(page: Any) -> list[Any]:
    res = _resolved(page.get("/Resources"))
    xo = _resolved(res.get("/XObject")) if isinstance(res, dict) else None
    if not isinstance(xo, dict):
        return []
    out = []
    for v in list(xo.values())[:500]:
        obj = _resolved(v)
        if isinstance(obj, dict):
            out.append(obj)
    return out


def big_image(reader: Any, index: int, limit: int = MAX_IMAGE_PIXELS) -> Optional[tuple[int, int]]:
    """(width, height) of the first image on the page with more than limit pixels, else None."""
    try:
        for xo in _xobjects(reader.pages[index]):
            if str(xo.get("/Subtype")) != "/Image":
                continue
            w, h = int(_resolved(xo.get("/Width", 0)) or 0), int(_resolved(xo.get("/Height", 0)) or 0)
            if w <= 0 or h <= 0 or w * h > limit:
                return (w, h)
    except Exception as exc:  # noqa: BLE001 - an unreadable image dictionary: the renderer cannot use it either
        log.debug("page %d: image size unknown: %s", index + 1, exc)
        return (0, 0)
    return None


def bomb_stream(reader: Any, cap: int = MAX_STREAM_BYTES) -> Optional[int]:
    """Object number of a non-image stream inflating beyond cap (a decompression bomb), else None."""
    try:
        xref = getattr(reader, "xref_objStm", {})  # touch: pypdf builds the tables lazily
        del xref
        numbers = sorted({num for gen in reader.xref.values() for num in gen})[:MAX_OBJECTS_SCANNED]
    except Exception:  # noqa: BLE001 - no object table: nothing to scan
        return None
    for num in numbers:
        try:
            obj = reader.get_object(num)
        except Exception:  # noqa: BLE001 - an unreadable object is not a bomb
            continue
        if not hasattr(obj, "get_data") or str(obj.get("/Subtype")) == "/Image":
            continue
        if stream_size(obj, cap) > cap:
            return int(num)
    return None


def is_xfa_only(reader: Any) -> bool:
    """True when the form's data lives in XFA (an XML form) that has no AcroForm values to read."""
    try:
        root = _resolved(reader.trailer["/Root"])
        acro = _resolved(root.get("/AcroForm"))
        if not isinstance(acro, dict) or acro.get("/XFA") is None:
            return False
        fields = reader.get_fields() or {}
        return not any(isinstance(f, dict) and f.get("/V") not in (None, "") for f in fields.values())
    except Exception:  # noqa: BLE001 - an unreadable form is reported elsewhere
        return False


def repair(path: Path) -> Optional[Path]:
    """A re-saved copy of a PDF whose xref/trailer is broken, made by pdfium (which rebuilds it); None if not."""
    try:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            if len(pdf) == 0:
                return None
            fd, name = tempfile.mkstemp(prefix="cme-repaired-", suffix=".pdf")
            with open(fd, "wb") as fh:
                pdf.save(fh)
        finally:
            pdf.close()
        return Path(name)
    except Exception as exc:  # noqa: BLE001 - pdfium cannot read it either: the file is refused
        log.info("pdfium repair failed: %s", exc)
        return None


def note_ocr_page(page: int) -> None:
    """Tell the sandbox (if any) that OCR of a page starts, so the time budget grows by one OCR page."""
    if ocr_page_hook is not None:
        ocr_page_hook(page)
