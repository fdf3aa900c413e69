"""Check boxes found in page images and turned into ☑/☐ before their options."""

from __future__ import annotations

import re

import numpy as np
import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ingest.checkboxes import find_checkboxes
from kernel.text import normalise_line
from ingest.ocr import TesseractEngine
from ingest.pages import PageJob, ocr_page, read_page
from tests.conftest import SANS, render_page

OPTIONS = [["酸素濃縮装置", "設置型液化酸素装置", "携帯型液化酸素装置"],
           ["携帯用酸素ボンベ", "その他の酸素ボンベ", "呼吸同調式デマンドバルブ"]]
TICKED_OPTION, FILLED_OPTION = "設置型液化酸素装置", "携帯用酸素ボンベ"


def option_page(dpi: int, noise: bool = True) -> Image.Image:
    """An A4 form with two rows of options: one box ticked with ✓ lines, one filled, the rest empty."""
    scale = dpi / 300
    size, box = round(40 * scale), round(40 * scale)
    page = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
    draw = ImageDraw.Draw(page)
    face = ImageFont.truetype(str(SANS), size)
    draw.text((round(240 * scale), round(300 * scale)), "在宅酸素療法機器 賃貸借契約書", font=face, fill=0)
    draw.text((round(240 * scale), round(420 * scale)), "機器の種類（該当するものに印）", font=face, fill=0)
    line = max(2, round(3 * scale))
    y = round(540 * scale)
    for row in OPTIONS:
        x = round(240 * scale)
        for option in row:
            top = y + round(6 * scale)
            draw.rectangle((x, top, x + box, top + box), outline=0, width=line)
            if option == TICKED_OPTION:
                draw.line((x + box * 0.2, top + box * 0.5, x + box * 0.45, top + box * 0.8), fill=0, width=line + 1)
                draw.line((x + box * 0.45, top + box * 0.8, x + box * 0.85, top + box * 0.15), fill=0, width=line + 1)
            elif option == FILLED_OPTION:
                draw.rectangle((x, top, x + box, top + box), fill=0)
            x += box + round(20 * scale)
            draw.text((x, y), option, font=face, fill=0)
            x += round(face.getlength(option)) + round(60 * scale)
        y += round(size * 1.8)
    draw.text((round(240 * scale), y + size), "機種名 ハイサンソ5S", font=face, fill=0)
    if noise:
        page = _scanned(page)
    return page


def _scanned(page: Image.Image) -> Image.Image:
    """Slight blur and grain, like a clean office scan."""
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    pixels = np.asarray(page, dtype=np.int16)
    grain = np.random.default_rng(7).normal(0, 12, pixels.shape)
    return Image.fromarray(np.clip(pixels + grain, 0, 255).astype(np.uint8))


@pytest.mark.parametrize("dpi", [300, 200])
def test_boxes_found_with_their_ticks(dpi):
    boxes = find_checkboxes(option_page(dpi))
    assert len(boxes) == 6
    assert [b.ticked for b in boxes] == [False, True, False, True, False, False]
    side = 40 * dpi / 300
    assert all(0.8 * side <= b.box[2] <= 1.3 * side and 0.8 * side <= b.box[3] <= 1.3 * side for b in boxes)
    assert boxes[3].fill > 0.9  # the filled box
    assert 0.04 < boxes[1].fill < 0.6  # the ticked one: strokes, not a blot


def test_box_with_one_pixel_break_still_found():
    page = option_page(300, noise=False)
    draw = ImageDraw.Draw(page)
    left, top = 240, 546
    draw.line((left + 20, top, left + 20, top + 3), fill=255)  # a break in the first box's top side
    boxes = find_checkboxes(_scanned(page))
    assert len(boxes) == 6


@pytest.mark.parametrize("dpi,size", [(300, 40), (300, 56), (200, 28), (200, 40)])
def test_no_box_in_plain_japanese_text(dpi, size):
    lines = ["人口の多い日本の田園地帯では毎回国の調査が行われる。",
             "口座番号、日付、田中様、回数、国民健康保険証の写し。",
             "品目：器具一式、四国支店、固定電話、因果関係、困難事例、囲い。",
             "日曜日と祝日は休業日です。回診は毎日行います。"]
    page = _scanned(render_page(lines, size=size, dpi=dpi))
    assert find_checkboxes(page) == []


def _mark_before(text: str, option: str) -> str:
    """The non-space character printed right before ``option`` in ``text``."""
    at = text.index(option)
    before = text[:at].rstrip()
    return before[-1] if before else ""


def _words_in_order(page) -> str:
    """The page's words in reading order: where the extractor finds the ticks."""
    return normalise_line(" ".join(w.text for w in page.words))


def test_ocr_page_puts_ticks_before_their_options():
    page = ocr_page(option_page(300), 300, 1, TesseractEngine())
    words = _words_in_order(page)
    assert _mark_before(words, TICKED_OPTION) == "☑"
    assert _mark_before(words, FILLED_OPTION) == "☑"
    for option in ("酸素濃縮装置", "携帯型液化酸素装置", "その他の酸素ボンベ"):
        assert _mark_before(words, option) == "☐", words
    assert words.count("☑") == 2 and words.count("☐") == 4
    assert "☑" not in page.text and "☐" not in page.text  # the text is what is printed
    marks = [w for w in page.words if w.text in "☑☐"]
    assert len(marks) == 6 and all(w.confidence == 100 for w in marks)


def test_born_digital_pdf_gets_ticks_in_its_words(tmp_path):
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.add_font("noto", fname=str(SANS))
    pdf.set_font("noto", size=11)
    pdf.set_xy(20, 20)
    pdf.cell(0, 8, "在宅酸素療法機器 賃貸借契約書")
    pdf.set_xy(20, 30)
    pdf.cell(0, 8, "機器の種類（該当するものに印）")
    y = 42.0
    for row in OPTIONS:
        x = 20.0
        for option in row:
            pdf.rect(x, y + 1.5, 4, 4)
            if option == TICKED_OPTION:
                pdf.line(x + 0.8, y + 3.5, x + 1.8, y + 4.8)
                pdf.line(x + 1.8, y + 4.8, x + 3.4, y + 2.0)
            elif option == FILLED_OPTION:
                pdf.rect(x, y + 1.5, 4, 4, style="F")
            pdf.set_xy(x + 5, y)
            pdf.cell(pdf.get_string_width(option) + 1, 7, option)
            x += 5 + pdf.get_string_width(option) + 8
        y += 9
    pdf.set_xy(20, y + 4)
    pdf.cell(0, 8, "機種名 ハイサンソ5S 月額賃貸料 24,500円")
    path = tmp_path / "contract.pdf"
    pdf.output(str(path))

    page = read_page(PageJob(str(path), "pdf", 0), TesseractEngine())
    assert page.source == "text_layer"
    words = _words_in_order(page)
    assert _mark_before(words, TICKED_OPTION) == "☑"
    assert _mark_before(words, FILLED_OPTION) == "☑"
    for option in ("酸素濃縮装置", "携帯型液化酸素装置", "その他の酸素ボンベ", "呼吸同調式デマンドバルブ"):
        assert _mark_before(words, option) == "☐", words
    assert "在宅酸素療法機器" in page.text.splitlines()[0] and "☑" not in page.text


def test_text_layer_without_boxes_keeps_its_text(tmp_path):
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.add_font("noto", fname=str(SANS))
    pdf.set_font("noto", size=11)
    for i, line in enumerate(["人口の多い日本の田園地帯では毎回国の調査が行われる。",
                              "口座番号、日付、田中様、回数、国民健康保険証の写し。"]):
        pdf.set_xy(20, 20 + 10 * i)
        pdf.cell(0, 8, line)
    path = tmp_path / "letter.pdf"
    pdf.output(str(path))
    page = read_page(PageJob(str(path), "pdf", 0), TesseractEngine())
    assert "☑" not in page.text and "☐" not in page.text
    assert page.raw_text.splitlines()[0] == "人口の多い日本の田園地帯では毎回国の調査が行われる。"


def radio_page(dpi: int = 300) -> Image.Image:
    """A form whose options are radio buttons (○, ◉ for the chosen one), with a
    letter-spaced S p O 2, full stops and a lone ring that are not buttons."""
    scale = dpi / 300
    size, ring = round(40 * scale), round(36 * scale)
    page = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
    draw = ImageDraw.Draw(page)
    face = ImageFont.truetype(str(SANS), size)
    draw.text((round(240 * scale), round(300 * scale)), "酸素処方箋", font=face, fill=0)
    draw.text((round(240 * scale), round(420 * scale)), "使用機器", font=face, fill=0)
    y = round(520 * scale)
    for row in OPTIONS:
        x = round(240 * scale)
        for option in row:
            top = y + round(8 * scale)
            draw.ellipse((x, top, x + ring, top + ring), outline=0, width=max(2, round(3 * scale)))
            if option == TICKED_OPTION:
                inset = ring // 4
                draw.ellipse((x + inset, top + inset, x + ring - inset, top + ring - inset), fill=0)
            x += ring + round(16 * scale)
            draw.text((x, y), option, font=face, fill=0)
            x += round(face.getlength(option)) + round(70 * scale)
        y += round(size * 1.9)
    draw.text((round(240 * scale), y + size), "S p O 2 　9 1 %。確認しました。", font=face, fill=0)
    draw.ellipse((round(1900 * scale), round(300 * scale), round(1936 * scale), round(336 * scale)),
                 outline=0, width=3)
    return _scanned(page)


def test_radio_buttons_are_found_with_the_chosen_one_and_nothing_else():
    boxes = find_checkboxes(radio_page())
    assert len(boxes) == 6
    assert [c.ticked for c in boxes].count(True) == 1
    chosen = next(c for c in boxes if c.ticked)
    # The chosen button is the second of the first row.
    first_row = sorted((c for c in boxes if abs(c.box[1] - chosen.box[1]) < 20), key=lambda c: c.box[0])
    assert first_row.index(chosen) == 1


def test_a_radio_chosen_device_is_read_through_pp_ocr():
    from pathlib import Path

    from ingest.engines import make_engines
    from ingest.extract import extract, load_rules
    from shoko.settings import CONFIG_DIR

    engine, fallback = make_engines("rapidocr", workers=1, config_dir=Path(CONFIG_DIR))
    page = ocr_page(radio_page(), 300, 1, engine, fallback=fallback)
    assert "\u2611" in page.raw_text and "\u2611" not in page.text
    # The O of S p O 2 is still there to read (PP-OCR may read it as a zero): not whited out as a button.
    assert re.search("Sp[O0]2", page.text.replace(" ", ""))
    extraction = extract([page], load_rules(CONFIG_DIR))
    assert extraction.fields["device_type"].value == "liquid_stationary"
