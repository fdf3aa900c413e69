"""Months, Japanese era dates and the 摘要欄 text."""

from datetime import date

import pytest

from billing import Month, era_date, measurement_summary


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 10, 14), "R8.10.14"),
        (date(2019, 5, 1), "R1.5.1"),
        (date(2019, 4, 30), "H31.4.30"),
        (date(1989, 1, 8), "H1.1.8"),
        (date(1989, 1, 7), "S64.1.7"),
    ],
)
def test_era_date(day, expected):
    assert era_date(day) == expected


@pytest.mark.parametrize(
    ("spo2", "pao2", "expected"),
    [
        (88, None, "SpO2 88%（R8.10.14）"),
        (88.0, None, "SpO2 88%（R8.10.14）"),
        (None, 52.4, "PaO2 52.4Torr（R8.10.14）"),
        (None, 55.0, "PaO2 55Torr（R8.10.14）"),
        (87, 52.4, "SpO2 87%、PaO2 52.4Torr（R8.10.14）"),
        (None, None, ""),
    ],
)
def test_measurement_summary(spo2, pao2, expected):
    assert measurement_summary(date(2026, 10, 14), spo2=spo2, pao2=pao2) == expected


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ],
)
def test_month_days(text, first, last):
    month = Month.parse(text)
    assert (month.first_day, month.last_day, str(month)) == (first, last, text)


@pytest.mark.parametrize(
    ("text", "months", "expected"),
    [("2026-10", -2, "2026-08"), ("2026-01", -1, "2025-12"), ("2026-12", 1, "2027-01"), ("2026-03", -14, "2025-01")],
)
def test_month_shift(text, months, expected):
    assert str(Month.parse(text).shift(months)) == expected


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "R8-10", "2026/10", ""])
def test_month_parse_rejects(text):
    with pytest.raises(ValueError):
        Month.parse(text)
