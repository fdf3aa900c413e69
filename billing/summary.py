"""摘要欄 text: the SpO2/PaO2 value and its date as the claim form wants them."""

from __future__ import annotations

from datetime import date

# First day of each era and its one-letter short form, newest first.
_ERAS = (
    (date(2019, 5, 1), "R"),  # 令和
    (date(1989, 1, 8), "H"),  # 平成
    (date(1926, 12, 25), "S"),  # 昭和
)


def era_date(day: date) -> str:
    """A date in the short Japanese era form used on claims: 2026-10-14 → ``R8.10.14``."""
    for start, letter in _ERAS:
        if day >= start:
            return f"{letter}{day.year - start.year + 1}.{day.month}.{day.day}"
    raise ValueError(f"{day} is before the eras this module knows")


def measurement_summary(measured_on: date, spo2: float | None = None, pao2: float | None = None) -> str:
    """摘要欄 text for a measurement, e.g. ``SpO2 88%（R8.10.14）``.

    With both values: ``SpO2 88%、PaO2 55Torr（R8.10.14）``. Empty without a value.
    """
    values = []
    if spo2 is not None:
        values.append(f"SpO2 {_plain_number(spo2)}%")
    if pao2 is not None:
        values.append(f"PaO2 {_plain_number(pao2)}Torr")
    return f"{'、'.join(values)}（{era_date(measured_on)}）" if values else ""


def _plain_number(value: float) -> str:
    """88.0 → "88", 52.4 → "52.4": as a clerk would write it."""
    return str(int(value)) if float(value).is_integer() else str(value)
