"""The work lists (issue 14): ``/`` per role, ``/review``, ``/documents``, ``/patients``,
``/contracts`` with its CSV and the vendor totals: content, roles, paging, sorting."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, timedelta

import pytest
from webui_support import OTHER_PATIENT, PATIENT, XSS, post

from billing.months import Month
from records.store import NewDocument, NewField, NewPage
from shoko import worklists
from shoko.intake import index_entry

# -- helpers ---------------------------------------------------------------------


def today(services) -> date:
    return date.fromisoformat(services.records.now()[:10])


def add(services, tmp_path, doc_type: str, fields: dict, title: str = "", review: dict | None = None,
        department: str | None = None) -> str:
    """A stored document with a tiny original of its own (fast: no drawing)."""
    path = tmp_path / f"doc{len(list(tmp_path.glob('doc*')))}.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + repr((doc_type, fields, title, review)).encode() + path.name.encode())
    new = NewDocument(
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(), source_name=path.name, file_format="png",
        department=department, doc_type=doc_type, type_score=5.0, title=title or doc_type, text=title, raw_text=title,
        flags=[], pages=[NewPage(1, title, title, "ocr")],
        fields=[NewField(k, v, "filled", "ocr", 1, 0.93) for k, v in fields.items()]
        + [NewField(k, v, "review", "ocr", 1, c) for k, (v, c) in (review or {}).items()],
    )
    doc_id, _ = services.records.store_document(new, path, actor="test")
    services.index.add(index_entry(services.records.get(doc_id)))
    return doc_id


def ids_in(page: str) -> list[str]:
    """Document ids in the order their links appear (each once)."""
    return list(dict.fromkeys(re.findall(r'href="/documents/(D\d+)"', page)))


def table(page: str, css: str) -> str:
    start = page.index(f'<table class="list {css}"')
    return page[start:page.index("</table>", start)]


# -- the work list ---------------------------------------------------------------

# user -> (sections shown, sections not shown)
HOME = {
    "admin": (["要確認の文書", "の請求で未完了", "日以内に終了する契約", "隔離されたファイル"], []),
    "iji": (["要確認の文書", "の請求で未完了", "日以内に終了する契約"], []),
    "somu": (["要確認の文書", "日以内に終了する契約"], ["の請求で未完了"]),
    "kango": (["要確認の文書", "隔離されたファイル"], ["の請求で未完了", "日以内に終了する契約", "月額"]),
}


@pytest.mark.parametrize("user", HOME)
def test_landing_page_lists_the_roles_work(login, documents, user):
    shown, hidden = HOME[user]
    page = login(user).get("/").get_data(as_text=True)
    for text in shown:
        assert text in page, text
    for text in hidden:
        assert text not in page, text
    assert "最近取り込んだ文書" in page


def test_landing_counts_link_to_their_lists(login, services, documents):
    page = login("iji").get("/").get_data(as_text=True)
    review = page[page.index('class="work-item review'):]
    assert 'href="/review"' in review and re.search(r'class="figure">1<small>件', review)
    month = worklists.claim_month(today(services), 10)
    assert f'href="/claims?month={month}&amp;only=problems"' in page


def test_landing_review_count_is_the_roles_types(login, documents):
    # 総務課 clears contracts and removals: the guidance record's PaO2 is not theirs.
    page = login("somu").get("/").get_data(as_text=True)
    assert re.search(r'class="figure">0<small>件', page) and "全体では 1件" in page


def test_landing_counts_contracts_ending_soon(login, services, documents, tmp_path):
    end = today(services) + timedelta(days=20)
    add(services, tmp_path, "hot_contract", {"patient_id": "00999999", "contract_start": "2026-01-01",
                                             "contract_end": end.isoformat(), "vendor": "北斗メディカル"})
    page = login("somu").get("/").get_data(as_text=True)
    contracts = page[page.index('class="work-item contracts'):]
    assert re.search(r'class="figure">1<small>件', contracts) and end.isoformat() in contracts


def test_landing_escapes_titles(login, documents):
    page = login("admin").get("/").get_data(as_text=True)
    assert XSS not in page and "&lt;script&gt;" in page


# -- review ----------------------------------------------------------------------


def test_review_lists_documents_with_values_to_confirm_oldest_first(login, services, documents, tmp_path):
    newer = add(services, tmp_path, "hot_guidance_record", {"patient_id": PATIENT}, "指導記録 新",
                review={"spo2": (93, 0.9)})
    page = login("iji").get("/review").get_data(as_text=True)
    assert ids_in(page) == [documents["guidance"], newer]
    assert "PaO2（Torr）" in page and "候補" in page
    assert documents["contract"] not in ids_in(page)  # nothing to confirm there


def test_low_confidence_candidate_is_shown_not_prefilled(login, services, documents, tmp_path):
    sure = add(services, tmp_path, "hot_guidance_record", {"patient_id": PATIENT}, "sure", review={"spo2": (93, 0.9)})
    page = login("iji").get("/review").get_data(as_text=True)
    low = page[page.index(f'id="r-{documents["guidance"]}"'):page.index(f'id="r-{sure}"')]
    assert 'name="value" value=""' in low and "確からしさが低い" in low and "41%" in low
    high = page[page.index(f'id="r-{sure}"'):]
    assert 'name="value" value="93"' in high


@pytest.mark.parametrize("query, shown", [
    ("", ["guidance", "contract_review"]),
    ("?type=hot_contract", ["contract_review"]),
    ("?department=総務課", ["contract_review"]),
    ("?department=看護部", ["guidance"]),
])
def test_review_filters(login, services, documents, tmp_path, query, shown):
    extra = {"contract_review": add(services, tmp_path, "hot_contract", {"patient_id": PATIENT}, "契約",
                                    review={"monthly_fee": (8000, 0.7)}, department="総務課")}
    names = {**documents, **extra}
    page = login("admin").get("/review" + query).get_data(as_text=True)
    assert ids_in(page) == [names[n] for n in shown]


def test_review_shows_the_roles_types_unless_asked_for_all(login, services, documents, tmp_path):
    add(services, tmp_path, "hot_contract", {"patient_id": PATIENT}, "契約", review={"monthly_fee": (8000, 0.7)})
    client = login("kango")
    assert documents["guidance"] in client.get("/review").get_data(as_text=True)
    assert "契約" not in " ".join(re.findall(r'class="title"[^>]*>([^<]*)', client.get("/review").get_data(as_text=True)))
    assert len(ids_in(client.get("/review?all=1").get_data(as_text=True))) == 2


def test_confirm_from_the_review_list_is_audited_and_returns_to_it(login, services, documents):
    client = login("iji")
    response = post(client, f"/documents/{documents['guidance']}/fields",
                    {"name": "pao2", "value": "65", "action": "save", "next": f"/review#r-{documents['guidance']}"})
    assert response.status_code == 302 and response.headers["Location"] == f"/review#r-{documents['guidance']}"
    field = services.records.get(documents["guidance"]).fields["pao2"]
    assert field["state"] == "filled" and field["value"] == 65
    actions = [(e["action"], e["actor"]) for e in services.records.audit_for(documents["guidance"])]
    assert ("field_corrected", "iji") in actions
    assert documents["guidance"] not in ids_in(client.get("/review").get_data(as_text=True))


def test_review_next_cannot_leave_the_site(login, documents):
    response = post(login("iji"), f"/documents/{documents['guidance']}/fields",
                    {"name": "pao2", "value": "65", "next": "//evil.example/review"})
    assert response.headers["Location"].startswith(f"/documents/{documents['guidance']}")


def test_review_paging(login, services, documents, tmp_path):
    for n in range(11):
        add(services, tmp_path, "hot_guidance_record", {"patient_id": PATIENT}, f"記録{n}", review={"spo2": (90, 0.9)})
    client = login("iji")
    first = client.get("/review?per=10").get_data(as_text=True)
    second = client.get("/review?per=10&page=2").get_data(as_text=True)
    assert "12件（1 / 2 ページ）" in first and len(ids_in(first)) == 10 and len(ids_in(second)) == 2
    assert not set(ids_in(first)) & set(ids_in(second))
    assert 'href="/review?per=10&amp;page=2"' in first


# -- documents -------------------------------------------------------------------


def test_documents_list_newest_first_with_patient_and_date(login, documents):
    page = login("kango").get("/documents").get_data(as_text=True)
    rows = table(page, "documents")
    assert ids_in(rows) == [documents[n] for n in ("hostile", "other_contract", "removal", "contract", "order",
                                                   "guidance")]
    assert "2026-10-14（R8.10.14）" in rows and "山田 太郎" in rows and "1項目" in rows
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("query, order", [
    ("?sort=ingested&dir=asc", ["guidance", "order", "contract", "removal", "other_contract", "hostile"]),
    # document_date: 2026-10-14, 2026-10-01, 2026-04-01, 2026-03-25, then those without
    ("?sort=date&dir=desc", ["guidance", "hostile", "order", "contract", "other_contract", "removal"]),
    ("?sort=date&dir=asc", ["contract", "order", "hostile", "guidance", "removal", "other_contract"]),
    ("?sort=patient&dir=asc", ["guidance", "order", "contract", "removal", "other_contract", "hostile"]),
    ("?sort=type&dir=asc", ["contract", "other_contract", "removal", "guidance", "order", "hostile"]),
    ("?sort=title;drop table documents", ["hostile", "other_contract", "removal", "contract", "order", "guidance"]),
])
def test_documents_sorting_by_whitelisted_keys(login, documents, query, order):
    page = login("kango").get("/documents" + query).get_data(as_text=True)
    assert ids_in(table(page, "documents")) == [documents[n] for n in order]


@pytest.mark.parametrize("query, shown", [
    ("?type=hot_contract", ["other_contract", "contract"]),
    ("?department=総務課", ["contract"]),
    (f"?patient={OTHER_PATIENT}", ["other_contract"]),
    ("?review=1", ["guidance"]),
    ("?type=nonsense", ["hostile", "other_contract", "removal", "contract", "order", "guidance"]),
])
def test_documents_filters(login, documents, query, shown):
    page = login("kango").get("/documents" + query).get_data(as_text=True)
    assert ids_in(table(page, "documents")) == [documents[n] for n in shown]


def test_documents_bad_patient_filter_says_so(login, documents):
    page = login("kango").get("/documents?patient=abc").get_data(as_text=True)
    assert "患者IDは数字で入力してください" in page


def test_documents_paging_is_bounded(login, services, documents, tmp_path):
    for n in range(9):
        add(services, tmp_path, "other", {"document_date": "2026-11-01"}, f"お知らせ{n}")
    client = login("kango")
    page = client.get("/documents?per=1").get_data(as_text=True)  # at least 10 a page
    assert "15件（1 / 2 ページ）" in page and len(ids_in(table(page, "documents"))) == 10
    last = client.get("/documents?per=10&page=2").get_data(as_text=True)
    assert len(ids_in(table(last, "documents"))) == 5
    huge = client.get("/documents?per=100000").get_data(as_text=True)
    assert "15件（1 / 1 ページ）" in huge
    assert client.get("/documents?page=-3").status_code == 200


# -- patients --------------------------------------------------------------------


def test_patients_list_last_document_devices_and_contracts(login, documents):
    page = login("iji").get("/patients").get_data(as_text=True)
    rows = table(page, "patients")
    assert rows.index(PATIENT) < rows.index(OTHER_PATIENT)
    yamada = rows[rows.index(f'/patients/{PATIENT}"'):rows.index(f'/patients/{OTHER_PATIENT}"')]
    assert "山田 太郎" in yamada and "酸素濃縮装置" in yamada and "サンプル酸素" in yamada and "残り" in yamada
    assert f'/documents/{documents["removal"]}"' in yamada  # latest by date: the removal on 2027-04-02
    sato = rows[rows.index(f'/patients/{OTHER_PATIENT}"'):]
    assert "佐藤 花子" in sato and "設置型液化酸素装置" in sato and "期限なし" in sato


@pytest.mark.parametrize("query, first", [("?sort=patient&dir=desc", OTHER_PATIENT),
                                          ("?sort=name", OTHER_PATIENT),  # 佐藤 before 山田 in code order
                                          ("?sort=last&dir=desc", PATIENT), ("?sort=bogus", PATIENT)])
def test_patients_sorting(login, documents, query, first):
    rows = table(login("kango").get("/patients" + query).get_data(as_text=True), "patients")
    assert re.search(r'href="/patients/(\d+)"', rows).group(1) == first


def test_patients_filter_and_paging(login, services, documents, tmp_path):
    for n in range(10):
        add(services, tmp_path, "hot_guidance_record", {"patient_id": f"0050000{n}", "patient_name": f"患者 {n}号"})
    client = login("kango")
    page = client.get("/patients?per=10&page=2").get_data(as_text=True)
    assert "12件（2 / 2 ページ）" in page and len(re.findall(r'href="/patients/\d+"', table(page, "patients"))) == 2
    found = client.get("/patients?q=山田太郎").get_data(as_text=True)
    assert "1件" in found and PATIENT in found


def test_patient_page_shows_contract_state(login, services, documents, tmp_path):
    add(services, tmp_path, "hot_contract", {"patient_id": PATIENT, "contract_start": "2025-01-01",
                                             "contract_end": "2025-12-31", "vendor": "旧業者"})
    page = login("kango").get(f"/patients/{PATIENT}").get_data(as_text=True)
    contracts = page[page.index("契約期間"):page.index("文書の時系列")]
    assert "終了" in contracts and "残り" in contracts


# -- contracts -------------------------------------------------------------------


@pytest.fixture
def contract_set(services, documents, tmp_path):
    now = today(services)
    return {
        "soon": add(services, tmp_path, "hot_contract", {
            "patient_id": "00300001", "patient_name": "鈴木 一郎", "vendor": "北斗メディカル",
            "device_type": "concentrator", "contract_start": "2026-01-01",
            "contract_end": (now + timedelta(days=10)).isoformat(), "monthly_fee": 7000}),
        "later": add(services, tmp_path, "hot_contract", {
            "patient_id": "00300002", "vendor": "=HYPERLINK(\"http://x\")", "device_type": "concentrator",
            "contract_start": "2026-01-01", "contract_end": (now + timedelta(days=45)).isoformat(),
            "monthly_fee": 5000}),
        "ended": add(services, tmp_path, "hot_contract", {
            "patient_id": "00300003", "vendor": "北斗メディカル", "device_type": "concentrator",
            "contract_start": "2025-01-01", "contract_end": (now - timedelta(days=3)).isoformat(),
            "monthly_fee": 6000}),
    }


def test_contracts_ending_soonest_first_and_ended_marked(login, documents, contract_set):
    page = login("somu").get("/contracts").get_data(as_text=True)
    order = ids_in(table(page, "contracts"))
    assert order[:2] == [contract_set["soon"], contract_set["later"]]
    assert order[-1] == contract_set["ended"]
    rows = table(page, "contracts")
    assert "残り10日" in rows and "終了間近" in rows and '<tr class="ended">' in rows
    assert "8,000円" in rows and "サンプル酸素" in rows and "鈴木 一郎" in rows
    assert "=HYPERLINK" in page and "<a href=\"http://x\"" not in page


@pytest.mark.parametrize("query, first", [
    ("?sort=fee&dir=desc", "contract"), ("?sort=fee&dir=asc", "later"),
    ("?sort=start&dir=asc", "ended"), ("?sort=patient", "contract"),
])
def test_contracts_sorting(login, documents, contract_set, query, first):
    names = {**documents, **contract_set}
    rows = table(login("somu").get("/contracts" + query).get_data(as_text=True), "contracts")
    assert ids_in(rows)[0] == names[first]


def test_contracts_filters(login, documents, contract_set):
    client = login("somu")
    assert ids_in(table(client.get("/contracts?state=ended").get_data(as_text=True), "contracts")) == [
        contract_set["ended"]]
    assert set(ids_in(table(client.get("/contracts?vendor=北斗").get_data(as_text=True), "contracts"))) == {
        contract_set["soon"], contract_set["ended"]}


def test_contracts_csv(login, documents, contract_set):
    response = login("somu").get("/contracts.csv")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    assert re.search(r'filename="shoko-contracts-\d{4}-\d{2}-\d{2}-utf8.csv"', response.headers["Content-Disposition"])
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:8] == ["文書ID", "患者ID", "患者氏名", "業者", "機器", "開始日", "終了日", "月額"]
    assert rows[1][0] == contract_set["soon"] and rows[1][1] == "00300001" and rows[1][8] == "終了間近"
    assert '"00300001"' in response.data.decode("utf-8-sig")  # quoted: text for an importer
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert any(r[3] == "'=HYPERLINK(\"http://x\")" for r in rows)  # neutralised by csv_cell
    sjis = login("somu").get("/contracts.csv?encoding=sjis")
    assert "-sjis.csv" in sjis.headers["Content-Disposition"] and "北斗メディカル" in sjis.data.decode("cp932")
    assert login("somu").get("/contracts.csv?encoding=latin-1").status_code == 400


def test_vendor_totals_for_a_month(login, services, documents, contract_set):
    month = str(Month.of(today(services) - timedelta(days=3)))  # the ended contract still ran then
    page = login("somu").get(f"/contracts/vendors?month={month}").get_data(as_text=True)
    table_html = table(page, "vendors")
    assert "北斗メディカル" in table_html and "13,000円" in table_html  # 7,000 + 6,000 (ended this month or later)
    assert "サンプル酸素" in table_html and "8,000円" in table_html


def test_vendor_totals_leave_out_contracts_outside_the_month(login, documents, contract_set):
    page = login("somu").get("/contracts/vendors?month=2024-01").get_data(as_text=True)
    assert "にかかる契約はありません" in page


@pytest.mark.parametrize("user, url, status", [
    ("kango", "/contracts", 403), ("kango", "/contracts.csv", 403), ("kango", "/contracts/vendors", 403),
    ("iji", "/contracts", 200), ("iji", "/contracts/vendors", 403),
    ("somu", "/contracts/vendors", 200), ("admin", "/contracts/vendors", 200),
    ("kango", "/review", 200), ("kango", "/documents", 200), ("kango", "/patients", 200),
])
def test_roles(login, documents, user, url, status):
    assert login(user).get(url).status_code == status


def test_nursing_sees_no_billing(login, documents):
    page = login("kango").get("/").get_data(as_text=True)
    assert "/claims" not in page and "/contracts" not in page
    assert "月額" not in login("kango").get("/patients").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/review", "/documents", "/patients", "/contracts", "/contracts.csv",
                                 "/contracts/vendors"])
def test_signed_out_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# -- the readings behind the lists ----------------------------------------------


@pytest.mark.parametrize("day, expected", [
    ("2026-12-01", "2026-11"), ("2026-12-10", "2026-11"), ("2026-12-11", "2026-12"), ("2027-01-05", "2026-12"),
])
def test_claim_month(day, expected):
    assert worklists.claim_month(date.fromisoformat(day), 10) == expected


def _contract(n, **fields):
    return {"id": f"D{n:06d}", "number": n, "doc_type": "hot_contract", "ingested_at": "",
            "fields": {"patient_id": "001", **fields}}


@pytest.mark.parametrize("fields, removal, state, days", [
    ({"contract_start": "2026-01-01", "contract_end": "2026-12-31"}, None, "ending", 30),
    ({"contract_start": "2026-01-01", "contract_end": "2027-06-30"}, None, "active", 211),
    ({"contract_start": "2026-01-01"}, None, "open", None),
    ({"contract_start": "2026-01-01", "contract_end": "2026-11-30"}, None, "ended", None),
    ({"contract_start": "2026-01-01", "device_type": "concentrator"}, "2026-11-15", "ended", None),
    ({"contract_start": "2026-01-01", "device_type": "liquid_stationary"}, "2026-11-15", "open", None),
    ({"contract_start": "2026-11-20", "device_type": "concentrator"}, "2026-11-15", "open", None),  # earlier device
])
def test_contract_states(fields, removal, state, days):
    facts = [_contract(1, **fields)]
    if removal:
        facts.append({"id": "D000002", "number": 2, "doc_type": "hot_device_removal", "ingested_at": "",
                      "fields": {"patient_id": "001", "device_type": "concentrator", "removal_date": removal}})
    (row,) = worklists.contracts(facts, date(2026, 12, 1), 60)
    assert (row.state, row.days_left) == (state, days)


def test_vendor_totals_count_contracts_running_in_the_month():
    facts = [_contract(1, vendor="A", contract_start="2026-01-01", contract_end="2026-10-31", monthly_fee=100),
             _contract(2, vendor="A", contract_start="2026-11-01", monthly_fee=50),
             _contract(3, vendor="B", contract_start="2026-10-15"),
             _contract(4, vendor="B", contract_start="2026-12-01", monthly_fee=10)]
    rows = worklists.contracts(facts, date(2026, 12, 1), 60)
    totals = worklists.vendor_totals(rows, Month(2026, 10))
    assert [(t.vendor, t.contracts, t.total, t.without_fee) for t in totals] == [("A", 1, 100, 0), ("B", 1, 0, 1)]
