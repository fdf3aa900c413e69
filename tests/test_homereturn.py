"""The 在宅復帰率 rule (issue 16): destinations, exclusions and thresholds on both sides
of each revision, the six-month window, "not computable", and the CSV reader."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from billing.months import Month
from shoko.homereturn import RULES_FILE
from wards import Discharge, classify, evaluate, load_rules, read_discharges, window
from wards.csvfile import parse_day

RULES = load_rules(RULES_FILE)
BEFORE_R6 = date(2024, 5, 31)  # last day of the 令和4年度 rules
FROM_R6 = date(2024, 6, 1)  # 令和6年度改定: short stays and same-hospital transfers left out
HEADER = "患者ID,病棟,退院日,区分,退院先,死亡,再入院通算,短期滞在手術,在宅復帰機能強化加算"


def discharge(destination="自宅", day=FROM_R6, kind="discharge", ward="4階東", patient="00000001", **flags):
    return Discharge(patient, ward, day, kind, destination, **flags)


# (destination, kind, flags, class before 2024-06-01, class from 2024-06-01, words of the reason)
CASES = [
    ("自宅", "discharge", {}, "home", "home", "自宅"),
    ("居宅", "discharge", {}, "home", "home", "自宅"),
    ("自宅（独居）", "discharge", {}, "home", "home", "自宅"),
    ("特別養護老人ホーム", "discharge", {}, "home", "home", "特別養護老人ホーム"),
    ("特養 さくら苑", "discharge", {}, "home", "home", "特別養護老人ホーム"),
    ("有料老人ホーム", "discharge", {}, "home", "home", "有料老人ホーム"),
    ("サービス付き高齢者向け住宅", "discharge", {}, "home", "home", "サービス付き高齢者向け住宅"),
    ("ｻ高住", "discharge", {}, "home", "home", "サービス付き高齢者向け住宅"),  # half-width kana
    ("グループホーム", "discharge", {}, "home", "home", "グループホーム"),
    ("介護医療院", "discharge", {}, "home", "home", "介護医療院"),
    ("ケアハウス", "discharge", {}, "home", "home", "その他の居住系施設"),
    ("養護老人ホーム", "discharge", {}, "home", "home", "その他の居住系施設"),
    ("○○総合病院", "discharge", {}, "not_home", "not_home", "病院"),
    ("○○総合病院", "discharge", {"holds_addition": True}, "not_home", "not_home", "病院"),
    ("有床診療所", "discharge", {}, "not_home", "not_home", "在宅復帰機能強化加算なし"),
    ("有床診療所", "discharge", {"holds_addition": True}, "home", "home", "在宅復帰機能強化加算あり"),
    ("○○病院 療養病棟", "discharge", {}, "not_home", "not_home", "療養病棟"),
    ("○○病院 療養病棟", "discharge", {"holds_addition": True}, "home", "home", "療養病棟・在宅復帰機能強化加算あり"),
    ("介護老人保健施設", "discharge", {}, "not_home", "not_home", "在宅療養支援機能加算なし"),
    ("老健 ひまわり", "discharge", {"holds_addition": True}, "home", "home", "在宅復帰・在宅療養支援機能加算あり"),
    ("3階療養病棟", "transfer", {}, "not_home", "excluded", "転棟"),
    ("3階療養病棟", "transfer", {"holds_addition": True}, "home", "excluded", "転棟"),
    ("自宅", "discharge", {"short_stay_surgery": True}, "home", "excluded", None),
    ("自宅", "discharge", {"death": True}, "excluded", "excluded", "死亡"),
    ("", "discharge", {"death": True}, "excluded", "excluded", "死亡"),
    ("自宅", "discharge", {"readmission": True}, "excluded", "excluded", "再入院"),
    ("○○病院", "transfer", {"readmission": True}, "excluded", "excluded", "再入院"),
]


@pytest.mark.parametrize("destination, kind, flags, before, after, words", CASES)
def test_each_destination_and_exclusion_on_both_sides_of_2024_06_01_and_2022_04_01(destination, kind, flags, before,
                                                                                   after, words):
    # 2022-04-01 changed the thresholds only: a discharge counts the same on both sides of it.
    for day, expected in ((date(2022, 3, 31), before), (date(2022, 4, 1), before), (BEFORE_R6, before),
                          (FROM_R6, after)):
        result = classify(discharge(destination, day, kind, **flags), RULES)
        assert result.cls == expected, (day, destination, result)
        assert not result.unknown
        if words:
            assert words in result.reason, result.reason


def test_short_stay_surgery_is_left_out_from_2024_06_01_only():
    assert "短期滞在手術" in classify(discharge(day=FROM_R6, short_stay_surgery=True), RULES).reason
    assert classify(discharge(day=BEFORE_R6, short_stay_surgery=True), RULES).reason == "在宅等（自宅）"


@pytest.mark.parametrize("destination", ["不明", "その他", "", "自宅近くの病院"])
def test_an_unknown_destination_is_reported_and_never_counted_as_home(destination):
    for day in (date(2022, 3, 31), BEFORE_R6, FROM_R6):
        result = classify(discharge(destination, day), RULES)
        assert result.cls == "not_home" and result.unknown
        assert "判別できません" in result.reason or "空欄" in result.reason


# (month, tier, threshold): the threshold of the month is the one in force on its first day.
THRESHOLDS = [
    ("2022-03", 1, Fraction(70, 100)), ("2022-03", 2, Fraction(70, 100)),
    ("2022-03", 3, Fraction(70, 100)), ("2022-03", 4, Fraction(70, 100)),
    ("2022-04", 1, Fraction(725, 1000)), ("2022-04", 2, Fraction(725, 1000)),
    ("2022-04", 3, Fraction(70, 100)), ("2022-04", 4, Fraction(70, 100)),
    ("2024-05", 1, Fraction(725, 1000)), ("2024-06", 1, Fraction(725, 1000)), ("2024-06", 3, Fraction(70, 100)),
]


@pytest.mark.parametrize("month, tier, expected", THRESHOLDS)
def test_thresholds_on_both_sides_of_2022_04_01(month, tier, expected):
    rules = replace(RULES, wards={"病棟A": tier})
    assert rules.threshold(Month.parse(month), ["病棟A"]) == expected
    result = evaluate(Month.parse(month), [], rules, ["病棟A"], "病棟A")
    assert result.to_dict()["threshold"] == float(expected)


@pytest.mark.parametrize("month, home, counted, passed", [
    ("2022-03", 7, 10, True),  # 70 %: the old threshold for every tier
    ("2022-03", 69, 100, False),
    ("2022-04", 7, 10, False),  # 70 % no longer enough for tier 1
    ("2022-04", 29, 40, True),  # exactly 72.5 %
    ("2022-04", 28, 40, False),
])
def test_pass_and_fail_at_the_threshold_of_tier_1(month, home, counted, passed):
    month = Month.parse(month)
    first = window(month)[0].first_day
    discharges = [discharge("自宅" if n < home else "○○病院", first, patient=f"{n:08d}") for n in range(counted)]
    result = evaluate(month, discharges, RULES)
    assert (result.numerator, result.denominator, result.passed) == (home, counted, passed)
    assert result.to_dict()["rate"] == home / counted


def test_tier_3_and_4_wards_need_70_percent_from_2022_04():
    rules = replace(RULES, wards={"3東": 3, "4東": 1})
    month = Month.parse("2026-10")
    first = window(month)[0].first_day
    discharges = [discharge("自宅" if n < 7 else "○○病院", first, ward=ward, patient=f"{n:08d}")
                  for ward in ("3東", "4東") for n in range(10)]
    assert evaluate(month, discharges, rules, ["3東"], "3東").passed is True
    assert evaluate(month, discharges, rules, ["4東"], "4東").passed is False
    combined = evaluate(month, discharges, rules, ["3東", "4東"])
    assert combined.denominator == 20 and combined.threshold == Fraction(725, 1000)  # the strictest
    assert rules.threshold(month, ["どこか"]) == Fraction(725, 1000)  # a ward not listed: default tier 1


@pytest.mark.parametrize("month, first, last", [
    ("2026-10", "2026-04", "2026-09"), ("2026-01", "2025-07", "2025-12"), ("2026-06", "2025-12", "2026-05"),
])
def test_the_window_is_the_six_months_before(month, first, last):
    """M-6 … M-1, across a year's end too."""
    assert tuple(str(m) for m in window(Month.parse(month))) == (first, last)


def test_window_edges_are_the_first_and_last_days_of_the_window():
    days = [date(2026, 3, 31), date(2026, 4, 1), date(2026, 9, 30), date(2026, 10, 1)]
    result = evaluate(Month.parse("2026-10"), [discharge(day=d, patient=f"{n:08d}") for n, d in enumerate(days)], RULES)
    assert [p.discharge.exit_date for p in result.patients] == [date(2026, 4, 1), date(2026, 9, 30)]
    assert result.to_dict()["window"] == ["2026-04", "2026-09"]


def test_an_empty_window_is_not_computable_never_a_pass():
    result = evaluate(Month.parse("2026-10"), [discharge(day=date(2026, 10, 5))], RULES).to_dict()
    assert result["rate"] is None and result["pass"] is None
    assert (result["numerator"], result["denominator"], result["patients"]) == (0, 0, [])


def test_a_window_of_excluded_patients_only_is_not_computable():
    result = evaluate(Month.parse("2026-10"), [discharge(day=date(2026, 5, 1), death=True)], RULES).to_dict()
    assert result["rate"] is None and result["pass"] is None and result["denominator"] == 0
    assert [p["class"] for p in result["patients"]] == ["excluded"]


def test_each_discharge_is_judged_by_the_revision_of_its_own_day():
    month = Month.parse("2024-09")  # window 2024-03 … 2024-08 spans the 2024-06-01 revision
    transfers = [discharge("3階", date(2024, 5, 20), "transfer", patient="1"),
                 discharge("3階", date(2024, 6, 20), "transfer", patient="2")]
    result = evaluate(month, transfers, RULES).to_dict()
    assert [p["class"] for p in result["patients"]] == ["not_home", "excluded"]


def test_the_result_has_the_contracts_shape():
    result = evaluate(Month.parse("2026-10"), [discharge(day=date(2026, 5, 1))], RULES, ["4階東"], "4階東").to_dict()
    assert list(result) == ["month", "ward", "window", "numerator", "denominator", "rate", "threshold", "pass",
                            "patients"]
    assert result["patients"] == [{"patient_id": "00000001", "exit_date": "2026-05-01", "destination": "自宅",
                                   "class": "home", "reason": "在宅等（自宅）"}]
    assert result["ward"] == "4階東" and result["rate"] == 1.0 and result["pass"] is True


# -- the CSV ---------------------------------------------------------------------


def test_csv_in_each_encoding_reads_the_same():
    text = f"{HEADER}\r\n00012345,４階東,2026/5/1,退院,サ高住,0,0,0,0\r\n"
    for data, encoding in ((text.encode("utf-8"), "utf-8"), (b"\xef\xbb\xbf" + text.encode("utf-8"), "utf-8-sig"),
                           (text.encode("cp932"), "shift_jis")):
        parsed = read_discharges(data, RULES.csv)
        assert parsed.problems == () and parsed.encoding == encoding
        assert parsed.discharges == (Discharge("00012345", "4階東", date(2026, 5, 1), "discharge", "サ高住"),)


def test_csv_bad_rows_are_named_by_line_with_the_reason():
    lines = [HEADER,
             "00000001,4東,2026-05-01,退院,自宅,0,0,0,0",
             "00000002,4東,2026-02-30,退院,自宅,0,0,0,0",
             "00000003,4東,2026-05-02,退所,自宅,0,0,0,0",
             "00000004,4東,2026-05-03,退院,自宅,はい,0,0,0",
             "00000005,4東,2026-05-04,退院",
             "",
             "ABC,4東,2026-05-05,退院,自宅,0,0,0,0",
             "00000001,4東,2026-05-01,退院,病院,0,0,0,0"]
    parsed = read_discharges("\n".join(lines).encode("utf-8"), RULES.csv)
    problems = {p.line: p.reason for p in parsed.problems}
    assert sorted(problems) == [3, 4, 5, 6, 8, 9]
    assert "退院日「2026-02-30」" in problems[3]
    assert "区分「退所」" in problems[4]
    assert "死亡「はい」" in problems[5]
    assert "列の数" in problems[6]
    assert "患者ID「ABC」" in problems[8]
    assert "2行目と同じ患者・病棟・退院日" in problems[9]


def test_csv_empty_cells_after_the_last_column_are_no_problem():
    data = f"{HEADER},\n00000001,4東,2026-05-01,退院,自宅,0,0,0,0,,\n00000002,4東,2026-05-01,退院,自宅,0,0,0,0,x\n"
    parsed = read_discharges(data.encode(), RULES.csv)
    assert [p.line for p in parsed.problems] == [3] and len(parsed.discharges) == 1


def test_csv_missing_columns_are_named():
    parsed = read_discharges("患者ID,病棟,退院日\n1,4東,2026-05-01\n".encode(), RULES.csv)
    assert len(parsed.problems) == 1 and parsed.problems[0].line == 1
    assert "「区分」" in parsed.problems[0].reason and "「在宅復帰機能強化加算」" in parsed.problems[0].reason


def test_csv_that_is_neither_utf8_nor_shift_jis_is_refused():
    parsed = read_discharges(b"\xff\xfe\x00\x81\xff", RULES.csv)
    assert parsed.problems and "文字コード" in parsed.problems[0].reason


@pytest.mark.parametrize("text, expected", [
    ("2026-10-14", date(2026, 10, 14)), ("2026/1/4", date(2026, 1, 4)), ("20261014", date(2026, 10, 14)),
    ("２０２６／１０／１４", date(2026, 10, 14)), ("令和8年10月14日", date(2026, 10, 14)), ("R8.10.14", date(2026, 10, 14)),
    ("2026-13-01", None), ("2026-02-30", None), ("20261332", None), ("", None), ("2026-10-14 予定", None),
])
def test_date_cells(text, expected):
    assert parse_day(text) == expected
