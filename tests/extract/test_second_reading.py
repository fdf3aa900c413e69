"""Two OCR readings of a row, values known from other documents, and which
characters a value's confidence is taken from."""

from __future__ import annotations

import pytest

from ingest.document import Page, Word
from ingest.extract import KnownValues, extract, learn_from

# A removal notice as OCR words: (text, confidence) per row, left to right.
TITLE = [("解約届", 95.0)]


def _page(rows: list[list[tuple[str, float]]], second: dict[int, list[tuple[str, float]]] | None = None) -> Page:
    """A page of OCR words laid out row by row; ``second`` replaces rows in a second reading."""
    def words_of(number: int, row: list[tuple[str, float]]) -> list[Word]:
        out, left = [], 100
        for text, confidence in row:
            out.append(Word(text, confidence, (left, 100 + 80 * number, 50 * len(text), 50), number))
            left += 50 * len(text) + 40
        return out

    words = [w for n, row in enumerate(rows) for w in words_of(n, row)]
    raw = "\n".join(" ".join(t for t, _ in row) for row in rows)
    page = Page(1, raw, raw, "ocr", words)
    if second:
        page.second_reading = [w for n, row in enumerate(rows)
                               for w in words_of(n, second.get(n, row))]
        page.reread_words = [i for i, w in enumerate(page.second_reading) if w.line in second]
    return page


def test_a_clean_second_reading_fills_a_value_the_first_reading_doubted(rules) -> None:
    rows = [TITLE, [("患者ID", 95.0), ("31415926", 20.0)]]
    alone = extract([_page(rows)], rules)
    assert "patient_id" not in alone.fields
    again = extract([_page(rows, {1: [("患者ID", 95.0), ("31415926", 93.0)]})], rules)
    assert again.fields["patient_id"].value == "31415926"


def test_a_confident_rival_reading_keeps_the_value_in_review(rules) -> None:
    rows = [TITLE, [("患者ID", 95.0), ("31415926", 90.0)]]
    result = extract([_page(rows, {1: [("患者ID", 95.0), ("31415928", 90.0)]})], rules)
    assert "patient_id" not in result.fields
    assert [r.name for r in result.review] == ["patient_id"]


def test_a_noise_rival_hardly_lowers_a_sure_value(rules) -> None:
    rows = [TITLE, [("患者ID", 95.0), ("31415926", 92.0)]]
    result = extract([_page(rows, {1: [("患者ID", 95.0), ("3141", 5.0), ("5926", 5.0)]})], rules)
    assert result.fields["patient_id"].value == "31415926"


def test_agreeing_readings_of_the_same_doubtful_characters_stay_doubtful(rules) -> None:
    # One engine misreads the same pixels the same way: agreement is no proof.
    rows = [TITLE, [("患者ID", 95.0), ("31415926", 30.0)]]
    result = extract([_page(rows, {1: [("患者ID", 95.0), ("31415926", 31.0)]})], rules)
    assert "patient_id" not in result.fields


def test_rows_not_read_again_are_not_a_second_opinion(rules) -> None:
    # The second reading repeats the first for rows it did not read again.
    rows = [TITLE, [("患者ID", 95.0), ("31415926", 30.0)], [("解約日", 95.0), ("令和8年11月30日", 95.0)]]
    result = extract([_page(rows, {2: [("解約日", 95.0), ("令和8年11月30日", 96.0)]})], rules)
    assert "patient_id" not in result.fields
    assert result.fields["removal_date"].value == "2026-11-30"


def test_a_misread_day_mark_does_not_hide_a_clearly_read_date(rules) -> None:
    # 日 read as 昌 at low confidence: the date parser knew; the digits are clear.
    rows = [TITLE, [("解約日", 95.0), ("令和8年11月12", 92.0), ("昌", 30.0)]]
    result = extract([_page(rows)], rules)
    assert result.fields["removal_date"].value == "2026-11-12"


def test_an_unclear_digit_still_sends_a_date_to_review(rules) -> None:
    rows = [TITLE, [("解約日", 95.0), ("令和8年11月", 92.0), ("12", 25.0), ("日", 92.0)]]
    result = extract([_page(rows)], rules)
    assert "removal_date" not in result.fields


GUIDANCE_ROWS = [[("在宅酸素療法指導記録", 95.0)], [("患者ID", 95.0), ("00123456", 95.0)],
                 [("患者氏名", 95.0), ("山田", 95.0), ("太郎", 95.0)],
                 [("指導日", 95.0), ("令和8年10月14日", 95.0)]]


def _guidance(doctor: tuple[str, float], name: tuple[str, float] = ("太郎", 95.0)) -> Page:
    rows = [list(r) for r in GUIDANCE_ROWS]
    rows[2] = [("患者氏名", 95.0), ("山田", 95.0), name]
    rows.append([("主治医", 95.0), ("宮本", 95.0), doctor])
    return _page(rows)


def test_a_doubtful_name_that_matches_a_known_doctor_is_filled(rules) -> None:
    known = KnownValues()
    sure = extract([_guidance(("亮", 95.0))], rules, known)
    assert sure.fields["doctor"].value == "宮本 亮"
    learn_from(sure, known, rules)
    doubtful = _guidance(("亮", 20.0))
    assert "doctor" not in extract([doubtful], rules).fields
    filled = extract([doubtful], rules, known).fields["doctor"]
    assert filled.value == "宮本 亮"
    assert filled.confidence == pytest.approx(rules.setting("known_value_quality"))


def test_a_doubtful_reading_of_another_name_is_not_filled(rules) -> None:
    known = KnownValues()
    known.learn({"doctor": "宮本 亮"})
    result = extract([_guidance(("宮", 20.0))], rules, known)
    assert "doctor" not in result.fields
    assert [r.value for r in result.review if r.name == "doctor"] == ["宮本 宮"]


def test_unsure_values_do_not_become_known(rules) -> None:
    known = KnownValues()
    learn_from(extract([_guidance(("亮", 40.0))], rules), known, rules)
    assert known.shared.get("doctor", set()) == set()


def test_a_patient_name_is_vouched_for_only_by_the_same_patient_id(rules) -> None:
    known = KnownValues()
    known.learn({"patient_id": "99999999", "patient_name": "山田 太郎"})
    assert "patient_name" not in extract([_guidance(("亮", 95.0), ("太郎", 20.0))], rules, known).fields
    known.learn({"patient_id": "00123456", "patient_name": "山田 太郎"})
    result = extract([_guidance(("亮", 95.0), ("太郎", 20.0))], rules, known)
    assert result.fields["patient_name"].value == "山田 太郎"


def test_a_patient_id_with_another_name_on_file_is_flagged(rules) -> None:
    known = KnownValues()
    known.learn({"patient_id": "00123456", "patient_name": "山田 花子"})
    result = extract([_guidance(("亮", 95.0))], rules, known)
    assert result.fields["patient_name"].value == "山田 太郎"
    assert any("00123456" in f and "山田 花子" in f for f in result.flags)


def test_a_less_sure_value_becomes_known_when_a_second_document_has_it() -> None:
    known = KnownValues()
    known.learn({}, {"doctor": "宮本 亮", "vendor": "ミナト酸素"})
    assert not known.supports("doctor", "宮本 亮", None)
    known.learn({}, {"doctor": "宮本 亮"})
    assert known.supports("doctor", "宮本 亮", None)
    assert not known.supports("vendor", "ミナト酸素", None)


def test_a_sure_name_one_character_from_a_doctor_on_two_documents_goes_to_review(rules) -> None:
    known = KnownValues()
    known.learn({"doctor": "宮本 亮"})
    # On one document only, the name on file may itself be the misread one.
    assert extract([_guidance(("高", 95.0))], rules, known).fields["doctor"].value == "宮本 高"
    known.learn({"doctor": "宮本 亮"})
    result = extract([_guidance(("高", 95.0))], rules, known)
    assert "doctor" not in result.fields
    assert [r.value for r in result.review if r.name == "doctor"] == ["宮本 高"]
    assert any("宮本 亮" in f for f in result.flags)
    assert extract([_guidance(("亮", 95.0))], rules, known).fields["doctor"].value == "宮本 亮"
