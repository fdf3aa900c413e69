"""The inbox page: uploads, synchronous ingest, counts, quarantine retry and discard."""

from __future__ import annotations

import io

from webui_support import draw_page, post
from webui.uploads import recover_staged, safe_name


def _png(lines) -> bytes:
    out = io.BytesIO()
    draw_page(lines).save(out, "PNG")
    return out.getvalue()


def _upload(client, files, ingest_now=False):
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    if ingest_now:
        data["ingest_now"] = "1"
    return post(client, "/inbox/upload", data, content_type="multipart/form-data")


def test_inbox_page_shows_counts(login):
    page = login("kango").get("/inbox").get_data(as_text=True)
    assert "処理の状況" in page and "登録済み" in page and "隔離されたファイルはありません" in page


def test_upload_goes_to_the_departments_inbox_folder(login, services):
    response = _upload(login("kango"), [("scan 01.pdf", b"%PDF-1.4 test")])
    assert response.status_code == 302
    saved = list((services.config.inbox_paths[0] / "看護部").iterdir())
    assert len(saved) == 1 and saved[0].read_bytes() == b"%PDF-1.4 test"
    assert saved[0].name.startswith("scan 01_") and saved[0].suffix == ".pdf"
    # The watcher takes it later under its own name: the audit log says who brought it.
    queued = [r for r in services.records.audit_rows() if r.action == "upload_queued"]
    assert len(queued) == 1 and queued[0].actor == "kango"
    assert queued[0].details["file_name"] == saved[0].name and queued[0].details["department"] == "看護部"
    assert services.records.verify() == []


def test_admin_upload_goes_to_the_inbox_itself(login, services):
    _upload(login("admin"), [("a.png", b"x"), ("a.png", b"y")])
    saved = sorted(p for p in services.config.inbox_paths[0].iterdir() if p.is_file())
    assert len(saved) == 2  # same name twice: two files, none overwritten
    assert {p.read_bytes() for p in saved} == {b"x", b"y"}


def test_uploaded_names_cannot_leave_the_inbox(login, services, tmp_path):
    _upload(login("kango"), [("../../../../evil.pdf", b"1"), ("..\\..\\win.pdf", b"2"), (".hidden", b"3")])
    inbox = services.config.inbox_paths[0]
    saved = sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file())
    assert len(saved) == 3 and all(name.startswith("看護部/") and "/." not in name for name in saved)
    assert not list(tmp_path.glob("evil*")) and not list(tmp_path.parent.glob("evil*"))


def test_safe_name():
    assert safe_name("../x/レセプト.PDF").startswith("レセプト_") and safe_name("a.PDF").endswith(".pdf")
    assert safe_name("").startswith("upload_")
    assert "/" not in safe_name("a/b\\c") and "\x00" not in safe_name("a\x00b.png")
    assert safe_name("a.png") != safe_name("a.png")


def test_ingest_now_reads_the_file_and_shows_the_result(login, services):
    content = _png(["在宅酸素療法指導記録", "患者ID 00777777", "氏名 鈴木 次郎", "指導日 2026年10月20日"])
    response = _upload(login("kango"), [("指導記録 鈴木.png", content)], ingest_now=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "取り込みの結果" in page and "取り込みました" in page
    doc = [d for d in services.records.all_documents() if d.source_name.startswith("指導記録 鈴木_")][0]
    assert doc.department == "看護部"
    assert f'href="/documents/{doc.id}"' in page
    assert not any(p.is_file() for p in services.config.inbox_paths[0].rglob("*"))  # nothing left behind
    assert not any(p.is_file() for p in (services.config.data_path / "web-uploads").rglob("*"))


def test_ingest_now_quarantines_what_it_cannot_read(login, services):
    page = _upload(login("kango"), [("memo.txt", b"just text, not a scan")], ingest_now=True).get_data(as_text=True)
    assert "隔離しました" in page and "対応していない種類のファイルです" in page
    assert len(services.records.quarantined()) == 1


def test_quarantined_file_names_with_html_are_escaped(login, services, tmp_path):
    hostile = tmp_path / '<img src=x onerror=alert(3)>.pdf'
    hostile.write_bytes(b"broken")
    services.records.quarantine_file(hostile, hostile.name, "壊れています <b>!</b>", "detail", None, None,
                                     "watcher", move=False)
    page = login("admin").get("/inbox").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(3)&gt;.pdf" in page
    assert "<b>!</b>" not in page and "&lt;b&gt;!&lt;/b&gt;" in page


def test_quarantine_retry_moves_the_file_back(login, services):
    client = login("kango")
    _upload(client, [("note.txt", b"not a scan")], ingest_now=True)
    entry = services.records.quarantined()[0]
    assert post(client, f"/inbox/quarantine/{entry['id']}/retry").status_code == 403
    post(client, "/logout")
    admin = login("admin")
    page = admin.get("/inbox").get_data(as_text=True)
    assert entry["file_name"] in page and "もう一度取り込む" in page
    assert post(admin, f"/inbox/quarantine/{entry['id']}/retry").status_code == 302
    assert services.records.quarantined() == []
    back = list((services.config.inbox_paths[0] / "看護部").iterdir())
    assert [p.read_bytes() for p in back] == [b"not a scan"]
    assert not services.records.quarantine_folder.path_of(entry["file_name"]).exists()
    assert post(admin, f"/inbox/quarantine/{entry['id']}/retry").status_code == 404


def test_quarantine_discard_deletes_the_file(login, services):
    client = login("admin")
    _upload(client, [("note.txt", b"not a scan")], ingest_now=True)
    entry = services.records.quarantined()[0]
    assert post(client, f"/inbox/quarantine/{entry['id']}/discard").status_code == 302
    assert services.records.quarantined() == []
    folder = services.records.quarantine_folder.root
    assert not any(folder.iterdir())


def test_nursing_cannot_discard(login, services):
    client = login("kango")
    _upload(client, [("note.txt", b"not a scan")], ingest_now=True)
    entry = services.records.quarantined()[0]
    assert post(client, f"/inbox/quarantine/{entry['id']}/discard").status_code == 403
    assert len(services.records.quarantined()) == 1


def test_large_uploads_go_to_the_inbox_for_the_watcher(app, login, services):
    app.config["SYNC_INGEST_MAX_BYTES"] = 10
    response = _upload(login("kango"), [("big.pdf", b"%PDF-" + b"0" * 100)], ingest_now=True)
    assert response.status_code == 302
    assert len(list((services.config.inbox_paths[0] / "看護部").iterdir())) == 1


def test_staged_uploads_left_by_a_crash_go_to_the_inbox(services):
    staged = services.config.data_path / "web-uploads" / "総務課"
    staged.mkdir(parents=True)
    (staged / "scan_ab12cd.pdf").write_bytes(b"%PDF-1.4")
    (staged / ".upload-half").write_bytes(b"%PD")
    assert recover_staged(services) == 1
    assert (services.config.inbox_paths[0] / "総務課" / "scan_ab12cd.pdf").read_bytes() == b"%PDF-1.4"
    assert not any(staged.iterdir())


def test_empty_upload_is_explained(login):
    page = post(login("kango"), "/inbox/upload", {}, follow_redirects=True).get_data(as_text=True)
    assert "ファイルを選んでください" in page
