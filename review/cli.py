"""The `cme-review` command line. Errors become clear messages and exit codes here, nowhere else."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from review.config import load_settings
from review.errors import ReviewError

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="继续医学教育推荐项目申报书预审 / CME application reviewer"
)


def _fail(err: ReviewError, code: int = 2) -> None:
    typer.echo(f"错误 / Error: {err.user_message()}", err=True)
    raise typer.Exit(code)


def _print_json(obj: object) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2))


@app.command()
def extract(
    file: Path = typer.Argument(..., help="申报书 PDF"),
    as_json: bool = typer.Option(False, "--json", help="print the form JSON"),
    evidence: bool = typer.Option(False, "--evidence", help="include page/box per field"),
) -> None:
    """读取申报书 PDF，输出表单字段 (extract the form)."""
    from review.extract import extract_pdf

    try:
        res = extract_pdf(file, load_settings())
    except ReviewError as e:
        _fail(e)
        return
    out: dict[str, object] = {"form": res.form.to_json_dict()} if evidence else res.form.to_json_dict()
    if evidence:
        out["evidence"] = {k: v.model_dump(mode="json") for k, v in res.evidence.items()}
        out["style"] = res.style
        out["pages"] = res.pages
        out["ocr_pages"] = res.ocr_pages
        out["warnings"] = res.warnings
    if as_json or evidence:
        _print_json(out)
    else:
        for k, v in res.form.to_json_dict().items():
            typer.echo(f"{k}: {json.dumps(v, ensure_ascii=False)[:120]}")


@app.command()
def review(
    file: Path = typer.Argument(..., help="申报书 PDF"),
    as_json: bool = typer.Option(False, "--json", help="print the report JSON"),
    explain: bool = typer.Option(False, "--explain", help="add explanations, citations and critiques"),
    markdown: Optional[Path] = typer.Option(None, "--markdown", help="also write a Markdown report"),
) -> None:
    """规则检查（离线，无需模型）(review a draft with the rules)."""
    from review.pipeline import review_pdf

    settings = load_settings()
    model = None
    if explain and settings.model_configured:
        from review.llm import get_chat_model

        model = get_chat_model(settings)
    try:
        rep = review_pdf(file, settings, model=model, explain=explain)
    except ReviewError as e:
        _fail(e)
        return
    if markdown:
        from review.render import to_markdown

        markdown.write_text(to_markdown(rep), encoding="utf-8")
    if as_json:
        typer.echo(rep.to_json(evidence=False))
        return
    c = rep.counts()
    typer.echo(f"{rep.form.title or file.name}: 错误 {c['error']} · 警告 {c['warning']} · 建议 {c['advice']}")
    for f in rep.sorted_findings():
        typer.echo(f"[{f.severity}] {f.rule}: {f.message}")
        if f.fix:
            typer.echo(f"    → {f.fix}")
    raise typer.Exit(0 if rep.passed else 1)


@app.command()
def rules(as_json: bool = typer.Option(False, "--json")) -> None:
    """规则目录 (the rule catalogue, generated from the code)."""
    from review.rules import ALL_RULES

    rows = [r.catalogue_row() for r in ALL_RULES]
    if as_json:
        _print_json(rows)
        return
    for r in rows:
        src = "; ".join(f"{s['doc']} {s['section']}" for s in r["sources"])  # type: ignore[index]
        typer.echo(f"{r['id']:<26} {r['severity']:<8} {r['scope']:<9} {r['title']}  [{src}]")


@app.command()
def index(
    force: bool = typer.Option(False, "--force", help="rebuild even if nothing changed"),
    quiet: bool = typer.Option(False, "--quiet"),
) -> None:
    """建立/更新政策文件索引 (build or refresh the policy index)."""
    from review.retrieval import get_index

    try:
        stats = get_index(load_settings()).build(force=force)
    except ReviewError as e:
        _fail(e)
        return
    if not quiet:
        _print_json(stats)


@app.command()
def search(
    query: str = typer.Argument(...),
    k: int = typer.Option(5, "-k"),
    channel: Optional[str] = typer.Option(None, "--channel", help="hybrid | bm25 | dense"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """检索政策条款 (search the policy notices)."""
    from review.retrieval import get_index

    hits = get_index(load_settings()).search(query, k=k, channel=channel)
    rows = [{"doc": h.doc, "title": h.title, "section": h.section, "text": h.text, "score": h.score} for h in hits]
    if as_json:
        _print_json(rows)
        return
    for i, r in enumerate(rows, 1):
        typer.echo(f"{i}. [{r['doc']} · {r['section']}] ({r['score']:.3f})\n   {str(r['text'])[:200]}")


@app.command()
def ask(
    question: str = typer.Argument(...),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """政策问答 (ask a policy question)."""
    from review.chat import ChatEngine
    from review.llm import get_chat_model
    from review.retrieval import get_index

    settings = load_settings()
    engine = ChatEngine(get_index(settings), model=get_chat_model(settings))
    ans = engine.ask(question)
    if as_json:
        _print_json({"answer": ans.answer, "citations": [c.model_dump() for c in ans.citations], "mode": ans.mode})
        return
    typer.echo(ans.answer)
    for i, c in enumerate(ans.citations, 1):
        typer.echo(f"[{i}] {c.doc} · {c.section}: {c.quote}")


@app.command()
def batch(
    folder: Path = typer.Argument(..., help="folder of draft PDFs"),
    out: Path = typer.Option(Path("summary.xlsx"), "--out"),
    workers: int = typer.Option(2, "--workers", help="worker processes"),
    explain: bool = typer.Option(False, "--explain", help="add explanations and critiques (slower)"),
) -> None:
    """批量预审一个文件夹 (review every PDF in a folder)."""
    from review.batch import run_batch_cli

    raise typer.Exit(run_batch_cli(folder, out, workers, explain=explain))


@app.command("eval")
def eval_(
    out: Path = typer.Option(Path("eval/out"), "--out", help="report folder"),
    update_baseline: bool = typer.Option(False, "--update-baseline", help="write eval/baseline.json from this run"),
    judge: bool = typer.Option(False, "--judge", help="add LLM-judge scores (needs a configured model)"),
    add_actions: Optional[Path] = typer.Option(
        None, "--add-actions", help="reviewer actions JSONL exported from the app"
    ),
    pdf_dir: Optional[Path] = typer.Option(None, "--pdf-dir", help="with --add-actions: folder with the reviewed PDFs"),
) -> None:
    """运行评测集 (run the eval suite; --add-actions adds reviewer labels)."""
    from review import evaluation

    if add_actions:
        n = evaluation.add_actions(add_actions, pdf_dir)
        typer.echo(f"added {n} reviewer labels to {evaluation.REVIEWED_DIR / 'labels.jsonl'}")
        raise typer.Exit(0)
    raise typer.Exit(evaluation.run_eval_cli(out, update_baseline=update_baseline, judge=judge))


def main() -> None:
    """Console entry point."""
    try:
        app()
    except ReviewError as e:  # last line of defence: never a traceback for the user
        typer.echo(f"错误 / Error: {e.user_message()}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
