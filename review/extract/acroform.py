"""Fillable PDFs: AcroForm field values (named by FORM.md dotted keys or by labels) onto the Form."""

from __future__ import annotations

import logging
import math
import re
from typing import Any, Optional

from review.extract.build import teacher_from_values, typed
from review.extract.labels import match_label
from review.form import Event, Evidence, Form, HistoryYear, Lead, PeerReviewer
from review.normalize import clean_value, parse_bool_yesno, parse_checkbox, parse_date, parse_int, parse_number

log = logging.getLogger(__name__)
_ON = {"/yes", "/on", "/1", "/true", "/checked", "yes", "on", "true", "1", "√", "☑", "■"}
_OFF = {"/off", "/no", "/0", "/false", "off", "no", "false", "0", ""}
_LIST = re.compile(r"^(teachers|events|history)[._\[](\d+)\]?[._](\w+)$")
_NESTED = {"lead": Lead, "peer_reviewer": PeerReviewer}


def _rects(reader: Any) -> dict[str, tuple[int, tuple[float, float, float, float]]]:
    """Widget name -> (page, box in top-left PDF points); unreadable pages and annotations are skipped."""
    out: dict[str, tuple[int, tuple[float, float, float, float]]] = {}
    for pi in range(len(reader.pages)):
        try:
            page = reader.pages[pi]
            height = float(page.mediabox.height)
            annots = _resolved(page.get("/Annots"))
        except Exception as exc:  # noqa: BLE001 - a broken page dictionary has no usable widgets
            log.warning("page %d: cannot read annotations: %s", pi + 1, exc)
            continue
        for ref in annots if isinstance(annots, list) else []:
            got = _widget(ref, height)
            if got is not None:
                out.setdefault(got[0], (pi + 1, got[1]))
    return out


def _resolved(obj: Any) -> Any:
    """The object behind an indirect reference (the object itself otherwise)."""
    return obj.get_object() if hasattr(obj, "get_object") else obj


def _widget(ref: Any, height: float) -> Optional[tuple[str, tuple[float, float, float, float]]]:
    """(field name, box) of one widget annotation; None when the annotation is missing, not a dict or malformed."""
    try:
        a = _resolved(ref)
        if not isinstance(a, dict):
            return None
        parent = _resolved(a.get("/Parent"))
        name = a.get("/T") or (parent.get("/T") if isinstance(parent, dict) else None)
        rect = _resolved(a.get("/Rect"))
        if name is None or not isinstance(rect, list) or len(rect) != 4:
            return None
        x0, y0, x1, y1 = (float(_resolved(v)) for v in rect)
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on broken objects
        log.debug("skipping unreadable annotation: %s", exc)
        return None
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1, height)):
        return None
    return str(name), (round(x0, 1), round(height - y1, 1), round(x1, 1), round(height - y0, 1))


def _fields_one_by_one(reader: Any) -> dict[str, Any]:
    """Terminal fields of /AcroForm /Fields (name -> field dict), skipping every field that cannot be read."""
    out: dict[str, Any] = {}
    try:
        root = _resolved(reader.trailer["/Root"])
        todo = [(ref, "") for ref in list(_resolved(_resolved(root.get("/AcroForm")).get("/Fields")) or [])]
    except Exception as exc:  # noqa: BLE001 - no field list at all: no form
        log.warning("no readable AcroForm field list: %s", exc)
        return out
    seen = 0
    while todo and seen < 5000:
        ref, prefix = todo.pop(0)
        seen += 1
        try:
            f = _resolved(ref)
            name = f"{prefix}.{f['/T']}" if prefix and f.get("/T") is not None else str(f.get("/T") or prefix)
            kids = _resolved(f.get("/Kids"))
            if isinstance(kids, list) and any(isinstance(_resolved(k), dict) and "/T" in _resolved(k) for k in kids):
                todo.extend((k, name) for k in kids)
            elif name:
                out[name] = f
        except Exception as exc:  # noqa: BLE001 - this field is lost, the others are kept
            log.warning("skipping unreadable form field: %s", exc)
    return out


def acroform_values(reader: Any) -> dict[str, tuple[str, Evidence]]:
    """Filled AcroForm fields: name -> (raw value, evidence). Empty when the PDF has no form."""
    try:
        fields = reader.get_fields() or {}
    except Exception as exc:  # noqa: BLE001 - one broken field must not lose the others: walk them one by one
        log.warning("cannot read AcroForm in one go (%s); reading field by field", exc)
        fields = _fields_one_by_one(reader)
    if not fields:
        return {}
    try:
        rects = _rects(reader)
    except Exception as exc:  # noqa: BLE001 - boxes are a nicety: values without boxes still count
        log.warning("cannot read widget boxes: %s", exc)
        rects = {}
    out: dict[str, tuple[str, Evidence]] = {}
    for name, f in fields.items():
        try:
            value = _resolved(f.get("/V")) if isinstance(f, dict) else None
            raw = "" if value is None else str(value)
            page, box = rects.get(name.split(".")[-1], rects.get(name, (None, None)))
            out[name] = (raw, Evidence(page=page, bbox=box, raw=raw, source="acroform"))
        except Exception as exc:  # noqa: BLE001 - one unreadable value loses that field only
            log.warning("form field %r unreadable: %s", name[:80], exc)
    return out


def _flag(raw: str) -> Optional[bool]:
    low = raw.strip().lower()
    if low in _ON:
        return True
    if low in _OFF:
        return False if low else None
    return parse_bool_yesno(raw) if parse_bool_yesno(raw) is not None else parse_checkbox(raw)


def _key_of(name: str) -> Optional[str]:
    """FORM key for a field name: the dotted key itself or a label-like name."""
    if name in Form.model_fields or name.split(".")[0] in _NESTED:
        return name
    key = match_label(name)
    return key if key and not key.startswith("_") else None


def apply_acroform(form: Form, evidence: dict[str, Evidence], fields: dict[str, tuple[str, Evidence]]) -> list[str]:
    """Overwrite the form with AcroForm values (they are what the applicant typed); returns fields that failed."""
    lists: dict[str, dict[int, dict[str, str]]] = {"teachers": {}, "events": {}, "history": {}}
    failed: list[str] = []
    for name, (raw, ev) in fields.items():
        try:
            _apply_one(form, evidence, lists, name, raw, ev)
        except Exception as exc:  # noqa: BLE001 - one bad field (a 301-digit number, a hostile name) loses only itself
            log.warning("form field %r not applied: %s", name[:80], exc)
            failed.append(name)
    builders = {"teachers": teacher_from_values, "events": _event, "history": _history}
    for key, build in builders.items():
        if lists[key]:
            items = []
            for i in sorted(lists[key]):
                try:
                    items.append(build(lists[key][i]))
                except Exception as exc:  # noqa: BLE001 - one bad row loses only itself
                    log.warning("form %s row %d not applied: %s", key, i, exc)
                    failed.append(f"{key}.{i}")
            setattr(form, key, items)
    return failed


def _apply_one(
    form: Form,
    evidence: dict[str, Evidence],
    lists: dict[str, dict[int, dict[str, str]]],
    name: str,
    raw: str,
    ev: Evidence,
) -> None:
    """One field onto the form (list fields are collected into `lists` first)."""
    m = _LIST.match(name)
    if m:
        idx = int(m.group(2))
        if idx > 500:
            raise ValueError(f"row index {idx} out of range")
        lists[m.group(1)].setdefault(idx, {})[m.group(3)] = raw
        evidence[f"{m.group(1)}.{idx}.{m.group(3)}"] = ev
        return
    key = _key_of(name)
    if key is None:
        return
    _set(form, key, _typed(key, raw))
    evidence[key] = ev


def _typed(key: str, raw: str) -> Any:
    if key in ("jjj", "infectious_training", "lead.employed", "signed"):
        return _flag(raw)
    return typed(key, raw)


def _set(form: Form, key: str, value: Any) -> None:
    head, _, leaf = key.partition(".")
    if leaf and head in _NESTED:
        obj = getattr(form, head) or _NESTED[head]()
        if leaf in type(obj).model_fields:
            setattr(obj, leaf, value)
            setattr(form, head, obj)
    elif key in Form.model_fields:
        setattr(form, key, value)


def _event(v: dict[str, str]) -> Event:
    return Event(
        start=parse_date(v.get("start")) or clean_value(v.get("start")),
        end=parse_date(v.get("end")) or clean_value(v.get("end")),
        days=parse_number(v.get("days")),
        venue=clean_value(v.get("venue")),
    )


def _history(v: dict[str, str]) -> HistoryYear:
    return HistoryYear(
        year=parse_int(v.get("year")),
        national=_flag(v.get("national", "")),
        provincial=_flag(v.get("provincial", "")),
        executed=_flag(v.get("executed", "")),
        national_code=clean_value(v.get("national_code")),
        provincial_code=clean_value(v.get("provincial_code")),
    )
