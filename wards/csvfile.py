"""Discharge records from the hospital system's CSV: encoding detected, every row checked.

``read_discharges(data, layout)`` returns the discharges and the problems, each
with its line number; a caller stores the discharges only when there is no problem.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from ingest.extract.dates import find_dates
from wards.rules import COLUMNS, FLAGS, CsvLayout, Discharge

BOM = b"\xef\xbb\xbf"
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
# Japanese names of the columns, for messages.
_LABELS = {"patient_id": "患者ID", "ward": "病棟", "exit_date": "退院日", "kind": "区分", "destination": "退院先",
           "death": "死亡", "readmission": "再入院通算", "short_stay_surgery": "短期滞在手術",
           "holds_addition": "在宅復帰機能強化加算"}


@dataclass(frozen=True)
class RowProblem:
    """A line that cannot be imported and why (line 1 is the header)."""

    line: int
    reason: str

    def to_dict(self) -> dict:
        return {"line": self.line, "reason": self.reason}

    def __str__(self) -> str:
        return f"{self.line}行目: {self.reason}"


@dataclass(frozen=True)
class ParsedFile:
    """What a CSV holds: its discharges (one per key), problems, and the encoding found."""

    discharges: tuple[Discharge, ...]
    problems: tuple[RowProblem, ...]
    encoding: str
    rows: int


def decode(data: bytes) -> tuple[str, str] | None:
    """(text, encoding name) of a CSV in UTF-8 (with or without BOM) or Shift_JIS; None when neither."""
    if data.startswith(BOM):
        try:
            return data[len(BOM):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            return None
    # Shift_JIS text is almost never valid UTF-8, so UTF-8 is tried first.
    for codec, name in (("utf-8", "utf-8"), ("cp932", "shift_jis")):
        try:
            return data.decode(codec), name
        except UnicodeDecodeError:
            continue
    return None


def read_discharges(data: bytes, layout: CsvLayout) -> ParsedFile:
    """Every row of the CSV as a discharge, or the problems that keep it out."""
    decoded = decode(data)
    if decoded is None:
        return ParsedFile((), (RowProblem(1, "文字コードを判別できません（UTF-8 か Shift_JIS の CSV にしてください）"),),
                          "", 0)
    text, encoding = decoded
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return ParsedFile((), (RowProblem(1, "見出しの行がありません（空のファイルです）"),), encoding, 0)
    except csv.Error as e:
        return ParsedFile((), (RowProblem(1, f"CSV として読めません（{e}）"),), encoding, 0)
    while header and not header[-1].strip():
        header.pop()
    names = [unicodedata.normalize("NFKC", h).strip() for h in header]
    wanted = {name: unicodedata.normalize("NFKC", layout.columns[name]).strip() for name in COLUMNS}
    missing = [f"「{header_name}」" for header_name in wanted.values() if header_name not in names]
    if missing:
        return ParsedFile((), (RowProblem(1, f"見出しに {'・'.join(missing)} の列がありません"),), encoding, 0)
    position = {name: names.index(header_name) for name, header_name in wanted.items()}
    kinds = {unicodedata.normalize("NFKC", value).strip(): kind for value, kind in layout.kinds.items()}

    problems: list[RowProblem] = []
    seen: dict[tuple[str, str, date], tuple[int, Discharge]] = {}
    rows = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            problems.append(RowProblem(reader.line_num, f"CSV として読めません（{e}）"))
            break
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank lines (often at the end of an export) hold nothing
        rows += 1
        # Spreadsheets often add empty cells after the last column: only those may be extra.
        if len(cells) > len(header) and not any(c.strip() for c in cells[len(header):]):
            cells = cells[:len(header)]
        if len(cells) != len(header):
            problems.append(RowProblem(line, f"列の数が見出しと合いません（見出し {len(header)} 列、この行 {len(cells)} 列）"))
            continue
        discharge, reasons = _row({name: cells[i] for name, i in position.items()}, kinds)
        if reasons:
            problems.append(RowProblem(line, "、".join(reasons)))
            continue
        key = (discharge.patient_id, discharge.ward, discharge.exit_date)
        if key in seen and seen[key][1] != discharge:
            problems.append(RowProblem(line, f"{seen[key][0]}行目と同じ患者・病棟・退院日で内容が違います"))
            continue
        seen.setdefault(key, (line, discharge))
    return ParsedFile(tuple(d for _, d in seen.values()), tuple(problems), encoding, rows)


def _row(cells: dict[str, str], kinds: dict[str, str]) -> tuple[Discharge | None, list[str]]:
    values = {name: unicodedata.normalize("NFKC", value).strip() for name, value in cells.items()}
    reasons = []
    patient_id = values["patient_id"]
    if not (patient_id.isascii() and patient_id.isdigit()):
        reasons.append(f"患者ID「{cells['patient_id'].strip()}」は数字ではありません" if patient_id
                       else "患者IDが空欄です")
    if not values["ward"]:
        reasons.append("病棟が空欄です")
    exit_date = parse_day(values["exit_date"])
    if exit_date is None:
        reasons.append(f"退院日「{cells['exit_date'].strip()}」は日付として読めません" if values["exit_date"]
                       else "退院日が空欄です")
    kind = kinds.get(values["kind"])
    if kind is None:
        reasons.append(f"区分「{cells['kind'].strip()}」は {'・'.join(kinds)} のどれでもありません")
    flags = {}
    for name in FLAGS:
        if values[name] in ("", "0"):
            flags[name] = False
        elif values[name] == "1":
            flags[name] = True
        else:
            reasons.append(f"{_LABELS[name]}「{cells[name].strip()}」は 1 か 0 で書いてください")
    if reasons:
        return None, reasons
    # A transfer names the receiving ward; spaces inside a name are kept as written.
    destination = " ".join(cells["destination"].split())
    return Discharge(patient_id, " ".join(values["ward"].split()), exit_date, kind, destination, **flags), []


def parse_day(text: str) -> date | None:
    """A date cell: 2026-10-14, 2026/10/14, 20261014, 2026年10月14日, 令和8年10月14日, R8.10.14;
    None for anything else (a date must be the whole cell)."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    compact = _COMPACT_DATE.fullmatch(text)
    if compact:
        try:
            return date(*(int(g) for g in compact.groups()))
        except ValueError:
            return None
    found = find_dates(text)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(text):
        return found[0].value
    return None

