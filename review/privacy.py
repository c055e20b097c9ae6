"""Mask personal data (身份证号, phone numbers, addresses) before anything is sent to a model."""

from __future__ import annotations

import re
from typing import Any

from review.form import Form

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


def mask_id_numbers(text: str) -> str:
    """18-digit 身份证号 → first 6 + 8 stars + last 4 (110105********1234)."""
    return ID_NUMBER.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(2)}", text)


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
