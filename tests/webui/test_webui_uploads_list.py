"""Queued uploads (issue 14): the user's own uploads with their outcome and links."""

from __future__ import annotations

import hashlib
import io

from webui_support import post

from records.store import NewDocument, NewPage


def _queue(client, name: str, content: bytes):
    return post(client, "/inbox/upload", {"files": [(io.BytesIO(content), name)]}, content_type="multipart/form-data")


def test_queued_uploads_are_listed_with_outcome_and_links(login, services):
    client = login("kango")
    _queue(client, "scan_a.pdf", b"%PDF-1.4 a")
    _queue(client, "scan_b.pdf", b"%PDF-1.4 b")
    page = client.get("/inbox").get_data(as_text=True)
    uploads = page[page.index('id="uploads"'):page.index("処理の状況")]
    assert uploads.count("取り込み待ち") == 2 and "scan_a_" in uploads

    saved = {p.name.split("_")[1]: p for p in (services.config.inbox_paths[0] / "看護部").iterdir()}
    a = saved["a"]
    doc = NewDocument(hashlib.sha256(a.read_bytes()).hexdigest(), a.name, "pdf", "看護部", "other", 1.0, "お知らせ",
                      "", "", [], [NewPage(1, "", "", "ocr")], [])
    doc_id, _ = services.records.store_document(doc, a, "watcher")
    b = saved["b"]
    services.records.quarantine_file(b, f"看護部/{b.name}", "PDFが壊れています", "", hashlib.sha256(
        b.read_bytes()).hexdigest(), "看護部", "watcher", move=False)

    page = client.get("/inbox").get_data(as_text=True)
    uploads = page[page.index('id="uploads"'):page.index("処理の状況")]
    assert f'href="/documents/{doc_id}"' in uploads and "隔離しました: PDFが壊れています" in uploads
    assert "取り込み待ち" not in uploads


def test_only_the_users_own_uploads_are_listed(login, services):
    client = login("kango")
    _queue(client, "mine.pdf", b"%PDF-1.4 mine")
    post(client, "/logout")
    page = login("somu").get("/inbox").get_data(as_text=True)
    assert "mine_" not in page and 'id="uploads"' not in page


def test_upload_form_shows_progress_and_takes_drops(login):
    page = login("kango").get("/inbox").get_data(as_text=True)
    assert "data-upload" in page and "<progress" in page and "drop-zone" in page and "ドラッグ＆ドロップ" in page
