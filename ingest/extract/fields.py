"""Reading field values next to their labels, and choosing among the readings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

from ingest.document import FieldValue
from ingest.extract import dates, names, numbers
from ingest.extract.labels import Segment, find_labels, leading_text, segments
from ingest.extract.rules import ExtractionRules, label_key
from ingest.extract.text import ConfidenceIndex, Line, View, implausible_small_kana

# Separators and table rules (read as | or ｜) between a label and its value.
# The closing bracket of a label set in heading brackets (【医師名】河野健太郎) goes too.
_LEAD = re.compile(r"^(?:[\s:：=・\-|｜。、】」』\]]|\.(?!\d))+")
_PAREN = re.compile(r"^[\s:：=|｜]*\([^()]{0,14}\)[\s:：=|｜]*")
_PATIENT_ID = re.compile(r"^(?:(?:pid|id|no\.?)\s*[:：.]?\s*)?(\d(?:[\d ]{2,16})\d)(?![\d.,/-])",
                         re.IGNORECASE)
_PERCENT = re.compile(r"^(\d{2,3}(?:\.\d)?)\s*(%)?")
_PRESSURE = re.compile(r"^(\d{2,3}(?:\.\d{1,2})?)\s*(torr|mmhg)?", re.IGNORECASE)
_OTHER_UNIT = re.compile(r"^\s*\d[\d,.\s]*(?:年|月|日|歳|才|台|本|回|%|時|分|kg|cm|L|ℓ|/)")
_PRINTED_NUMBER = re.compile(r"\d[\d,.]*")
# A label followed only by numbers in a row: one column per visit or month, oldest
# first, as every checklist and flow sheet runs; the latest is the last.
_SERIES = re.compile(r"^\d{2,3}(?:\.\d{1,2})?(?:\s+\d{2,3}(?:\.\d{1,2})?){1,11}\s*(?:%|torr|mmhg)?\s*$",
                     re.IGNORECASE)
SERIES_QUALITY = 0.9
EVENT_AFTER_DATE_QUALITY = 0.9  # a date with its event written after it (2025/11/25 採血)
_WRAP_CHARS = 10  # characters of the line before that may begin a wrapped date
_PARTICLE = re.compile(r"^(?:付けで|付で|付|にて|に|を|で)")  # 5月8日に撤去: the date's particle
_PLANNED = re.compile(r"^(?:の)?(?:予定|予約|希望|依頼)")
JOINED_WORDS_QUALITY = 0.5  # a name that runs across more words than family and given name
SAME_ROW_QUALITY = 0.95
UNIT_AT_END_QUALITY = 0.9  # a flow whose unit is said once at the end of its row
NAME_AFTER_ID_QUALITY = 0.9  # a name with 様 right after the patient id, no label of its own  # a measurement's date taken from the visit date in its row
UNSURE_COLUMN_QUALITY = 0.5  # two flows in one row and no heading says which is current: review
MISREAD_KANA_QUALITY = 0.5  # a name with a small kana no word has (フクダラィフテック): review
_FLOW_ROW = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d{1,2})?)\s*(?:(?:L|l|ℓ)\s*/?|[e&]\s*/)\s*(?:分|min)")
_ROW_UNIT = re.compile(r"^\s*[(\[]?\s*(?:L|l|ℓ)\s*/\s*(?:分|min)\s*[)\]]?|[(\[]?\s*(?:L|l|ℓ)\s*/\s*(?:分|min)\s*[)\]]?\s*$")
_LITRES = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})?)\s*(?:L|ℓ|リットル)(?![A-Za-z0-9/])")
_UNIT_AT_END = re.compile(r"\d\s*(?:L|l|ℓ)\s*/\s*(?:分|min)\s*[)\]]?\s*$")
_BARE_NUMBER = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})?)\s*(?:[/／、,]|$)")
_UNIT_HEADING = re.compile(r"[(\[]\s*(?:L|l|ℓ)\s*/\s*(?:分|min)\s*[)\]]")
_SLASHED = re.compile(r"(?<![\d./])\d{1,2}(?:\.\d{1,2})?(?:/\d{1,2}(?:\.\d{1,2})?)+(?![\d./])")
_NUMBERS_ONLY = re.compile(r"\d{1,2}(?:\.\d{1,2})?(?:\s+\d{1,2}(?:\.\d{1,2})?)*")
_NUMERIC = ("yen", "percent", "pressure", "flow")

MULTI_VISIT = ("guidance_date", "measurement_date", "spo2", "pao2", "flow_rest",
               "flow_exertion", "flow_sleep", "doctor", "document_date")


@dataclass
class Candidate:
    """One reading of one field."""

    field: str
    value: str | int | float
    quality: float
    page: int
    source: str
    raw: str
    view: str
    slot: tuple  # where on the page: same slot in two views = same printed value
    position: tuple[int, float]  # page, relative line position (for latest-by-order)
    labelled: bool = True
    context: dt.date | None = None  # latest visit date printed above the value
    label: str = ""  # the label's key, to find the value's characters beside it
    second: bool = False  # read on a row that OCR read a second time (independent reading)
    kind: str = ""  # the value parser that read it (date, person, …)


def _strip(text: str) -> str:
    return _LEAD.sub("", text)


def _after_paren(text: str) -> str:
    return _PAREN.sub("", text, count=1)


Reading = tuple[str, object, float, str]  # field suffix, value, quality, printed text


def _patient_id(body: str, rules: ExtractionRules) -> list[Reading]:
    m = _PATIENT_ID.match(body)
    if not m:
        return []
    digits = m.group(1).replace(" ", "")
    if not 4 <= len(digits) <= 12 or m.group(1).count(" ") > 1:
        return []
    return [("", digits, 1.0, m.group(1))]


def _person(body: str, rules: ExtractionRules) -> list[Reading]:
    parsed = names.parse_person(body, rules)
    if not parsed:
        return []
    return [("", parsed[0], parsed[1] * _kana_quality(parsed[0]), parsed[0].replace(" ", ""))]


def _kana_quality(name: str) -> float:
    """How far a name's kana let it be trusted: a small kana no word has sends it to review."""
    return MISREAD_KANA_QUALITY if implausible_small_kana(name) else 1.0


PARTIAL_DATE = "--"  # ISO 8601's month-day without a year: --08-24


def _date(body: str, rules: ExtractionRules) -> list[Reading]:
    found = dates.find_dates(body)
    if found and found[0].start <= 2:
        return [("", found[0].value.isoformat(), _date_quality(found[0]), found[0].raw)]
    partial = dates.month_day(body)
    if partial:
        month, day, raw = partial
        return [("", f"{PARTIAL_DATE}{month:02d}-{day:02d}", SERIES_QUALITY, raw)]
    return []


def is_partial_date(value: object) -> bool:
    """Whether a date reading still lacks its year (--08-24)."""
    return isinstance(value, str) and value.startswith(PARTIAL_DATE)


def _date_quality(found: dates.FoundDate) -> float:
    return 0.85 if found.misread else 1.0


def _period(body: str, rules: ExtractionRules) -> list[Reading]:
    found = dates.find_dates(body)
    if not found or found[0].start > 2:
        return []
    out: list[Reading] = [("start", found[0].value.isoformat(), _date_quality(found[0]),
                           found[0].raw)]
    if len(found) > 1 and found[1].value > found[0].value:
        between = body[found[0].end:found[1].start]
        if _PERIOD_JOIN.fullmatch(between):
            out.append(("end", found[1].value.isoformat(), _date_quality(found[1]),
                        found[1].raw))
    return out


def _yen(body: str, rules: ExtractionRules) -> list[Reading]:
    body = _after_paren(body)
    parsed = numbers.parse_yen(body)
    if not parsed or not 100 <= parsed[0] <= 10_000_000:
        return []
    if not parsed[1] and _OTHER_UNIT.match(body):
        return []  # 2026年1月10日, 3台, 80歳: a number of another kind, not money
    printed = _PRINTED_NUMBER.search(body)  # as printed (38,500), to find its confidence
    return [("", parsed[0], 1.0 if parsed[1] else 0.7,
             printed.group(0).rstrip(".,") if printed else str(parsed[0]))]


def _latest_of_series(body: str, low: float, high: float) -> list[Reading] | None:
    """The last of a row of values (each within ``low``..``high``), or None when the
    text is not such a row; [] when the row holds a value of another kind."""
    if not _SERIES.match(body):
        return None
    values = re.findall(r"\d{2,3}(?:\.\d{1,2})?", body)
    if not all(low <= float(v) <= high for v in values):
        return []
    value = float(values[-1])
    return [("", int(value) if value.is_integer() else value, SERIES_QUALITY, values[-1])]


def _percent(body: str, rules: ExtractionRules) -> list[Reading]:
    series = _latest_of_series(_after_paren(body), 50, 100)
    if series is not None:
        return series
    m = _PERCENT.match(_after_paren(body))
    if not m or not 50 <= float(m.group(1)) <= 100:
        return []
    value = float(m.group(1))
    return [("", int(value) if value.is_integer() else value, 1.0 if m.group(2) else 0.85,
             m.group(1))]


def _pressure(body: str, rules: ExtractionRules) -> list[Reading]:
    series = _latest_of_series(_after_paren(body), 20, 200)
    if series is not None:
        return [(suffix, float(value), quality, raw) for suffix, value, quality, raw in series]
    m = _PRESSURE.match(_after_paren(body))
    if not m or not 20 <= float(m.group(1)) <= 200:
        return []
    return [("", float(m.group(1)), 1.0 if m.group(2) else 0.85, m.group(1))]


def _flow(body: str, rules: ExtractionRules) -> list[Reading]:
    parsed = numbers.parse_flow(_after_paren(body))
    if parsed and not parsed[1] and (litres := _LITRES.match(numbers.clean(_after_paren(body)))):
        parsed = (parsed[0], True) if float(litres.group(1)) == parsed[0] else None  # 安静時3L: litres a minute
    if not parsed or not 0.1 <= parsed[0] <= 15 or not parsed[1]:
        return []  # without L/min a number after 安静時 may be anything
    row = flow_columns(body)
    if len(set(row)) > 1:
        # 1.5 L/min 2.0 L/min: old and new, or two devices; which one is not printed here.
        return [("", row[-1], UNSURE_COLUMN_QUALITY, body.strip())]
    return [("", parsed[0], 1.0, body.split("L")[0].strip())]


def flow_columns(body: str) -> list[float]:
    """Every flow with its unit in a cell or row, left to right, within 0.1–15 L/min."""
    values = [float(v) for v in _FLOW_ROW.findall(numbers.clean(body))]
    return [v for v in values if 0.1 <= v <= 15]


def _company(body: str, rules: ExtractionRules) -> list[Reading]:
    name = names.clean_vendor(body, rules)
    if not name:
        return []
    return [("", name, _kana_quality(name), name)]


_PERIOD_JOIN = re.compile(r"\s*(?:から|~|〜|～|-|ー|―|至|より)?\s*(?:から|~|〜|～|-|ー|―|至)?\s*")
_PARSERS = {"patient_id": _patient_id, "person": _person, "date": _date, "period": _period,
            "yen": _yen, "percent": _percent, "pressure": _pressure, "flow": _flow,
            "company": _company}


def parse_value(kind: str, text: str, rules: ExtractionRules) -> list[Reading]:
    """Values of one label's text: [(field suffix, value, quality, printed text)].

    The field suffix is "" except for a period, which gives "start" and "end".
    """
    parser = _PARSERS.get(kind)
    if parser is None:
        return []
    if kind in _NUMERIC:
        text = numbers.close_digit_gaps(numbers.clean(text))
    else:
        text = unicodedata.normalize("NFKC", text)
    return parser(_strip(text), rules)


def _field_name(label_field: str, suffix: str) -> str:
    if label_field == "contract_period":
        return "contract_" + suffix
    return label_field


def _empty(text: str) -> bool:
    return len(_strip(text).strip()) <= 1


@dataclass
class ViewReading:
    """What one view of a page gave."""

    candidates: list[Candidate]
    labelled_dates: set[str]  # dates printed after some label: never a header date
    labels_seen: set[str]  # fields whose label was printed, read or not


def read_view(view: View, rules: ExtractionRules) -> ViewReading:
    """Every labelled value in one view of one page."""
    out: list[Candidate] = []
    labelled_dates: set[str] = set()
    labels_seen: set[str] = set()
    header_lines = int(rules.setting("standalone_date_lines"))
    kinds = {r.field: r.kind for r in rules.labels if r.field}
    below_q = rules.setting("below_quality")
    fuzzy_q = rules.setting("fuzzy_label_quality")
    occurrences: dict[str, int] = {}
    context: dt.date | None = None
    n_lines = max(1, len(view.lines))
    parsed_lines = [(line, find_labels(line, rules)) for line in view.lines]

    def add(field: str, value: object, quality: float, raw: str, line: Line,
            label: str = "") -> None:
        nonlocal context
        k = occurrences.get(field, 0)
        occurrences[field] = k + 1
        out.append(Candidate(field, value, quality, view.page, view.source, raw, view.name,
                             (view.page, field, k), (view.page, line.number / n_lines),
                             context=context, label=label, kind=kinds.get(field, "")))
        if field in ("guidance_date", "measurement_date") and not is_partial_date(value):
            context = dt.date.fromisoformat(str(value))

    current_last: bool | None = None  # a 変更前 | 変更後 heading above: is the new column the last?
    for i, (line, hits) in enumerate(parsed_lines):
        current_last = _column_order(line, rules, current_last)
        segs = segments(line, hits)
        flow_hits = [s for s in segs if kinds.get(s.hit.rule.field or "") == "flow"]
        if len(flow_hits) >= 2 and all(_empty(s.text) for s in flow_hits) and i + 1 < len(parsed_lines):
            # The unit may head the column over these headings: 酸素流量(L/分) / 安静/労作/睡眠.
            unit_above = i > 0 and bool(_UNIT_HEADING.search(parsed_lines[i - 1][0].text))
            rows = _rows_below(parsed_lines, i + 1)
            if rows:
                _flow_table(flow_hits, _latest_row(rows), add, below_q, unit_above)
            continue
        first = i + 1
        if first < len(parsed_lines) and _sub_heading(parsed_lines[first], kinds):
            first += 1  # a second row of headings (安静/労作/睡眠 under 酸素流量): values start below it
        if len(segs) >= 2 and first < len(parsed_lines) and not parsed_lines[first][1] \
                and not any(parse_value(kinds.get(s.hit.rule.field or "", ""), s.text, rules)
                            for s in segs if not _READING.search(s.text)):
            # A header row of labels (with units or other headings between them) and
            # the values in the row below, cell by cell: 採血日 SpO2(%) PaO2(Torr) 脈拍.
            below = _rows_below(parsed_lines, first)
            latest = _latest_row(below)
            pairs = _header_cells(line, segs, latest) or _header_columns(line, segs, below, latest)
            if pairs:
                row_values: dict[str, tuple[object, float, str]] = {}
                for seg, cell in pairs:
                    if _READING.search(seg.text):
                        # A name under 氏名(カナ) read into one row with its reading
                        # (マツモトヒサコ松本久子): the characters after the reading, when
                        # no more of the reading follows them (ニシムラ西村弘ヒロシ).
                        name = _KANA_READING.sub("", cell)
                        if name != cell and not _KATAKANA.search(name):
                            cell = name
                    field = seg.hit.rule.field
                    if field and field in kinds and field != "device":
                        label_q = 1.0 if seg.hit.exact else fuzzy_q
                        for suffix, value, value_q, raw in parse_value(kinds[field], cell, rules):
                            add(_field_name(field, suffix), value, label_q * value_q * below_q,
                                raw, latest)
                            row_values[_field_name(field, suffix)] = (value, label_q * value_q * below_q, raw)
                visit = row_values.get("guidance_date")
                if visit and "measurement_date" not in row_values and {"spo2", "pao2"} & set(row_values) \
                        and not is_partial_date(visit[0]):
                    # SpO2 in a row of its visit (訪問日 | SpO2 | …) was measured that day.
                    add("measurement_date", visit[0], visit[1] * SAME_ROW_QUALITY, visit[2], latest)
                continue
        for seg in segs:
            field = seg.hit.rule.field
            nearby = seg.text
            if seg.last and _empty(seg.text) and i + 1 < len(parsed_lines):
                nearby = leading_text(*parsed_lines[i + 1])
            if seg.hit.rule.kind != "title":  # a title has no value below it
                labelled_dates.update(d.value.isoformat() for d in dates.find_dates(nearby))
            if not field or field == "device" or field not in kinds:
                continue
            labels_seen.add(field)
            label_q = 1.0 if seg.hit.exact else fuzzy_q
            values = parse_value(kinds[field], seg.text, rules)
            if kinds[field] == "person" and _glued_compound(seg, rules, values):
                values = []  # 医師確認 宮本: the label begins a longer word, not a name
            if kinds[field] == "flow" and not values and len(flow_hits) >= 2 and _UNIT_AT_END.search(line.text):
                # 安静 1.0/運動 2.5/就寝 1.0 l/min: the unit said once, at the end of the row.
                bare = _BARE_NUMBER.match(numbers.clean(_after_paren(seg.text)))
                if bare and 0.1 <= float(bare.group(1)) <= 15:
                    values = [("", float(bare.group(1)), UNIT_AT_END_QUALITY, bare.group(1))]
            if kinds[field] == "flow" and current_last is not None and len(set(row := flow_columns(seg.text))) > 1:
                values = [("", row[-1] if current_last else row[0], 1.0, seg.text.strip())]
            where = line
            position_q = 1.0
            if not values and seg.last and _empty(seg.text) and i + 1 < len(parsed_lines):
                below, below_hits = parsed_lines[i + 1]
                values = parse_value(kinds[field], leading_text(below, below_hits), rules)
                where, position_q = below, below_q
            for suffix, value, value_q, raw in values:
                add(_field_name(field, suffix), value, label_q * value_q * position_q, raw, where,
                    seg.hit.rule.key if where is line else "")
            if field == "patient_id" and values and where is line and "patient_name" in kinds:
                named = _name_after_id(seg.text, str(values[0][3]), rules)
                if named:
                    add("patient_name", named[0], label_q * named[1] * NAME_AFTER_ID_QUALITY, named[0], line)
        tail = parsed_lines[i - 1][0].text[-_WRAP_CHARS:] if i else ""
        for event_field, value, raw in _dates_before_events(tail, line.text, rules):
            if event_field in kinds:
                add(event_field, value, EVENT_AFTER_DATE_QUALITY, raw, line)
        if not hits and i < header_lines or _signed_date(parsed_lines, i, rules):
            standalone = _standalone_date(line)
            if standalone:
                k = occurrences.get("standalone", 0)
                occurrences["standalone"] = k + 1
                out.append(Candidate("document_date", standalone[0],
                                     rules.setting("standalone_date_quality"), view.page,
                                     view.source, standalone[1], view.name,
                                     (view.page, "standalone", k),
                                     (view.page, line.number / n_lines), labelled=False,
                                     kind="date"))
    return ViewReading(out, labelled_dates, labels_seen)


def _dates_before_events(tail: str, line: str, rules: ExtractionRules) -> list[tuple[str, str, str]]:
    """(field, ISO date, printed date) for each full date on ``line`` followed by an event
    word of a field (動脈血ガス（2025/11/25 採血）), unless the event is only planned
    (採血予定). ``tail``, the end of the line before, holds the start of a date that
    running text wrapped (令 / 和8年5月8日に撤去)."""
    out = []
    text = tail + line
    for found in dates.find_dates(text):
        if found.misread or found.end <= len(tail):
            continue
        after = _PARTICLE.sub("", label_key(text[found.end:found.end + 12]), count=1)
        for field, events in rules.events_after_date.items():
            event = next((e for e in events if after.startswith(e)), None)
            if event and not _PLANNED.match(after[len(event):]):
                out.append((field, found.value.isoformat(), found.raw))
    return out


def _name_after_id(text: str, printed_id: str, rules: ExtractionRules) -> tuple[str, float] | None:
    """A patient's name with its honorific right after the id (患者ID 78964568 内田信子様)."""
    at = text.find(printed_id)
    if at < 0:
        return None
    rest = text[at + len(printed_id):].strip()
    found = names.parse_person(rest, rules)
    if not found:
        return None
    compact = rest.replace(" ", "")
    end = len(found[0].replace(" ", ""))
    if not any(compact.startswith(h, end) for h in rules.name_honorifics):
        return None  # without 様 the words after an id may be anything
    return found


def _column_order(line: Line, rules: ExtractionRules, known: bool | None) -> bool | None:
    """Whether a before/after heading on ``line`` puts the current column last (True)
    or first (False); ``known`` (from a heading above) when the line has none."""
    key = line.key
    before = min((i for w in rules.previous_columns if (i := key.find(w)) >= 0), default=-1)
    after = min((i for w in rules.current_columns if (i := key.find(w)) >= 0), default=-1)
    if before < 0 or after < 0:
        return known
    return after > before


def _header_cells(header: Line, segs: list[Segment], values: Line) -> list[tuple[Segment, str]]:
    """Each label of a header row with the cell below it: the rows are cut into
    cells at their spaces, and a label owns the header cell it starts. Only when
    both rows have as many cells, so that every value stands under its heading."""
    heads = header.text.split(" ")
    cells = values.text.split(" ")
    if len(heads) != len(cells) or len(heads) < 2:
        return []
    starts, at = [], 0
    for head in heads:
        starts.append(at)
        at += len(head)
    pairs = []
    for seg in segs:
        if seg.hit.start in starts:
            pairs.append((seg, cells[starts.index(seg.hit.start)]))
    return pairs


def _glued_compound(seg: Segment, rules: ExtractionRules, values: list) -> bool:
    """A short label run straight into kanji with no gap or colon, where the kanji
    do not begin with a known family name: the label is the start of a longer word
    (医師確認, 氏名欄), and what follows is not the name it labels."""
    if not values or len(seg.hit.rule.key) > 2 or seg.start in seg.line.gaps:
        return False
    family = str(values[0][1]).split(" ")[0]
    return not any(family.startswith(name) for name in rules.surnames)


_KATAKANA = re.compile(r"[\u30a1-\u30fa]")
_KANJI = re.compile(r"[\u3400-\u9fff]")
_KANA_READING = re.compile(r"^[\u30a0-\u30ff\s]{2,}(?=[\u3400-\u9fff])")  # マツモトヒサコ before 松本久子
# A heading that names a reading (氏名(カナ)): the value under it is how the name
# sounds, and the name as written stands on the row below that.
_READING = re.compile(r"[カ力]ナ|かな|フリガナ|ふりがな|ヨミ")  # 力 (kanji) is カ misread
_TABLE_ROWS = 6  # rows under a header row read as its values, up to the next label
_VISIT_ROWS = 40  # … and rows of a visit log, each opening with its date


# A row of visits may begin with its own heading (前回, 今回, 初回, 1回目): a word
# without digits before the first value.
_ROW_HEADING = re.compile(r"^[^\d\s]{1,4}\s+(?=\d)")


def _rows_below(parsed_lines: list, first: int) -> list[Line]:
    """The rows from ``first`` on that hold no label: a table's values, up to the next label.
    In a log of visits (each row opens with its date) a row goes on the table though
    its free text holds a label word (入浴時の流量確認)."""
    rows: list[Line] = []
    for ln, ln_hits in parsed_lines[first:first + _VISIT_ROWS]:
        if ln_hits and not (rows and _opens_with_date(rows[0]) and _opens_with_date(ln)):
            break
        if len(rows) >= _TABLE_ROWS and not _opens_with_date(ln):
            break
        rows.append(ln)
    return rows


def _opens_with_date(line: Line) -> bool:
    found = dates.find_dates(line.text)
    return bool(found) and found[0].start <= 3


def _latest_row(rows: list[Line]) -> Line:
    """The row a table's fields come from: the first; when the table opens with a dated
    row, one row per visit (前回, 今回 or a visit log), the row with the latest date."""
    dated = []
    for k, row in enumerate(rows):
        found = dates.find_dates(row.text)
        if not found:
            break
        dated.append((max(d.value for d in found), k))
    return rows[max(dated)[1]] if dated else rows[0]


def _sub_heading(parsed: tuple[Line, list], kinds: dict[str, str]) -> bool:
    """A row that only names flows with no value (安静/労作/睡眠): headings of a header's column."""
    line, hits = parsed
    segs = segments(line, hits)
    return len(segs) >= 2 and all(kinds.get(s.hit.rule.field or "") == "flow" and _empty(s.text) for s in segs)


def _header_columns(header: Line, segs: list[Segment], below: list[Line],
                    latest: Line) -> list[tuple[Segment, str]]:
    """Each label of a header row with the text under it, by position on the page.

    The header is cut into columns at its gaps and where each label starts (OCR
    may run two headings together); a column reaches halfway to the next one,
    since a heading may stand centred over its value. Needs the rows view's
    character positions; [] without them.
    """
    rows = [ln for ln in below if ln.xs is not None]
    if header.xs is None or not rows or latest.xs is None:
        return []
    cuts = sorted({0, *_heading_gaps(header.compact, header.gaps), *(s.hit.start for s in segs)}
                  - {len(header.compact)})
    spans = [(a, b) for a, b in zip(cuts, cuts[1:] + [len(header.compact)]) if b > a]
    extents = [(header.xs[a][0], header.xs[b - 1][1]) for a, b in spans]
    bounds = [-1e9] + [(extents[k][1] + extents[k + 1][0]) / 2 for k in range(len(extents) - 1)] + [1e9]
    pairs = []
    for seg in segs:
        column = next((k for k, (a, b) in enumerate(spans) if a <= seg.hit.start < b), None)
        if column is None:
            continue
        left, right = bounds[column], bounds[column + 1]
        reading = bool(_READING.search(header.compact[spans[column][0]:spans[column][1]]))
        # Under 氏名(カナ) the name comes in the first row below the reading that
        # writes it in kanji (the reading may stand above or beside the other values).
        for row in rows if reading else [latest]:
            # A printed value stands whole under one heading: each run of characters
            # between gaps goes to the column its middle is in (a date may reach under
            # the next heading).
            inside = [k for a, b in _runs(row) for k in range(a, b)
                      if left <= (row.xs[a][0] + row.xs[b - 1][1]) / 2 < right]
            if inside:
                cell = row.text_slice(inside[0], inside[-1] + 1)
                if column == 0:
                    cell = _ROW_HEADING.sub("", cell)  # 今回 2026/07/14: the row's own heading
                if reading and not _KANJI.search(cell):
                    continue
                pairs.append((seg, cell))
                break
    return pairs


def _heading_gaps(compact: str, gaps) -> list[int]:
    """The gaps that part a header row's headings: not those inside or before a
    bracket, which qualifies the heading before it (利用者名 (フリガナ チバ カツオ))."""
    depth, inside = 0, set()
    for k, ch in enumerate(compact):
        if ch in "(（[［":
            depth += 1
        elif ch in ")）]］":
            depth = max(0, depth - 1)
        elif depth:
            inside.add(k)
    return [g for g in gaps if g not in inside and compact[g:g + 1] not in ("(", "（", "[", "［")]


def _runs(line: Line) -> list[tuple[int, int]]:
    """The line's runs of characters between its gaps, as (start, end) positions."""
    cuts = sorted({0, *line.gaps, len(line.compact)})
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _flow_table(flow_hits: list[Segment], values_line: Line, add: Callable[..., None],
                quality: float, unit_above: bool = False) -> None:
    """Header row 安静時 労作時 睡眠時 with the flows in the row below, in order; or,
    under a column headed with the unit, one cell of them joined by slashes (2.5/5.0/3.0)."""
    text = numbers.clean(values_line.text)
    flows = _FLOW_ROW.findall(numbers.close_digit_gaps(text))
    if len(flows) != len(flow_hits):
        # The unit said once for the row, before or after it: (L/min) 1 1.5 1.5. The
        # spaces part the values here: digits are not closed up across them.
        bare = _ROW_UNIT.sub("", text).strip()
        flows = bare.split() if bare != text.strip() and _NUMBERS_ONLY.fullmatch(bare) else []
    if len(flows) != len(flow_hits) and unit_above:
        joined = [m.group().split("/") for m in _SLASHED.finditer(text)]
        joined = [group for group in joined if len(group) == len(flow_hits)]
        flows = joined[0] if len(joined) == 1 else []
    if len(flows) != len(flow_hits):
        return
    for seg, raw in zip(flow_hits, flows):
        value = numbers.parse_number(raw)
        if value is not None and 0.1 <= value <= 15 and seg.hit.rule.field:
            add(seg.hit.rule.field, value, quality * (1.0 if seg.hit.exact else 0.8), raw,
                values_line, "")


def _signed_date(parsed_lines: list, i: int, rules: ExtractionRules) -> bool:
    """A date alone on its line right above the parties who sign (甲 …, 乙 …): the day
    the paper was signed, printed without a label at the foot of a contract."""
    line, hits = parsed_lines[i]
    if hits or i + 1 >= len(parsed_lines) or len(dates.find_dates(line.text)) != 1:
        return False
    following = parsed_lines[i + 1][0].text.lstrip(" (（")
    return any(following.startswith(party) for party in rules.contract_parties)


def _standalone_date(line: Line) -> tuple[str, str] | None:
    """A header date with no label: alone on its line or closing a short header line
    (院内各部署 所属長 殿 令和8年8月4日)."""
    found = dates.find_dates(line.text)
    if len(found) != 1:
        return None
    before = line.text[:found[0].start].replace(" ", "")
    after = line.text[found[0].end:].strip(" .。")
    if after or len(before) > 24 or "。" in before:
        return None
    return found[0].value.isoformat(), found[0].raw


def vendor_candidates(view: View, rules: ExtractionRules) -> list[Candidate]:
    """Supplier names found without a label: by legal form on short lines, FAX address."""
    out: list[Candidate] = []
    quality = rules.setting("unlabelled_vendor_quality")
    n_lines = max(1, len(view.lines))
    previous = ""
    seen = 0
    since_named = 99  # lines since a company was named
    for line in view.lines:
        if len(line.compact) > 40:
            previous = ""
            continue  # running text names companies in passing
        if view.name == "second" and line.reread is None:
            continue  # the same characters as the first reading: not a second opinion
        hits = find_labels(line, rules)
        lead = leading_text(line, hits)
        if any(h.rule.field == "vendor" for h in hits):
            previous = lead
            continue  # read with its label
        found = names.vendors_by_legal_form(lead, rules)
        addressed = names.vendor_addressed(line.text, rules, rules.addressed_to_suffixes)
        if addressed:
            found.append(addressed)
        if not found and since_named > 2:
            # The line over a branch's (湾岸サービスセンター) names the company, unless a
            # company was just named: then that line is the name's overflow or a seal.
            branched = names.vendor_before_branch(previous, lead, rules)
            if branched:
                found.append(branched)
        since_named = 0 if found else since_named + 1
        previous = lead
        for name in found:
            name = names.without_addressee(name)  # オーシャンブリーズ御中: the company, not the address
            seen += 1
            out.append(Candidate("vendor", name, quality * _kana_quality(name), view.page, view.source, name,
                                 view.name, (view.page, "vendor-unlabelled", seen),
                                 (view.page, line.number / n_lines), labelled=False))
    return out


_NUMBERED = frozenset({"date", "period", "yen", "percent", "pressure", "flow", "patient_id"})
_ERA_CHARACTERS = frozenset("明治大正昭和平成令元MTSHRmtshr")


def _value_bearing(char: str) -> bool:
    """Characters a date's or number's value is made of: digits, era, decimal point.
    Units and 年月日 are checked by the parser's pattern, not by their shapes."""
    return char.isdigit() or char in _ERA_CHARACTERS or char == "."


def weigh_ocr(candidate: Candidate, index: ConfidenceIndex) -> None:
    """Scale the candidate's quality by how far the OCR engine trusted the characters
    of its value (text layers are trusted), and mark a value whose characters all
    come from the second reading of their row."""
    if candidate.source != "ocr":
        return
    found = index.lookup(str(candidate.raw).replace(" ", ""), candidate.label, candidate.view,
                         _value_bearing if candidate.kind in _NUMBERED else None)
    if found is None:
        candidate.quality *= 0.9
        return
    confidence, reread, gaps = found
    candidate.quality *= max(0.0, min(1.0, (confidence - 10) / 80))
    candidate.second = reread and candidate.view == "second"
    if candidate.kind == "person" and gaps > str(candidate.value).count(" "):
        # 丸山 理恵 熱: the page's words keep a mark (a seal) apart that the value ran into.
        candidate.quality *= JOINED_WORDS_QUALITY


def _same(a: object, b: object) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) < 1e-9
    return a == b


def choose(field: str, candidates: list[Candidate], rules: ExtractionRules) -> Candidate | None:
    """The value of one field from all its readings, with a combined confidence.

    Readings of the same printed place (slot) in different views support each other
    when they agree and weaken each other when they do not. Different places with
    different values are visits of a record (the latest wins) or a conflict.
    """
    labelled = [c for c in candidates if c.labelled]
    disagree = rules.setting("view_disagreement_factor")
    if not labelled:
        return _choose_unlabelled(candidates, disagree)
    pool = labelled
    slots: dict[tuple, list[Candidate]] = {}
    for c in pool:
        slots.setdefault(c.slot, []).append(c)
    winners: list[Candidate] = []
    for readings in slots.values():
        first = _one_reading([c for c in readings if not c.second], disagree)
        second = _one_reading([c for c in readings if c.second], disagree)
        winners.append(_two_readings(first, second))
    values: list[Candidate] = []
    for w in sorted(winners, key=lambda c: -c.quality):
        same = [v for v in values if _same(v.value, w.value)]
        if same:
            same[0].quality = min(0.99, same[0].quality + (1 - same[0].quality) * 0.3)
        else:
            values.append(w)
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    threshold = rules.setting("review_threshold")
    solid = [v for v in values if v.quality >= threshold] or values
    if field in MULTI_VISIT:
        if field.endswith("date"):
            return max(solid, key=lambda c: str(c.value))
        return max(solid, key=lambda c: (c.context or dt.date.min, c.position))
    best = max(values, key=lambda c: c.quality)
    # Two different values of a one-value field (a patient and the relative who filed
    # the form, both under 氏名): a person decides, however sure each reading is.
    return _with_quality(best, min(best.quality * disagree, threshold * 0.99))


def _one_reading(readings: list[Candidate], disagree: float) -> Candidate | None:
    """The best of one OCR reading's views of a slot. Views of one reading share their
    characters: agreeing adds nothing, disagreeing means the characters are doubtful."""
    if not readings:
        return None
    best = max(readings, key=lambda c: c.quality)
    if all(_same(c.value, best.value) for c in readings):
        return best
    return _with_quality(best, best.quality * disagree)


def _two_readings(first: Candidate | None, second: Candidate | None) -> Candidate:
    """One slot's value from two OCR readings of its row.

    Agreeing readings keep the surer one's quality, no more: one engine reading the
    same pixels twice repeats its own misreads, so agreement is weak evidence.
    Disagreeing ones leave the stronger, weighted by its share of the two
    qualities: a rival as sure as the winner halves it, a reading of noise costs
    almost nothing.
    """
    if first is None or second is None:
        return first or second  # type: ignore[return-value]
    if _same(first.value, second.value):
        return max(first, second, key=lambda c: c.quality)
    best, rival = sorted((first, second), key=lambda c: -c.quality)
    share = best.quality / (best.quality + rival.quality) if best.quality > 0 else 0.0
    return _with_quality(best, best.quality * share)


def _choose_unlabelled(candidates: list[Candidate], disagree: float) -> Candidate | None:
    """Among values found without a label (a company by its legal form, a header date)
    the one most views agree on; a rival as well supported makes it doubtful."""
    if not candidates:
        return None
    groups: dict[str, list[Candidate]] = {}
    for c in candidates:
        groups.setdefault(str(c.value), []).append(c)
    # A reading that is another with characters run on (a seal's text read into the
    # name beside it: フクダライフテック之テラフ) supports the shorter one.
    for value in sorted(groups, key=len):
        if value in groups:
            for other in [v for v in groups if v != value and v.startswith(value)]:
                groups[value].extend(groups.pop(other))
    ranked = sorted(groups.values(), key=lambda g: (len({c.view for c in g}),
                                                    max(c.quality for c in g)), reverse=True)
    best = max(ranked[0], key=lambda c: c.quality)
    support = len({c.view for c in ranked[0]})
    rivals = [g for g in ranked[1:] if len({c.view for c in g}) >= support
              and max(c.quality for c in g) >= best.quality * 0.8]
    return _with_quality(best, best.quality * disagree) if rivals else best


def _with_quality(c: Candidate, quality: float) -> Candidate:
    return dataclasses.replace(c, quality=min(0.99, quality))


def to_field_value(c: Candidate) -> FieldValue:
    """The public form of a chosen reading."""
    return FieldValue(c.field, c.value, c.source, c.page, round(c.quality, 3), str(c.raw))
