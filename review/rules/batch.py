"""Rules that need several drafts at once: one lead's project count, one project from two units."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from review.form import Form
from review.rules import sources as S
from review.rules.base import Finding
from review.rules.helpers import REGISTRY, Hit, norm, rule, to_finding
from review.rules.units import canonical

MAX_PER_LEVEL = 2


def _never(_: Form) -> Iterator[Hit]:
    """Batch rules do not run on one draft."""
    return iter(())


rule(
    "lead-max-projects",
    "项目负责人每年每级别新申报项目不超过2项",
    "error",
    "all",
    (S.NAT_LEAD_LIMIT, S.BJ_LEAD_LIMIT),
    batch=True,
)(_never)
rule("duplicate-project", "同一项目只能通过一个单位申报", "error", "all", (S.NAT_ONE_UNIT, S.BJ_ONE_UNIT), batch=True)(
    _never
)


def lead_key(form: Form) -> str:
    """One person across drafts: ID number, else name + unit."""
    lead = form.lead
    if lead is None:
        return ""
    if lead.id_number and "*" not in lead.id_number:
        return "id:" + lead.id_number.strip().upper()
    if lead.name:
        return f"name:{norm(lead.name)}@{canonical(lead.unit or form.applicant_unit)}"
    return ""


def title_key(title: str | None) -> str:
    """A project title without spaces, punctuation, years and edition numbers (第十届)."""
    t = norm(title)
    t = re.sub(r"(19|20)\d{2}年?|第[一二三四五六七八九十百\d]+[届期次]", "", t)
    return re.sub(r"[\W_]+", "", t)


def _lead_limit(items: list[tuple[str, Form]]) -> Iterator[tuple[str, Hit]]:
    """More than 2 drafts by one lead at one level: an error on each."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for draft_id, form in items:
        key = lead_key(form)
        if key:
            groups[(key, form.level or "")].append(draft_id)
    for (_, level), ids in groups.items():
        if len(ids) > MAX_PER_LEVEL:
            lead = dict(items)[ids[0]].lead
            name = lead.name if lead else ""
            for draft_id in ids:
                yield (
                    draft_id,
                    Hit(
                        f"项目负责人「{name}」本批共有 {len(ids)} 项{level or ''}申报（{'、'.join(ids)}），每年每级别新申报项目不得超过2项",
                        ["lead.name", "lead.id_number"],
                        found=len(ids),
                        fixed_value=MAX_PER_LEVEL,
                        fix="请由单位统筹，每位项目负责人同一级别只保留不超过2项申报。",
                    ),
                )


def _duplicates(items: list[tuple[str, Form]]) -> Iterator[tuple[str, Hit]]:
    """The same normalised title from two different applicant units: an error on each."""
    groups: dict[str, list[tuple[str, Form]]] = defaultdict(list)
    for draft_id, form in items:
        key = title_key(form.title)
        if key:
            groups[key].append((draft_id, form))
    for group in groups.values():
        units = {canonical(f.applicant_unit) for _, f in group if f.applicant_unit}
        if len(units) < 2:
            continue
        for draft_id, form in group:
            others = sorted(units - {canonical(form.applicant_unit)})
            yield (
                draft_id,
                Hit(
                    f"项目「{form.title}」同时由{'、'.join(others)}申报；同一项目只能通过一个单位申报",
                    ["title", "applicant_unit"],
                    found=sorted(units),
                    fix="多单位联合申报的项目应由牵头单位申报，其他单位请撤回重复申报。",
                ),
            )


def run_batch_rules(items: list[tuple[str, Form]]) -> dict[str, list[Finding]]:
    """Findings of the batch rules per draft id (every id present, possibly with an empty list)."""
    out: dict[str, list[Finding]] = {draft_id: [] for draft_id, _ in items}
    checks: Iterable[tuple[str, Iterator[tuple[str, Hit]]]] = (
        ("lead-max-projects", _lead_limit(items)),
        ("duplicate-project", _duplicates(items)),
    )
    for rule_id, hits in checks:
        for draft_id, hit in hits:
            out[draft_id].append(to_finding(REGISTRY[rule_id], hit))
    return out
