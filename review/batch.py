"""Batch review of a folder of drafts: bounded reader processes, an Excel summary, one JSON per draft, batch rules.

Every draft is read in its own bounded child (review.sandbox): a draft that hangs, blows up or kills its reader
is that draft's failure only. Every entry named *.pdf gets a row: reviewed, failed (with the reason) or skipped
(not a regular file, a FIFO, a symlink loop, a folder).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Required, TypedDict

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from review.config import Settings, load_settings
from review.errors import InputError, ReviewError
from review.form import Form
from review.pipeline import review_extracted, review_pdf
from review.render import masked_report
from review.report import Report
from review.rules.base import SEVERITY_ORDER, Finding
from review.rules.batch import run_batch_rules
from review.sandbox import BoundedRead, input_problem
from review.textutil import clean_text

if TYPE_CHECKING:  # review.llm and review.retrieval load langchain / the index stack (seconds): types only here
    from review.llm.protocol import ChatModelProtocol
    from review.retrieval.protocol import PolicyIndexProtocol

log = logging.getLogger(__name__)
BatchProgress = Callable[[int, int, str], None]  # (done, total, file name)

COLUMNS: tuple[tuple[str, float], ...] = (
    ("文件", 28),
    ("状态", 10),
    ("项目名称", 36),
    ("申报单位", 26),
    ("负责人", 10),
    ("级别", 10),
    ("错误", 7),
    ("警告", 7),
    ("主要问题", 80),
)
TOP_ISSUES = 5
REVIEWED, FAILED, SKIPPED = "已审查", "无法审查", "已跳过"
MAX_CELL = 32_000  # Excel's cell limit is 32 767 characters


class DraftResult(TypedDict, total=False):
    """One draft's outcome: its report, or why it could not be reviewed (error) or was skipped."""

    file: Required[str]
    report_obj: Report
    error: str
    error_en: str
    skipped: bool
    max_rss_mb: Optional[int]


Row = dict[str, Any]  # one summary row: the Excel columns (mixed cell values), then json / error / skipped / max_rss_mb


@dataclass
class Entry:
    """One directory entry named *.pdf: the path, and why it is skipped (empty when it will be reviewed)."""

    path: Path
    skip: str = ""


def list_inputs(folder: Path) -> tuple[list[Entry], int]:
    """Every entry of folder named *.pdf (any case), sorted by name, with skip reasons; and the count of others."""
    entries: list[Entry] = []
    others = 0
    for p in sorted(Path(folder).iterdir(), key=lambda q: q.name):
        if p.suffix.lower() not in (".pdf", ".docx"):  # Word drafts are read by review.sandbox.read_any too
            others += 1
            continue
        entries.append(Entry(p, input_problem(p)))
    return entries, others


def json_names(entries: list[Entry]) -> dict[str, str]:
    """A unique <stem>.json name per entry, unique also when names differ only by case (dup.pdf / dup.PDF)."""
    used: set[str] = set()
    out: dict[str, str] = {}
    for e in entries:
        stem = clean_text(e.path.stem) or "draft"
        name, n = f"{stem}.json", 1
        while name.casefold() in used:
            n += 1
            name = f"{stem}-{n}.json"
        used.add(name.casefold())
        out[e.path.name] = name
    return out


def _model_for(settings: Settings, explain: bool) -> Optional[ChatModelProtocol]:
    """The configured chat model when explaining with one, else None (offline twin)."""
    if explain and settings.model_configured:
        from review.llm import get_chat_model  # langchain (~7 s): only when a model is configured

        return get_chat_model(settings)
    return None


def _review_read(
    job: BoundedRead,
    settings: Settings,
    explain: bool,
    model: Optional[ChatModelProtocol],
    index: Optional[PolicyIndexProtocol],
) -> DraftResult:
    """The finished read as a report (rules, and explanations when asked) or its error."""
    name = Path(job.path).name
    out: DraftResult = {"file": name, "max_rss_mb": job.max_rss_mb}
    try:
        extracted = job.outcome()
        out["report_obj"] = review_extracted(
            extracted, settings, index=index, model=model, file_name=name, explain=explain
        )
    except ReviewError as e:
        out["error"], out["error_en"] = e.zh, e.en
    except Exception as e:  # noqa: BLE001 - one bad draft never stops the batch
        log.exception("batch: %s failed", name)
        out["error"], out["error_en"] = f"审查失败（{type(e).__name__}）", str(e)[:300]
    return out


def _collect(
    paths: list[Path], workers: int, explain: bool, progress: Optional[BatchProgress], settings: Settings
) -> dict[str, DraftResult]:
    """Read every PDF in bounded children (at most `workers` at once), review each as its read finishes."""
    model = _model_for(settings, explain)
    index: Optional[PolicyIndexProtocol] = None
    if explain:
        from review.retrieval import get_index  # chromadb/onnxruntime (seconds): only when explaining

        index = get_index(settings)
    pending = list(paths)
    running: list[BoundedRead] = []
    results: dict[str, DraftResult] = {}
    total = len(paths)
    while pending or running:
        while pending and len(running) < max(1, workers):
            p = pending.pop(0)
            try:
                running.append(BoundedRead(p, settings))
            except OSError as e:  # cannot start a process (limits): that file fails, the batch goes on
                results[p.name] = {
                    "file": p.name,
                    "error": f"无法启动读取进程（{e.strerror or e}）",
                    "error_en": str(e),
                }
                if progress:
                    progress(len(results), total, p.name)
        if not running:
            continue
        wait([j.fileno() for j in running], timeout=min(1.0, max(0.05, min(j.remaining() for j in running))))
        for job in list(running):
            if job.step(0):
                running.remove(job)
                results[Path(job.path).name] = _review_read(job, settings, explain, model, index)
                if progress:
                    progress(len(results), total, Path(job.path).name)
    return results


def _read_in_process(
    paths: list[Path], explain: bool, progress: Optional[BatchProgress], settings: Settings
) -> dict[str, DraftResult]:
    """settings.sandbox == "off": review each draft in this process (tests, debugging)."""
    model = _model_for(settings, explain)
    results: dict[str, DraftResult] = {}
    for p in paths:
        try:
            results[p.name] = {"file": p.name, "report_obj": review_pdf(p, settings, model=model, explain=explain)}
        except ReviewError as e:
            results[p.name] = {"file": p.name, "error": e.zh, "error_en": e.en}
        except Exception as e:  # noqa: BLE001 - one bad draft never stops the batch
            log.exception("batch: %s failed", p.name)
            results[p.name] = {"file": p.name, "error": f"审查失败（{type(e).__name__}）", "error_en": str(e)[:300]}
        if progress:
            progress(len(results), len(paths), p.name)
    return results


def _apply_batch_rules(rows: list[DraftResult]) -> None:
    """Run the cross-draft rules over every reviewed draft and add their findings to the affected reports."""
    reports = {r["file"]: r["report_obj"] for r in rows if "report_obj" in r}
    if not reports:
        return
    try:
        extra: dict[str, list[Finding]] = run_batch_rules([(name, rep.form) for name, rep in reports.items()])
    except Exception:  # noqa: BLE001 - the per-draft reviews stand even if a cross-draft rule fails
        log.exception("batch rules failed")
        return
    for name, findings in extra.items():
        if name in reports:
            reports[name].findings.extend(findings)


def _issues_text(rep: Report) -> str:
    """The first few error/warning messages, one per line."""
    top = [f for f in rep.sorted_findings() if SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER["warning"]]
    lines = [f"{'【错误】' if f.severity == 'error' else '【警告】'}{f.message}" for f in top[:TOP_ISSUES]]
    if len(top) > TOP_ISSUES:
        lines.append(f"……另有 {len(top) - TOP_ISSUES} 项")
    return "\n".join(lines) or "无"


def summary_row(item: DraftResult) -> Row:
    """One Excel row for a draft (a failed or skipped draft carries its Chinese reason in 主要问题)."""
    rep: Optional[Report] = item.get("report_obj")
    if rep is None:
        skipped = bool(item.get("skipped"))
        why = item.get("error", "")
        return {
            "文件": item["file"],
            "状态": SKIPPED if skipped else FAILED,
            "项目名称": "",
            "申报单位": "",
            "负责人": "",
            "级别": "",
            "错误": None,
            "警告": None,
            "主要问题": f"已跳过：{why}" if skipped else f"无法审查：{why}",
        }
    f: Form = rep.form
    c = rep.counts()
    return {
        "文件": item["file"],
        "状态": REVIEWED,
        "项目名称": f.title or "",
        "申报单位": f.applicant_unit or "",
        "负责人": (f.lead.name if f.lead else "") or "",
        "级别": f.level or "",
        "错误": c["error"],
        "警告": c["warning"],
        "主要问题": _issues_text(rep),
    }


def cell_value(v: Any) -> Any:
    """A value Excel stores as it is: no control characters, never a formula, within the cell limit."""
    if not isinstance(v, str):
        return v
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # openpyxl is slow to import: only when writing Excel

    t = ILLEGAL_CHARACTERS_RE.sub("", clean_text(v, keep_newlines=True))
    return t[:MAX_CELL]


def write_xlsx(rows: list[Row], out: Path) -> None:
    """The summary workbook: styled header, widths, wrapped issues, frozen header, failed rows tinted."""
    from openpyxl import Workbook  # slow to import: only when writing Excel
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "预审汇总"
    ws.append([c for c, _ in COLUMNS])
    for i, (_, width) in enumerate(COLUMNS, 1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = width
    bad = PatternFill("solid", fgColor="FDE9E7")
    skip = PatternFill("solid", fgColor="EEEEEE")
    for r in rows:
        ws.append([None] * len(COLUMNS))
        for i, (col, _) in enumerate(COLUMNS, 1):
            cell = ws.cell(row=ws.max_row, column=i)
            cell.value = cell_value(r.get(col))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # "=..." in a hostile title stays text, never a formula
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if r.get("状态") == FAILED:
                cell.fill = bad
            elif r.get("状态") == SKIPPED:
                cell.fill = skip
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)


def _write_json(item: DraftResult, dest: Path) -> Path:
    """The masked report, or the error for a draft that could not be reviewed."""
    rep: Optional[Report] = item.get("report_obj")
    if rep is None:
        data = json.dumps({"file": item["file"], "error": item.get("error", "")}, ensure_ascii=False, indent=2)
    else:
        data = masked_report(rep).to_json(evidence=False)
    dest.write_text(data, encoding="utf-8")
    return dest


def run_batch(
    folder: Path,
    out_xlsx: Path,
    workers: int = 2,
    progress: Optional[BatchProgress] = None,
    *,
    explain: bool = False,
    settings: Optional[Settings] = None,
) -> list[Row]:
    """Review every PDF in `folder`; write the Excel summary and <stem>.json files next to it; return the rows."""
    folder, out_xlsx = Path(folder), Path(out_xlsx)
    settings = settings or load_settings()
    entries, _others = list_inputs(folder)
    paths = [e.path for e in entries if not e.skip]
    if settings.sandbox == "off":
        results = _read_in_process(paths, explain, progress, settings)
    else:
        results = _collect(paths, max(1, workers), explain, progress, settings)
    items: list[DraftResult] = []
    for e in entries:
        if e.skip:
            items.append({"file": e.path.name, "error": e.skip, "skipped": True})
        else:
            items.append(results.get(e.path.name) or {"file": e.path.name, "error": "未能审查（结果缺失）"})
    _apply_batch_rules(items)
    out_dir = out_xlsx.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    names = json_names(entries)
    rows = []
    for e, it in zip(entries, items, strict=True):
        row = summary_row(it)
        row["json"] = None if it.get("skipped") else str(_write_json(it, out_dir / names[e.path.name]))
        row["error"] = it.get("error")
        row["skipped"] = bool(it.get("skipped"))
        row["max_rss_mb"] = it.get("max_rss_mb")  # the reader's peak memory (bounded reads only)
        rows.append(row)
    write_xlsx(rows, out_xlsx)
    return rows


def check_out_path(out: Path) -> Optional[InputError]:
    """Why the summary cannot be written to `out` (None when it can), checked before any draft is read."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        return InputError(f"汇总表文件名须以 .xlsx 结尾：{out}", f"--out must end with .xlsx: {out}")
    if out.is_dir():
        return InputError(f"汇总表路径是一个文件夹：{out}", f"--out is a directory: {out}")
    parent = out.parent
    probe = parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        return InputError(f"无法在此位置创建汇总表（{probe} 不是文件夹）：{out}", f"not a directory: {probe}")
    if not os.access(probe, os.W_OK | os.X_OK):
        return InputError(f"没有写入权限，无法保存汇总表：{out}", f"no write permission: {probe}")
    return None


def check_folder(folder: Path) -> Optional[InputError]:
    """Why `folder` cannot be batch-reviewed (None when it can)."""
    folder = Path(folder)
    if not folder.exists():
        return InputError(f"找不到文件夹：{folder}", f"folder not found: {folder}")
    if not folder.is_dir():
        return InputError(f"这不是文件夹：{folder}", f"not a directory: {folder}")
    if not os.access(folder, os.R_OK | os.X_OK):
        return InputError(f"没有读取权限：{folder}", f"permission denied: {folder}")
    return None


def run_batch_cli(folder: Path, out: Path, workers: int = 2, explain: bool = False) -> int:
    """The `cme-review batch` command: progress bar, then a summary. Exit 0 all reviewed, 1 some failed, 2 usage."""
    console = Console(stderr=True)
    folder, out = Path(folder), Path(out)
    err = check_folder(folder) or check_out_path(out)
    if err is not None:
        console.print(f"[red]错误 / Error: {escape(err.user_message())}[/red]")
        return 2
    try:
        entries, others = list_inputs(folder)
    except OSError as e:
        console.print(f"[red]错误 / Error: 无法读取文件夹 {escape(str(folder))}（{escape(str(e))}）[/red]")
        return 2
    if not entries:
        console.print(f"[red]错误 / Error: 文件夹 {escape(str(folder))} 中没有 PDF 文件（no *.pdf files）[/red]")
        return 2
    total = sum(1 for e in entries if not e.skip)
    cols = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*cols, console=console) as bar:
            task = bar.add_task("批量预审", total=total)

            def tick(done: int, _total: int, name: str) -> None:
                bar.update(task, completed=done, description=f"批量预审 · {escape(clean_text(name))}")

            rows = run_batch(folder, out, workers=workers, progress=tick, explain=explain)
    except OSError as e:
        console.print(f"[red]错误 / Error: 无法写入结果（cannot write results: {escape(str(e))}）[/red]")
        return 2
    reviewed = sum(1 for r in rows if r["状态"] == REVIEWED)
    failed = sum(1 for r in rows if r["状态"] == FAILED)
    skipped = sum(1 for r in rows if r["状态"] == SKIPPED)
    with_errors = sum(1 for r in rows if (r["错误"] or 0) > 0)
    extra = f"；另有 {others} 个非 PDF 文件未处理" if others else ""
    console.print(
        f"完成：共 {len(rows)} 个 PDF，已审查 {reviewed} 份（其中 {with_errors} 份有错误项），"
        f"无法审查 {failed} 份，跳过 {skipped} 个{extra}。汇总表：{escape(str(out))}",
        soft_wrap=True,
    )
    for r in rows:
        if r["状态"] != REVIEWED:
            console.print(f"  · {escape(clean_text(r['文件']))}：{escape(r['主要问题'])}", soft_wrap=True)
    return 1 if failed else 0
