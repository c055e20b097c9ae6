"""Batch review of a folder of drafts: worker processes, an Excel summary, one JSON per draft, batch rules."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Optional

from review.errors import ReviewError
from review.form import Form
from review.report import Report
from review.rules.base import SEVERITY_ORDER, Finding

log = logging.getLogger(__name__)
BatchProgress = Callable[[int, int, str], None]  # (done, total, file name)

COLUMNS: tuple[tuple[str, float], ...] = (
    ("文件", 28),
    ("项目名称", 36),
    ("申报单位", 26),
    ("负责人", 10),
    ("级别", 10),
    ("错误", 7),
    ("警告", 7),
    ("主要问题", 80),
)
TOP_ISSUES = 5


def _review_one(path: str, explain: bool) -> dict[str, Any]:
    """Worker: review one draft; returns {'file', 'report'} or {'file', 'error'} (never raises)."""
    from review.pipeline import review_pdf

    name = Path(path).name
    try:
        model = None
        if explain:
            from review.config import load_settings

            settings = load_settings()
            if settings.model_configured:
                from review.llm import get_chat_model

                model = get_chat_model(settings)
        rep = review_pdf(path, explain=explain, model=model)
        return {"file": name, "report": rep.model_dump_json()}
    except ReviewError as e:
        return {"file": name, "error": e.zh}
    except Exception as e:  # noqa: BLE001 - one bad draft never stops the batch
        log.exception("batch: %s failed", name)
        return {"file": name, "error": f"审查失败（{type(e).__name__}: {e}）"}


def _collect(pdfs: list[Path], workers: int, explain: bool, progress: Optional[BatchProgress]) -> list[dict[str, Any]]:
    """Review every PDF (in worker processes when workers > 1), in file-name order."""
    results: dict[str, dict[str, Any]] = {}
    total = len(pdfs)
    if workers <= 1 or total <= 1:
        for p in pdfs:
            results[p.name] = _review_one(str(p), explain)
            if progress:
                progress(len(results), total, p.name)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futs = {pool.submit(_review_one, str(p), explain): p for p in pdfs}
            for fut in as_completed(futs):
                p = futs[fut]
                try:
                    results[p.name] = fut.result()
                except Exception as e:  # noqa: BLE001 - a crashed worker is that draft's error
                    results[p.name] = {"file": p.name, "error": f"审查进程异常退出（{type(e).__name__}）"}
                if progress:
                    progress(len(results), total, p.name)
    return [results[p.name] for p in pdfs]


def _apply_batch_rules(rows: list[dict[str, Any]]) -> None:
    """Run the cross-draft rules over every reviewed draft and add their findings to the affected reports."""
    reports = {r["file"]: r["report_obj"] for r in rows if "report_obj" in r}
    if not reports:
        return
    try:
        from review.rules.batch import run_batch_rules
    except ImportError:
        log.warning("review.rules.batch not available; batch rules skipped")
        return
    extra: dict[str, list[Finding]] = run_batch_rules([(name, rep.form) for name, rep in reports.items()])
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


def summary_row(item: dict[str, Any]) -> dict[str, Any]:
    """One Excel row for a draft (a failed draft carries its Chinese error in 主要问题)."""
    rep: Optional[Report] = item.get("report_obj")
    if rep is None:
        return {
            "文件": item["file"],
            "项目名称": "",
            "申报单位": "",
            "负责人": "",
            "级别": "",
            "错误": None,
            "警告": None,
            "主要问题": f"无法审查：{item.get('error', '')}",
        }
    f: Form = rep.form
    c = rep.counts()
    return {
        "文件": item["file"],
        "项目名称": f.title or "",
        "申报单位": f.applicant_unit or "",
        "负责人": (f.lead.name if f.lead else "") or "",
        "级别": f.level or "",
        "错误": c["error"],
        "警告": c["warning"],
        "主要问题": _issues_text(rep),
    }


def write_xlsx(rows: list[dict[str, Any]], out: Path) -> None:
    """The summary workbook: styled header, widths, wrapped issues, frozen header, failed rows tinted."""
    from openpyxl import Workbook
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
    for r in rows:
        ws.append([r[c] for c, _ in COLUMNS])
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if r["错误"] is None:
                cell.fill = bad
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)


def _write_json(item: dict[str, Any], out_dir: Path) -> Path:
    """out_dir/<stem>.json: the masked report, or the error for a draft that could not be reviewed."""
    from review.render import masked_report

    dest = out_dir / f"{Path(item['file']).stem}.json"
    rep: Optional[Report] = item.get("report_obj")
    if rep is None:
        data = json.dumps({"file": item["file"], "error": item.get("error", "")}, ensure_ascii=False, indent=2)
    else:
        data = masked_report(rep).to_json(evidence=False)
    dest.write_text(data, encoding="utf-8")
    return dest


def run_batch(
    folder: Path, out_xlsx: Path, workers: int = 2, progress: Optional[BatchProgress] = None, *, explain: bool = False
) -> list[dict[str, Any]]:
    """Review every PDF in `folder`; write the Excel summary and <stem>.json files next to it; return the rows."""
    folder, out_xlsx = Path(folder), Path(out_xlsx)
    pdfs = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".pdf")
    items = _collect(pdfs, max(1, workers), explain, progress)
    for it in items:
        if "report" in it:
            it["report_obj"] = Report.model_validate_json(it.pop("report"))
    _apply_batch_rules(items)
    out_dir = out_xlsx.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for it in items:
        row = summary_row(it)
        row["json"] = str(_write_json(it, out_dir))
        row["error"] = it.get("error")
        rows.append(row)
    write_xlsx(rows, out_xlsx)
    return rows


def run_batch_cli(folder: Path, out: Path, workers: int = 2, explain: bool = False) -> int:
    """The `cme-review batch` command: a rich progress bar, then a one-line summary. Exit 0 when the batch ran."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    folder = Path(folder)
    if not folder.is_dir():
        console.print(f"[red]错误：找不到文件夹 {folder}[/red]")
        return 2
    total = sum(1 for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".pdf")
    if total == 0:
        console.print(f"[red]错误：文件夹 {folder} 中没有 PDF 文件[/red]")
        return 2
    cols = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*cols, console=console) as bar:
        task = bar.add_task("批量预审", total=total)

        def tick(done: int, _total: int, name: str) -> None:
            bar.update(task, completed=done, description=f"批量预审 · {name}")

        rows = run_batch(folder, out, workers=workers, progress=tick, explain=explain)
    failed = sum(1 for r in rows if r["error"])
    with_errors = sum(1 for r in rows if (r["错误"] or 0) > 0)
    console.print(f"完成：{len(rows)} 份申报书，{with_errors} 份有错误项，{failed} 份无法审查。汇总表：{out}")
    return 0
