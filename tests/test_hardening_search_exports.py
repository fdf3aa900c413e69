"""Issue 12: search is bounded (length and time) and CSV cells cannot be read as formulas.

Against a real Whoosh index in a folder and the real ``shoko`` command; the web
side is in ``tests/webui/test_webui_hardening_search_exports.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from kernel.text import normalise_text
from search import IndexEntry, QueryLimits, WhooshIndex
from billing.export import csv_cell
from kernel.errors import QueryTooLong, SearchError, ShokoError

# One run of Japanese without spaces, as a pasted page reads: the case that cost minutes.
JAPANESE = ("在宅酸素療法指導記録患者氏名山田太郎酸素濃縮装置賃貸借契約書契約期間月額賃貸料撤去報告書"
            "地域包括ケア病棟当院では毎日測定します医師佐藤一郎")
TEXT = f"{JAPANESE}{JAPANESE} SpO2 94% 安静時 1.0L/分"
PASTED = JAPANESE * 50
NO_LIMIT = QueryLimits(max_chars=100_000, seconds=2.0)


def _entries(count: int) -> list[IndexEntry]:
    return [IndexEntry(f"D{n:06d}", "hot_guidance_record", "在宅酸素療法指導記録", normalise_text(f"{TEXT} 記録{n}"),
                       patient_id=f"{n:08d}") for n in range(1, count + 1)]


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> WhooshIndex:
    ix = WhooshIndex.open(tmp_path_factory.mktemp("hardening") / "index")
    ix.rebuild(_entries(60))
    return ix


def _timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_a_3000_character_query_is_refused_at_once(index):
    query = (PASTED * 40)[:3000]
    with pytest.raises(QueryTooLong) as refused:
        _timed(lambda: index.search(query))
    assert isinstance(refused.value, SearchError) and isinstance(refused.value, ShokoError)
    assert str(refused.value) == "検索語が長すぎます（3000文字）。100文字以内の語で検索してください。"
    assert (refused.value.length, refused.value.limit) == (3000, 100)


def test_length_is_counted_after_normalisation_too(index):
    # ㍻ is one character typed, two (平成) searched: 60 of them are 120 characters.
    with pytest.raises(QueryTooLong):
        index.search("㍻" * 60)
    assert index.search(" " * 50 + "山田太郎" + " " * 50).total == 60  # surrounding spaces are not counted


def test_a_query_at_the_limit_is_answered(index):
    results, elapsed = _timed(lambda: index.search(PASTED[:100]))
    assert results.total == 60 and not results.timed_out
    assert elapsed < 2


@pytest.mark.parametrize("length", [148, 296, 3000])
def test_even_past_the_limit_a_pasted_text_costs_seconds_not_minutes(index, length):
    # Before: 148 characters 11 s, 296 > 25 s, 3,000 over 8 minutes and 2.8 GB. The
    # query itself is now bounded, whatever search_max_chars is set to.
    query = (PASTED * 40)[:length]
    results, elapsed = _timed(lambda: index.search(query, limits=NO_LIMIT))
    assert elapsed < 5, elapsed
    assert results.total == 0 or results.timed_out or results.hits


def test_a_pasted_line_of_a_document_still_finds_it_exactly(index):
    line = "当院では毎日測定します医師佐藤一郎"  # 17 characters: still misread-tolerant
    assert index.search(line).total == 60
    longer = PASTED[:60]  # past the tolerant length: an exact phrase
    assert index.search(longer).total == 60
    assert index.search(longer.replace("療", "瘠")).total == 0


def test_many_words_of_a_long_query_stay_within_the_time_budget(index):
    query = " ".join(f"SpO2 {n}" for n in range(500))
    results, elapsed = _timed(lambda: index.search(query, limits=NO_LIMIT))
    assert elapsed < 5, elapsed
    assert results.total == 0


def test_when_the_time_budget_runs_out_the_hits_so_far_are_marked(tmp_path):
    ix = WhooshIndex.open(tmp_path / "index")
    ix.rebuild(_entries(3000))
    full = ix.search("山田太郎", limits=NO_LIMIT)
    assert full.total == 3000 and not full.timed_out
    cut = ix.search("山田太郎", limits=QueryLimits(seconds=0.0))
    assert cut.timed_out and cut.total < 3000


def test_the_command_refuses_a_long_query_with_a_message(tmp_path):
    query = (PASTED * 40)[:3000]
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "shoko", "--data-dir", str(tmp_path / "data"), "search", "--json", query],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "検索語が長すぎます（3000文字）。100文字以内の語で検索してください。" in done.stderr
    assert done.stdout == ""
    assert time.monotonic() - started < 30
    done = subprocess.run([sys.executable, "-m", "shoko", "--data-dir", str(tmp_path / "data"), "search", "--json", "山田"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and json.loads(done.stdout)["total"] == 0


@pytest.mark.parametrize("text, expected", [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("+81 3", "'+81 3"), ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("山田 太郎", "山田 太郎"), ("SpO2 96%（R8.10.14）", "SpO2 96%（R8.10.14）"), ("a=1", "a=1"), ("", ""), (None, None),
])
def test_csv_cells_that_start_like_a_formula_get_a_quote(text, expected):
    assert csv_cell(text) == expected
