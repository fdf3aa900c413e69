"""The Japanese analyzer and the index: one set of behaviour tests, run against
every engine (Whoosh and Tantivy, in memory and in a folder)."""

import pytest

from kernel.text import normalise_text
from search import IndexEntry, QueryLimits, TantivyIndex, WhooshIndex
from kernel.errors import QueryTooLong

ENGINES = {"whoosh": WhooshIndex, "tantivy": TantivyIndex}


@pytest.fixture(params=["whoosh", "tantivy", "tantivy-folder"])
def empty_index(request, tmp_path):
    """An empty index of each engine (Tantivy also in a folder, as shoko runs it)."""
    if request.param == "tantivy-folder":
        return TantivyIndex.open(tmp_path / "tantivy")
    return ENGINES[request.param].in_memory()


@pytest.fixture
def index(empty_index):
    ix = empty_index
    ix.add(IndexEntry("D000001", "other", "病棟案内", normalise_text("当院の地域包 括ケア病棟では SpO2 を毎日測定します")))
    ix.add(IndexEntry("D000002", "hot_guidance_record", "在宅酸素療法指導記録",
                      normalise_text("患者氏名 山田 太郎 SpO2 94% 指導日 令和8年10月14日"),
                      patient_id="00123456", patient_name="山田 太郎", month="2026-10", date="2026-10-14",
                      field_text="00123456 山田 太郎 2026-10-14"))
    ix.add(IndexEntry("D000003", "hot_contract", "賃貸借契約書",
                      normalise_text("酸素濃縮装置 賃貸借契約書 患者ID 00999999 佐藤 花子"),
                      patient_id="00999999", patient_name="佐藤 花子", department="総務課", month="2026-09",
                      date="2026-09-01"))
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
        ("123456", {"D000002"}),  # and without its leading zeros
        ("0123456", {"D000002"}),
        ("酸素濃縮装置", {"D000003"}),
        ("SpO2 山田", {"D000002"}),  # several words: AND
        ("病棟 佐藤", set()),
        ("濃", {"D000003"}),  # a single character
        ("棟", {"D000001"}),  # a single character inside a run, not at its end
        ("指導記録", {"D000002"}),  # in the title only
    ],
)
def test_japanese_queries(index, query, expected):
    assert set(ids(index.search(query))) == expected


def test_one_misread_character_still_finds_a_long_word_but_ranks_exact_first(index):
    index.add(IndexEntry("D000004", "other", "", normalise_text("地域包括ケア病練")))  # 練 misread for 棟
    found = ids(index.search("地域包括ケア病棟"))
    assert found[0] == "D000001" and "D000004" in found


def test_a_dropped_or_added_character_is_tolerated_too_but_not_a_shuffle(empty_index):
    empty_index.add(IndexEntry("D000001", "other", "", normalise_text("地域包括ケ病棟")))  # ア dropped
    empty_index.add(IndexEntry("D000002", "other", "", normalise_text("地域包括ケアア病棟")))  # ア read twice
    empty_index.add(IndexEntry("D000003", "other", "", normalise_text("ケア病棟地域包括")))  # the parts, swapped
    assert set(ids(empty_index.search("地域包括ケア病棟"))) == {"D000001", "D000002"}


def test_a_misread_match_ranks_below_an_exact_one_even_in_a_longer_document(empty_index):
    exact = "地域包括ケア病棟" + "、入院患者の在宅復帰を支援します。" * 30
    empty_index.add(IndexEntry("D000001", "other", "", normalise_text(exact)))
    empty_index.add(IndexEntry("D000002", "other", "", normalise_text("地域包括ケア病練")))
    assert ids(empty_index.search("地域包括ケア病棟")) == ["D000001", "D000002"]


def test_bigrams_match_only_in_order(empty_index):
    empty_index.add(IndexEntry("D000001", "other", "", normalise_text("素療法と酸素")))
    empty_index.add(IndexEntry("D000002", "other", "", normalise_text("酸素療法")))
    empty_index.add(IndexEntry("D000003", "other", "", normalise_text("酸素/素療法")))  # two runs, not one word
    empty_index.add(IndexEntry("D000004", "other", "", normalise_text("酸素/療法 酸素の療法")))
    assert ids(empty_index.search("酸素療法")) == ["D000002"]
    assert ids(empty_index.search("素療法と酸素")) == ["D000001"]


@pytest.mark.parametrize("query", ["ミナト", "みなと", "ﾐﾅﾄ"])
def test_katakana_hiragana_and_half_width_kana_find_each_other(empty_index, query):
    empty_index.add(IndexEntry("D000001", "other", "", normalise_text("ミナト医療機器株式会社")))
    empty_index.add(IndexEntry("D000002", "other", "", normalise_text("みなと訪問看護ステーション")))
    empty_index.add(IndexEntry("D000003", "other", "", normalise_text("ﾐﾅﾄ薬局")))
    assert set(ids(empty_index.search(query))) == {"D000001", "D000002", "D000003"}
    hit = next(h for h in empty_index.search(query).hits if h.doc_id == "D000001")
    assert ("ミナト", True) in hit.snippet_parts  # the text as written is highlighted


def test_one_character_query_finds_it_anywhere(empty_index):
    empty_index.add(IndexEntry("D000001", "other", "", normalise_text("肺気腫のため在宅酸素療法を開始")))
    empty_index.add(IndexEntry("D000002", "other", "", normalise_text("慢性閉塞性肺疾患")))
    empty_index.add(IndexEntry("D000003", "other", "", normalise_text("心不全")))
    assert set(ids(empty_index.search("肺"))) == {"D000001", "D000002"}


def test_filters_by_type_patient_department_and_month(index):
    assert ids(index.search("SpO2", doc_type="hot_guidance_record")) == ["D000002"]
    assert ids(index.search("", patient_id="00999999")) == ["D000003"]
    assert ids(index.search("", department="総務課")) == ["D000003"]
    assert ids(index.search("", month="2026-10")) == ["D000002"]
    assert ids(index.search("酸素", month="2026-09")) == ["D000003"]
    assert index.search("").total == 0  # no words and no filter: nothing, not everything


def test_hits_carry_a_highlighted_snippet(index):
    hit = index.search("地域包括ケア病棟").hits[0]
    assert ("地域包括ケア病棟", True) in hit.snippet_parts
    assert "地域包括ケア病棟" in hit.snippet
    hit = index.search("山田 太郎 spo2").hits[0]
    assert ("山田太郎", True) in hit.snippet_parts and ("SpO2", True) in hit.snippet_parts
    assert (hit.patient_id, hit.patient_name, hit.date, hit.title) == ("00123456", "山田 太郎", "2026-10-14",
                                                                      "在宅酸素療法指導記録")


def test_a_long_document_gives_a_short_snippet_around_the_words(empty_index):
    text = "前置きの文章です。" * 100 + "在宅酸素療法を開始しました。" + "後書きの文章です。" * 100
    empty_index.add(IndexEntry("D000001", "other", "", normalise_text(text)))
    hit = empty_index.search("在宅酸素療法").hits[0]
    assert ("在宅酸素療法", True) in hit.snippet_parts
    assert len(hit.snippet) <= 400


def test_sorted_by_date_newest_first_undated_last(index):
    index.add(IndexEntry("D000005", "hot_guidance_record", "", normalise_text("酸素 記録"), date="2026-11-02"))
    index.add(IndexEntry("D000006", "hot_guidance_record", "", normalise_text("酸素 記録")))
    found = ids(index.search("酸素", sort="date"))
    assert found == ["D000005", "D000002", "D000003", "D000006"]
    assert set(ids(index.search("酸素"))) == set(found)
    with pytest.raises(ValueError):
        index.search("酸素", sort="name")


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_pages_add_up_to_every_hit_once(empty_index, sort):
    empty_index.add_all(IndexEntry(f"D{n:06d}", "other", "", normalise_text(f"在宅酸素療法 記録{n} " + "酸素" * (n % 7)),
                                   date=f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}") for n in range(1, 24))
    everything = empty_index.search("酸素", limit=100, sort=sort)
    pages = [empty_index.search("酸素", limit=5, offset=offset, sort=sort) for offset in range(0, 25, 5)]
    assert everything.total == 23 and all(p.total == 23 for p in pages)
    assert [len(p.hits) for p in pages] == [5, 5, 5, 5, 3]
    assert [d for p in pages for d in ids(p)] == ids(everything)


def test_a_query_too_long_is_refused(index):
    with pytest.raises(QueryTooLong):
        index.search("酸素" * 51)
    with pytest.raises(QueryTooLong):
        index.search("酸素", limits=QueryLimits(max_chars=1))
    assert index.search("酸素" * 50).total == 0


def test_add_replaces_delete_removes_rebuild_replaces_all(index):
    index.add(IndexEntry("D000001", "other", "", "差し替えた本文"))
    assert ids(index.search("差し替え")) == ["D000001"]
    assert index.search("地域包括ケア病棟").total == 0
    index.delete("D000001")
    assert "D000001" not in index.doc_ids()
    index.rebuild([IndexEntry("D000009", "other", "", "新しい索引")])
    assert index.doc_ids() == {"D000009"}
    assert index.search("酸素").total == 0
    assert index.add_all([IndexEntry("D000009", "other", "", "書き直し"), IndexEntry("D000010", "other", "", "追加")]) == 2
    assert index.doc_ids() == {"D000009", "D000010"}
    assert ids(index.search("書き直し")) == ["D000009"] and index.search("新しい索引").total == 0


@pytest.mark.parametrize("engine", ENGINES.values(), ids=ENGINES.keys())
def test_folder_index_survives_reopening(tmp_path, engine):
    engine.open(tmp_path / "ix").add(IndexEntry("D000001", "other", "", "在宅酸素療法"))
    assert ids(engine.open(tmp_path / "ix").search("在宅酸素")) == ["D000001"]


def test_units_glued_to_numbers_are_found_by_the_unit(index):
    index.add(IndexEntry("D000005", "hot_prescription", "", normalise_text("安静時 1.5L/分 労作時 2L/分")))
    assert ids(index.search("L/分")) == ["D000005"]
    assert ids(index.search("1.5L/分")) == ["D000005"]
    assert "D000005" not in ids(index.search("SpO2"))


def test_tantivy_gives_up_when_the_time_budget_is_spent():
    ix = TantivyIndex.in_memory()
    ix.add(IndexEntry("D000001", "other", "", "在宅酸素療法"))
    cut = ix.search("酸素", limits=QueryLimits(seconds=0.0))
    assert cut.timed_out and cut.total == 0
    assert ix.search("酸素").total == 1


def test_tantivy_lists_ids_without_deleted_documents(tmp_path):
    ix = TantivyIndex.open(tmp_path / "ix")
    ix.add_all(IndexEntry(f"D{n:06d}", "other", "", "本文") for n in range(1, 6))
    ix.delete("D000003")
    ix.add(IndexEntry("D000004", "other", "", "差し替え"))
    assert TantivyIndex.open(tmp_path / "ix").doc_ids() == {"D000001", "D000002", "D000004", "D000005"}
