"""The patient page: every document of the patient on a timeline."""

from __future__ import annotations

from webui_support import PATIENT


def test_timeline_lists_every_document_newest_first(login, documents):
    page = login("kango").get(f"/patients/{PATIENT}").get_data(as_text=True)
    assert "山田 太郎" in page
    positions = [page.index(f'/documents/{documents[name]}"', page.index("文書の時系列"))
                 for name in ("removal", "guidance", "contract", "order")]
    assert positions == sorted(positions)  # 2027-04-02, 2026-10-14, 2026-04-01 (contract start), 2026-04-01
    assert documents["other_contract"] not in page and documents["hostile"] not in page


def test_timeline_shows_periods_measurements_and_removal(login, documents):
    page = login("kango").get(f"/patients/{PATIENT}").get_data(as_text=True)
    assert "契約期間" in page and "2026-04-01 〜 2027-03-31" in page and "酸素濃縮装置" in page
    assert "SpO2 96%" in page
    assert "撤去 2027-04-02" in page
    assert "8,000円" not in page  # monthly fees are for 総務課, 医事課 and admin (view_contracts)
    assert "8,000円" in login("somu").get(f"/patients/{PATIENT}").get_data(as_text=True)


def test_open_ended_contract(login, documents):
    page = login("kango").get("/patients/00234567").get_data(as_text=True)
    assert "2026-09-01 〜 期限なし" in page


def test_unknown_or_malformed_patient_is_404(login):
    client = login("kango")
    assert client.get("/patients/99999999").status_code == 404
    assert client.get("/patients/abc").status_code == 404


def test_a_long_timeline_comes_in_pages(login, services, tmp_path):
    from webui_support import store

    for n in range(55):
        store(services, tmp_path, f"g{n:02d}.png", "hot_guidance_record", "在宅酸素療法指導記録",
              [["在宅酸素療法指導記録", f"患者ID 00999999 回 {n}"]],
              {"patient_id": "00999999", "guidance_date": f"2025-{n % 12 + 1:02d}-{n % 28 + 1:02d}"})
    client = login("kango")
    first = client.get("/patients/00999999").get_data(as_text=True)
    assert first.count('class="entry ') == 50 and "?page=2" in first
    second = client.get("/patients/00999999?page=2").get_data(as_text=True)
    assert second.count('class="entry ') == 5
    assert client.get("/patients/00999999?page=99").status_code == 200
