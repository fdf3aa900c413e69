"""Which fields a document type carries, and reading a corrected value typed by staff.

Values are stored in the contract's form: ISO dates, JSON numbers, digit-string
patient ids, ``device_type`` codes, names with one ASCII space.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from webui.labels import DEVICES

_COMMON = ("patient_id", "patient_name", "document_date")
FIELDS_BY_TYPE = {
    "hot_contract": _COMMON + ("vendor", "device_type", "contract_start", "contract_end", "monthly_fee"),
    "hot_prescription": _COMMON + ("vendor", "device_type", "doctor", "flow_rest", "flow_exertion", "flow_sleep"),
    "hot_guidance_record": _COMMON + ("doctor", "flow_rest", "flow_exertion", "flow_sleep", "guidance_date",
                                      "spo2", "pao2", "measurement_date"),
    "hot_device_removal": _COMMON + ("vendor", "device_type", "removal_date"),
    "other": ("document_date",),
}

_KINDS = {
    "patient_id": "digits",
    "patient_name": "person",
    "doctor": "person",
    "vendor": "text",
    "device_type": "device",
    "monthly_fee": "yen",
    "spo2": "number",
    "pao2": "number",
    "flow_rest": "number",
    "flow_exertion": "number",
    "flow_sleep": "number",
}
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def fields_for(doc_type: str, present: set[str] = frozenset()) -> list[str]:
    """The type's fields in contract order, then any other field the document holds."""
    known = list(FIELDS_BY_TYPE.get(doc_type, FIELDS_BY_TYPE["other"]))
    return known + sorted(present - set(known))


def kind_of(name: str) -> str:
    """How a field's value is read: date, digits, person, text, device, yen or number."""
    return "date" if name.endswith("_date") or name in ("contract_start", "contract_end") else _KINDS.get(name, "text")


def parse_value(name: str, raw: str):
    """The stored value for what staff typed; ValueError (Japanese message) when it cannot be read."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        raise ValueError("値を入力してください（消すときは「値を消す」を使います）")
    kind = kind_of(name)
    if kind == "date":
        return _date(text)
    if kind == "digits":
        if not text.isascii() or not text.isdigit():
            raise ValueError("患者IDは数字だけで入力してください（先頭の0もそのまま）")
        return text
    if kind == "person":
        return " ".join(text.split())
    if kind == "device":
        if text not in DEVICES:
            raise ValueError("機器を一覧から選んでください")
        return text
    if kind == "yen":
        digits = text.replace(",", "").removesuffix("円").strip()
        if not digits.isdigit():
            raise ValueError("金額は円の整数で入力してください")
        return int(digits)
    if kind == "number":
        return _number(text)
    return text


def _date(text: str) -> str:
    match = _DATE.fullmatch(text.replace(" ", ""))
    try:
        if not match:
            raise ValueError
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
    except ValueError:
        raise ValueError("日付は 2026-10-14 の形（西暦）で入力してください") from None


def _number(text: str) -> int | float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("数値で入力してください") from None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        raise ValueError("数値で入力してください")
    return int(value) if "." not in text and "e" not in text.lower() else value
