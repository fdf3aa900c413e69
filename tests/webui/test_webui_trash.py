"""The trash on the web: a reason is required, only admin and 総務課 may delete, only the
admin restores and purges (after retention), CSRF as everywhere."""

from __future__ import annotations

from webui_support import post


def test_somu_moves_a_document_to_the_trash_with_a_reason(login, documents, services):
    doc_id = documents["guidance"]
    client = login("somu")
    page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "ゴミ箱へ移動" in page
    assert post(client, f"/documents/{doc_id}/trash", {"reason": "  "}).status_code == 302
    assert services.records.trash_entry(doc_id) is None  # no reason: nothing happens
    assert client.post(f"/documents/{doc_id}/trash", data={"reason": "誤登録"}).status_code == 400  # no CSRF token
    assert post(client, f"/documents/{doc_id}/trash", {"reason": "別の患者の文書"}).status_code == 302
    assert services.records.trash_entry(doc_id)["reason"] == "別の患者の文書"
    page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "ゴミ箱にあります" in page and "別の患者の文書" in page
    assert doc_id not in client.get("/search?q=指導記録").get_data(as_text=True)
    assert client.get("/admin/trash").status_code == 403  # the list is the admin's


def test_other_roles_cannot_trash(login, documents, services):
    for user in ("iji", "kango"):
        client = login(user)
        assert "ゴミ箱へ移動" not in client.get(f"/documents/{documents['order']}").get_data(as_text=True)
        assert post(client, f"/documents/{documents['order']}/trash", {"reason": "x"}).status_code == 403
    assert services.records.trash_entry(documents["order"]) is None


def test_admin_lists_restores_and_purges_only_after_retention(login, documents, services):
    recent, old = documents["guidance"], documents["order"]
    services.trash_document(recent, "誤登録", actor="somu")
    services.trash_document(old, "重複", actor="somu")
    with services.records.write() as conn:  # the order was written and taken in long ago
        conn.exec_driver_sql(f"UPDATE documents SET ingested_at = '2001-01-01T09:00:00+09:00' WHERE id = {int(old[1:])}")
        conn.exec_driver_sql(f"DELETE FROM fields WHERE document_id = {int(old[1:])} AND name = 'document_date'")
    client = login("admin")
    page = client.get("/admin/trash").get_data(as_text=True)
    assert recent in page and old in page and "誤登録" in page and "重複" in page
    assert post(client, f"/admin/trash/{recent}/purge", {"confirm": "1"}).status_code == 302
    assert services.records.trash_entry(recent) is not None  # retention not over: refused
    assert post(client, f"/admin/trash/{old}/purge", {}).status_code == 302
    assert services.records.trash_entry(old) is not None  # not confirmed
    assert post(client, f"/admin/trash/{old}/purge", {"confirm": "1"}).status_code == 302
    assert client.get(f"/documents/{old}").status_code == 404
    assert post(client, f"/admin/trash/{recent}/restore").status_code == 302
    assert services.records.trash_entry(recent) is None
    assert services.records.verify() == []
