"""The intake under faults: a page reader killed in the middle of a file."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

from shoko.intake import IntakeFile
from tests.conftest import render_page, text_layer_pdf


def test_a_page_reader_killed_mid_file_is_survived(services, tmp_path, caplog):
    path = tmp_path / "four_pages.tif"
    pages = [render_page(["在宅酸素療法指導記録", f"頁番号 P{i:04d}", "患者ID 00123456"]) for i in range(4)]
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="tiff_lzw", dpi=(300, 300))
    outcomes = []
    with services.intake() as intake, caplog.at_level(logging.WARNING, logger="shoko.intake"):
        reading = threading.Thread(target=lambda: outcomes.extend(intake.run([IntakeFile(path, str(path))])))
        reading.start()
        deadline = time.monotonic() + 60
        while not (intake._pool and intake._pool._processes) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the readers are busy with the first pages
        os.kill(next(iter(intake._pool._processes)), signal.SIGKILL)
        reading.join(timeout=600)
    assert "a page reader died" in caplog.text
    assert [o.status for o in outcomes] == ["ingested"]
    document = services.records.get(outcomes[0].id)
    assert document.page_count == 4 and "P0003" in document.text


def test_a_batch_confirms_what_earlier_documents_left_for_review(services, tmp_path):
    """Files arriving later make a doctor known; a document stored before, whose
    reading of that name was unsure, is filled in once the batch is done. (The later
    file is born digital, so that its reading of the name is sure whatever the OCR.)"""
    import hashlib

    from records.store import NewDocument, NewField, NewPage

    earlier = tmp_path / "earlier.png"
    earlier.write_bytes(b"an earlier scan")
    doc_id, _ = services.records.store_document(NewDocument(
        sha256=hashlib.sha256(b"an earlier scan").hexdigest(), source_name="earlier.png",
        file_format="png", department=None, doc_type="hot_guidance_record", type_score=1.0,
        title="在宅酸素療法指導記録", text="主治医 中村直樹", raw_text="主治医 中村 直樹", flags=[],
        pages=[NewPage(1, "主治医 中村直樹", "主治医 中村 直樹", "ocr")],
        fields=[NewField("doctor", "中村 直樹", "review", "ocr", 1, 0.3, "中村直樹")]), earlier, "test")
    clear = text_layer_pdf(tmp_path / "clear.pdf", ["在宅酸素療法指導記録", "患者ID 00123456",
                                                    "指導日 令和8年10月14日", "主治医 中村 直樹"])
    with services.intake() as intake:
        outcomes = list(intake.run([IntakeFile(clear, str(clear))]))
    assert services.records.get(outcomes[0].id).filled_fields["doctor"] == "中村 直樹"
    confirmed = services.records.get(doc_id).fields["doctor"]
    assert (confirmed["state"], confirmed["updated_by"]) == ("filled", "shoko")
    assert services.index.search("中村直樹").total == 2
