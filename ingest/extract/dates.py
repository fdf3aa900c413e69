"""Japanese office dates: era dates (令和8年10月14日, R8.10.14, 平成元年), Western dates
(2026年10月14日, 2026/10/14, 2026-10-14), full-width digits and spaces inside.

Policy for era years: a date must fall inside its era. 平成31年4月30日 is 2019-04-30
and 令和元年5月1日 is 2019-05-01, but 平成31年5月1日, 平成32年… or 令和元年4月1日 are
rejected (None): such a date is a pre-printed form filled in after the era changed or an
OCR misreading, and a wrong date on a claim is worse than none. Invalid days
(2月30日) are rejected too.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from types import MappingProxyType

# (name, letter, first day); an era ends the day before the next one begins.
_ERAS: tuple[tuple[str, str, dt.date], ...] = (
    ("明治", "M", dt.date(1868, 1, 25)),
    ("大正", "T", dt.date(1912, 7, 30)),
    ("昭和", "S", dt.date(1926, 12, 25)),
    ("平成", "H", dt.date(1989, 1, 8)),
    ("令和", "R", dt.date(2019, 5, 1)),
)


def _era_spans() -> MappingProxyType:
    """Era name, letter or first kanji -> (first day, last day)."""
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    for i, (name, letter, start) in enumerate(_ERAS):
        last = _ERAS[i + 1][2] - dt.timedelta(days=1) if i + 1 < len(_ERAS) else dt.date.max
        for key in (name, letter, letter.lower(), name[0]):
            spans[key] = (start, last)
    return MappingProxyType(spans)


_ERA_BY_KEY = _era_spans()
_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                 "七": 7, "八": 8, "九": 9}

_NUM = r"(元|\d{1,2}|[〇零一二三四五六七八九十]{1,3})"
# 日 and what OCR reads it as on scans (晶, 昌, 目, 曰); never followed by more text
# of the same word, so 日曜 or 目的 after a day number are not taken.
_DAY = r"(?:日|(?P<lookalike>[晶昌目曰])(?![\u3400-\u9fff]))"
_SEP = r"\s*[./\-・]\s*"
_ERA_NAMES = "明治|大正|昭和|平成|令和"
_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("era", re.compile(
        rf"(?P<era>{_ERA_NAMES})\s*(?P<y>{_NUM})\s*年\s*(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*{_DAY}")),
    ("era", re.compile(
        rf"(?P<era>(?<![A-Za-z])[MTSHRmtshr])\s*(?P<y>元|\d{{1,2}})\s*年\s*(?P<m>\d{{1,2}})\s*月\s*"
        rf"(?P<d>\d{{1,2}})\s*{_DAY}")),
    # R8.10.14; a date written with 年/月 must end in 日 (OCR drops characters: 31日 → 3)
    ("era", re.compile(
        rf"(?P<era>{_ERA_NAMES}|(?<![A-Za-z])[MTSHRmtshr])\s*(?P<y>元|\d{{1,2}}){_SEP}"
        rf"(?P<m>\d{{1,2}}){_SEP}(?P<d>\d{{1,2}})(?![\d.])")),
    # 2025年(令和7年)4月9日: the era year in brackets must be the same year
    ("western", re.compile(
        rf"(?<!\d)(?P<y>(?:19|20)\d{{2}})\s*年\s*[(（]\s*(?P<era2>{_ERA_NAMES}|[RH])\s*(?P<y2>元|\d{{1,2}})\s*年?"
        rf"\s*[)）]\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*{_DAY}")),
    ("western", re.compile(
        rf"(?<!\d)(?P<y>(?:19|20)\d{{2}})\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*{_DAY}")),
    ("western", re.compile(
        r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?P<sep>[./\-])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})"
        r"(?![\d.])")),
    # 2026/07/1412:55: a date and time OCR ran together; only two-digit days and
    # hours, since 2026/07/112:55 could be the 1st or the 11th.
    ("western", re.compile(
        r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?P<sep>[./\-])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{2})"
        r"(?=[0-2]\d:[0-5]\d)")),
)


@dataclass(frozen=True)
class FoundDate:
    """A date found in text, with where it was."""

    value: dt.date
    start: int
    end: int
    raw: str
    misread: bool = False  # 日 was read as a look-alike (令和8年8月28晶)


def _number(text: str) -> int | None:
    """Arabic or kanji number up to 99; 元 is 1."""
    if text == "元":
        return 1
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = _KANJI_DIGITS.get(tens, None) if tens else 1
        o = _KANJI_DIGITS.get(ones, None) if ones else 0
        return None if t is None or o is None else t * 10 + o
    if len(text) == 1 and text in _KANJI_DIGITS:
        return _KANJI_DIGITS[text]
    return None


def _build(kind: str, groups: dict[str, str]) -> dt.date | None:
    y, m, d = (_number(groups[k]) for k in ("y", "m", "d"))
    if y is None or m is None or d is None:
        return None
    if kind == "era":
        start, end = _ERA_BY_KEY[groups["era"]]
        if y < 1:
            return None
        year = start.year + y - 1
    else:
        year = y
        if groups.get("era2"):
            start, _ = _ERA_BY_KEY[groups["era2"]]
            y2 = _number(groups["y2"])
            if y2 is None or start.year + y2 - 1 != year:
                return None  # 2025年(令和8年): the two years disagree, neither is sure
    try:
        value = dt.date(year, m, d)
    except ValueError:
        return None  # 2月30日, 13月 …
    if kind == "era" and not (start <= value <= end):
        return None
    return value


def find_dates(text: str) -> list[FoundDate]:
    """Every valid date in ``text``, in order of position, overlaps removed."""
    text = unicodedata.normalize("NFKC", text)
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < e and s < span[1] for s, e in taken):
                continue
            taken.append(span)  # an invalid date still hides shorter readings inside it
            value = _build(kind, match.groupdict())
            if value is not None:
                found.append(FoundDate(value, span[0], span[1], match.group(0),
                                       bool(match.groupdict().get("lookalike"))))
    return sorted(found, key=lambda f: f.start)


def parse_date(text: str) -> dt.date | None:
    """The first valid date in ``text`` (令和8年10月14日 → 2026-10-14), else None."""
    dates = find_dates(text)
    return dates[0].value if dates else None


# A month and day without a year (8/24), alone or as the last of a row of visits
# (5/25 6/18 7/7 8/24): the year is the document's, found by ``complete_month_day``.
_MONTH_DAYS = re.compile(r"^(?:(\d{1,2})\s*/\s*(\d{1,2})(?![\d/])\s*){1,12}(?=$|\s|[^\d/])")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*/\s*(\d{1,2})")
_FISCAL_YEAR = re.compile(rf"(?:(?P<era>{_ERA_NAMES}|(?<![A-Za-z])[RH])\s*(?P<y>元|\d{{1,2}})|(?P<west>(?:19|20)\d{{2}}))"
                          r"\s*年度")


def month_day(text: str) -> tuple[int, int, str] | None:
    """(month, day, as printed) of the last of the month/day dates ``text`` starts with."""
    text = unicodedata.normalize("NFKC", text)
    run = _MONTH_DAYS.match(text)
    if not run:
        return None
    last = list(_MONTH_DAY.finditer(run.group(0)))[-1]
    month, day = int(last.group(1)), int(last.group(2))
    try:
        dt.date(2000, month, day)  # a leap year: 2/29 is a date
    except ValueError:
        return None
    return month, day, last.group(0)


def fiscal_years(text: str) -> set[int]:
    """The fiscal years (年度) ``text`` names, as the calendar year they begin in."""
    years = set()
    for m in _FISCAL_YEAR.finditer(unicodedata.normalize("NFKC", text)):
        if m.group("west"):
            years.add(int(m.group("west")))
        else:
            start, _ = _ERA_BY_KEY[m.group("era")]
            y = _number(m.group("y"))
            if y:
                years.add(start.year + y - 1)
    return years


def complete_month_day(month: int, day: int, written: dt.date | None, fiscal_year: int | None,
                       fiscal_start: int = 4, slack_days: int = 31) -> tuple[dt.date | None, bool]:
    """The year of a month/day printed on a document: the date at or before the day
    the document was written (a record looks back; ``slack_days`` allowed after), or
    within the fiscal year its title names. Returns (date, agreed): ``agreed`` is
    False when only one anchor was there; a date the two anchors disagree on is None."""
    by_written = by_fiscal = None
    if written is not None:
        for year in (written.year + 1, written.year, written.year - 1):
            try:
                candidate = dt.date(year, month, day)
            except ValueError:
                continue
            if candidate <= written + dt.timedelta(days=slack_days):
                by_written = candidate
                break
    if fiscal_year is not None:
        try:
            by_fiscal = dt.date(fiscal_year if month >= fiscal_start else fiscal_year + 1, month, day)
        except ValueError:
            by_fiscal = None
    if by_written and by_fiscal:
        return (by_written, True) if by_written == by_fiscal else (None, False)
    return by_written or by_fiscal, False
