"""Scan timeliness: business days between a document's date and its intake, and the late_scan flag."""

from __future__ import annotations

import json
from datetime import date

import pytest

from shoko.timeliness import ScanDelay, business_days_after
from tests.conftest import text_layer_pdf


@pytest.mark.parametrize("start, end, expected", [
    ("2026-10-02", "2026-10-05", 1),   # Friday's paper on Monday
    ("2026-10-02", "2026-10-03", 0),   # ... on Saturday
    ("2026-10-05", "2026-10-05", 0),
    ("2026-10-05", "2026-10-01", 0),   # scanned before its date (a typo on paper): not late
    ("2026-10-01", "2026-10-08", 5),
    ("2026-10-01", "2026-10-29", 20),
    ("2026-10-03", "2026-10-04", 0),   # Saturday to Sunday
])
def test_business_days_after(start, end, expected):
    assert business_days_after(date.fromisoformat(start), date.fromisoformat(end)) == expected


def test_business_days_agree_with_counting_day_by_day():
    from datetime import timedelta

    start = date(2026, 1, 1)
    for length in range(0, 40):
        end = start + timedelta(days=length)
        by_day = sum((start + timedelta(days=n)).weekday() < 5 for n in range(1, length + 1))
        assert business_days_after(start, end) == by_day


def test_holidays_do_not_count():
    holidays = {date(2026, 11, 3), date(2026, 11, 23), date(2026, 11, 8)}  # 8th is a Sunday anyway
    assert business_days_after(date(2026, 11, 2), date(2026, 11, 6), holidays) == 3


def test_flag_only_past_the_limit_and_never_when_off_or_undated():
    rule = ScanDelay(3)
    assert rule.flag("2026-10-01", date(2026, 10, 6)) is None  # 3 business days: on time
    flag = rule.flag("2026-10-01", date(2026, 10, 7))
    assert flag.startswith("late_scan:") and "文書日付 2026-10-01 から 4 営業日後に取り込み" in flag
    assert ScanDelay(0).flag("2020-01-01", date(2026, 10, 7)) is None
    assert rule.flag(None, date(2026, 10, 7)) is None and rule.flag("令和", date(2026, 10, 7)) is None
    holidays = ScanDelay.from_settings(3, ["2026-10-02"])
    assert holidays.flag("2026-10-01", date(2026, 10, 7)) is None


def test_a_late_scan_is_flagged_at_intake_and_the_check_can_be_turned_off(shoko_cli, tmp_path):
    old = text_layer_pdf(tmp_path / "old.pdf", ["在宅酸素療法指示書", "患者ID 00555555 患者氏名 鈴木 一郎",
                                                "記載日 2020年4月1日"])
    doc_id = json.loads(shoko_cli("ingest", "--json", str(old)).stdout)["id"]
    shown = json.loads(shoko_cli("show", doc_id, "--json").stdout)
    assert shown["fields"]["document_date"] == "2020-04-01"
    assert any(f.startswith("late_scan: スキャン遅延: 文書日付 2020-04-01 から") for f in shown["flags"])

    config = tmp_path / "shoko.toml"
    config.write_text("scan_delay_business_days = 0\n", encoding="utf-8")
    other = text_layer_pdf(tmp_path / "old2.pdf", ["在宅酸素療法指示書", "患者ID 00666666 患者氏名 田中 花子",
                                                   "記載日 2020年4月2日"])
    doc_id = json.loads(shoko_cli("--config", str(config), "ingest", "--json", str(other)).stdout)["id"]
    assert not any(f.startswith("late_scan") for f in json.loads(shoko_cli("show", doc_id, "--json").stdout)["flags"])
