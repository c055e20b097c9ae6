"""'Not filled' vs 'not read': what the extractor saw decides whether a missing value is the applicant's omission.

A key in the extraction evidence means the field's label was seen on the page (its raw text is the value next
to it, possibly empty). A required field whose label was seen with an empty or hint-only value is an error
(fields-complete); a field whose label was never seen — or whose value was seen but could not be typed — is our
failure to read it: one advice finding for the whole draft lists every such field and the checks it blocked.
Without evidence (a form built by hand or by a caller that has none) the form is taken as read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Optional

from review.form import Evidence
from review.normalize import not_filled_hint
from review.rules.base import Finding, Source
from review.rules.helpers import LABELS, blank

RULE_ID = "fields-complete"
_TEACHER_ROW = re.compile(r"^teachers\.(\d+)$")
_TEACHER_COLS = {"姓名": "name", "专业技术职称": "title", "所在单位": "unit", "讲授题目": "topic", "学时": "hours"}


def label_seen(path: str, evidence: Mapping[str, Evidence]) -> bool:
    """True when the extractor saw the label of `path` (the key itself, or any key under it)."""
    if path in evidence:
        return True
    prefix = path + "."
    return any(k.startswith(prefix) for k in evidence)


def raw_of(path: str, evidence: Mapping[str, Evidence]) -> str:
    """The raw value text seen next to the label ('' when none)."""
    ev = evidence.get(path)
    return (ev.raw if ev is not None else "").strip()


def omission(path: str, evidence: Mapping[str, Evidence]) -> bool:
    """The label was seen and its value is empty or hint text: the applicant left it unfilled."""
    if not label_seen(path, evidence):
        return False
    if path not in evidence:  # a list seen through its rows: a missing value inside is checked per row
        return True
    raw = raw_of(path, evidence)
    return blank(raw) or not_filled_hint(path, raw)


def _column_seen(col: str, evidence: Mapping[str, Evidence]) -> bool:
    """True when any teacher row has evidence for this column (its header was recognised)."""
    pat = re.compile(rf"^teachers\.\d+\.{col}$")
    return any(pat.match(k) for k in evidence)


def _split_teacher_row(f: Finding, evidence: Mapping[str, Evidence]) -> tuple[Optional[Finding], list[str]]:
    """A 'row lacks X, Y' finding keeps the columns that were seen; returns it (or None) and the unread columns."""
    missing = [m for m in (f.found or []) if isinstance(m, str)]
    m = _TEACHER_ROW.match(f.fields[0]) if f.fields else None
    if m is None or not missing:
        return f, []
    unread_cols = [zh for zh in missing if zh in _TEACHER_COLS and not _column_seen(_TEACHER_COLS[zh], evidence)]
    kept = [zh for zh in missing if zh not in unread_cols]
    if not kept:
        return None, [f"teachers.*.{_TEACHER_COLS[zh]}" for zh in unread_cols]
    if unread_cols:
        row = int(m.group(1)) + 1
        f = f.model_copy(
            update={
                "message": f"课程及教师信息第 {row} 行缺少：{'、'.join(kept)}",
                "found": kept,
                "fix": f"请补全第 {row} 行教师的{'、'.join(kept)}。",
            }
        )
    return f, [f"teachers.*.{_TEACHER_COLS[zh]}" for zh in unread_cols]


def reclassify(findings: list[Finding], evidence: Mapping[str, Evidence]) -> tuple[list[Finding], list[str]]:
    """fields-complete errors for fields whose label was never seen are dropped; returns (kept, unread paths)."""
    if not evidence:
        return findings, []
    kept: list[Finding] = []
    unread: list[str] = []
    for f in findings:
        if f.rule != RULE_ID or f.severity != "error" or not f.fields:
            kept.append(f)
            continue
        path = f.fields[0]
        if _TEACHER_ROW.match(path):
            row, cols = _split_teacher_row(f, evidence)
            unread += [c for c in cols if c not in unread]
            if row is not None:
                kept.append(row)
        elif omission(path, evidence):
            kept.append(_confirmed(f, path, evidence))
        else:
            unread.append(path)
    return kept, unread


def _confirmed(f: Finding, path: str, evidence: Mapping[str, Evidence]) -> Finding:
    """The error's message once the evidence confirms the label was there: empty, or still the hint text."""
    raw = raw_of(path, evidence)
    if path not in evidence:
        return f
    hint = not blank(raw) and not_filled_hint(path, raw)
    label = LABELS.get(path, path)
    return f.model_copy(update={"message": f"必填项「{label}」{'仍为模板提示文字' if hint else '未填写'}"})


def is_unread_notice(f: Finding) -> bool:
    """A rule's 'could not check: field X not read' advice (helpers.unread marks its `found`)."""
    return f.not_checked and isinstance(f.found, dict) and "unread" in f.found and f.rule != RULE_ID


def _label(path: str) -> str:
    """Chinese name of a field path (teacher columns as 教师「职称」列)."""
    if path.startswith("teachers.*."):
        col = path.rsplit(".", 1)[1]
        zh = next((k for k, v in _TEACHER_COLS.items() if v == col), col)
        return f"课程及教师信息「{zh}」列"
    return LABELS.get(path, path)


def group(
    findings: list[Finding], unread: list[str], titles: Mapping[str, str], source: Optional[Source] = None
) -> list[Finding]:
    """Every 'could not check: field X not read' advice folded into one finding with the reclassified fields."""
    blocked = [f for f in findings if is_unread_notice(f)]
    if not blocked and not unread:
        return findings
    rest = [f for f in findings if f not in blocked]
    covered = {p for f in rest if f.rule == RULE_ID and f.severity == "error" for p in f.fields}
    paths: list[str] = []
    for p in unread + [f.fields[0] for f in blocked]:
        if p not in paths and p not in covered:
            paths.append(p)
    rules: list[str] = []
    for f in blocked:
        if f.rule not in rules and f.rule != RULE_ID:
            rules.append(f.rule)
    return rest + [_grouped(paths, rules, titles, blocked, source)]


def _grouped(
    paths: list[str], rules: list[str], titles: Mapping[str, str], blocked: list[Finding], source: Optional[Source]
) -> Finding:
    """The one advice finding: which fields were not read and which checks they blocked."""
    names = "".join(f"「{_label(p)}」" for p in paths)
    checks = "、".join(titles.get(r, r) for r in rules)
    if paths:
        message = f"未能读取{names}，请核对读取的表单"
        if checks:
            message += f"；以下检查因此未能进行：{checks}"
    else:
        missing = "".join(f"「{_label(p)}」" for p in dict.fromkeys(f.fields[0] for f in blocked))
        message = f"以下检查因{missing or '相关字段'}未填写而未能进行：{checks}"
    return Finding(
        rule=RULE_ID,
        severity="advice",
        title=titles.get(RULE_ID, ""),
        message=message,
        fields=paths or list(dict.fromkeys(p for f in blocked for p in f.fields)),
        fix="请对照原件核对这些字段：如已填写，可能因版式特殊未能识别，请人工核对或调整后重新上传；如未填写，请补充。",
        found=None,  # nothing was read: explanations say 未填写或未能读取
        source=source,
        not_checked=True,
    )
