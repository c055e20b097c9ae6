"""Fuzz targets shared by tests/test_fuzz.py and eval/hardening_report.py, plus an optional atheris harness.

`python -m eval.fuzz_atheris [--runs N] [--target pdf|text]` runs atheris (coverage-guided) for a bounded number
of iterations when atheris is installed. Every target raises AssertionError (or the unexpected exception) on a
contract breach and returns quietly otherwise.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

from review.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "eval" / "fixtures"
# small text-layer fixtures (word-table, printout, fillable): fast to parse, every extraction path
SEED_PDFS = ("f-peer-review-short.pdf", "clean-national-printout-halfwidth.pdf", "clean-infect-fillable.pdf")


def seed_pdfs() -> list[bytes]:
    """Bytes of the seed fixtures that exist."""
    return [(FIXTURES / n).read_bytes() for n in SEED_PDFS if (FIXTURES / n).is_file()]


# --- PDF bytes ---------------------------------------------------------------------------------------


def mutate(data: bytes, rng: random.Random, n: int = 1) -> bytes:
    """Bit flips, truncation, chunk duplication or deletion: n mutations of a PDF's bytes."""
    buf = bytearray(data)
    for _ in range(n):
        if not buf:
            break
        op = rng.randrange(5)
        i = rng.randrange(len(buf))
        if op == 0:
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            del buf[i:]
        elif op == 2:
            j = min(len(buf), i + rng.randrange(1, 4096))
            buf[j:j] = buf[i:j]
        elif op == 3:
            del buf[i : i + rng.randrange(1, 512)]
        else:
            buf[i : i + 8] = bytes(rng.randrange(256) for _ in range(8))
    return bytes(buf)


@contextmanager
def no_ocr_engine() -> Iterator[None]:
    """Replace the OCR engine by one that finds nothing (rendering still runs): keeps PDF fuzzing fast."""
    from review.extract import ocr

    saved = ocr.engine
    ocr.engine = lambda: lambda img, use_cls=False: (None, 0.0)  # type: ignore[assignment]
    try:
        yield
    finally:
        ocr.engine = saved  # type: ignore[assignment]


def check_pdf_bytes(data: bytes, settings: Optional[Any] = None) -> str:
    """extract_pdf on these bytes returns an ExtractResult or raises InputError (Chinese message); nothing else."""
    from review.extract import extract_pdf
    from review.form import ExtractResult

    fd, name = tempfile.mkstemp(suffix=".pdf", prefix="cme-fuzz-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            res = extract_pdf(name, settings)
        except InputError as err:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in err.zh), f"InputError without Chinese: {err.zh!r}"
            return "reject"
        assert isinstance(res, ExtractResult)
        return "result"
    finally:
        os.unlink(name)


# --- text ---------------------------------------------------------------------------------------------


def check_normalizers(text: str) -> None:
    """Every normaliser accepts any text and returns its documented type."""
    from review import normalize as n

    for fn in (n.parse_number, n.parse_percent):
        v = fn(text)
        assert v is None or (isinstance(v, float) and math.isfinite(v)), (fn.__name__, text, v)
    i = n.parse_int(text)
    assert i is None or isinstance(i, int)
    for fn in (n.parse_checkbox, n.parse_bool_yesno):
        assert fn(text) in (None, True, False)
    assert isinstance(n.norm_label(text), str)
    assert n.count_chars(text) == len("".join(text.split()))
    d = n.parse_date(text)
    assert d is None or (isinstance(d, str) and len(d) in (7, 10)), d
    for field in ("peer_review", "achievements", "title"):
        assert n.is_hint_text(field, text) in (True, False)
    v2 = n.clean_value(text)
    assert v2 is None or (isinstance(v2, str) and v2 == v2.strip())
    assert isinstance(n.ticked_options(text, ("是", "否")), list)
    assert isinstance(n.join_lines(text.splitlines()), str)


def check_mask(text: str) -> None:
    """mask_text returns a string with no unmasked 18-digit ID number, and is idempotent."""
    from review.privacy import ID_NUMBER, mask_text

    out = mask_text(text)
    assert isinstance(out, str)
    assert ID_NUMBER.search(out) is None, (text, out)
    assert mask_text(out) == out, (text, out)


def check_mask_embedded(prefix: str, secret: str, suffix: str) -> None:
    """An ID number or phone set off by spaces inside arbitrary text never survives masking."""
    from review.privacy import mask_text

    out = mask_text(f"{prefix} {secret} {suffix}")
    assert secret not in out, (prefix, secret, suffix, out)


# --- atheris ------------------------------------------------------------------------------------------


def _atheris_pdf(data: bytes) -> None:
    check_pdf_bytes(data)


def _atheris_text(data: bytes) -> None:
    import atheris

    fdp = atheris.FuzzedDataProvider(data)
    text = fdp.ConsumeUnicodeNoSurrogates(256)
    check_normalizers(text)
    check_mask(text)


def run_atheris(target: str, runs: int) -> int:
    """Run atheris for `runs` iterations over seeds in a temporary corpus folder; 0 when nothing crashed."""
    import atheris

    fn = _atheris_pdf if target == "pdf" else _atheris_text
    with tempfile.TemporaryDirectory(prefix="cme-atheris-") as corpus:
        if target == "pdf":
            for i, data in enumerate(seed_pdfs()):
                Path(corpus, f"seed{i}.pdf").write_bytes(data)
        else:
            Path(corpus, "seed0").write_bytes("拟招生人数：120人 ☑是 □否 110105197503151234 13812345678".encode())
        argv = [
            sys.argv[0],
            f"-runs={runs}",
            "-max_len=400000" if target == "pdf" else "-max_len=1024",
            f"-artifact_prefix={tempfile.gettempdir()}/cme-atheris-",
            corpus,
        ]
        import review.normalize  # noqa: F401  (load what the target calls, then instrument it)
        import review.privacy  # noqa: F401

        if target == "pdf":
            import review.extract  # noqa: F401
        atheris.instrument_all()
        atheris.Setup(argv, fn)
        with no_ocr_engine():
            atheris.Fuzz()  # exits the process on a crash; returns after -runs iterations
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    """CLI entry point."""
    p = argparse.ArgumentParser(description="Bounded atheris fuzzing of extract_pdf or the text normalisers.")
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--target", choices=("pdf", "text"), default="text")
    args = p.parse_args(argv)
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("atheris is not installed: pip install atheris", file=sys.stderr)
        return 2
    return run_atheris(args.target, args.runs)


if __name__ == "__main__":
    raise SystemExit(main())
