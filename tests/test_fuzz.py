"""Property fuzzing: mutated fixture PDFs, the normalisers, privacy masking and the rules on random forms."""

from __future__ import annotations

import random
import typing
from typing import Any, Optional

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eval.fuzz_atheris import (
    check_mask,
    check_mask_embedded,
    check_normalizers,
    check_pdf_bytes,
    mutate,
    no_ocr_engine,
    seed_pdfs,
)
from eval.fuzz_pdf import pdf_spec
from eval.strategies import FORMS
from review.form import Form

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- PDF bytes -----------------------------------------------------------------------------------------


SEEDS = seed_pdfs()  # module level: hypothesis would print a fixture's bytes on failure


@pytest.fixture(scope="module")
def seeds() -> list[bytes]:
    assert SEEDS, "eval fixtures missing: run `make fixtures`"
    return SEEDS


@pytest.mark.slow
@pytest.mark.timeout(300)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 8), which=st.integers(0, 10))
@example(seed=2, n=1, which=0)  # regression: pdfplumber raised PdfminerException while closing the document
@example(seed=33, n=2, which=0)  # regression: PdfminerException listing pages (broken page dictionary)
@example(seed=11, n=4, which=2)  # regression: AttributeError in acroform._rects (/Parent is None)
def test_mutated_fixture_pdfs_give_result_or_input_error(seed, n, which):
    data = mutate(SEEDS[which % len(SEEDS)], random.Random(seed), n)
    with no_ocr_engine():
        assert check_pdf_bytes(data) in ("result", "reject")


@pytest.mark.slow
@pytest.mark.timeout(300)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 8), which=st.integers(0, 10))
@example(seed=2, n=1, which=0)
def test_mutated_pdfs_through_review_pdf_give_report_or_input_error(seed, n, which, tmp_path_factory):
    from review.errors import InputError
    from review.pipeline import review_pdf
    from review.report import Report

    path = tmp_path_factory.mktemp("m") / "m.pdf"
    path.write_bytes(mutate(SEEDS[which % len(SEEDS)], random.Random(seed), n))
    with no_ocr_engine():
        try:
            assert isinstance(review_pdf(path, explain=False), Report)
        except InputError as err:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in err.zh)


def test_unmutated_seeds_extract(seeds):
    with no_ocr_engine():
        assert [check_pdf_bytes(d) for d in seeds] == ["result"] * len(seeds)


@pytest.mark.parametrize("cut", [0, 1, 8, 100, 1000, -1000, -100, -10])
def test_truncated_seed_is_result_or_input_error(seeds, cut):
    with no_ocr_engine():
        assert check_pdf_bytes(seeds[0][:cut] if cut else b"") in ("result", "reject")


def test_mutation_changes_bytes():
    data = bytes(range(256)) * 10
    rng = random.Random(1)
    assert any(mutate(data, rng, 3) != data for _ in range(5))


# --- text ---------------------------------------------------------------------------------------------


@FUZZ
@given(st.text())
@example("1" * 400)  # regression: parse_int overflowed on a number too large for a float
@example("9" * 320 + "人")
@example("一百二十万万万点五")
@example("☑是 □否 [x] ( ) 2025年13月40日 20251340")
def test_normalizers_never_raise(text):
    check_normalizers(text)


@FUZZ
@given(st.text())
@example("身份证号：110105197503151234，电话 13812345678，地址：北京市海淀区学院路38号")
@example("１１０１０５１９７５０３１５１２３４")
def test_mask_text_masks_ids_and_is_idempotent(text):
    check_mask(text)


ID_NUMBERS = st.builds(
    lambda d, c: d + c, st.text("0123456789", min_size=17, max_size=17), st.sampled_from("0123456789Xx")
)
MOBILES = st.builds(
    lambda p, d: p + d, st.sampled_from(["13", "15", "17", "18", "19"]), st.text("0123456789", min_size=9, max_size=9)
)


@FUZZ
@given(st.text(max_size=30), st.one_of(ID_NUMBERS, MOBILES), st.text(max_size=30))
def test_id_and_phone_inside_any_text_are_masked(prefix, secret, suffix):
    check_mask_embedded(prefix, secret, suffix)


# --- rules ----------------------------------------------------------------------------------------------


@FUZZ
@given(FORMS)
def test_run_rules_never_raises_on_random_forms(form):
    from review.rules import run_rules

    findings = run_rules(form)
    crashed = [f.rule for f in findings if "内部错误" in f.message]
    assert crashed == [], crashed


@FUZZ
@given(st.lists(FORMS, min_size=1, max_size=4))
def test_batch_rules_never_raise_on_random_forms(forms):
    from review.rules.batch import run_batch_rules

    out = run_batch_rules([(f"d{i}.pdf", f) for i, f in enumerate(forms)])
    assert set(out) <= {f"d{i}.pdf" for i in range(len(forms))}


@FUZZ
@given(FORMS)
def test_mask_form_keeps_the_form_valid(form):
    from review.privacy import mask_form

    masked = mask_form(form)
    assert isinstance(masked, Form)
    if form.lead and form.lead.id_number and len(form.lead.id_number) >= 8:
        assert masked.lead is not None and masked.lead.id_number != form.lead.id_number


def test_form_strategy_reaches_filled_forms():
    from hypothesis import find

    found: Optional[Form] = find(FORMS, lambda f: bool(f.teachers) and f.lead is not None and bool(f.peer_review))
    assert found is not None


# --- structured hostile PDFs (eval/fuzz_pdf.py) and text cleaning ------------------------------------------


@settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(spec=pdf_spec())
def test_structured_hostile_pdfs_give_result_or_input_error(spec):
    from eval.fuzz_atheris import no_ocr_engine
    from eval.fuzz_pdf import Tally, build_pdf, check_pdf

    try:
        data = build_pdf(spec)
    except Exception:  # noqa: BLE001 - pypdf cannot write this spec: nothing to test
        return
    tally = Tally()
    with no_ocr_engine():
        check_pdf(data, "structured", tally)
    assert not tally.unhandled, tally.unhandled


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=2000))
def test_cleaning_leaves_no_control_or_format_characters(text):
    from review.textutil import MAX_QUESTION_CHARS, clean_question, clean_text, is_ignorable_char

    out = clean_text(text)
    q, _ = clean_question(text)
    assert not any(is_ignorable_char(c) for c in out + q)
    assert len(q) <= MAX_QUESTION_CHARS
    assert clean_text(out) == out  # idempotent
