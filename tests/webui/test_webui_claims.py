"""The month view (issue 6): marks, evidence, 摘要, claimed marks, CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date

from webui_support import OTHER_PATIENT, PATIENT, post
from shoko.claims import month_report
from shoko.worklists import claim_month


def test_month_view_shows_patients_items_and_marks(login, documents):
    page = login("iji").get("/claims?month=2026-10").get_data(as_text=True)
    assert "月次請求 2026-10" in page
    assert PATIENT in page and "山田 太郎" in page and OTHER_PATIENT in page
    assert "C103-2" in page and "C158" in page
    assert "算定可" in page and "不足" in page
    assert 'class="mark ready"' in page and 'class="mark missing"' in page


def test_marks_open_evidence_problems_and_summary(login, documents):
    page = login("iji").get("/claims?month=2026-10").get_data(as_text=True)
    assert f'href="/documents/{documents["guidance"]}"' in page and f'href="/documents/{documents["contract"]}"' in page
    assert "指導記録（指導日が 2026-10 のもの）がありません" in page  # the other patient's problem
    assert "SpO2 96%（R8.10.14）</textarea>" in page
    assert 'class="copy"' in page and "copy.js" in page


def test_month_view_matches_the_claim_check(login, services, documents):
    report = month_report(services.records, "2026-10").to_dict()
    statuses = {(p["patient_id"], i["item"]): i["status"] for p in report["patients"] for i in p["items"]}
    assert statuses[(PATIENT, "C103-2")] == "ready"
    assert statuses[(PATIENT, "C158")] == "ready"
    assert statuses[(OTHER_PATIENT, "C103-2")] == "missing"


def test_staff_link_without_patient_counts_for_the_documents_patient(services, documents):
    services.records.add_link(documents["guidance"], "C103-1", "2026-10", "iji", reason="小児科の指示")
    report = month_report(services.records, "2026-10").to_dict()
    items = {i["item"]: i for p in report["patients"] if p["patient_id"] == PATIENT for i in p["items"]}
    assert "C103-1" in items


def test_default_month_is_the_claim_month(login, services):
    # The previous month until claim_month_switch_day (10), then the current one.
    today = date.fromisoformat(services.records.now()[:10])
    page = login("iji").get("/claims").get_data(as_text=True)
    assert f"月次請求 {claim_month(today, 10)}" in page


def test_bad_month_is_400(login):
    assert login("iji").get("/claims?month=2026-13").status_code == 400


def test_month_navigation_links(login):
    page = login("iji").get("/claims?month=2026-01").get_data(as_text=True)
    assert "month=2025-12" in page and "month=2026-02" in page


def test_mark_and_unmark_claimed(login, services, documents):
    client = login("iji")
    response = post(client, "/claims/mark", {"month": "2026-10", "patient_id": PATIENT, "item": "C158", "claimed": "1"})
    assert response.status_code == 302
    claims = services.records.all_claims()
    assert [(c["patient_id"], c["item"], c["month"], c["actor"]) for c in claims] == [(PATIENT, "C158", "2026-10", "iji")]
    page = client.get("/claims?month=2026-10").get_data(as_text=True)
    assert "請求済み: iji" in page and "未請求に戻す" in page
    post(client, "/claims/mark", {"month": "2026-10", "patient_id": PATIENT, "item": "C158", "claimed": "0"})
    assert services.records.all_claims() == []


def test_only_billing_and_admin_see_the_month(login):
    for user in ("kango", "somu"):
        client = login(user)
        assert client.get("/claims?month=2026-10").status_code == 403
        assert client.get("/claims.csv?month=2026-10").status_code == 403
        post(client, "/logout")
    assert login("admin").get("/claims?month=2026-10").status_code == 200


def test_nursing_cannot_mark_claimed(login, services):
    response = post(login("kango"), "/claims/mark",
                    {"month": "2026-10", "patient_id": PATIENT, "item": "C158", "claimed": "1"})
    assert response.status_code == 403
    assert services.records.all_claims() == []


def test_csv_export_utf8_with_bom(login, documents):
    response = login("iji").get("/claims.csv?month=2026-10")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="shoko-claims-2026-10-utf8.csv"' in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["患者ID", "患者氏名", "項目コード", "点数", "状態", "摘要", "項目名", "問題・注意", "根拠の文書",
                       "請求済み", "請求者", "請求日時"]
    assert [PATIENT, "山田 太郎", "C103-2"] == rows[1][:3] and rows[1][5] == "SpO2 96%（R8.10.14）"
    assert rows[1][4] == "算定可" and rows[1][6] == "在宅酸素療法指導管理料 その他の場合"


def test_csv_export_shift_jis(login, documents):
    response = login("iji").get("/claims.csv?month=2026-10&encoding=sjis")
    assert response.headers["Content-Type"] == "text/csv; charset=Shift_JIS"
    assert not response.data.startswith(b"\xef\xbb\xbf")
    assert 'filename="shoko-claims-2026-10-sjis.csv"' in response.headers["Content-Disposition"]
    assert "山田 太郎" in response.data.decode("cp932")


def test_csv_unknown_encoding_is_400(login):
    assert login("iji").get("/claims.csv?month=2026-10&encoding=latin-1").status_code == 400
