"""The document page: images, download, fields and corrections, billing links, escaping."""

from __future__ import annotations

import io
from urllib.parse import unquote

from PIL import Image

from webui_support import PATIENT, XSS, post, store


def test_document_page_shows_fields_text_and_review_marks(login, documents):
    page = login("kango").get(f"/documents/{documents['guidance']}").get_data(as_text=True)
    assert "在宅酸素療法指導記録" in page
    assert "指導記録" in page  # type label
    assert "2026-10-14" in page and "96" in page
    assert "要確認" in page and "候補" in page and "65" in page  # the PaO2 candidate awaits review
    assert "93%" in page  # confidence
    assert f'/documents/{documents["guidance"]}/pages/1.png' in page
    assert "指導記録_山田.png" in page  # source file name on the download link


def test_unknown_or_malformed_document_is_404(login):
    client = login("kango")
    assert client.get("/documents/D999999").status_code == 404
    assert client.get("/documents/../../etc/passwd").status_code == 404
    assert client.get("/documents/X1").status_code == 404


def test_text_with_script_is_shown_as_text(login, documents):
    page = login("kango").get(f"/documents/{documents['hostile']}").get_data(as_text=True)
    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_file_name_with_html_is_escaped(login, documents):
    page = login("kango").get(f"/documents/{documents['hostile']}").get_data(as_text=True)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page


def test_page_images_are_png_with_cache_headers(login, documents):
    client = login("kango")
    response = client.get(f"/documents/{documents['contract']}/pages/2.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.width > 100 and image.height > image.width  # a portrait page
    assert "private" in response.headers["Cache-Control"] and "max-age" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get(f"/documents/{documents['contract']}/pages/2.png", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_png_original_renders(login, documents):
    response = login("kango").get(f"/documents/{documents['guidance']}/pages/1.png")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.data)).size[0] > 100


def test_page_numbers_outside_the_document_are_404(login, documents):
    client = login("kango")
    assert client.get(f"/documents/{documents['contract']}/pages/3.png").status_code == 404
    assert client.get(f"/documents/{documents['contract']}/pages/0.png").status_code == 404
    assert client.get(f"/documents/{documents['contract']}/pages/-1.png").status_code == 404
    assert client.get(f"/documents/{documents['contract']}/pages/..%2F..%2Fsecret_key.png").status_code == 404


def test_download_gives_the_original_under_its_japanese_name(login, documents, services):
    doc = services.records.get(documents["contract"])
    response = login("kango").get(f"/documents/{doc.id}/original")
    assert response.status_code == 200
    assert response.data == services.records.vault.path_for(doc.sha256).read_bytes()
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "賃貸借契約書 山田様.pdf"
    assert "\n" not in disposition and "\r" not in disposition


def test_download_name_with_quotes_and_html_stays_one_header_value(login, documents):
    disposition = login("kango").get(f"/documents/{documents['hostile']}/original").headers["Content-Disposition"]
    assert disposition.count('"') <= 2  # only the quotes around filename=
    assert "<" not in disposition and ">" not in disposition
    assert disposition == 'attachment; filename="_img src=x onerror=alert(2)__scan_.png"'


def test_any_staff_corrects_a_field_and_history_keeps_the_old_value(login, documents, services):
    client = login("kango")
    response = post(client, f"/documents/{documents['guidance']}/fields", {"name": "spo2", "value": "９４"})
    assert response.status_code == 302
    assert services.records.get(documents["guidance"]).fields["spo2"]["value"] == 94
    page = client.get(f"/documents/{documents['guidance']}").get_data(as_text=True)
    assert "修正の履歴" in page and "kango" in page
    history = services.records.field_history(documents["guidance"])
    assert history[-1]["old_value"] == 96 and history[-1]["new_value"] == 94 and history[-1]["actor"] == "kango"


def test_confirming_a_review_candidate_fills_the_field(login, documents, services):
    post(login("iji"), f"/documents/{documents['guidance']}/fields", {"name": "pao2", "value": "65"})
    field = services.records.get(documents["guidance"]).fields["pao2"]
    assert field["state"] == "filled" and field["value"] == 65 and field["updated_by"] == "iji"


def test_correction_is_searchable_at_once(login, documents, services):
    client = login("somu")
    post(client, f"/documents/{documents['contract']}/fields", {"name": "vendor", "value": "北斗メディカル"})
    page = client.get("/search?q=北斗メディカル").get_data(as_text=True)
    assert documents["contract"] in page


def test_dates_are_stored_iso_and_bad_values_refused(login, documents, services):
    client = login("kango")
    post(client, f"/documents/{documents['guidance']}/fields", {"name": "guidance_date", "value": "2026/10/7"})
    assert services.records.get(documents["guidance"]).fields["guidance_date"]["value"] == "2026-10-07"
    response = post(client, f"/documents/{documents['guidance']}/fields",
                    {"name": "guidance_date", "value": "令和八年"}, follow_redirects=True)
    assert "日付は 2026-10-14 の形" in response.get_data(as_text=True)
    assert services.records.get(documents["guidance"]).fields["guidance_date"]["value"] == "2026-10-07"


def test_clearing_a_field(login, documents, services):
    post(login("kango"), f"/documents/{documents['guidance']}/fields", {"name": "doctor", "action": "clear"})
    assert "doctor" not in services.records.get(documents["guidance"]).fields


def test_unknown_field_name_is_refused(login, documents):
    response = post(login("kango"), f"/documents/{documents['guidance']}/fields", {"name": "x; drop", "value": "1"})
    assert response.status_code == 400


def test_clerk_links_a_document_to_a_billing_item(login, documents, services):
    client = login("iji")
    response = post(client, f"/documents/{documents['guidance']}/links", {"item": "C103-2", "month": "2026-10"})
    assert response.status_code == 302
    links = services.records.get(documents["guidance"]).links
    assert [(link["item"], link["month"], link["patient_id"], link["actor"]) for link in links] == [
        ("C103-2", "2026-10", PATIENT, "iji")]
    page = client.get(f"/documents/{documents['guidance']}").get_data(as_text=True)
    assert "C103-2" in page and "外す" in page
    post(client, f"/documents/{documents['guidance']}/links/remove", {"item": "C103-2", "month": "2026-10"})
    assert services.records.get(documents["guidance"]).links == []


def test_admin_may_link_too(login, documents, services):
    post(login("admin"), f"/documents/{documents['contract']}/links", {"item": "C158", "month": "2026-10"})
    assert services.records.get(documents["contract"]).links[0]["item"] == "C158"


def test_nursing_cannot_change_billing_links(login, documents, services):
    client = login("kango")
    response = post(client, f"/documents/{documents['guidance']}/links", {"item": "C103-2", "month": "2026-10"})
    assert response.status_code == 403
    services.records.add_link(documents["guidance"], "C103-2", "2026-10", "iji", patient_id=PATIENT)
    response = post(client, f"/documents/{documents['guidance']}/links/remove", {"item": "C103-2", "month": "2026-10"})
    assert response.status_code == 403
    assert len(services.records.get(documents["guidance"]).links) == 1
    page = client.get(f"/documents/{documents['guidance']}").get_data(as_text=True)
    assert "紐付ける" not in page and "外す" not in page


def test_general_affairs_cannot_link_either(login, documents):
    response = post(login("somu"), f"/documents/{documents['contract']}/links", {"item": "C158", "month": "2026-10"})
    assert response.status_code == 403


def test_link_form_refuses_unknown_items_and_bad_months(login, documents, services):
    client = login("iji")
    for data in ({"item": "Z999", "month": "2026-10"}, {"item": "C103-2", "month": "2026-13"},
                 {"item": "C103-2", "month": "10/2026"}):
        post(client, f"/documents/{documents['guidance']}/links", data)
    assert services.records.get(documents["guidance"]).links == []


def test_link_for_a_document_without_patient_needs_a_patient_id(login, documents, services):
    client = login("iji")
    post(client, f"/documents/{documents['hostile']}/links", {"item": "C103-2", "month": "2026-10"})
    assert services.records.get(documents["hostile"]).links == []
    post(client, f"/documents/{documents['hostile']}/links",
         {"item": "C103-2", "month": "2026-10", "patient_id": PATIENT, "reason": "掲示に指導の記載"})
    assert services.records.get(documents["hostile"]).links[0]["patient_id"] == PATIENT


def test_suggestions_from_type_and_fields(login, documents, services):
    client = login("iji")
    guidance = client.get(f"/documents/{documents['guidance']}").get_data(as_text=True)
    assert "候補: <strong>C103-2</strong> 2026-10" in guidance
    contract = client.get(f"/documents/{documents['contract']}").get_data(as_text=True)
    month = services.records.now()[:7]
    assert f"候補: <strong>C158</strong> {month}" in contract
    post(client, f"/documents/{documents['guidance']}/links", {"item": "C103-2", "month": "2026-10"})
    again = client.get(f"/documents/{documents['guidance']}").get_data(as_text=True)
    assert "候補: <strong>C103-2</strong>" not in again  # already linked


def test_audit_history_is_shown(login, documents):
    client = login("iji")
    post(client, f"/documents/{documents['guidance']}/links", {"item": "C103-2", "month": "2026-10"})
    page = client.get(f"/documents/{documents['guidance']}").get_data(as_text=True)
    assert "操作の記録" in page and "取り込み" in page and "請求項目との紐付け" in page


def test_a_hand_correction_confirms_the_same_unsure_value_elsewhere(login, documents, services, tmp_path):
    from webui_support import store
    folder = tmp_path / "more"
    folder.mkdir()
    first = store(services, folder, "a.png", "hot_guidance_record", "指導記録",
                  [["在宅酸素療法指導記録", "主治医 大塚 留子"]], {"patient_id": PATIENT},
                  review={"doctor": "大塚 留子"})
    second = store(services, folder, "b.png", "hot_guidance_record", "指導記録",
                   [["在宅酸素療法指導記録", "主治医 大塚 智子"]], {"patient_id": PATIENT},
                   review={"doctor": "大塚 智子"})
    client = login("kango")
    response = post(client, f"/documents/{first}/fields", {"name": "doctor", "value": "大塚 智子"})
    assert response.status_code == 302
    confirmed = services.records.get(second).fields["doctor"]
    assert (confirmed["state"], confirmed["value"], confirmed["updated_by"]) == ("filled", "大塚 智子", "shoko")
    page = client.get(f"/documents/{first}").get_data(as_text=True)
    assert "他の1件の文書も確定しました" in page
    audit = client.get(f"/documents/{second}").get_data(as_text=True)
    assert "登録済みの値と一致したため確定" in audit


def test_extraction_flags_are_shown_in_japanese_with_their_detail_escaped(login, documents, services, tmp_path):
    from webui_support import store
    folder = tmp_path / "flagged"
    folder.mkdir()
    doc_id = store(services, folder, "c.png", "hot_guidance_record", "指導記録",
                   [["在宅酸素療法指導記録", "患者氏名 山田 <script>"]], {"patient_id": PATIENT},
                   flags=[f"patient_name: patient {PATIENT} is 山田 太郎 on other documents, here 山田 <script>",
                          "compound: 2 documents in one file (pages 1-1: hot_contract, pages 2-2: other)"])
    page = login("iji").get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "同じ患者IDで、別の氏名の文書が登録されています" in page
    assert "1つのファイルに複数の文書が含まれています" in page
    assert "<script>" not in page and "山田 &lt;script&gt;" in page
    plain = login("iji").get(f"/documents/{documents['order']}").get_data(as_text=True)
    assert 'id="flags"' not in plain


def test_document_page_says_how_each_page_was_read(login, documents):
    page = login("kango").get(f"/documents/{documents['guidance']}").get_data(as_text=True)
    assert "読み取り: OCR PP-OCRv6 small（rapidocr 3.10.0）・背景補正" in page
    assert "PP-OCRv6_rec_small.onnx SHA-256 6f327246b50388f3" in page  # the model, in the tooltip
    assert "OCR（rapidocr）・1ページ" in page  # a field's provenance names the engine


def test_a_page_nothing_could_read_is_flagged_on_the_document_page(login, services, tmp_path):
    (tmp_path / "scans").mkdir()
    doc_id = store(services, tmp_path / "scans", "scan_0042.png", "other", "scan_0042",
                   [["在宅酸素療法指導記録"], [""]], {}, flags=["unreadable_page: 2"])
    page = login("kango").get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "読み取れないページがあります" in page and "unreadable_page: 2" in page


def test_a_part_of_a_batch_scan_shows_its_own_pages_of_the_original(login, services, tmp_path):
    """The second paper of a two-page file: its page 1 is the file's page 2."""
    import hashlib

    from records.store import NewDocument, NewPage
    from webui_support import draw_page

    path = tmp_path / "batch.pdf"
    first, second = draw_page(["在宅酸素療法指導記録"]), draw_page(["機器撤去報告書", "撤去日 2026/10/31"])
    first.save(path, "PDF", resolution=72, save_all=True, append_images=[second])
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    parts = [NewDocument(sha, "batch.pdf", "pdf", None, kind, 1.0, title, title, title, [f"batch: part {k} of 2"],
                         [NewPage(1, title, title, "ocr")], [], part=k, first_page=k)
             for k, (kind, title) in enumerate([("hot_guidance_record", "在宅酸素療法指導記録"),
                                               ("hot_device_removal", "機器撤去報告書")], 1)]
    ids, _ = services.records.store_documents(parts, path, "test")
    client = login("kango")
    pngs = [client.get(f"/documents/{doc_id}/pages/1.png") for doc_id in ids]
    assert all(r.status_code == 200 for r in pngs) and pngs[0].data != pngs[1].data
    assert client.get(f"/documents/{ids[1]}/pages/2.png").status_code == 404
    page = client.get(f"/documents/{ids[1]}").get_data(as_text=True)
    assert "一括スキャン" in page


def _batch(services, tmp_path) -> str:
    """A contract and a guidance record scanned into one two-page PDF, stored as one document."""
    folder = tmp_path / "batch-originals"
    folder.mkdir()
    return store(services, folder, "一括スキャン.pdf", "hot_contract", "酸素濃縮装置賃貸借契約書", [
        ["酸素濃縮装置賃貸借契約書", "患者ID 00345678 氏名 鈴木 花子", "契約期間 2026-04-01 から 2027-03-31 まで",
         "月額賃貸料 8,000円"],
        ["在宅酸素療法指導記録", "患者ID 00345678 氏名 鈴木 花子", "指導日 令和8年10月14日", "SpO2 95%"],
    ], {"patient_id": "00345678", "patient_name": "鈴木 花子", "contract_start": "2026-04-01"},
        flags=["compound: 2 documents in one file (pages 1-1: hot_contract, pages 2-2: hot_guidance_record)"])


def test_staff_split_a_batch_scan_by_pages_and_both_parts_are_read_again(login, services, tmp_path):
    doc_id = _batch(services, tmp_path)
    client = login("iji")
    page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "文書を分ける" in page and "2ページ目から" in page
    second_page_png = client.get(f"/documents/{doc_id}/pages/2.png").data
    services.records.correct_field(doc_id, "vendor", "手入力酸素", "iji")  # typed by staff: stays on part 1

    response = post(client, f"/documents/{doc_id}/split", {"page": "2", "confirm": "1"})
    assert response.status_code == 302
    new_id = response.headers["Location"].rsplit("/", 1)[-1]
    assert new_id != doc_id

    first, second = services.records.get(doc_id), services.records.get(new_id)
    assert (first.page_count, second.page_count) == (1, 1)
    assert (first.part, second.part, second.first_page) == (1, 2, 2)
    assert first.doc_type == "hot_contract" and second.doc_type == "hot_guidance_record"
    assert second.filled_fields["guidance_date"] == "2026-10-14"
    assert second.filled_fields["patient_id"] == "00345678"
    assert first.fields["vendor"]["value"] == "手入力酸素" and first.fields["vendor"]["source"] == "staff"
    assert "guidance_date" not in first.fields and "在宅酸素療法指導記録" not in first.text
    # The new document shows the original's second page; the first no longer has one.
    assert client.get(f"/documents/{new_id}/pages/1.png").data == second_page_png
    assert client.get(f"/documents/{doc_id}/pages/2.png").status_code == 404
    events = [e for e in services.records.audit_for(doc_id) if e["action"] == "document_split"]
    assert len(events) == 1 and events[0]["actor"] == "iji"
    assert services.records.verify() == []
    hits = services.index.search("指導記録", limit=50)
    assert new_id in {h.doc_id for h in hits.hits}
    assert "文書の分割" in client.get(f"/documents/{doc_id}").get_data(as_text=True)


def test_a_split_needs_a_page_inside_the_document_and_a_confirmation(login, services, tmp_path):
    doc_id = _batch(services, tmp_path)
    client = login("somu")
    for data in ({"page": "1", "confirm": "1"}, {"page": "3", "confirm": "1"}, {"page": "x", "confirm": "1"},
                 {"page": "2"}):
        response = post(client, f"/documents/{doc_id}/split", data, follow_redirects=True)
        assert response.status_code == 200
        assert services.records.get(doc_id).page_count == 2, data
    one_page = login("somu").get(f"/documents/{_single(services, tmp_path)}").get_data(as_text=True)
    assert "文書を分ける" not in one_page


def _single(services, tmp_path) -> str:
    folder = tmp_path / "single-originals"
    folder.mkdir()
    return store(services, folder, "一枚.png", "other", "お知らせ", [["お知らせ"]], {})
