"""Issue 12, the web part: bounded search, formula-safe CSV exports, 404/400 instead of 500.

Every request goes through the real app over a real data directory (SQLite, Whoosh).
"""

from __future__ import annotations

import csv
import io
import time

from shoko.services import Services
from shoko.settings import Config
from webui import create_app
from webui_support import PATIENT, post, sign_in

FORMULA = '=HYPERLINK("http://x","y")'


def _rows(data: bytes, codec: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(codec))))


# --- search is bounded --------------------------------------------------------

def test_a_3000_character_query_is_refused_at_once_with_a_message(login):
    client = login("kango")
    pasted = ("在宅酸素療法指導記録 患者ID 00123456 氏名 山田 太郎 指導日 令和8年10月14日 " * 80)[:2999] + "日"
    assert len(pasted) == 3000
    started = time.monotonic()
    response = client.get("/search", query_string={"q": pasted})
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "検索語が長すぎます（3000文字）。100文字以内の語で検索してください。" in page
    assert "件（" not in page  # no result count: nothing was searched
    assert elapsed < 5, elapsed  # before the fix: minutes at 100 % CPU


def test_a_query_at_the_limit_is_answered(login, documents):
    # Spaces between Japanese words are dropped by normalisation: a latin word keeps them apart.
    query = ("在宅酸素療法指導記録 SpO2 山田太郎" + " SpO2" * 30)[:100]
    assert len(query) == 100
    page = login("kango").get("/search", query_string={"q": query}).get_data(as_text=True)
    assert "検索語が長すぎます" not in page
    assert documents["guidance"] in page
    assert "検索語は100文字までです" in login("kango").get("/search").get_data(as_text=True)


def test_the_limit_is_the_search_max_chars_setting(services, documents):
    config = Config({**services.config.as_dict(), "search_max_chars": 8})
    client = create_app(Services(config), {"TESTING": True}).test_client()
    assert sign_in(client, "kango").status_code == 302
    assert documents["guidance"] in client.get("/search?q=山田太郎").get_data(as_text=True)
    page = client.get("/search?q=在宅酸素療法指導記録").get_data(as_text=True)
    assert "検索語が長すぎます（10文字）。8文字以内の語で検索してください。" in page


# --- exports are safe ---------------------------------------------------------

def test_a_formula_in_a_name_is_neutralised_in_both_csv_encodings(login, services, documents):
    for name in ("guidance", "order", "contract"):
        services.records.correct_field(documents[name], "patient_name", FORMULA, "somu")
    client = login("iji")
    for encoding, codec in (("utf-8", "utf-8-sig"), ("sjis", "cp932")):
        response = client.get(f"/claims.csv?month=2026-10&encoding={encoding}")
        assert response.status_code == 200
        names = {row[1] for row in _rows(response.data, codec)[1:] if row[0] == PATIENT}
        assert names == {"'" + FORMULA}, (encoding, names)
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r"))
                       for row in _rows(response.data, codec) for cell in row)
    # The page itself shows the name as typed: only the spreadsheet needs the quote.
    assert "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)" in client.get("/claims?month=2026-10").get_data(as_text=True)


def test_ordinary_cells_are_exported_unchanged(login, documents):
    rows = _rows(login("iji").get("/claims.csv?month=2026-10").data, "utf-8-sig")
    assert [PATIENT, "山田 太郎", "C103-2"] == rows[1][:3] and rows[1][5] == "SpO2 96%（R8.10.14）"
    assert all(not row[3] or row[3].isdigit() for row in rows[1:])  # points stay plain numbers


# --- item 9: 404 and 400, not 500 --------------------------------------------

def test_a_document_id_past_the_database_integers_is_404(login):
    client = login("kango")
    assert client.get("/documents/D999999999999999999999").status_code == 404
    assert client.get("/documents/D" + "9" * 5000).status_code == 404
    assert client.get("/documents/D999999999999999999999/original").status_code in (404, 405)


def test_a_month_out_of_range_is_400_with_a_message(login):
    client = login("iji")
    for url in ("/claims?month=0000-01", "/claims.csv?month=0000-01", "/claims?month=9999-12"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "月は 1900年から2999年までで指定してください。" in response.get_data(as_text=True)
    response = post(client, "/claims/mark", {"month": "0000-01", "patient_id": PATIENT, "item": "C158", "claimed": "1"})
    assert response.status_code == 400


def test_marking_an_item_not_in_the_catalogue_is_refused(login, services):
    client = login("iji")
    response = post(client, "/claims/mark", {"month": "2026-10", "patient_id": PATIENT, "item": "X999", "claimed": "1"})
    assert response.status_code == 400
    assert "請求項目 X999 は 2026-10 の点数表にありません。" in response.get_data(as_text=True)
    response = post(client, "/claims/mark", {"month": "2026-10", "patient_id": PATIENT, "item": "<b>", "claimed": "1"})
    assert response.status_code == 400 and "<b>" not in response.get_data(as_text=True)
    assert services.records.all_claims() == []
    response = post(client, "/claims/mark", {"month": "2026-10", "patient_id": PATIENT, "item": "C158", "claimed": "1"})
    assert response.status_code == 302 and len(services.records.all_claims()) == 1
