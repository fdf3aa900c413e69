"""Names of people and suppliers."""

from __future__ import annotations

import pytest

from ingest.extract.names import clean_vendor, parse_person, vendors_by_legal_form


@pytest.mark.parametrize("text, expected", [
    ("村上 京子", "村上 京子"),
    ("村上　京子", "村上 京子"),
    ("加藤弘子　様", "加藤 弘子"),
    ("岩崎康弘　印", "岩崎 康弘"),
    ("宮本 亮 先生", "宮本 亮"),
    ("Dr. 宮本 亮", "宮本 亮"),
    ("遠藤トシ子", "遠藤 トシ子"),
    ("阿部実", "阿部 実"),
    ("清水 恵子（看護師）", "清水 恵子"),
    ("大塚智子医師", "大塚 智子"),
])
def test_person(rules, text: str, expected: str) -> None:
    parsed = parse_person(text, rules)
    assert parsed is not None and parsed[0] == expected


@pytest.mark.parametrize("text", ["", "WE tot", "00058841", "様"])
def test_not_a_person(rules, text: str) -> None:
    assert parse_person(text, rules) is None


@pytest.mark.parametrize("text, expected", [
    ("株式会社さくら在宅ケアサービス　さいたま営業所", "さくら在宅ケアサービス"),
    ("星医療酸器　さいたま営業所", "星医療酸器"),
    ("エア・ウォーター（株）", "エア・ウォーター"),
    ("㈱フクダライフテック 千葉支店", "フクダライフテック"),
    ("チェスト株式会社 城北営業所", "チェスト"),
])
def test_vendor_after_label(rules, text: str, expected: str) -> None:
    assert clean_vendor(text, rules) == expected


@pytest.mark.parametrize("text, expected", [
    ("（乙）チェスト（株）　東京南営業所", ["チェスト"]),
    ("(株)フクダライフテック", ["フクダライフテック"]),
    ("医療法人社団 青葉会 みどり台総合病院", []),
])
def test_vendor_by_legal_form(rules, text: str, expected: list[str]) -> None:
    assert vendors_by_legal_form(text, rules) == expected


@pytest.mark.parametrize("tail", ["ック", "ーム", "ンター", "ォーム"])
def test_a_vendor_cannot_start_where_no_japanese_word_starts(rules, tail):
    assert clean_vendor(tail, rules) is None


@pytest.mark.parametrize("printed, expected", [
    ("エア・ウォーター(株) 横浜 営業所", "エア・ウォーター"),  # OCR split the branch from its suffix
    ("チェスト(株) 城北 営業所", "チェスト"),
    ("株式会社みなと酸素 営業所", None),  # the word before a bare suffix may be the branch: unsure
])
def test_a_branch_split_from_its_suffix_is_not_part_of_the_vendor(rules, printed, expected):
    assert clean_vendor(printed, rules) == expected


def test_a_family_name_seal_beside_the_name_is_not_part_of_it(rules) -> None:
    from ingest.extract.names import parse_person

    assert parse_person("堀 浩平堀", rules)[0] == "堀 浩平"
    assert parse_person("野口浩二 野口", rules)[0] == "野口 浩二"
    assert parse_person("野口 野口子", rules)[0] == "野口 野口子"  # a given name is not a seal


def test_a_seal_of_the_family_names_first_letter_after_the_name_goes_to_review(rules) -> None:
    from ingest.extract.names import parse_person

    name, quality = parse_person("新井理恵新", rules)
    assert quality < rules.setting("review_threshold")
    assert parse_person("新井理恵", rules)[1] >= rules.setting("review_threshold")


def test_one_latin_letter_among_japanese_ones_is_no_company(rules) -> None:
    from ingest.extract.names import clean_vendor

    assert clean_vendor("銀河Xデ加", rules) is None
    assert clean_vendor("NKメディカル", rules) == "NKメディカル"


def test_a_one_letter_family_name_read_again_after_the_name_goes_to_review(rules) -> None:
    from ingest.extract.names import parse_person

    assert parse_person("関由佳関", rules)[1] < rules.setting("review_threshold")
