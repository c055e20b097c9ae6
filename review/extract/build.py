"""Typed Form + Evidence from raw pairs, tables and history lines (all typing via review.normalize)."""

from __future__ import annotations

import re
from typing import Any, Optional

from review.extract.history import HistoryLine
from review.extract.labels import LABELS
from review.extract.pairs import Found
from review.extract.pdfio import Cell, Row
from review.extract.tables import TableRow
from review.form import Event, Evidence, Form, HistoryYear, Lead, PeerReviewer, Teacher
from review.normalize import (
    clean_value,
    is_hint_text,
    marks_around,
    nfkc,
    parse_bool_yesno,
    parse_checkbox,
    parse_date,
    parse_int,
    parse_number,
    parse_percent,
    squash,
    ticked_options,
)

OPTIONS: dict[str, tuple[str, ...]] = {
    "level": ("国家级", "北京市级", "市级", "省级"),
    "category": ("普通项目", "社区必修课"),
    "mode": ("面授", "远程", "线上线下", "线下", "线上"),
    "unit_type": ("医疗卫生机构", "教学机构", "科研机构", "学（协）会", "学(协)会", "其他"),
}
_OPTION_CANON = {
    "市级": "北京市级",
    "省级": "北京市级",
    "线下": "面授",
    "线上线下": "面授",
    "线上": "远程",
    "学(协)会": "学（协）会",
}
INT_KEYS = ("enrollment", "sessions")
NUM_KEYS = ("total_hours", "theory_hours", "practice_hours", "credits")
PCT_KEYS = ("out_of_province_pct", "grassroots_pct")
FLAG_KEYS = ("jjj", "infectious_training")
NARRATIVES = ("peer_review", "achievements", "unit_profile")
PRACTICE_WORDS = ("实验", "演示", "技术示范", "实操", "操作")
_LEADING_HINT = re.compile(
    r"^\s*(推荐理由\s*[（(]\s*不少于\s*\d+\s*字\s*[)）]\s*[。.]?\s*(建议[^。]*[。]\s*)?|[（(][^（）()]*不少于\s*\d+\s*字[^（）()]*[)）]\s*)"
)
_TRAILING_DATE = re.compile(r"\s*(签字|签名|盖章)?\s*[:：]?\s*_*\s*年\s*_*\s*月\s*_*\s*日\s*$")


def evidence_of(cells: list[Cell], raw: str, fallback: str = "text") -> Evidence:
    """Evidence from the first page's cells: union box, raw text, source."""
    if not cells:
        return Evidence(raw=raw, source="none")
    page = cells[0].page
    boxes = [c.bbox for c in cells if c.page == page and c.bbox]
    bbox = None
    if boxes:
        bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    src = cells[0].source if cells[0].source in ("text", "table", "ocr", "acroform", "layout") else fallback
    return Evidence(page=page, bbox=bbox, raw=raw, source=src)  # type: ignore[arg-type]


def option_value(key: str, raw: str) -> Optional[str]:
    """The ticked option (or the only option named) among a field's choices."""
    opts = OPTIONS[key]
    ticked = ticked_options(raw, opts)
    if not ticked and parse_checkbox(raw) is not None:
        return None
    if not ticked:
        t = squash(nfkc(raw))
        ticked = [o for o in opts if squash(nfkc(o)) in t]
        if len(ticked) > 1:
            ticked = [max(ticked, key=len)]
    if not ticked:
        return clean_value(raw) if key == "unit_type" else None
    return _OPTION_CANON.get(ticked[0], ticked[0])


def flag_value(raw: str) -> Optional[bool]:
    """A ticked box or a 是/否 answer."""
    yn = parse_bool_yesno(raw)
    if yn is not None:
        return yn
    return parse_checkbox(raw)


def narrative_value(raw: str) -> Optional[str]:
    """Narrative text without a leading template hint or trailing date line; None when hint-only."""
    t = _LEADING_HINT.sub("", raw or "")
    t = _TRAILING_DATE.sub("", t).strip()
    if is_hint_text("narrative", t):
        return None
    return t


def signed_value(raw: str) -> bool:
    """True when a name follows 项目负责人签名 (not just blanks, underscores or a date)."""
    t = re.split(r"日\s*期|签字日期|年\s*月\s*日", raw or "")[0]
    t = re.sub(r"[\s_:：]+", "", t)
    return bool(t) and parse_date(t) is None


def typed(key: str, raw: str) -> Any:
    """Type one flat field's raw text."""
    leaf = key.split(".")[-1]
    if key in NARRATIVES:
        return narrative_value(raw)
    if is_hint_text(key, raw):
        return None
    if key in OPTIONS:
        return option_value(key, raw)
    if key in INT_KEYS:
        return parse_int(raw)
    if key in NUM_KEYS:
        return parse_number(raw)
    if key in PCT_KEYS:
        return parse_percent(raw)
    if key in FLAG_KEYS or key == "lead.employed":
        return flag_value(raw)
    if key == "lead.birth":
        return parse_date(raw) or clean_value(raw)
    if leaf == "id_number" or key.endswith("phone"):
        return clean_value(raw.replace(" ", ""))
    return clean_value(raw)


def scan_flags(rows: list[Row], form: Form, evidence: dict[str, Evidence]) -> None:
    """Checkbox flags written as '☑京津冀互认项目' anywhere (box before or after the label)."""
    for key in FLAG_KEYS:
        if getattr(form, key) is not None:
            continue
        for row in rows:
            text = row.text
            for label in LABELS[key]:
                if label in squash(nfkc(text)) or label in text:
                    hit = ticked_options(text, (label,))
                    before, after = marks_around(squash(nfkc(text)), squash(nfkc(label)))
                    if hit or before or after:
                        setattr(form, key, bool(hit))
                        evidence[key] = evidence_of(row.cells, text)
                        break
            if getattr(form, key) is not None:
                break


def teacher_from_values(v: dict[str, Any]) -> Teacher:
    """A teacher typed from its column texts; kind is the given one, else derived from 教学方法."""
    method = clean_value(v.get("method"))
    kind: Any = clean_value(v.get("kind"))
    if kind not in ("theory", "practice"):
        kind = ("practice" if any(w in method for w in PRACTICE_WORDS) else "theory") if method else None
    return Teacher(
        name=clean_value(v.get("name")),
        title=clean_value(v.get("title")),
        unit=clean_value(v.get("unit")),
        topic=clean_value(v.get("topic")),
        method=method,
        hours=parse_number(v.get("hours")),
        kind=kind,
    )


def teacher_of(tr: TableRow, i: int, evidence: dict[str, Evidence]) -> Teacher:
    """One teacher row, typed, with per-column evidence."""
    t = teacher_from_values(tr.values)
    for col, cell in tr.cells.items():
        if col != "seq":
            evidence[f"teachers.{i}.{col}"] = evidence_of([cell], cell.text)
    return t


def split_span(raw: str) -> tuple[Optional[str], Optional[str]]:
    """Start and end dates of '2025年4月18日-20日' / '2025-04-18至2025-04-20'."""
    t = nfkc(raw or "")
    parts = re.split(r"\s*(?:至|到|~|～|—|–|--|(?<=日)-|(?<=\d{2})\s+-\s+)\s*", t, maxsplit=1)
    start = parse_date(parts[0])
    end = None
    if len(parts) > 1 and start:
        tail = parts[1]
        end = parse_date(tail)
        if end is None or len(end) < 10:
            m = re.match(r"\s*(?:(\d{1,2})\s*[月\-./])?\s*(\d{1,2})\s*日?", tail)
            if m:
                y, mo = start[:4], m.group(1) or start[5:7]
                end = f"{y}-{int(mo):02d}-{int(m.group(2)):02d}"
    return start, end or start


def event_of(tr: TableRow, i: int, evidence: dict[str, Evidence]) -> Event:
    """One session row, typed."""
    start, end = split_span(tr.values.get("time", ""))
    ev = Event(
        start=start, end=end, days=parse_number(tr.values.get("days")), venue=clean_value(tr.values.get("venue"))
    )
    for col, cell in tr.cells.items():
        name = {"time": "start", "days": "days", "venue": "venue"}.get(col)
        if name:
            evidence[f"events.{i}.{name}"] = evidence_of([cell], cell.text)
    return ev


def history_of(lines: list[HistoryLine], evidence: dict[str, Evidence]) -> list[HistoryYear]:
    """History years in document order, with evidence per key."""
    out = []
    for i, hl in enumerate(lines):
        out.append(hl.year)
        ev = evidence_of(hl.cells, hl.raw)
        for k in HistoryYear.model_fields:
            evidence[f"history.{i}.{k}"] = ev
    return out


def build_form(
    found: dict[str, Found],
    teachers: list[TableRow],
    events: list[TableRow],
    history: list[HistoryLine],
    rows: list[Row],
    has_commitment: bool,
    overrides: Optional[dict[str, tuple[Any, Evidence]]] = None,
) -> tuple[Form, dict[str, Evidence]]:
    """The typed form and its evidence."""
    evidence: dict[str, Evidence] = {}
    flat: dict[str, Any] = {}
    for key, f in found.items():
        if key.startswith("event.") or key == "signed":
            continue
        flat[key] = typed(key, f.text)
        evidence[key] = evidence_of(f.cells, f.text)
    for key, (value, ev) in (overrides or {}).items():
        flat[key] = value
        evidence[key] = ev
    form = Form()
    _set_flat(form, flat)
    scan_flags(rows, form, evidence)
    if teachers:
        form.teachers = [teacher_of(tr, i, evidence) for i, tr in enumerate(teachers)]
    if events:
        form.events = [event_of(tr, i, evidence) for i, tr in enumerate(events)]
    elif any(k in found for k in ("event.time", "event.days", "event.venue")):
        form.events = [_single_event(found, evidence)]
    if history:
        form.history = history_of(history, evidence)
    if "signed" in found:
        form.signed = signed_value(found["signed"].text)
        evidence["signed"] = evidence_of(found["signed"].cells, found["signed"].text)
    elif has_commitment:
        form.signed = False
    return form, evidence


def _single_event(found: dict[str, Found], evidence: dict[str, Evidence]) -> Event:
    """One session from 举办时间/天数/地点 label pairs."""
    raw = {k: found[k].text for k in ("event.time", "event.days", "event.venue") if k in found}
    start, end = split_span(raw.get("event.time", ""))
    for k, name in (("event.time", "start"), ("event.days", "days"), ("event.venue", "venue")):
        if k in found:
            evidence[f"events.0.{name}"] = evidence_of(found[k].cells, found[k].text)
    return Event(
        start=start, end=end, days=parse_number(raw.get("event.days")), venue=clean_value(raw.get("event.venue"))
    )


def _set_flat(form: Form, flat: dict[str, Any]) -> None:
    """Assign flat dotted values onto the form (lead.*, peer_reviewer.*)."""
    lead: dict[str, Any] = {}
    peer: dict[str, Any] = {}
    for key, value in flat.items():
        head, _, leaf = key.partition(".")
        if head == "lead" and leaf:
            lead[leaf] = value
        elif head == "peer_reviewer" and leaf:
            peer[leaf] = value
        elif key in Form.model_fields and key not in ("teachers", "events", "history"):
            setattr(form, key, value)
    if lead:
        form.lead = Lead(**{k: v for k, v in lead.items() if k in Lead.model_fields})
    if peer:
        form.peer_reviewer = PeerReviewer(**{k: v for k, v in peer.items() if k in PeerReviewer.model_fields})
