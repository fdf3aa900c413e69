"""The month's report as CSV for the billing system (レセコン) or a spreadsheet."""

from __future__ import annotations

import csv
import io
from types import MappingProxyType

from billing.report import MonthReport

HEADER = ("患者ID", "患者氏名", "項目コード", "点数", "状態", "摘要")
# Accepted names and the codec each one means: UTF-8 always gets its BOM.
ENCODINGS = MappingProxyType({"utf-8-sig": "utf-8-sig", "utf-8": "utf-8-sig", "cp932": "cp932", "shift_jis": "cp932"})

# 〓 (geta) is the customary stand-in for a character a Japanese code page lacks.
_GETA = "〓"
# A spreadsheet takes a cell that starts with one of these as a formula (or, for TAB
# and CR, strips them and then reads what follows): =HYPERLINK(...) in a patient's
# name would run in 医事課's Excel. OWASP's advice: start such a cell with a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str | None) -> str | None:
    """``text`` made safe for a spreadsheet: prefixed with ``'`` when it starts like a formula."""
    if text and text.startswith(FORMULA_START):
        return "'" + text
    return text


def export_csv(report: MonthReport, encoding: str = "utf-8-sig") -> bytes:
    """One row per patient and item: id, name, item code, points, status, 摘要.

    ``encoding`` is ``utf-8-sig`` (UTF-8 with BOM, the default, so Excel reads it)
    or ``cp932`` (Shift_JIS as Windows writes it). In cp932, a character it cannot
    hold (e.g. 𠮷) becomes 〓 instead of failing the export. Rows end in CRLF. Every
    text cell that starts like a formula gets a leading quote (``csv_cell``); points
    stay numbers.
    """
    codec = ENCODINGS.get(encoding.lower())
    if codec is None:
        raise ValueError(f"unsupported CSV encoding {encoding!r}; use one of {', '.join(ENCODINGS)}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for patient in report.patients:
        for item in patient.items:
            points = "" if item.points is None else item.points
            name = patient.patient_name or ""
            writer.writerow((csv_cell(patient.patient_id), csv_cell(name), csv_cell(item.item), points,
                             csv_cell(item.status), csv_cell(item.summary)))
    return encode_text(buffer.getvalue(), codec)


def encode_text(text: str, encoding: str = "utf-8-sig") -> bytes:
    """CSV text as bytes in one of ``ENCODINGS``: UTF-8 with BOM, or cp932 with 〓 for
    a character Shift_JIS cannot hold."""
    codec = ENCODINGS.get(encoding.lower())
    if codec is None:
        raise ValueError(f"unsupported CSV encoding {encoding!r}; use one of {', '.join(ENCODINGS)}")
    return _encode_cp932(text) if codec == "cp932" else text.encode(codec)


def _encode_cp932(text: str) -> bytes:
    try:
        return text.encode("cp932")
    except UnicodeEncodeError:
        return "".join(_cp932_char(char) for char in text).encode("cp932")


def _cp932_char(char: str) -> str:
    try:
        char.encode("cp932")
    except UnicodeEncodeError:
        return _GETA
    return char
