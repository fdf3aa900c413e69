"""Data entry (issue 14): 和暦 dates, plausible ranges, no-op saves, low-confidence
candidates, confirmations, correctable titles, the timeline's unread values."""

from __future__ import annotations

import pytest
from webui_support import PATIENT, post

from webui.fields import parse_value


@pytest.mark.parametrize("typed, stored", [
    ("令和8年8月19日", "2026-08-19"), ("R8.8.19", "2026-08-19"), ("r8.8.19", "2026-08-19"),
    ("令和元年5月1日", "2019-05-01"), ("2026-08-19", "2026-08-19"), ("2026/8/19", "2026-08-19"),
    ("２０２６年８月１９日", "2026-08-19"), ("H31.4.30", "2019-04-30"),
])
def test_era_and_western_dates_are_read(typed, stored):
    assert parse_value("guidance_date", typed) == stored


@pytest.mark.parametrize("name, typed, message", [
    ("guidance_date", "平成31年5月1日", "和暦"), ("guidance_date", "2026-02-30", "その日付はありません"),
    ("guidance_date", "R8.8.19 R8.8.20", "和暦"), ("spo2", "910", "50〜100%"), ("spo2", "49", "50〜100%"),
    ("pao2", "5", "20〜200 Torr"), ("flow_rest", "40", "0〜15 L/分"), ("monthly_fee", "5,000,000", "1,000,000円"),
])
def test_implausible_values_are_refused_with_the_range(name, typed, message):
    with pytest.raises(ValueError, match=message):
        parse_value(name, typed)


def test_typed_era_date_is_stored_iso_and_shown_with_era(login, services, documents):
    client = login("kango")
    post(client, f"/documents/{documents['guidance']}/fields", {"name": "guidance_date", "value": "令和8年10月15日"})
    assert services.records.get(documents["guidance"]).fields["guidance_date"]["value"] == "2026-10-15"
    assert "2026-10-15（R8.10.15）" in client.get(f"/documents/{documents['guidance']}").get_data(as_text=True)


def test_spo2_910_is_refused_with_a_message(login, services, documents):
    page = post(login("kango"), f"/documents/{documents['guidance']}/fields", {"name": "spo2", "value": "910"},
                follow_redirects=True).get_data(as_text=True)
    assert "910% はありえない値です" in page
    assert services.records.get(documents["guidance"]).fields["spo2"]["value"] == 96


def test_saving_an_unchanged_value_adds_no_history(login, services, documents):
    before = len(services.records.audit_rows())
    page = post(login("kango"), f"/documents/{documents['guidance']}/fields", {"name": "spo2", "value": "96"},
                follow_redirects=True).get_data(as_text=True)
    assert "変わっていません" in page
    assert services.records.field_history(documents["guidance"]) == []
    assert all(r.action != "field_corrected" for r in services.records.audit_rows()[before:])


def test_low_confidence_candidate_is_not_prefilled_on_the_document(login, documents):
    page = login("kango").get(f"/documents/{documents['guidance']}").get_data(as_text=True)
    pao2 = page[page.index('value="pao2"'):]
    pao2 = pao2[:pao2.index("</form>")]
    assert 'name="value" value=""' in pao2 and 'placeholder="候補 65"' in pao2
    assert "確からしさが低いため" in page


def test_destructive_actions_ask_first(login, documents, services):
    client = login("admin")
    page = client.get(f"/documents/{documents['guidance']}").get_data(as_text=True)
    assert 'data-confirm="医師の値を消します' in page and "forms.js" in page


def test_title_can_be_corrected_and_is_audited(login, services, documents):
    client = login("kango")
    post(client, f"/documents/{documents['guidance']}/title", {"title": "在宅酸素療法指導記録（10月）"})
    assert services.records.get(documents["guidance"]).title == "在宅酸素療法指導記録（10月）"
    event = [e for e in services.records.audit_for(documents["guidance"]) if e["action"] == "title_corrected"][-1]
    assert event["actor"] == "kango" and event["details"]["old_title"] == "在宅酸素療法指導記録"
    assert "表題の修正" in client.get(f"/documents/{documents['guidance']}").get_data(as_text=True)
    assert documents["guidance"] in client.get("/search?q=10月").get_data(as_text=True)


def test_empty_title_is_refused(login, services, documents):
    page = post(login("kango"), f"/documents/{documents['guidance']}/title", {"title": "  "},
                follow_redirects=True).get_data(as_text=True)
    assert "表題は1文字以上" in page and services.records.get(documents["guidance"]).title == "在宅酸素療法指導記録"


def test_title_correction_needs_the_permission(client, documents):
    assert post(client, f"/documents/{documents['guidance']}/title", {"title": "x"}).status_code in (302, 401)


def test_timeline_leaves_out_unread_values(login, services, documents):
    services.records.correct_field(documents["guidance"], "spo2", None, "test")
    page = login("kango").get(f"/patients/{PATIENT}").get_data(as_text=True)
    assert "SpO2 —%" not in page and "PaO2 —" not in page and "測定値の記載なし" in page
