"""Mask personal data (身份证号, phone numbers, addresses) before anything is sent to a model."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Optional

from review.form import Evidence, Form

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)(?:(\+?86)[- ]?)?(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)")
LANDLINE = re.compile(r"(?<![\d*])(0\d{2,3})([-－ ]|\)|）)?\d{3,4}(\d{4})(?!\d)")
ADDRESS_LABEL = re.compile(r"((?:通讯|通信|联系|家庭|单位)?地址\s*[:：]?\s*)([^\s，。；;,\n]+)")
# 省/市 … 区/县 … 路/街/号: a postal address inside free text
ADDRESS = re.compile(
    r"((?:[\u4e00-\u9fff]{2,8}?(?:省|自治区))?[\u4e00-\u9fff]{2,7}?市[\u4e00-\u9fff]{1,7}?(?<!自治)(?:区|县|旗))"
    r"([\u4e00-\u9fff\dA-Za-z\-－#]{0,30}?(?:路|街|道|巷|胡同|里)[\u4e00-\u9fff\dA-Za-z\-－#]{0,20}?(?:号院|号楼|号|室|单元|层))"
)
DISTRICT = re.compile(r"(?<!自治)(?:区|县|旗)")
MASK = "****"
# a run of digit groups joined by white space (line breaks too) or hyphens: an ID number may be broken inside it
_SEP = r"[ \t\r\n\u3000\u00a0]{1,3}"
DIGIT_RUN = re.compile(rf"(?<![0-9A-Za-z])[0-9]+(?:{_SEP}?[0-9]+)*(?:{_SEP}?[Xx])?(?![0-9A-Za-z])")
_GROUP = re.compile(r"[0-9]+|[Xx]")
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_REGION = r"(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3]|91)\d{4}"
ID18 = re.compile(rf"^{_REGION}(?:18|19|20)\d{{2}}{_DATE}\d{{3}}[\dXx]$")
ID15 = re.compile(rf"^{_REGION}\d{{2}}{_DATE}\d{{3}}$")


def looks_like_id(compact: str, joined: bool = False) -> bool:
    """A 身份证号 shape (province, valid month/day): 18 characters, or 15 digits when not joined from pieces."""
    return bool(ID18.match(compact) or (not joined and ID15.match(compact)))


def _masked_id(compact: str) -> str:
    """First 6 and last 4 characters kept, the rest starred."""
    return compact[:6] + "*" * (len(compact) - 10) + compact[-4:]


def _mask_run(run: str) -> str:
    """ID numbers inside one run of digit groups: any consecutive groups that join into an ID are masked."""
    groups = [(m.start(), m.end(), m.group()) for m in _GROUP.finditer(run)]
    out, pos, i = [], 0, 0
    while i < len(groups):
        hit = None
        for j in range(i + 1, len(groups) + 1):
            compact = "".join(g[2] for g in groups[i:j])
            if len(compact) > 18:
                break
            if len(compact) in (15, 18) and looks_like_id(compact, joined=j - i > 1):
                hit = j
        if hit is None:
            i += 1
            continue
        start, end = groups[i][0], groups[hit - 1][1]
        out.append(run[pos:start] + _masked_id("".join(g[2] for g in groups[i:hit])))
        pos, i = end, hit
    return "".join(out) + run[pos:]


def mask_id_numbers(text: str) -> str:
    """身份证号 → first 6 + stars + last 4 (110105********1234), also when broken over lines or spaced out."""
    text = ID_NUMBER.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(2)}", text)
    return DIGIT_RUN.sub(lambda m: _mask_run(m.group()), text)


def mask_phones(text: str) -> str:
    """Mobiles → 138****5678; landlines → 010-****5678."""
    text = MOBILE.sub(lambda m: f"{m.group(1) + ' ' if m.group(1) else ''}{m.group(2)}{MASK}{m.group(3)}", text)
    return LANDLINE.sub(lambda m: f"{m.group(1)}{m.group(2) or '-'}{MASK}{m.group(3)}", text)


def mask_address(address: str) -> str:
    """Keep an address up to its 区/县 (else up to 市/省), mask the rest."""
    if not address or MASK in address:
        return address
    m = DISTRICT.search(address)
    if m is None:
        cities = list(re.finditer(r"市", address)) or list(re.finditer(r"省", address))
        m = cities[-1] if cities else None
    keep = address[: m.end()] if m else address[:2]
    return keep + MASK if len(keep) < len(address) else keep


def mask_addresses(text: str) -> str:
    """Addresses after 地址 labels, and 省/市/区/路/号 patterns in free text."""
    text = ADDRESS_LABEL.sub(lambda m: m.group(1) + mask_address(m.group(2)), text)
    return ADDRESS.sub(lambda m: m.group(1) + MASK, text)


def mask_text(text: str) -> str:
    """Mask 身份证号, phone numbers and addresses in a text."""
    if not text:
        return text
    return mask_addresses(mask_phones(mask_id_numbers(text)))


def _mask_all(value: Any) -> Any:
    """mask_text over every string in a nested JSON-like value."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [_mask_all(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask_all(v) for k, v in value.items()}
    return value


def mask_form(form: Form) -> Form:
    """A copy of the form with personal data masked (id number, phones, address, and any in free text)."""
    data = _mask_all(form.model_dump())
    if form.lead_address:
        data["lead_address"] = mask_address(mask_phones(form.lead_address))
    lead = data.get("lead") or {}
    if lead.get("id_number"):
        lead["id_number"] = _mask_id_field(lead["id_number"])
    for key in ("lead_phone", "unit_phone"):
        if data.get(key):
            data[key] = _mask_phone_field(data[key])
    return Form.model_validate(data)


def _spaced(value: str) -> Optional[re.Pattern[str]]:
    """A pattern finding `value` in text with white space or hyphens anywhere between its characters."""
    chars = [c for c in value if not c.isspace() and c not in "-－"]
    if len(chars) < 7:
        return None
    return re.compile(r"[\s\-－]*".join(re.escape(c) for c in chars), re.IGNORECASE)


def masker_for(form: Form, evidence: Optional[Mapping[str, Evidence]] = None) -> Callable[[str], str]:
    """mask_text plus this draft's own ID number and phones wherever they appear (even misread or broken)."""
    secrets: list[tuple[re.Pattern[str], str]] = []
    lead_id = form.lead.id_number if form.lead else None
    values = [(lead_id, _mask_id_field), (form.lead_phone, _mask_phone_field), (form.unit_phone, _mask_phone_field)]
    if evidence:
        for key, fn in (("lead.id_number", _mask_id_field), ("lead_phone", _mask_phone_field)):
            ev = evidence.get(key)
            values.append((ev.raw if ev else None, fn))
    for value, fn in values:
        pat = _spaced(value) if value and MASK not in value else None
        if pat is not None:
            secrets.append((pat, fn(re.sub(r"\s", "", value or ""))))

    def mask(text: str) -> str:
        if not text:
            return text
        for pat, masked in secrets:
            text = pat.sub(masked, text)
        return mask_text(text)

    return mask


def mask_evidence(evidence: Mapping[str, Evidence], form: Optional[Form] = None) -> dict[str, Evidence]:
    """Evidence with every raw text masked; the ID-number, phone and address fields masked as their fields are."""
    mask = masker_for(form, evidence) if form is not None else mask_text
    out: dict[str, Evidence] = {}
    for key, ev in evidence.items():
        raw = ev.raw or ""
        if key == "lead.id_number" and raw:
            raw = _mask_id_field(re.sub(r"\s", "", raw))
        elif key in ("lead_phone", "unit_phone") and raw:
            raw = _mask_phone_field(raw)
        elif key == "lead_address" and raw:
            raw = mask_address(mask_phones(raw))
        out[key] = ev.model_copy(update={"raw": mask(raw)})
    return out


def _mask_id_field(value: str) -> str:
    """The id-number field: masked even when it is not a well-formed 18-digit number."""
    if MASK in value:  # already masked (a lone '*' from OCR is not a mask)
        return value
    masked = mask_id_numbers(value)
    if masked != value or len(value) < 8:
        return masked if masked != value else "*" * len(value)
    n = len(value)
    head, tail = (6, 4) if n >= 14 else (n // 3, n // 4)  # short values: most of it starred
    return value[:head] + "*" * (n - head - tail) + value[n - tail :]


def _mask_phone_field(value: str) -> str:
    """A phone field: masked even when its format is unusual (keep the last 4 digits)."""
    if MASK in value:
        return value
    masked = mask_phones(value)
    if masked != value:
        return masked
    digits = re.sub(r"\D", "", value)
    return MASK + digits[-4:] if len(digits) >= 7 else value
