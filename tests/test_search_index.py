"""The Japanese analyzer and the index, on the in-memory Whoosh index."""

import pytest

from kernel.text import normalise_text
from search import IndexEntry, WhooshIndex


@pytest.fixture
def index():
    ix = WhooshIndex.in_memory()
    ix.add(IndexEntry("D000001", "other", "病棟案内", normalise_text("当院の地域包 括ケア病棟では SpO2 を毎日測定します")))
    ix.add(IndexEntry("D000002", "hot_guidance_record", "在宅酸素療法指導記録",
                      normalise_text("患者氏名 山田 太郎 SpO2 94% 指導日 令和8年10月14日"),
                      patient_id="00123456", patient_name="山田 太郎", month="2026-10",
                      field_text="00123456 山田 太郎 2026-10-14"))
    ix.add(IndexEntry("D000003", "hot_contract", "賃貸借契約書",
                      normalise_text("酸素濃縮装置 賃貸借契約書 患者ID 00999999 佐藤 花子"),
                      patient_id="00999999", patient_name="佐藤 花子", department="総務課", month="2026-09"))
    return ix


def ids(results):
    return [h.doc_id for h in results.hits]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("地域包括ケア病棟", {"D000001"}),  # OCR split the word; the query is whole
        ("ＳｐＯ２", {"D000001", "D000002"}),  # full-width query, half-width text
        ("spo2", {"D000001", "D000002"}),  # latin words are case-insensitive words
        ("山田太郎", {"D000002"}),  # name without its space
        ("山田 太郎", {"D000002"}),  # and with it
        ("00123456", {"D000002"}),  # patient id as a word
        ("酸素濃縮装置", {"D000003"}),
        ("SpO2 山田", {"D000002"}),  # several words: AND
        ("病棟 佐藤", set()),
        ("濃", {"D000003"}),  # a single character
    ],
)
def test_japanese_queries(index, query, expected):
    assert set(ids(index.search(query))) == expected


def test_one_misread_character_still_finds_a_long_word_but_ranks_exact_first(index):
    index.add(IndexEntry("D000004", "other", "", normalise_text("地域包括ケア病練")))  # 練 misread for 棟
    found = ids(index.search("地域包括ケア病棟"))
    assert found[0] == "D000001" and "D000004" in found


def test_filters_by_type_patient_department_and_month(index):
    assert ids(index.search("SpO2", doc_type="hot_guidance_record")) == ["D000002"]
    assert ids(index.search("", patient_id="00999999")) == ["D000003"]
    assert ids(index.search("", department="総務課")) == ["D000003"]
    assert ids(index.search("", month="2026-10")) == ["D000002"]
    assert index.search("").total == 0  # no words and no filter: nothing, not everything


def test_hits_carry_a_highlighted_snippet(index):
    hit = index.search("地域包括ケア病棟").hits[0]
    assert ("地域包括ケア病棟", True) in hit.snippet_parts
    assert "地域包括ケア病棟" in hit.snippet


def test_add_replaces_delete_removes_rebuild_replaces_all(index):
    index.add(IndexEntry("D000001", "other", "", "差し替えた本文"))
    assert ids(index.search("差し替え")) == ["D000001"]
    assert index.search("地域包括ケア病棟").total == 0
    index.delete("D000001")
    assert "D000001" not in index.doc_ids()
    index.rebuild([IndexEntry("D000009", "other", "", "新しい索引")])
    assert index.doc_ids() == {"D000009"}


def test_folder_index_survives_reopening(tmp_path):
    WhooshIndex.open(tmp_path / "ix").add(IndexEntry("D000001", "other", "", "在宅酸素療法"))
    assert ids(WhooshIndex.open(tmp_path / "ix").search("在宅酸素")) == ["D000001"]


def test_units_glued_to_numbers_are_found_by_the_unit(index):
    index.add(IndexEntry("D000005", "hot_prescription", "", normalise_text("安静時 1.5L/分 労作時 2L/分")))
    assert ids(index.search("L/分")) == ["D000005"]
    assert ids(index.search("1.5L/分")) == ["D000005"]
    assert "D000005" not in ids(index.search("SpO2"))
