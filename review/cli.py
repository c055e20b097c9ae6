"""The `cme-review` command line. Errors become clear messages and exit codes here, nowhere else."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Optional

import click
import typer

from review.batch import run_batch_cli
from review.config import load_settings
from review.errors import ReviewError
from review.render import to_markdown
from review.rules import ALL_RULES
from review.sandbox import extract_bounded, review_bounded
from review.textutil import clean_question, clean_text

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="继续医学教育推荐项目申报书预审 / CME application reviewer"
)


def _fail(err: ReviewError, code: int = 2) -> None:
    typer.echo(f"错误 / Error: {err.user_message()}", err=True)
    raise typer.Exit(code)


def _print_json(obj: object) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2))


def _clean_arg(text: str, what: str) -> str:
    """A command-line text argument without undecodable bytes (non-UTF-8 arrives as lone surrogates)."""
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        typer.echo(f"注意：{what}中含有无法识别的字节（非 UTF-8），已忽略（non-UTF-8 bytes dropped）", err=True)
        text = "".join(ch for ch in text if not "\ud800" <= ch <= "\udfff")
    text = clean_text(text).strip()
    if not text:
        _fail(ReviewError(f"{what}为空，请重新输入", f"empty {what} after removing undecodable bytes"))
    return text


def _check_writable(path: Path, what: str) -> None:
    """Fail early (exit 2) when `path` cannot be written: missing folder, a file in the way, no permission."""
    parent = path.parent
    if path.is_dir():
        _fail(ReviewError(f"{what}的路径是一个文件夹：{path}", f"is a directory: {path}"))
    if not parent.is_dir():
        _fail(ReviewError(f"{what}所在的文件夹不存在：{parent}", f"no such directory: {parent}"))
    if not os.access(parent, os.W_OK | os.X_OK):
        _fail(ReviewError(f"没有写入权限，无法保存{what}：{path}", f"permission denied: {parent}"))


def _write_text(path: Path, text: str, what: str) -> None:
    """Write a report file; an OS error is a clear message with exit 2."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        _fail(ReviewError(f"无法写入{what}：{path}（{e.strerror or e}）", f"cannot write {path}: {e}"))


@app.command()
def extract(
    file: Path = typer.Argument(..., help="申报书 PDF"),
    as_json: bool = typer.Option(False, "--json", help="print the form JSON"),
    evidence: bool = typer.Option(False, "--evidence", help="include page/box per field"),
) -> None:
    """读取申报书 PDF，输出表单字段 (extract the form)."""
    try:
        res = extract_bounded(file, load_settings())
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
    settings = load_settings()
    if markdown is not None:
        _check_writable(markdown, "Markdown 报告")
    model = None
    if explain and settings.model_configured:
        from review.llm import get_chat_model

        model = get_chat_model(settings)
    try:
        rep = review_bounded(file, settings, model=model, explain=explain)
    except ReviewError as e:
        _fail(e)
        return
    if markdown:
        _write_text(markdown, to_markdown(rep), "Markdown 报告")
    if as_json:
        typer.echo(rep.to_json(evidence=False))
        return
    c = rep.counts()
    title = clean_text(rep.form.title or file.name)
    typer.echo(f"{title}: 错误 {c['error']} · 警告 {c['warning']} · 建议 {c['advice']}")
    for w in rep.meta.warnings:
        typer.echo(f"[注意] {clean_text(w)}")
    for f in rep.sorted_findings():
        typer.echo(f"[{f.severity}] {f.rule}: {f.message}")
        if f.fix:
            typer.echo(f"    → {f.fix}")
    raise typer.Exit(0 if rep.passed else 1)


@app.command()
def rules(as_json: bool = typer.Option(False, "--json")) -> None:
    """规则目录 (the rule catalogue, generated from the code)."""
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
    from review.chat.scope import for_index
    from review.retrieval import get_index

    try:
        index = get_index(load_settings())
        stats = index.build(force=force)
    except ReviewError as e:
        _fail(e)
        return
    scope = for_index(index)  # the chat gate's example questions, embedded now so no first question waits
    stats["scope_examples_ready"] = bool(scope and scope.warm())
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

    query = _clean_arg(query, "检索词")
    if not 1 <= k <= 50:
        _fail(ReviewError("-k 须在 1 到 50 之间", f"-k must be between 1 and 50, got {k}"))
    if channel is not None and channel not in ("hybrid", "bm25", "dense"):
        _fail(ReviewError("--channel 只能是 hybrid、bm25 或 dense", f"unknown channel: {clean_text(channel)}"))
    query, notes = clean_question(query)
    for n in notes:
        typer.echo(n, err=True)
    try:
        hits = get_index(load_settings()).search(query, k=k, channel=channel)
    except ReviewError as e:
        _fail(e)
        return
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
    question, notes = clean_question(_clean_arg(question, "问题"))
    for n in notes:
        typer.echo(n, err=True)
    if not question:
        _fail(ReviewError("问题为空（去掉标记后没有文字），请输入政策问题", "empty question after cleaning"))
    try:
        engine = ChatEngine(get_index(settings), model=get_chat_model(settings))
        ans = engine.ask(question)
    except ReviewError as e:
        _fail(e)
        return
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
    # review must not import eval (import-linter contract, eval imports review): the runner is loaded by name.
    import importlib

    try:
        evaluation = importlib.import_module("eval.runner")
    except ModuleNotFoundError as e:
        if e.name not in ("eval", "eval.runner"):
            raise
        _fail(ReviewError("未安装评测包 eval：请在源码目录中执行 pip install -e .", "eval package not installed"))
    if add_actions:
        n = evaluation.add_actions(add_actions, pdf_dir)
        typer.echo(f"added {n} reviewer labels to {evaluation.REVIEWED_DIR / 'labels.jsonl'}")
        raise typer.Exit(0)
    raise typer.Exit(evaluation.run_eval_cli(out, update_baseline=update_baseline, judge=judge))


_USAGE_ZH = {
    "NoSuchOption": "没有这个选项",
    "MissingParameter": "缺少参数",
    "BadParameter": "参数取值无效",
    "BadOptionUsage": "选项用法有误",
    "BadArgumentUsage": "参数用法有误",
}
_DASH_HINT = "文件名或问题以“-”开头时，请写在 -- 之后，例如：cme-review review -- -草稿.pdf"


def _usage_message(e: Exception) -> str:
    """A Chinese + English line for a command-line usage error."""
    name = type(e).__name__
    zh = _USAGE_ZH.get(name, "命令行参数有误")
    hint = f"；{_DASH_HINT}" if name == "NoSuchOption" else "；用法见 cme-review --help"
    return f"错误 / Error: {zh}{hint}（{clean_text(e.format_message())}）"  # type: ignore[attr-defined]


def _is_usage_error(e: BaseException) -> bool:
    """A click/Typer usage exception (Typer vendors its own click, so match by shape, not by class)."""
    return hasattr(e, "format_message") and hasattr(e, "exit_code")


def _is_option(p: Any) -> bool:
    return hasattr(p, "opts") and hasattr(p, "is_flag") and getattr(p, "param_type_name", "") == "option"


def _value_options(cmd: Any) -> tuple[set[str], set[str]]:
    """(every option name, names of options that take a value) of a click command."""
    names: set[str] = {"--help"}
    valued: set[str] = set()
    for p in cmd.params:
        if _is_option(p):
            opts = set(p.opts) | set(p.secondary_opts)
            names |= opts
            if not p.is_flag and not p.count:
                valued |= set(p.opts)
    return names, valued


def dash_args(argv: list[str]) -> list[str]:
    """Arguments starting with "-" that are not options of the command (a file "-x.pdf", a question "-学分")
    are moved after "--" so they are read as the file / question; everything after a "--" stays as it is."""
    group = typer.main.get_command(app)
    commands = getattr(group, "commands", None)
    if len(argv) < 2 or not isinstance(commands, dict):
        return argv
    cmd = commands.get(argv[0])
    if cmd is None or not any(getattr(p, "param_type_name", "") == "argument" for p in cmd.params):
        return argv
    names, valued = _value_options(cmd)
    head, loose, rest = [argv[0]], [], argv[1:]
    i = 0
    while i < len(rest):
        tok = rest[i]
        if tok == "--":
            loose += rest[i + 1 :]
            break
        opt = tok.split("=", 1)[0]
        if tok.startswith("-") and len(tok) > 1 and opt not in names and not _is_short_value(tok, valued):
            loose.append(tok)
        else:
            head.append(tok)
            if tok in valued and i + 1 < len(rest):
                head.append(rest[i + 1])
                i += 1
        i += 1
    return head + (["--", *loose] if loose else [])


def _is_short_value(tok: str, valued: set[str]) -> bool:
    """True for "-k5": a short option glued to its value."""
    return len(tok) > 2 and tok[:2] in valued and not tok.startswith("--")


def main(argv: Optional[list[str]] = None) -> None:
    """Console entry point: usage, path and input errors are Chinese + English messages with exit code 2."""
    args = dash_args(list(sys.argv[1:] if argv is None else argv))
    code: Any = 0
    try:
        code = app(args=args, prog_name="cme-review", standalone_mode=False)
    except (typer.Exit, click.exceptions.Exit) as e:
        code = e.exit_code
    except (typer.Abort, click.exceptions.Abort, KeyboardInterrupt):
        typer.echo("已中断 / interrupted", err=True)
        code = 130
    except ReviewError as e:  # last line of defence: never a traceback for the user
        typer.echo(f"错误 / Error: {e.user_message()}", err=True)
        code = 2
    except OSError as e:
        typer.echo(f"错误 / Error: 文件或路径无法访问（{clean_text(str(e))}）", err=True)
        code = 2
    except Exception as e:  # noqa: BLE001 - usage errors from Typer's vendored click
        if not _is_usage_error(e):
            raise
        typer.echo(_usage_message(e), err=True)
        code = 2
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
