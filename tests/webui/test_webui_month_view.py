"""The month view's fixes (issue 14): warnings on the cell, 対象外, confirmation to mark a
not-ready item claimed, item names, problems-only filter and counts, paging."""

from __future__ import annotations

from webui_support import OTHER_PATIENT, PATIENT, post


def cell(page: str, patient: str, code_index: int) -> str:
    row = page[page.index(f'<tr id="p{patient}">'):]
    row = row[:row.index("</tr>")]
    return row.split('<td class="cell">')[code_index + 1]


def test_item_names_in_headers_and_era_month(login, documents):
    page = login("iji").get("/claims?month=2026-10").get_data(as_text=True)
    assert '<span class="code">C158</span><small class="item-name">酸素濃縮装置加算</small>' in page
    assert "令和8年10月" in page


def test_warning_is_visible_on_the_cell(login, services, documents):
    # The guidance record's measurement is from October: November's C103-2 is ready with a warning.
    services.records.correct_field(documents["guidance"], "guidance_date", "2026-11-05", "test")
    page = login("iji").get("/claims?month=2026-11").get_data(as_text=True)
    assert 'class="badge ready warn"' in page and 'class="warn-mark"' in page
    assert "前月以前の値です" in page and "注意つき 1" in page


def test_items_no_longer_needed_are_not_applicable(login, documents):
    # Contract ended 2027-03-31, device removed 2027-04-02: nothing is needed in 2027-04.
    page = login("iji").get("/claims?month=2027-04").get_data(as_text=True)
    row = page[page.index(f'<tr id="p{PATIENT}">'):]
    row = row[:row.index("</tr>")]
    assert 'class="badge na">対象外' in row and 'class="badge missing"' not in row


def test_counts_and_problems_only_filter(login, documents):
    client = login("iji")
    page = client.get("/claims?month=2026-10").get_data(as_text=True)
    assert "1 / 2人</strong> がすべて算定可" in page
    only = client.get("/claims?month=2026-10&only=problems").get_data(as_text=True)
    assert f'<tr id="p{OTHER_PATIENT}">' in only and f'<tr id="p{PATIENT}">' not in only
    assert "問題のある 1人だけを表示中" in only


def test_marking_a_not_ready_item_needs_confirmation_and_reason(login, services, documents):
    client = login("iji")
    form = {"month": "2026-10", "patient_id": OTHER_PATIENT, "item": "C103-2", "claimed": "1"}
    page = post(client, "/claims/mark", form, follow_redirects=True).get_data(as_text=True)
    assert "算定可ではありません" in page and services.records.all_claims() == []
    post(client, "/claims/mark", {**form, "reason": "指導記録は紙で確認済み"})  # no confirmation
    assert services.records.all_claims() == []
    post(client, "/claims/mark", {**form, "reason": "指導記録は紙で確認済み", "confirm": "1"})
    assert [(c["patient_id"], c["item"]) for c in services.records.all_claims()] == [(OTHER_PATIENT, "C103-2")]
    event = [r for r in services.records.audit_rows() if r.action == "claim_marked"][-1]
    assert event.details["reason"] == "指導記録は紙で確認済み" and event.details["status"] == "missing"


def test_marking_a_ready_item_needs_no_reason(login, services, documents):
    post(login("iji"), "/claims/mark", {"month": "2026-10", "patient_id": PATIENT, "item": "C158", "claimed": "1"})
    assert len(services.records.all_claims()) == 1
    event = [r for r in services.records.audit_rows() if r.action == "claim_marked"][-1]
    assert "reason" not in event.details


def test_not_ready_cell_offers_the_reason_form(login, documents):
    page = login("iji").get("/claims?month=2026-10").get_data(as_text=True)
    assert 'name="reason" required' in page and 'name="confirm" value="1" required' in page


def test_csv_has_claims_problems_and_evidence(login, services, documents):
    client = login("iji")
    post(client, "/claims/mark", {"month": "2026-10", "patient_id": PATIENT, "item": "C158", "claimed": "1"})
    text = client.get("/claims.csv?month=2026-10").data.decode("utf-8-sig")
    lines = text.splitlines()
    c158 = next(line for line in lines if f'"{PATIENT}"' in line and '"C158"' in line)
    assert '"済","iji"' in c158 and documents["contract"] in c158
    missing = next(line for line in lines if f'"{OTHER_PATIENT}"' in line and '"C103-2"' in line)
    assert '"不足"' in missing and "指導記録" in missing
    assert "ready" not in text and "missing" not in text
