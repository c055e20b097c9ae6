"""Which part of the form a finding belongs to (项目负责人 / 授课教师 / 学时学分 / 招生 / 内容与填写)."""

from __future__ import annotations

from review.rules.base import SEVERITY_ORDER, Finding

SECTIONS: tuple[str, ...] = ("项目负责人", "授课教师", "学时学分", "招生", "内容与填写")

# Field path prefixes → section (checked in order; the first field that maps wins).
_FIELD_SECTIONS: tuple[tuple[str, str], ...] = (
    ("lead", "项目负责人"),
    ("achievements", "项目负责人"),
    ("history", "项目负责人"),
    ("teachers", "授课教师"),
    ("total_hours", "学时学分"),
    ("theory_hours", "学时学分"),
    ("practice_hours", "学时学分"),
    ("credits", "学时学分"),
    ("sessions", "学时学分"),
    ("events", "学时学分"),
    ("enrollment", "招生"),
    ("out_of_province_pct", "招生"),
    ("grassroots_pct", "招生"),
)

# Rule-id keywords → section, used when the fields do not decide.
_RULE_SECTIONS: tuple[tuple[str, str], ...] = (
    ("lead", "项目负责人"),
    ("id-number", "项目负责人"),
    ("achievement", "项目负责人"),
    ("teacher", "授课教师"),
    ("share", "授课教师"),
    ("hour", "学时学分"),
    ("credit", "学时学分"),
    ("session", "学时学分"),
    ("deadline", "学时学分"),
    ("enrol", "招生"),
    ("province", "招生"),
    ("percent", "招生"),
    ("grassroots", "招生"),
)


def section_of(finding: Finding) -> str:
    """The form section a finding belongs to, from its rule id first, then its fields."""
    rule = finding.rule.lower()
    for key, section in _RULE_SECTIONS:
        if key in rule:
            return section
    for path in finding.fields:
        head = path.split(".", 1)[0]
        for prefix, section in _FIELD_SECTIONS:
            if head == prefix:
                return section
    return SECTIONS[-1]


def group_findings(findings: list[Finding]) -> dict[str, dict[str, list[Finding]]]:
    """Findings grouped by severity, then by section, both in display order (empty groups left out)."""
    out: dict[str, dict[str, list[Finding]]] = {}
    for sev in sorted(SEVERITY_ORDER, key=SEVERITY_ORDER.__getitem__):
        by_section: dict[str, list[Finding]] = {}
        for f in sorted((f for f in findings if f.severity == sev), key=lambda f: f.rule):
            by_section.setdefault(section_of(f), []).append(f)
        if by_section:
            out[sev] = {s: by_section[s] for s in SECTIONS if s in by_section}
    return out
