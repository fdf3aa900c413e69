"""The second OCR reading of a page's weak rows, with real Tesseract on generated pages."""

from __future__ import annotations

from PIL import ImageDraw, ImageFont

from kernel.text import normalise_line
from ingest.ocr import Reread, TesseractEngine, reread_weak_rows, replace_rows
from tests.conftest import SANS, render_page

ENGINE = TesseractEngine()
LINES = ["在宅酸素療法指導記録", "患者氏名 佐藤 花子", "指導日 令和8年10月14日"]


def _page_with_columns():
    """Three lines, the last with a second column far to the right (a form's two cells)."""
    page = render_page(LINES)
    face = ImageFont.truetype(str(SANS), 40)
    ImageDraw.Draw(page).text((1500, 240 + 2 * 72), "主治医 宮本 誠", font=face, fill=0)
    return page


def _compact(words) -> str:
    return normalise_line(" ".join(w.text for w in words)).replace(" ", "")


def test_every_weak_stretch_is_read_again_alone_in_page_coordinates():
    page = _page_with_columns()
    first = ENGINE.read(page, 300)
    rows = {}
    for w in first.words:
        rows.setdefault(w.line, []).append(w)
    second = reread_weak_rows(page, first, 300, ENGINE, Reread(below=101))  # every row is "weak"
    assert set(second) == set(rows)
    for line, words in second.items():
        top = min(w.box[1] for w in rows[line])
        bottom = max(w.box[1] + w.box[3] for w in rows[line])
        for w in words:
            assert w.line == line
            assert top - 20 <= w.box[1] and w.box[1] + w.box[3] <= bottom + 20
    texts = [_compact(second[line]) for line in sorted(second)]
    assert texts[1] == "患者氏名佐藤花子"
    # The two cells of the last row were read separately, left one first.
    assert texts[2] == "指導日令和8年10月14日主治医宮本誠"


def test_only_rows_below_the_bar_are_read_again_and_at_most_the_limit():
    page = _page_with_columns()
    first = ENGINE.read(page, 300)
    assert reread_weak_rows(page, first, 300, ENGINE, Reread(below=0)) == {}
    one = reread_weak_rows(page, first, 300, ENGINE, Reread(below=101, limit=1))
    weakest = min(first.words, key=lambda w: w.confidence).line
    assert list(one) == [weakest]


def test_replace_rows_swaps_only_the_rows_read_again():
    page = _page_with_columns()
    first = ENGINE.read(page, 300)
    second = reread_weak_rows(page, first, 300, ENGINE, Reread(below=101, limit=1))
    replaced = replace_rows(first.words, second)
    (line,) = second
    assert [w for w in replaced if w.line == line] == second[line]
    assert [w for w in replaced if w.line != line] == [w for w in first.words if w.line != line]


def test_the_setting_turns_second_readings_off(tmp_path):
    from ingest.pages import ocr_page
    from shoko.services import Services
    from shoko.settings import load_config

    settings = tmp_path / "shoko.toml"
    settings.write_text("ocr_second_reading = 0\n", encoding="utf-8")
    with Services(load_config(settings, data_dir=str(tmp_path / "data"))).intake() as intake:
        assert intake.reread.limit == 0
        page = ocr_page(_page_with_columns(), 300, 1, ENGINE, intake.reread)
    assert page.words and page.second_reading == [] and page.reread_words == []


def test_the_text_takes_each_row_from_the_surer_reading():
    from ingest.document import Word
    from ingest.ocr import OcrResult, clearer_text

    first = OcrResult("", [Word("患者", 95, (0, 0, 80, 40), 0), Word("本", 20, (90, 0, 40, 40), 0),
                           Word("弘子", 90, (140, 0, 80, 40), 0), Word("指導日", 96, (0, 60, 120, 40), 1)])
    surer = {0: [Word("患者", 95, (0, 0, 80, 40), 0), Word("加藤", 88, (90, 0, 80, 40), 0),
                 Word("弘子", 91, (180, 0, 80, 40), 0)]}
    assert clearer_text(first, surer) == "患者 加藤 弘子\n指導日"
    weaker = {0: [Word("患者", 60, (0, 0, 80, 40), 0), Word("加藤弘子", 40, (90, 0, 160, 40), 0)]}
    assert clearer_text(first, weaker) == "患者 本 弘子\n指導日"
    shorter = {0: [Word("患者", 99, (0, 0, 80, 40), 0)]}  # surer, but lost most of the row
    assert clearer_text(first, shorter) == "患者 本 弘子\n指導日"
