"""Numbers with full-width digits, units, commas and yen."""

from __future__ import annotations

import pytest

from ingest.extract.numbers import close_digit_gaps, parse_flow, parse_number, parse_yen


@pytest.mark.parametrize("text, expected", [
    ("1", 1.0), ("1.0", 1.0), ("１．５", 1.5), ("０．５", 0.5), ("62.4", 62.4), ("１２", 12.0),
])
def test_numbers(text: str, expected: float) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "1,5"])
def test_not_numbers(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize("text, amount, marked", [
    ("24,500円（消費税別）", 24500, True),
    ("¥38,500（税込）", 38500, True),
    ("￥３５，２００", 35200, True),
    ("24.500円", 24500, True),      # OCR read the comma as a point
    ("#38, 500 (税込)", 38500, True),  # OCR read ¥ as #
    ("18000円", 18000, True),
    ("18000", 18000, False),
])
def test_yen(text: str, amount: int, marked: bool) -> None:
    assert parse_yen(text) == (amount, marked)


@pytest.mark.parametrize("text, litres, unit", [
    ("1 L/分", 1.0, True), ("１．５ L/分", 1.5, True), ("2.5L/min", 2.5, True),
    ("0.5 ℓ/分", 0.5, True), ("3 リットル/分", 3.0, True), ("2", 2.0, False),
])
def test_flow(text: str, litres: float, unit: bool) -> None:
    assert parse_flow(text) == (litres, unit)


@pytest.mark.parametrize("text, expected", [
    ("8 7 %", "87 %"), ("52. 4 Torr", "52.4 Torr"), ("1 L/分 2 L/分", "1 L/分 2 L/分"),
])
def test_digit_gaps(text: str, expected: str) -> None:
    assert close_digit_gaps(text) == expected
