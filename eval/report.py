"""Render eval metrics as a Markdown report with PNG charts (matplotlib, no display)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eval.metrics import HEADLINE, headline


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def _table(rows: list[list[Any]], header: list[str]) -> str:
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    out += ["| " + " | ".join(_fmt(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _bar_chart(labels: list[str], values: list[float], title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(max(6, 0.28 * len(labels) + 2), 4.2))
    ax.bar(range(len(labels)), values, color=["#c0392b" if v < 1 else "#2e86c1" for v in values])
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=70, ha="right", fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(metrics: dict[str, Any], out_dir: Path, baseline: dict[str, float]) -> Path:
    """Write report.md (+ charts) into out_dir and return its path."""
    head = headline(metrics)
    lines = [
        "# cme-review eval report",
        "",
        f"mode: {metrics.get('meta', {}).get('mode')} · cases: {metrics.get('meta', {}).get('cases')} · "
        f"seconds: {metrics.get('meta', {}).get('seconds')}",
        "",
        "## Headline",
        "",
    ]
    rows = []
    for k in HEADLINE:
        if k in head:
            b = baseline.get(k)
            rows.append(
                [k, head[k], "" if b is None else b, "" if b is None else ("ok" if head[k] >= b - 1e-9 else "DROP")]
            )
    lines += [_table(rows, ["metric", "value", "baseline", ""]), ""]
    errs = metrics.get("meta", {}).get("errors") or {}
    if errs:
        lines += ["## Section errors", ""] + [f"- {k}: {v}" for k, v in errs.items()] + [""]

    ext = metrics.get("extraction", {})
    styles = ext.get("per_style") or {}
    if styles:
        lines += ["## Extraction (field accuracy per style)", ""]
        lines += [
            _table(
                [[s, v.get("accuracy", v) if isinstance(v, dict) else v] for s, v in styles.items()],
                ["style", "accuracy"],
            ),
            "",
        ]
        vals = [float(v.get("accuracy", 0) if isinstance(v, dict) else v) for v in styles.values()]
        _bar_chart(list(styles), vals, "Extraction field accuracy per style", out_dir / "extraction_per_style.png")
        lines += ["![extraction](extraction_per_style.png)", ""]

    rules = metrics.get("rules", {})
    per_rule = rules.get("per_rule") or {}
    if per_rule:
        lines += [
            "## Rules (per rule)",
            "",
            f"micro P/R/F1: {_fmt(rules.get('micro_precision'))} / {_fmt(rules.get('micro_recall'))} / "
            f"{_fmt(rules.get('micro_f1'))}; error-level recall {_fmt(rules.get('error_recall'))}; "
            f"error findings on clean drafts: {rules.get('clean_error_findings')}",
            "",
        ]
        lines += [
            _table(
                [[r, v["precision"], v["recall"], v["f1"], v["tp"], v["fp"], v["fn"]] for r, v in per_rule.items()],
                ["rule", "P", "R", "F1", "tp", "fp", "fn"],
            ),
            "",
        ]
        _bar_chart(list(per_rule), [v["f1"] for v in per_rule.values()], "Per-rule F1", out_dir / "rules_f1.png")
        lines += ["![per-rule F1](rules_f1.png)", ""]
        if rules.get("disagreements"):
            lines += ["Disagreements:", ""] + [f"- {d}" for d in rules["disagreements"][:60]] + [""]

    ret = metrics.get("retrieval", {})
    chans = ret.get("channels", {}) if isinstance(ret.get("channels"), dict) else {}
    if chans:
        blind = ret.get("blind", {})
        rows = []
        for c, v in chans.items():
            sets = [("main, strict", v), ("main, accepted", ret.get("accepted", {}).get(c))]
            sets += [
                ("blind, strict", blind.get("channels", {}).get(c)),
                ("blind, accepted", blind.get("accepted", {}).get(c)),
            ]
            rows += [[c, name, m["recall@1"], m["recall@5"], m["mrr"]] for name, m in sets if m]
        lines += [
            "## Retrieval (policy QA)",
            "",
            f"Main set {ret.get('n')} questions (tuned on); blind set {blind.get('n', 0)} questions (never tuned on). "
            "'accepted' also counts a second-annotator alternate passage.",
            "",
            _table(rows, ["channel", "set", "recall@1", "recall@5", "MRR"]),
            "",
        ]

    for sec, title in (("explanations", "Explanations (per finding)"), ("chat", "Chat")):
        d = metrics.get(sec, {})
        subs = {k: v for k, v in d.items() if isinstance(v, dict)}
        if subs:
            keys = sorted({kk for v in subs.values() for kk, vv in v.items() if isinstance(vv, (int, float))})
            lines += [
                f"## {title}",
                "",
                _table([[k] + [subs[s].get(k, "") for s in subs] for k in keys], ["metric", *subs]),
                "",
            ]

    crit = metrics.get("critique", {})
    if crit and "error" not in crit:
        flat = {k: v for k, v in crit.items() if isinstance(v, (int, float))}
        lines += ["## Critique calibration", "", _table([[k, v] for k, v in flat.items()], ["metric", "value"]), ""]
    if "judge" in metrics:
        lines += [
            "## LLM judge (beside, never instead of, the deterministic metrics)",
            "",
            _table([[k, v] for k, v in metrics["judge"].items() if isinstance(v, (int, float))], ["metric", "value"]),
            "",
        ]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
