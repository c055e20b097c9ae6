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
    strip_leading_hint,
    ticked_options,
)
from review.titles import rank_of

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
    opts = _standalone_options(OPTIONS[key], raw)
    ticked = ticked_options(raw, opts)
    if not ticked:
        t = squash(nfkc(raw))
        present = [o for o in opts if squash(nfkc(o)) in t]
        if any(any(marks_around(t, squash(nfkc(o)))) for o in present):
            return None  # the options have boxes and none is ticked (boxes elsewhere belong to other fields)
        ticked = _longest_only(present)
    if not ticked:
        return clean_value(raw) if key == "unit_type" else None
    return _OPTION_CANON.get(ticked[0], ticked[0])


def _standalone_options(opts: tuple[str, ...], raw: str) -> tuple[str, ...]:
    """Options minus those written only inside a longer option (市级 inside 北京市级), whose box is the longer one's."""
    t = squash(nfkc(raw or ""))
    keys = {o: squash(nfkc(o)) for o in opts}
    out = []
    for o in opts:
        k = keys[o]
        longer = [keys[b] for b in opts if len(keys[b]) > len(k) and k in keys[b] and keys[b] in t]
        if longer and t.count(k) <= sum(t.count(b) * b.count(k) for b in longer):
            continue
        out.append(o)
    return tuple(out)


def _longest_only(present: list[str]) -> list[str]:
    """The one option named (or the longest when the others are inside it: 线上线下 over 线上); [] if ambiguous."""
    if not present:
        return []
    best = max(present, key=len)
    return [best] if all(o in best for o in present) else []


def flag_value(raw: str) -> Optional[bool]:
    """A ticked box or a 是/否 answer."""
    yn = parse_bool_yesno(raw)
    if yn is not None:
        return yn
    return parse_checkbox(raw)


def narrative_value(raw: str) -> Optional[str]:
    """Narrative text without a leading template hint or trailing date line; None when hint-only."""
    t = strip_leading_hint(raw or "")
    t = _TRAILING_DATE.sub("", t).strip()
    if is_hint_text("narrative", t):
        return None
    return t


def signed_value(raw: str) -> bool:
    """True when a name follows 项目负责人签名 (not just blanks, underscores or a date)."""
    t = re.split(r"日\s*期|签字日期|年\s*月\s*日", raw or "")[0]
    t = re.sub(r"[\s_:：]+", "", t)
    return bool(t) and parse_date(t) is None


_FULL_WIDTH = str.maketrans(
    {**{chr(0xFF10 + d): str(d) for d in range(10)}, "－": "-", "．": ".", "／": "/", "％": "%"}
)


def ascii_digits(text: str) -> str:
    """Full-width digits and number punctuation as ASCII (some systems print ２０２５－０９－１８, ３０％)."""
    return (text or "").translate(_FULL_WIDTH)


_OCR_TICK = re.compile(r"([（(])\s*[vVⅴⅤ]\s*([)）])")


def ocr_ticks(text: str) -> str:
    """A tick read by OCR as the letter V inside its brackets ('否（V）') is the tick √."""
    return _OCR_TICK.sub(lambda m: f"{m.group(1)}√{m.group(2)}", text or "")


def typed(key: str, raw: str) -> Any:
    """Type one flat field's raw text."""
    leaf = key.split(".")[-1]
    if key in INT_KEYS + NUM_KEYS + PCT_KEYS or key == "lead.birth":
        raw = re.sub(r"(?<=\d)\s+(?=\d)", "", ascii_digits(raw))  # wide digits print (and OCR) spaced: '3 0%'
    raw = ocr_ticks(raw)
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
        return clean_value(nfkc(raw).replace(" ", ""))  # full-width digits are the same number
    if leaf == "title":
        return title_value(raw)
    return clean_value(raw)


def title_value(raw: str) -> Optional[str]:
    """A professional title without a stray OCR fragment after it ('主任医师 市' -> '主任医师')."""
    t = clean_value(raw)
    if not t or " " not in t:
        return t
    head, _, tail = t.partition(" ")
    if rank_of(head) and not rank_of(tail) and len(tail) <= 2:
        return head
    return t


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
    kind: Any = _kind_word(clean_value(v.get("kind")))
    hours = parse_number(v.get("hours"))
    theory, practice = parse_number(v.get("hours_theory")), parse_number(v.get("hours_practice"))
    if hours is None and (theory or practice):
        hours = (theory or 0.0) + (practice or 0.0)
        kind = kind or ("practice" if (practice or 0.0) > (theory or 0.0) else "theory")
    if kind not in ("theory", "practice"):
        kind = ("practice" if any(w in method for w in PRACTICE_WORDS) else "theory") if method else None
    return Teacher(
        name=clean_value(v.get("name")),
        title=title_value(v.get("title") or ""),
        unit=clean_value(v.get("unit")),
        topic=clean_value(v.get("topic")),
        method=method,
        hours=hours,
        kind=kind,
    )


def _kind_word(text: Optional[str]) -> Optional[str]:
    """theory/practice from a 类型 column ('理论', '实践', '技术示范') or already normalised."""
    if not text or text in ("theory", "practice"):
        return text
    if any(w in text for w in PRACTICE_WORDS) or "实践" in text:
        return "practice"
    return "theory" if "理论" in text or "讲授" in text else None


def teacher_of(tr: TableRow, i: int, evidence: dict[str, Evidence]) -> Teacher:
    """One teacher row, typed, with per-column evidence."""
    t = teacher_from_values(tr.values)
    for col, cell in tr.cells.items():
        if col != "seq":
            evidence[f"teachers.{i}.{col.split('_')[0]}"] = evidence_of([cell], cell.text)
    return t


def split_span(raw: str) -> tuple[Optional[str], Optional[str]]:
    """Start and end dates of '2025年4月18日-20日' / '2025-04-18至2025-04-20'."""
    t = nfkc(ascii_digits(raw or ""))
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
    """One session row, typed (a free '日期至日期，地点，N天' line goes through session_event)."""
    if "session" in tr.values:
        ev0 = session_event(tr.values["session"])
        for part in ("start", "days", "venue"):
            evidence[f"events.{i}.{part}"] = evidence_of([tr.cells["session"]], tr.values["session"])
        return ev0
    start, end = split_span(tr.values.get("time", ""))
    days = parse_number(ascii_digits(tr.values.get("days") or ""))
    ev = Event(start=start, end=end, days=days, venue=clean_value(tr.values.get("venue")))
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
        flat[key], chosen = _first_typed(key, f)
        evidence[key] = evidence_of(chosen.cells, chosen.text)
    _route_by_vocabulary(found, flat, evidence)
    if flat.get("level") is None:
        _level_from_title(rows, flat, evidence)
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
        _merge_label_sessions(form, found, evidence)
        _fill_days(form, found, evidence)
    elif any(k in found for k in ("event.time", "event.days", "event.venue", "event.time_venue")):
        form.events = _label_events(found, evidence)
    if history:
        form.history = history_of(history, evidence)
    if "signed" in found:
        form.signed = signed_value(found["signed"].text)
        evidence["signed"] = evidence_of(found["signed"].cells, found["signed"].text)
    elif has_commitment:
        form.signed = False
    return form, evidence


_SESSION = re.compile(r"第\s*[\d一二三四五六七八九十]+\s*期\s*[:：]?")
_SPAN = re.compile(
    r"\d{4}\s*[年\-./]\s*\d{1,2}\s*[月\-./]\s*\d{1,2}\s*日?"
    r"(?:\s*(?:至|到|~|～|—|–|-{1,2})\s*(?:\d{4}\s*[年\-./]\s*)?(?:\d{1,2}\s*[月\-./]\s*)?\d{1,2}\s*日?)?"
)
_DAYS = re.compile(r"(?:共|计)?\s*(\d+(?:\.\d+)?)\s*天")
_EVENT_LABELS = re.compile(r"(?:举办)?(?:天数|地点|时间|日期)\s*[:：]")
_SEPS = " \t\n，,；;：:。.、"


def session_parts(text: str) -> list[str]:
    """'第1期：…；第2期：…' split into one text per session (the whole text when it names no 期)."""
    marks = list(_SESSION.finditer(text or ""))
    if not marks:
        return [text] if (text or "").strip() else []
    return [text[m.end() : (marks[i + 1].start() if i + 1 < len(marks) else len(text))] for i, m in enumerate(marks)]


def session_event(part: str, days_raw: str = "", venue_raw: str = "") -> Event:
    """One session from its text: a date span, then the venue; days from '3天' in it or the form's 举办天数."""
    part = ascii_digits(part)
    span = _SPAN.search(part)
    start, end = split_span(span.group()) if span else (None, None)
    rest = part[span.end() :] if span else ""
    days_m = _DAYS.search(rest)
    if days_m:
        rest = rest[: days_m.start()] + rest[days_m.end() :]
    rest = _EVENT_LABELS.sub(" ", rest)
    rest = re.split(r"\s*[，,；;。]\s*(?=\s*$)", rest)[0]
    rest = re.sub(r"[，,；;。]\s*[，,；;。\s]*$", "", rest.strip(_SEPS)).strip(_SEPS)
    days = parse_number(days_m.group(1)) if days_m else parse_number(ascii_digits(days_raw))
    return Event(start=start, end=end, days=days, venue=clean_value(rest) or clean_value(venue_raw))


def _label_events(found: dict[str, Found], evidence: dict[str, Evidence]) -> list[Event]:
    """Sessions from 举办时间(及地点)/天数/地点 label pairs; one event per 第N期 named."""
    raw = {k: found[k].text for k in ("event.time", "event.days", "event.venue", "event.time_venue") if k in found}
    timed = raw.get("event.time_venue") or raw.get("event.time", "")
    parts = session_parts(timed) or [""]
    events = [session_event(p, raw.get("event.days", ""), raw.get("event.venue", "")) for p in parts]
    for i in range(len(events)):
        for k, name in (("event.time", "start"), ("event.time_venue", "start"), ("event.days", "days")):
            if k in found:
                evidence[f"events.{i}.{name}"] = evidence_of(found[k].cells, found[k].text)
        src = "event.venue" if "event.venue" in found else "event.time_venue"
        if src in found:
            evidence[f"events.{i}.venue"] = evidence_of(found[src].cells, found[src].text)
    return events


def _fill_days(form: Form, found: dict[str, Found], evidence: dict[str, Evidence]) -> None:
    """A form-level 举办天数 applies to every session that names no days of its own."""
    days = parse_number(ascii_digits(found["event.days"].text)) if "event.days" in found else None
    for i, ev in enumerate(form.events or []):
        if ev.days is None and days is not None:
            ev.days = days
            evidence[f"events.{i}.days"] = evidence_of(found["event.days"].cells, found["event.days"].text)


def _merge_label_sessions(form: Form, found: dict[str, Found], evidence: dict[str, Evidence]) -> None:
    """'举办时间及地点：第1期：…' with 第2期 on its own line: the label's sessions come first, none twice."""
    timed = next((found[k].text for k in ("event.time_venue", "event.time") if k in found), "")
    if not _SESSION.search(timed) or form.events is None:
        return
    lead = _label_events(found, {})
    starts = {e.start for e in lead}
    rest = [e for e in form.events if e.start not in starts]
    if len(lead) + len(rest) > len(form.events):
        form.events = lead + rest
        for i in range(len(form.events)):
            for name in ("start", "days", "venue"):
                evidence.pop(f"events.{i}.{name}", None)
        _label_events(found, evidence)


def _first_typed(key: str, f: Found) -> tuple[Any, Found]:
    """The first candidate value for a key that types to something (a later label may hold the real value)."""
    for cand in f.candidates():
        value = typed(key, cand.text)
        if value is not None:
            return value, cand
    return typed(key, f.text), f


VOCAB_KEYS = ("mode", "category")


def _route_by_vocabulary(found: dict[str, Found], flat: dict[str, Any], evidence: dict[str, Evidence]) -> None:
    """项目类型 may hold 面授 (mode) or 普通项目 (category): decide by the value's words, not the label."""
    for key in VOCAB_KEYS:
        if flat.get(key) is not None:
            continue
        for src in VOCAB_KEYS:
            hit = (
                next((c for c in found[src].candidates() if option_value(key, c.text)), None) if src in found else None
            )
            if src != key and hit is not None:
                flat[key] = option_value(key, hit.text)
                evidence[key] = evidence_of(hit.cells, hit.text)
                break
    for src in VOCAB_KEYS:
        other = [k for k in VOCAB_KEYS if k != src]
        if (
            src in found
            and flat.get(src) is None
            and all(any(option_value(k, c.text) for k in other) for c in found[src].candidates())
        ):
            evidence.pop(src, None)  # its label held another field's value: this field was not read, not left empty


_TITLE_LEVEL = re.compile(r"(国家级|北京市级|省级|市级)[^，。,：:]{0,30}申报书")


def _level_from_title(rows: list[Row], flat: dict[str, Any], evidence: dict[str, Evidence]) -> None:
    """The level named in the form's title line ('2026年国家级继续医学教育推荐项目申报书')."""
    for row in rows[:80]:
        m = _TITLE_LEVEL.search(squash(row.text))
        if m and len(squash(row.text)) <= 60:
            flat["level"] = _OPTION_CANON.get(m.group(1), m.group(1))
            evidence["level"] = evidence_of(row.cells, row.text)
            return


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
