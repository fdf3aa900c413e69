"""Reading scanned pages: PP-OCRv6 with its pinned models and no network, Tesseract
beside it, pages never read worse than plainly, and pages nothing can read flagged."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from ingest.document import Page
from ingest.engines import make_engines
from ingest.extract import extract, load_rules
from kernel.text import normalise_text
from ingest.ocr import OcrResult, TesseractEngine
from ingest.pages import flatten_background, has_ink, ocr_page
from ingest.rapid import MODELS, RapidOcrEngine, model_dir, turn_quad, verify_models
from kernel.errors import ConfigError
from shoko.settings import CONFIG_DIR
from tests.conftest import render_page

ROOT = Path(__file__).resolve().parent.parent
FORM = ["在宅酸素療法指導記録", "患者ID 00381724　患者氏名 三浦 由紀子", "指導日 令和8年10月14日",
        "SpO2 91% PaO2 63.5 Torr", "安静時 1.0L/分 労作時 2.0L/分 睡眠時 1.5L/分",
        "主治医 佐々木 健一", "火気から2m以上離して使用すること。"]


def squeeze(text: str) -> str:
    return "".join(normalise_text(text).split())


def cer(want: str, got: str) -> float:
    """Character error rate after normalisation and removal of whitespace."""
    a, b = squeeze(want), squeeze(got)
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / max(1, len(a))


def grey_tilted_scan(dpi: int = 200, degrees: float = 0.8) -> Image.Image:
    """The form on grey, unevenly lit paper, tilted under a degree, saved as a 200 dpi JPEG would be."""
    page = render_page(FORM, size=round(40 * dpi / 300), dpi=dpi)
    ink = 1 - np.asarray(page, dtype=np.float32) / 255
    height, width = ink.shape
    paper = 150 + 45 * np.linspace(0, 1, width)[None, :] + 15 * np.linspace(0, 1, height)[:, None]
    grey = paper * (1 - ink) + 45 * ink
    image = Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8))
    image = image.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=170)
    grain = np.random.default_rng(3).normal(0, 6, (height, width))
    return Image.fromarray(np.clip(np.asarray(image, dtype=np.float32) + grain, 0, 255).astype(np.uint8))


@pytest.fixture(scope="module")
def engines():
    return make_engines("rapidocr", workers=1, config_dir=CONFIG_DIR)


def test_models_are_the_pinned_files_and_a_changed_model_is_refused(tmp_path):
    checked = verify_models()
    assert {role: m["file"] for role, m in checked.items()} == {role: f for role, (f, _) in MODELS.items()}
    copy = tmp_path / "models"
    shutil.copytree(model_dir(), copy)
    rec = copy / MODELS["rec"][0]
    data = bytearray(rec.read_bytes())
    data[len(data) // 2] ^= 0xFF
    rec.write_bytes(bytes(data))
    with pytest.raises(ConfigError, match="SHA-256"):
        verify_models(copy)
    (copy / MODELS["det"][0]).unlink()
    with pytest.raises(ConfigError, match="missing"):
        verify_models(copy)


def test_reading_a_page_attempts_no_network_access(tmp_path):
    """Loading the models and reading a page in a fresh process connects nowhere and
    resolves no host name (an audit hook sees every attempt; a control call proves it).
    Creating a socket is not counted: urllib3 binds one to ::1 on import to learn
    whether the machine has IPv6, which reaches no network."""
    page = tmp_path / "page.png"
    render_page(FORM).save(page)
    script = f"""
import json, socket, sys
events = []
NETWORK = {{"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
           "socket.sendto", "socket.sendmsg", "urllib.Request", "http.client.connect", "ftplib.connect",
           "smtplib.connect"}}
sys.addaudithook(lambda event, args: events.append(event) if event in NETWORK else None)
from PIL import Image
from ingest.rapid import RapidOcrEngine
text = RapidOcrEngine().read(Image.open({str(page)!r}).convert("L"), 300).text
during = list(events)
try:
    socket.getaddrinfo("localhost", 9)
except OSError:
    pass
print(json.dumps({{"during": during, "control": events[len(during):], "text": text}}))
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["control"], "the audit hook did not see a deliberate name lookup"
    assert seen["during"] == []
    assert "00381724" in seen["text"]


def test_pp_ocr_reads_a_form_with_word_boxes_and_per_character_confidence(engines):
    rapid, _ = engines
    result = rapid.read(render_page(FORM), 300)
    assert cer("\n".join(FORM), result.text) < 0.03
    ids = [w for w in result.words if w.text == "00381724"]
    assert len(ids) == 1 and len(ids[0].chars) == 8 and ids[0].confidence == min(ids[0].chars)
    # Label and value stand apart on the page: two words, one row.
    label = next(w for w in result.words if w.text == "患者ID")
    assert label.line == ids[0].line and label.box[0] + label.box[2] < ids[0].box[0]


@pytest.mark.parametrize("turned", [90, 180, 270])
def test_a_turned_page_is_read_upright_from_the_lines_found_on_it(engines, turned):
    """A page lying turned is reported turned, unread; read upright with the lines
    found on it, its words land where they stand on the upright page."""
    rapid, _ = engines
    upright = render_page(FORM)
    plain = rapid.read(upright, 300)
    lying = upright.rotate(turned, expand=True)  # PIL turns counter-clockwise
    probe = rapid.read(lying, 300)
    assert probe.rotation == turned and probe.words == [] and probe.lines is not None
    result = rapid.read(lying.rotate(-turned, expand=True), 300, probe.lines)
    assert result.rotation == 0
    assert cer("\n".join(FORM), result.text) < 0.03
    expected = next(w for w in plain.words if w.text == "00381724").box
    found = next(w for w in result.words if w.text == "00381724").box
    # Lines detected on the turned image are drawn a few pixels differently; a
    # wrong frame would put the box hundreds of pixels away.
    assert all(abs(a - b) <= 12 for a, b in zip(found, expected)), (found, expected)


def test_turn_quad_agrees_with_pil():
    """A block's corners land where PIL's own turn puts the block."""
    size = (40, 30)
    image = Image.new("L", size, 255)
    image.paste(0, (5, 3, 9, 10))  # a 4 × 7 block at (5, 3)
    for turn in (90, 180, 270):
        turned = np.asarray(image.rotate(-turn, expand=True)) < 128
        rows, cols = np.nonzero(turned)
        quad = turn_quad(np.array([[5, 3], [9, 3], [9, 10], [5, 10]]), turn, *size)
        assert tuple(quad[0]) == (cols.min(), rows.min())  # top-left first, clockwise
        assert tuple(quad[2]) == (cols.max() + 1, rows.max() + 1)


@pytest.mark.parametrize("engine_name, good_enough", [("rapidocr", 0.05), ("tesseract", 0.25)])
def test_grey_tilted_200dpi_jpeg_reads_at_least_as_well_as_plain_reading(tmp_path, engine_name, good_enough):
    path = tmp_path / "grey.jpg"
    grey_tilted_scan().save(path, quality=70, dpi=(200, 200))
    image = Image.open(path).convert("L")
    engine, fallback = make_engines(engine_name, workers=1, config_dir=CONFIG_DIR)
    plain = engine.read(image, 200).text
    page = ocr_page(image, 200, 1, engine, fallback=fallback)
    want = "\n".join(FORM)
    assert cer(want, page.text) <= cer(want, plain) + 0.01
    assert cer(want, page.text) < good_enough
    assert "00381724" in squeeze(page.text)
    assert not page.unreadable
    assert page.reader["engine"] == engine_name


def test_background_flattening_whitens_grey_paper_and_keeps_the_ink():
    scan = grey_tilted_scan(degrees=0)
    flat = np.asarray(flatten_background(scan))
    assert np.percentile(flat, 50) > 235  # paper
    assert np.percentile(flat, 0.5) < 60  # ink
    assert has_ink(scan) and not has_ink(Image.new("L", (800, 1100), 205))


def test_two_columns_of_running_text_are_read_column_by_column(engines):
    rapid, _ = engines
    left = ["在宅酸素療法を始める患者さんへの説明は", "退院の前に家族と一緒に行うことが大切で",
            "機器の取扱いと火気の注意を繰り返し伝える", "停電時の対応も紙に書いて渡しておきます",
            "訪問看護との連携も早めに準備しましょう"]
    right = ["携帯用ボンベの残量は外出の前に確かめて", "予備のボンベを持ち歩くよう勧めています",
             "息切れが強いときは口すぼめ呼吸を行って", "それでも治まらないときは連絡をください",
             "定期受診の日には記録表を持参しましょう"]
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    from PIL import ImageFont
    from tests.conftest import SANS
    face = ImageFont.truetype(str(SANS), 48)
    draw.text((240, 200), "在宅酸素療法だより 第12号", font=face, fill=0)
    for i, (a, b) in enumerate(zip(left, right)):
        draw.text((240, 400 + i * 80), a, font=face, fill=0)
        draw.text((1320, 400 + i * 80), b, font=face, fill=0)
    text = squeeze(rapid.read(page.filter(ImageFilter.GaussianBlur(0.5)), 300).text)
    assert text.startswith(squeeze("在宅酸素療法だより 第12号"))
    positions = [text.find(squeeze(line)[:6]) for line in left + right]
    found = [p for p in positions if p >= 0]
    assert len(found) >= 8 and found == sorted(found), text


class BlindEngine:
    """An engine that sees no text on any page (a reader that failed on it)."""

    name = "blind"
    first_steps: tuple[str, ...] = ()
    weak_below = 80.0
    rereads = False
    reads_before_turning = False

    def describe(self) -> dict:
        return {"engine": self.name}

    def read(self, image, dpi, lines=None):
        return OcrResult("", [])

    def read_block(self, image, dpi):
        return OcrResult("", [])

    def orientation(self, image):
        return 0, 0.0


def test_a_page_one_engine_leaves_empty_is_read_by_the_other():
    page = ocr_page(render_page(FORM), 300, 1, BlindEngine(), fallback=TesseractEngine())
    assert "00381724" in squeeze(page.text)
    assert page.reader["engine"] == "tesseract" and not page.unreadable


def test_an_inked_page_nothing_reads_is_flagged_for_review_and_a_blank_page_is_not():
    unread = ocr_page(render_page(FORM), 300, 1, BlindEngine(), fallback=BlindEngine())
    assert unread.unreadable and unread.text == ""
    blank = ocr_page(Image.new("L", (2480, 3508), 255), 300, 2, BlindEngine(), fallback=BlindEngine())
    assert not blank.unreadable
    extraction = extract([unread, blank], load_rules(CONFIG_DIR))
    assert "unreadable_page: 1" in extraction.flags
    clean = extract([Page(1, "在宅酸素療法指導記録", "在宅酸素療法指導記録", "text_layer")], load_rules(CONFIG_DIR))
    assert not any(f.startswith("unreadable_page") for f in clean.flags)


def test_an_inked_page_without_text_is_ingested_flagged_with_its_readers(shoko_cli, tmp_path):
    """Real engines on a page of drawn marks only (filled blocks and strokes, nothing
    letter-like: rings would read as O): stored, never a clean empty document."""
    page = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(page)
    rng = np.random.default_rng(11)
    for _ in range(12):
        x, y = rng.integers(100, 1300), rng.integers(100, 2000)
        draw.rectangle((x, y, x + 220, y + 160), fill=0)
    for _ in range(8):
        x0, y0, x1, y1 = rng.integers(100, 1550, 4)
        draw.line((x0, y0, x1, y1), fill=0, width=14)
    path = tmp_path / "marks.png"
    page.save(path, dpi=(200, 200))
    line = json.loads(shoko_cli("ingest", str(path), "--json").stdout)
    assert line["status"] == "ingested"
    shown = json.loads(shoko_cli("show", line["id"], "--json").stdout)
    assert "unreadable_page: 1" in shown["flags"]
    assert shown["readers"][0]["page"] == 1 and shown["readers"][0]["engine"] in ("rapidocr", "tesseract")


def test_ingested_page_records_engine_models_and_steps(shoko_cli, tmp_path):
    path = tmp_path / "guidance.png"
    render_page(FORM).save(path, dpi=(300, 300))
    line = json.loads(shoko_cli("ingest", str(path), "--json").stdout)
    shown = json.loads(shoko_cli("show", line["id"], "--json").stdout)
    reader = shown["readers"][0]
    assert reader["engine"] == "rapidocr" and reader["version"]
    assert reader["models"]["rec"]["sha256"] == MODELS["rec"][1]
    assert reader["steps"] == []
    assert shown["fields"]["patient_id"] == "00381724"
    assert shown["provenance"]["patient_id"]["engine"] == "rapidocr"


def test_the_setting_chooses_tesseract(shoko_cli, tmp_path):
    config = tmp_path / "tesseract.toml"
    config.write_text('ocr_engine = "tesseract"\n', encoding="utf-8")
    path = tmp_path / "guidance.png"
    render_page(FORM).save(path, dpi=(300, 300))
    line = json.loads(shoko_cli("--config", str(config), "ingest", str(path), "--json").stdout)
    shown = json.loads(shoko_cli("show", line["id"], "--json").stdout)
    assert shown["readers"][0]["engine"] == "tesseract"
    assert "00381724" in squeeze(shown["text"])


def test_an_unknown_engine_is_a_configuration_error():
    with pytest.raises(ConfigError, match="ocr_engine"):
        make_engines("abbyy")


def test_onnx_threads_are_shared_with_the_page_pool():
    rapid, fallback = make_engines("rapidocr", threads=0, workers=64)
    assert isinstance(rapid, RapidOcrEngine) and rapid.threads == 1
    assert isinstance(fallback, TesseractEngine)
    assert make_engines("rapidocr", threads=3, workers=2)[0].threads == 3


def test_each_character_keeps_its_own_confidence_after_a_space() -> None:
    """RapidOCR pairs the n-th character with the n-th confidence of the line text,
    spaces included: after a space each character would carry its neighbour's."""
    from ingest.rapid import _aligned

    text = "小山 勝男"
    handed = [("小", 1.0, "b0"), ("山", 0.99, "b1"), ("勝", 0.66, "b2"), ("男", 0.98, "b3")]  # 0.66: the space's
    confs = [s for _, s, _ in _aligned(text, handed, 0.9)]
    assert confs[:3] == [1.0, 0.99, 0.98]  # 勝 takes its own (index 3 of the line text)
    assert confs[3] == 0.9  # 男's own was cut off by RapidOCR: the line's score
    # Pieces that do not spell the line are left as they are.
    assert _aligned("別の行", handed, 0.9) == handed
