"""The 在宅復帰率 monitor page (issue 16): who may see it, what it shows, the audited
add/correct form and the CSV import, with CSRF and escaping."""

from __future__ import annotations

import io
from datetime import date

import pytest
from webui_support import XSS, post

from billing.months import Month
from records import NewDischarge

HEADER = "患者ID,病棟,退院日,区分,退院先,死亡,再入院通算,短期滞在手術,在宅復帰機能強化加算"


def add(services, patient: str, day: str, destination: str = "自宅", kind: str = "discharge", ward: str = "4階東",
        **flags) -> int:
    return services.records.save_discharge(None, NewDischarge(patient, ward, day, kind, destination, **flags), "test")


@pytest.fixture
def this_month(services) -> Month:
    return Month.of(date.fromisoformat(services.records.now()[:10]))


@pytest.mark.parametrize("username, status", [("iji", 200), ("admin", 200), ("kango", 403), ("somu", 403)])
def test_only_iji_and_admin_see_the_monitor(login, username, status):
    client = login(username)
    assert client.get("/homereturn").status_code == status
    nav = client.get("/search").get_data(as_text=True)
    assert ('href="/homereturn"' in nav) == (status == 200)


@pytest.mark.parametrize("username", ["kango", "somu"])
def test_other_roles_cannot_add_records(login, services, username):
    client = login(username)
    response = post(client, "/homereturn/discharges", {"patient_id": "1", "ward": "4階東", "exit_date": "2026-05-01",
                                                       "kind": "discharge", "destination": "自宅"})
    assert response.status_code == 403 and services.records.discharges() == []


def test_signed_out_is_sent_to_sign_in(client):
    assert "/login" in client.get("/homereturn").headers["Location"]


def test_the_month_with_counted_and_left_out_patients_and_the_chart(login, services):
    for n, destination in enumerate(["自宅", "特養", "サ高住", "○○病院"]):
        add(services, f"0020000{n}", f"2026-0{n + 4}-10", destination)
    add(services, "00200009", "2026-08-01", "", death=True)
    add(services, "00200010", "2026-09-15", "よくわからない所")
    page = login("iji").get("/homereturn?month=2026-10").get_data(as_text=True)
    assert "在宅復帰率モニター 2026-10" in page
    assert '<dd class="numerator">3</dd>' in page and '<dd class="denominator">5</dd>' in page
    assert "60.0%" in page and "72.5% 以上" in page and "基準を下回っています" in page
    assert "死亡退院のため対象外" in page and "00200009" in page
    assert "よくわからない所" in page and "判別できません" in page and 'class="not_home unknown' in page
    # The chart is inline SVG drawn by the server: twelve months, the threshold line, no external asset.
    assert '<svg class="chart"' in page and page.count('class="threshold"') >= 1 and 'class="rate-line"' in page
    assert "2025-11" in page and "基準 72.5%" in page and "http" not in page.split("<svg", 1)[1].split("</svg>")[0]


def test_an_empty_window_is_not_computable(login):
    page = login("iji").get("/homereturn?month=2026-10").get_data(as_text=True)
    assert "計算できません" in page and "基準を満たしているとはいえません" in page


def test_a_warning_when_the_projection_with_planned_discharges_falls_below(login, services, this_month):
    # Last month: everyone went home. This month: planned discharges to hospitals pull the projection down.
    add(services, "00300001", this_month.shift(-1).first_day.isoformat(), "自宅")
    client = login("iji")
    assert "hr-warning" not in client.get("/homereturn").get_data(as_text=True)
    add(services, "00300002", this_month.last_day.isoformat(), "○○病院")
    add(services, "00300003", this_month.last_day.isoformat(), "○○病院")
    page = client.get("/homereturn").get_data(as_text=True)
    assert 'class="flash error hr-warning"' in page and "下回ります" in page
    assert f"{this_month.shift(1)} の見込み" in page


def test_add_then_correct_a_record_is_audited(login, services):
    client = login("iji")
    form = {"patient_id": "００４００００１", "ward": "4階東", "exit_date": "2026-05-01", "kind": "discharge",
            "destination": "老健", "month": "2026-10", "ward_shown": ""}
    response = post(client, "/homereturn/discharges", form)
    assert response.status_code == 302 and response.headers["Location"].startswith("/homereturn?month=2026-10")
    [row] = services.records.discharges()
    assert (row["patient_id"], row["destination"], row["holds_addition"], row["source"]) == ("00400001", "老健", False,
                                                                                             "staff")
    page = client.get(f"/homereturn?month=2026-10&edit={row['id']}").get_data(as_text=True)
    assert f'name="id" value="{row["id"]}"' in page and "退院記録を修正する" in page
    post(client, "/homereturn/discharges", {**form, "patient_id": "00400001", "id": str(row["id"]),
                                            "holds_addition": "1"})
    [row] = services.records.discharges()
    assert row["holds_addition"] is True
    events = [r for r in services.records.audit_rows() if r.action == "discharge_saved"]
    assert [(e.actor, e.details["old"] is None) for e in events] == [("iji", True), ("iji", False)]
    assert events[1].details["old"]["holds_addition"] is False and events[1].details["new"]["holds_addition"] is True
    page = client.get("/homereturn?month=2026-10").get_data(as_text=True)
    assert "在宅復帰・在宅療養支援機能加算あり" in page


def test_bad_form_values_are_refused_with_a_reason(login, services):
    client = login("iji")
    response = post(client, "/homereturn/discharges", {"patient_id": "12", "ward": "4階東", "exit_date": "2026-02-30",
                                                       "kind": "discharge"}, follow_redirects=True)
    assert "退院日を 2026-10-14 の形で" in response.get_data(as_text=True)
    response = post(client, "/homereturn/discharges", {"patient_id": "12", "ward": "4階東", "exit_date": "2026-02-03",
                                                       "kind": "退所"}, follow_redirects=True)
    assert "区分は退院か転棟" in response.get_data(as_text=True)
    assert services.records.discharges() == []


def test_the_form_needs_the_csrf_token(login, services):
    response = login("iji").post("/homereturn/discharges", data={"patient_id": "1", "ward": "4階東",
                                                                 "exit_date": "2026-05-01", "kind": "discharge"})
    assert response.status_code == 400 and services.records.discharges() == []


def test_remove_a_planned_discharge_is_audited(login, services):
    number = add(services, "00500001", "2026-09-30", "自宅")
    response = post(login("iji"), f"/homereturn/discharges/{number}/remove", {"month": "2026-10"})
    assert response.status_code == 302 and services.records.discharges() == []
    assert [r.action for r in services.records.audit_rows()][-1] == "discharge_removed"


def test_csv_import_from_the_page_all_or_nothing(login, services):
    client = login("iji")
    good = f"{HEADER}\r\n00600001,4階東,2026-05-01,退院,自宅,0,0,0,0\r\n".encode("cp932")
    bad = f"{HEADER}\r\n00600002,4階東,2026-05-02,退院,自宅,0,0,0,0\r\n00600003,4階東,2026/5/40,退院,自宅,0,0,0,0\r\n"
    response = post(client, "/homereturn/import", {"month": "2026-10", "file": (io.BytesIO(bad.encode("utf-8")), "b.csv")},
                    content_type="multipart/form-data", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "何も取り込みませんでした" in text and "3行目" in text and services.records.discharges() == []
    response = post(client, "/homereturn/import", {"month": "2026-10", "file": (io.BytesIO(good), "a.csv")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "1 行を取り込みました" in response.get_data(as_text=True)
    assert [r["patient_id"] for r in services.records.discharges()] == ["00600001"]


def test_every_string_is_escaped(login, services):
    add(services, "00700001", "2026-05-01", XSS, ward=XSS)
    page = login("iji").get("/homereturn?month=2026-10").get_data(as_text=True)
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("query", ["month=2026-13", "month=0000-01", "edit=abc"])
def test_bad_arguments_are_400(login, query):
    assert login("iji").get(f"/homereturn?{query}").status_code == 400


def test_months_before_the_first_revision_still_show(login):
    page = login("iji").get("/homereturn?month=2014-06").get_data(as_text=True)
    assert "在宅復帰率モニター 2014-06" in page and "70.0% 以上" in page
