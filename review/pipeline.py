"""One draft through every stage: extract → rules → retrieve → explain → critique → Report."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Optional, TypedDict, Unpack

from review import __version__
from review.config import Settings, load_settings
from review.errors import InputError, ReviewError
from review.form import ExtractResult
from review.injection import find_injections, warning_zh
from review.privacy import mask_text
from review.report import NarrativeCritique, Report, ReportMeta
from review.rules import run_rules
from review.textutil import clean_model

if TYPE_CHECKING:  # review.llm and review.retrieval load langchain / the index stack (seconds): types only here
    from review.llm.protocol import ChatModelProtocol
    from review.retrieval.protocol import PolicyIndexProtocol

log = logging.getLogger(__name__)
Progress = Callable[[str], None]

# Stage names shown to users, in order.
STAGES: tuple[str, ...] = ("读取文件", "识别表格/OCR", "规则检查", "检索政策", "生成解释与点评")


def _noop(_: str) -> None:
    return None


def review_extracted(
    extracted: ExtractResult,
    settings: Optional[Settings] = None,
    *,
    index: Optional[PolicyIndexProtocol] = None,
    model: Optional[ChatModelProtocol] = None,
    file_name: str = "",
    progress: Optional[Progress] = None,
    explain: bool = True,
) -> Report:
    """Review an already extracted form; every stage after extraction."""
    settings = settings or load_settings()
    progress = progress or _noop
    timings: dict[str, float] = {}
    notices: list[str] = []
    clean_model(extracted)  # no control/format characters reach rules, terminal, Markdown, DOCX or Excel

    progress(STAGES[2])
    t = time.perf_counter()
    findings = run_rules(extracted.form, extracted.evidence)
    timings["rules"] = time.perf_counter() - t

    narratives: dict[str, NarrativeCritique] = {}
    if explain:
        # retrieval, explain and critique import chromadb/onnxruntime (seconds): rules-only runs never pay for them
        progress(STAGES[3])
        t = time.perf_counter()
        if index is None:
            from review.retrieval import get_index

            index = get_index(settings)
        timings["index"] = time.perf_counter() - t

        progress(STAGES[4])
        t = time.perf_counter()
        from review.explain import explain_findings

        notices += explain_findings(findings, extracted.form, index, model)
        timings["explain"] = time.perf_counter() - t

        t = time.perf_counter()
        from review.critique import critique_narratives

        narratives, crit_notices = critique_narratives(extracted.form, model)
        notices += crit_notices
        timings["critique"] = time.perf_counter() - t

    injections = find_injections(extracted.form)  # shown to the clerk; never read by the rules
    meta = ReportMeta(
        file=file_name,
        style=extracted.style,
        pages=extracted.pages,
        ocr_pages=extracted.ocr_pages,
        mode=getattr(model, "name", None) or "offline",
        notices=notices,
        warnings=list(extracted.warnings) + ([warning_zh(injections)] if injections else []),
        timings={**timings, "extract": extracted.seconds},
        version=__version__,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    return Report(
        form=extracted.form,
        findings=findings,
        narratives=narratives,
        evidence=extracted.evidence,
        meta=meta,
        injections=injections,
    )


Reader = Callable[[Path, Settings, Progress], ExtractResult]


class Stages(TypedDict, total=False):
    """The stage options review_pdf, review_file and sandbox.review_bounded hand on to review_extracted."""

    index: Optional[PolicyIndexProtocol]
    model: Optional[ChatModelProtocol]
    progress: Optional[Progress]
    explain: bool


def _read_pdf(path: Path, settings: Settings, progress: Progress) -> ExtractResult:
    """extract_pdf; an unexpected failure (a hostile PDF) becomes an InputError with a clear message."""
    from review.extract import extract_pdf  # pdfplumber/pypdfium2 (~0.5 s): loaded when a file is read

    try:
        return extract_pdf(path, settings, progress=progress)
    except ReviewError:
        raise
    except (Exception, RecursionError) as exc:  # noqa: BLE001 - a hostile PDF must give a message, not a traceback
        log.error(
            "extraction of %s failed unexpectedly: %s",
            mask_text(path.name),
            mask_text(f"{type(exc).__name__}: {exc}"[:300]),
        )
        raise InputError(
            "PDF 文件结构异常，无法读取，请重新导出为 PDF 后上传", f"extraction failed: {type(exc).__name__}: {exc}"
        ) from exc


def read_draft(
    path: str | Path, settings: Settings, progress: Optional[Progress] = None, pdf: Optional[Reader] = None
) -> ExtractResult:
    """The draft read by its first bytes: extract_docx for Word, else `pdf` (extract_pdf); InputError for .doc."""
    from review.extract import extract_pdf  # pdfplumber/pypdfium2 (~0.5 s): loaded when a file is read
    from review.extract.docx import OLD_DOC_ZH, extract_docx, sniff

    kind = sniff(Path(path))
    if kind == "doc":
        raise InputError(OLD_DOC_ZH, "legacy .doc or encrypted OOXML")
    if kind == "docx":
        return extract_docx(path, settings, progress=progress)
    return (pdf or extract_pdf)(Path(path), settings, progress or _noop)


def review_read(
    read: Reader,
    path: str | Path,
    settings: Optional[Settings] = None,
    **stages: Unpack[Stages],
) -> Report:
    """Read one draft with `read` (after the first stage's progress line), then every later stage."""
    settings = settings or load_settings()
    progress = stages.get("progress") or _noop
    progress(STAGES[0])
    extracted = read(Path(path), settings, progress)
    return review_extracted(extracted, settings, file_name=Path(path).name, **(stages | {"progress": progress}))


def review_pdf(
    path: str | Path,
    settings: Optional[Settings] = None,
    **stages: Unpack[Stages],
) -> Report:
    """Review one draft PDF. Raises review.errors.InputError for a file that is not a readable draft."""
    return review_read(_read_pdf, path, settings, **stages)


def review_file(
    path: str | Path,
    settings: Optional[Settings] = None,
    **stages: Unpack[Stages],
) -> Report:
    """Review one draft, PDF or Word (.docx), chosen by its first bytes; a legacy .doc gets a clear InputError."""

    def read(p: Path, s: Settings, pr: Progress) -> ExtractResult:
        return read_draft(p, s, pr, pdf=_read_pdf)

    return review_read(read, path, settings, **stages)
