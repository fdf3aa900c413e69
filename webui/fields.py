"""Which fields a document type carries, and reading a corrected value typed by staff.

Values are stored in the contract's form: ISO dates, JSON numbers, digit-string
patient ids, ``device_type`` codes, names with one ASCII space.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from ingest.extract.dates import find_dates
from webui.labels import DEVICES



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
# Plausible values a person may type, as the extraction reads them from forms
# (ingest.extract.fields: SpO2 50–100 %, PaO2 20–200 Torr, flows up to 15 L/分).
RANGES = {
    "spo2": (50, 100, "%"),
    "pao2": (20, 200, " Torr"),
    "flow_rest": (0, 15, " L/分"),
    "flow_exertion": (0, 15, " L/分"),
    "flow_sleep": (0, 15, " L/分"),
    "monthly_fee": (0, 1_000_000, "円"),
}
DATE_YEARS = (1900, 2100)
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def fields_for(by_type: dict[str, tuple[str, ...]], doc_type: str, present: set[str] = frozenset()) -> list[str]:
    """The type's fields in contract order (``by_type``: ``ExtractionRules.fields_by_type``,
    from config/fields.toml), then any other field the document holds."""
    known = list(by_type.get(doc_type, by_type["other"]))
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
        return _in_range(name, int(digits))
    if kind == "number":
        return _in_range(name, _number(text.removesuffix("%").strip()))
    return text


def _in_range(name: str, value: int | float) -> int | float:
    """``value`` when it is plausible for the field (``RANGES``), else ValueError saying the range."""
    low, high, unit = RANGES.get(name, (None, None, ""))
    if low is not None and not low <= value <= high:
        raise ValueError(f"{_plain(value)}{unit} はありえない値です。{_plain(low)}〜{_plain(high)}{unit} の範囲で入力してください")
    return value


def _plain(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else (str(int(value)) if float(value).is_integer() else str(value))


def _date(text: str) -> str:
    """西暦 (2026-10-14, 2026/10/14, 2026年10月14日) or 和暦 (令和8年10月14日, R8.10.14),
    read by the same parser as the scans (``ingest.extract.dates``); the whole entry
    must be the one date."""
    compact = text.replace(" ", "")
    found = find_dates(compact)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(compact) and not found[0].misread:
        day = found[0].value
        if not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
            raise ValueError(f"日付は{DATE_YEARS[0]}年から{DATE_YEARS[1]}年までで入力してください")
        return day.isoformat()
    match = _DATE.fullmatch(compact)
    if match:
        try:
            date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise ValueError("その日付はありません（月と日を確かめてください）") from None
    raise ValueError("日付は 2026-10-14 の形（西暦）か、令和8年10月14日・R8.10.14 の形（和暦）で入力してください")


def _number(text: str) -> int | float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("数値で入力してください") from None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        raise ValueError("数値で入力してください")
    return int(value) if "." not in text and "e" not in text.lower() else value
