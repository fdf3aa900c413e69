"""A late scan is shown in Japanese on the document page."""

from __future__ import annotations

from webui_support import store


def test_late_scan_flag_is_explained_on_the_document_page(login, services, tmp_path):
    (tmp_path / "in").mkdir()
    flag = "late_scan: スキャン遅延: 文書日付 2026-10-01 から 6 営業日後に取り込み（基準 3 営業日以内）"
    doc_id = store(services, tmp_path / "in", "遅れ.png", "hot_prescription", "在宅酸素療法指示書",
                   [["在宅酸素療法指示書"]], {"document_date": "2026-10-01"}, flags=[flag])
    page = login("kango").get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "スキャン遅延: 文書日付 2026-10-01 から 6 営業日後に取り込み" in page
    assert "基準の営業日数を過ぎて取り込まれました" in page
