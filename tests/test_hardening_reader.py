"""Page readers are boxed: a page's time and a reader's memory are limited, and a
text layer no page can hold is not believed. Real command, real files."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from ingest.formats import Limits
from ingest.pages import PageJob, read_page
from ingest.pipeline import boxed
from kernel.errors import PageTooSlow
from tests.conftest import render_page

SHOKO = str(Path(sys.executable).with_name("shoko"))


def inflating_pdf(path: Path, repeats: int = 400_000) -> None:
    """A small PDF whose one page's content inflates to megabytes of text: the shape
    of the 61 KB file that drove a reader to 11.5 GB."""
    content = b"BT /F1 1 Tf 10 10 Td " + b"(AAAAAAAAAA) Tj " * repeats + b"ET"
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))


class _Blind:
    """An engine that reads nothing: the junk page's image is not what is tested."""

    name = "blind"
    first_steps: tuple = ()
    weak_below = 0.0
    rereads = False
    reads_before_turning = False

    def describe(self):
        return {"engine": self.name}

    def read(self, image, dpi, lines=None):
        from ingest.ocr import OcrResult
        return OcrResult("", [])

    def read_block(self, image, dpi):
        return self.read(image, dpi)

    def orientation(self, image):
        return 0, 0.0


def test_a_text_layer_no_page_can_hold_is_not_believed(tmp_path):
    path = tmp_path / "inflating.pdf"
    inflating_pdf(path)
    assert path.stat().st_size < 100_000
    started = time.perf_counter()
    page = read_page(PageJob(str(path), "pdf", 0), _Blind())
    assert time.perf_counter() - started < 30
    assert page.source == "ocr"  # the image is read instead of four million characters
    assert len(page.text) < 1000


def test_a_page_past_its_time_is_stopped_with_a_reason():
    with pytest.raises(PageTooSlow, match="slow.png page 1"):
        with boxed(Limits(page_seconds=0.2), "slow.png page 1"):
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # Python work, as pdfminer's parsing is
                sum(range(1000))
    with boxed(Limits(page_seconds=5), "quick"):
        pass
    time.sleep(0.3)  # the timer was cleared: no stray alarm arrives later


def _ingest(tmp_path: Path, settings: str, *files: Path) -> tuple[list[dict], Path]:
    config = tmp_path / "shoko.toml"
    config.write_text(f'ocr_engine = "tesseract"\nocr_workers = 1\n{settings}\n', encoding="utf-8")
    data = tmp_path / "data"
    out = subprocess.run([SHOKO, "--config", str(config), "--data-dir", str(data), "ingest", *map(str, files),
                          "--json"], capture_output=True, text=True, timeout=600)
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()], data


def test_a_file_whose_page_reads_too_slowly_is_quarantined_and_the_next_is_stored(tmp_path):
    slow = tmp_path / "slow.png"
    render_page(["在宅酸素療法指導記録", "患者ID 00123456"]).save(slow, dpi=(300, 300))
    outcomes, data = _ingest(tmp_path, "page_seconds = 0.05", slow)
    assert [o["status"] for o in outcomes] == ["quarantined"]
    reasons = list((data / "quarantine").glob("*.reason.txt"))
    assert reasons and "制限時間" in reasons[0].read_text(encoding="utf-8")


def test_a_reader_past_its_memory_limit_is_stopped_and_the_file_quarantined(tmp_path):
    page = tmp_path / "page.png"
    render_page(["在宅酸素療法指導記録", "患者ID 00123456"]).save(page, dpi=(300, 300))
    outcomes, _ = _ingest(tmp_path, "reader_memory_mb = 40", page)
    assert [o["status"] for o in outcomes] == ["quarantined"]
    # With room to work, the same page is stored.
    (tmp_path / "roomy").mkdir()
    outcomes, _ = _ingest(tmp_path / "roomy", "reader_memory_mb = 3072", page)
    assert [o["status"] for o in outcomes] == ["ingested"]
