"""The month's report as CSV for the billing system (レセコン) or a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from types import MappingProxyType

from billing.report import MonthReport

# The first six columns are the ones a billing system import was set up with; the
# rest follow. Statuses are written in Japanese (STATUS_LABELS).
HEADER = ("患者ID", "患者氏名", "項目コード", "点数", "状態", "摘要", "項目名", "問題・注意", "根拠の文書",
          "請求済み", "請求者", "請求日時")
STATUS_LABELS = MappingProxyType({"ready": "算定可", "missing": "不足", "conflict": "矛盾"})
NOT_APPLICABLE = "対象外"
WARNING_SUFFIX = "（注意あり）"
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


def export_csv(report: MonthReport, encoding: str = "utf-8-sig", claims: Mapping | None = None) -> bytes:
    """One row per patient and item: id, name, item code, points, status, 摘要, item
    name, problems (joined with ／), evidence ids (space-separated), 請求済み with who and when.

    ``encoding`` is ``utf-8-sig`` (UTF-8 with BOM, the default, so Excel reads it)
    or ``cp932`` (Shift_JIS as Windows writes it). In cp932, a character it cannot
    hold (e.g. 𠮷) becomes 〓 instead of failing the export. Rows end in CRLF. Every
    text cell is quoted (ids stay text for an importer) and every one that starts
    like a formula gets a leading quote (``csv_cell``); points stay plain numbers.
    ``claims``: (patient id, item) -> {"actor", "at"} of the month's claimed marks.
    """
    codec = ENCODINGS.get(encoding.lower())
    if codec is None:
        raise ValueError(f"unsupported CSV encoding {encoding!r}; use one of {', '.join(ENCODINGS)}")
    claims = claims or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(HEADER)
    for patient in report.patients:
        for item in patient.items:
            points = "" if item.points is None else item.points
            name = patient.patient_name or ""
            mark = claims.get((patient.patient_id, item.item))
            writer.writerow((csv_cell(patient.patient_id), csv_cell(name), csv_cell(item.item), points,
                             status_label(item), csv_cell(item.summary), csv_cell(item.name or ""),
                             csv_cell("／".join(item.problems)), " ".join(item.evidence),
                             "済" if mark or item.claimed else "", csv_cell(mark["actor"] if mark else ""),
                             csv_cell(mark["at"] if mark else "")))
    return encode_text(buffer.getvalue(), codec)


def status_label(item) -> str:
    """The status as 医事課 reads it: 算定可 (with 注意あり for warnings), 不足, 矛盾, 対象外."""
    if not getattr(item, "applicable", True):
        return NOT_APPLICABLE
    label = STATUS_LABELS.get(item.status, item.status)
    return label + WARNING_SUFFIX if item.status == "ready" and item.problems else label


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
