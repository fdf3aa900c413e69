"""The search page: words, filters, highlighted snippets, pagination."""

from __future__ import annotations

import re

from webui_support import PATIENT, XSS


def test_root_is_the_work_list_with_a_way_to_search(login):
    # "/" became the signed-in user's work list (issue 14); search is one click away.
    response = login("kango").get("/")
    assert response.status_code == 200 and 'href="/search"' in response.get_data(as_text=True)


def test_empty_search_shows_the_form(login):
    page = login("kango").get("/search").get_data(as_text=True)
    assert 'name="q"' in page and 'name="type"' in page and 'name="month"' in page and 'name="patient"' in page
    assert "件" not in page.split("</form>")[1]  # no result count before a search


def test_japanese_words_find_and_highlight(login, documents):
    page = login("kango").get("/search?q=指導記録").get_data(as_text=True)
    assert f'href="/documents/{documents["guidance"]}"' in page
    assert "<mark>" in page
    assert "指導記録" in page and PATIENT in page and "2026-10-14" in page


def test_a_name_with_or_without_space(login, documents):
    client = login("kango")
    with_space = client.get("/search?q=山田 太郎").get_data(as_text=True)
    without = client.get("/search?q=山田太郎").get_data(as_text=True)
    for page in (with_space, without):
        assert documents["guidance"] in page and documents["contract"] in page


def test_patient_id_finds_the_patients_documents(login, documents):
    page = login("kango").get(f"/search?q={PATIENT}").get_data(as_text=True)
    for name in ("guidance", "order", "contract"):
        assert documents[name] in page


def test_type_filter(login, documents):
    page = login("kango").get("/search?q=山田&type=hot_contract").get_data(as_text=True)
    assert documents["contract"] in page and documents["guidance"] not in page
    assert "契約書" in page


def test_patient_department_and_month_filters(login, documents):
    client = login("kango")
    page = client.get("/search?patient=00234567").get_data(as_text=True)
    assert documents["other_contract"] in page and documents["contract"] not in page
    page = client.get("/search?q=山田&department=総務課").get_data(as_text=True)
    assert documents["contract"] in page and documents["guidance"] not in page
    page = client.get("/search?q=山田&month=2026-10").get_data(as_text=True)
    assert documents["guidance"] in page and documents["contract"] not in page


def test_bad_filters_are_explained_not_fatal(login):
    page = login("kango").get("/search?q=酸素&month=2026-99&patient=abc").get_data(as_text=True)
    assert "月は 2026-10 の形" in page and "患者IDは数字" in page


def test_no_hits(login):
    page = login("kango").get("/search?q=存在しない言葉ですよ").get_data(as_text=True)
    assert "0件" in page and "一致する文書はありません" in page


def test_snippets_and_titles_are_escaped(login, documents):
    page = login("kango").get("/search?q=お知らせ").get_data(as_text=True)
    assert documents["hostile"] in page
    assert XSS not in page and "&lt;script&gt;" in page
    assert not re.search(r"<mark>[^<]*<script", page)


def test_pagination(app, login, documents):
    app.config["RESULTS_PER_PAGE"] = 2
    client = login("kango")
    first = client.get(f"/search?q={PATIENT}").get_data(as_text=True)
    assert "（1 / 2 ページ）" in first and "次へ" in first
    assert f"/search?page=2&amp;q={PATIENT}" in first
    second = client.get(f"/search?q={PATIENT}&page=2").get_data(as_text=True)
    assert "（2 / 2 ページ）" in second and "前へ" in second
    found = set(re.findall(r'class="title" href="/documents/(D\d+)"', first + second))
    assert found == {documents["guidance"], documents["order"], documents["contract"], documents["removal"]}


def test_sort_by_date_newest_first_and_pages_keep_the_order(app, login, documents):
    client = login("kango")
    page = client.get(f"/search?q={PATIENT}").get_data(as_text=True)
    assert "関連度順" in page and "日付順" in page
    by_date = client.get(f"/search?q={PATIENT}&sort=date").get_data(as_text=True)
    found = re.findall(r'class="title" href="/documents/(D\d+)"', by_date)
    assert found[:2] == [documents["removal"], documents["guidance"]]  # 2027-04-02, then 2026-10-14
    assert '<option value="date" selected>日付順</option>' in by_date
    app.config["RESULTS_PER_PAGE"] = 2
    first = client.get(f"/search?q={PATIENT}&sort=date").get_data(as_text=True)
    assert "sort=date" in first.split('class="pager"')[1]
    second = client.get(f"/search?q={PATIENT}&sort=date&page=2").get_data(as_text=True)
    rest = re.findall(r'class="title" href="/documents/(D\d+)"', second)
    assert set(rest) == {documents["order"], documents["contract"]}
    assert client.get(f"/search?q={PATIENT}&sort=whatever").status_code == 200  # an unknown order: relevance
