"""Era and Western dates as Japanese offices write them."""

from __future__ import annotations

import pytest

from ingest.extract.dates import find_dates, parse_date


@pytest.mark.parametrize("text, expected", [
    ("令和8年10月14日", "2026-10-14"),
    ("R8.10.14", "2026-10-14"),
    ("r8/10/14", "2026-10-14"),
    ("R8年10月14日", "2026-10-14"),
    ("令和 8 年 10 月 14 日", "2026-10-14"),
    ("令和８年１０月１４日", "2026-10-14"),
    ("令和元年5月1日", "2019-05-01"),
    ("令和1年5月1日", "2019-05-01"),
    ("平成31年4月30日", "2019-04-30"),
    ("H31.4.30", "2019-04-30"),
    ("平成元年1月8日", "1989-01-08"),
    ("昭和64年1月7日", "1989-01-07"),
    ("昭和20年11月9日", "1945-11-09"),
    ("S7.8.10", "1932-08-10"),
    ("令和八年十月十四日", "2026-10-14"),
    ("2026年10月14日", "2026-10-14"),
    ("2026/10/14", "2026-10-14"),
    ("2026-10-14", "2026-10-14"),
    ("２０２６／１０／１４", "2026-10-14"),
    ("2026 年 3 月 1 日", "2026-03-01"),
    ("2024年2月29日", "2024-02-29"),
    ("作成日：令和7年12月22日（月）", "2025-12-22"),
    ("令和8年8月28晶", "2026-08-28"),  # 日 as OCR reads it on a scan
])
def test_valid_dates(text: str, expected: str) -> None:
    value = parse_date(text)
    assert value is not None and value.isoformat() == expected


@pytest.mark.parametrize("text", [
    "平成31年5月1日",   # after the Heisei era ended
    "平成32年1月10日",  # a year Heisei never had
    "令和元年4月30日",  # before Reiwa began
    "昭和64年1月8日",   # first day of Heisei, not Showa
    "令和0年5月1日",
    "2026年2月30日",
    "2025/2/29",
    "令和8年13月1日",
    "2026年6月号",       # a magazine issue, not a date
    "令和8年10月3",      # OCR lost the rest of the day (31日 → 3)
    "令和8年10月31L",
    "2026/10.14",        # mixed separators
    "令和8年8月2目的",    # 目 starts a word here: not a day
    "TEL 03-3745-2565",
])
def test_rejected_dates(text: str) -> None:
    assert parse_date(text) is None


def test_two_dates_in_a_period() -> None:
    found = find_dates("契約期間 令和7年4月1日 から 令和8年3月31日 まで")
    assert [d.value.isoformat() for d in found] == ["2025-04-01", "2026-03-31"]


def test_invalid_date_does_not_leave_a_shorter_reading() -> None:
    # 2026/2/30 must not be read as some other date inside it
    assert find_dates("2026/2/30") == []
