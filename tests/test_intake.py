"""The intake under faults: a page reader killed in the middle of a file."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

from shoko.intake import IntakeFile
from tests.conftest import render_page


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
