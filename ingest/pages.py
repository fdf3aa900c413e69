"""Reading one page of a file into text: the unit of work the process pool runs.

A PDF page with a usable text layer is read with pdfplumber; any other page is
rendered (PDF at 300 dpi) or decoded (PNG, JPEG, TIFF frame), turned upright,
levelled and OCR'd. Each call opens the file itself so that pages of one file can
be read in parallel processes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pypdfium2
from PIL import Image, ImageDraw, ImageOps

from ingest.barcodes import read_barcodes
from ingest.checkboxes import Checkbox, find_checkboxes
from ingest.document import Page, Word
from ingest.formats import RASTER_DPI
from ingest.normalise import normalise_text
from ingest.ocr import (OcrEngine, OcrResult, Reread, clearer_text, erase_rules, level,
                        measure_skew, merge_words, replace_rows, reread_weak_rows)
from shoko.errors import UnreadableFile

# A text layer is trusted when it has this many characters, few of them
# unmapped glyphs ("(cid:123)" or U+FFFD from fonts without a ToUnicode map).
MIN_TEXT_LAYER_CHARS = 20
MAX_UNMAPPED_SHARE = 0.05
TEXT_LAYER_RENDER_DPI = 200  # the text-layer page is rendered at this for barcodes and check boxes
TICKED, EMPTY = "\u2611", "\u2610"  # ☑ and ☐: the marks the extractor reads before an option
ORIENTATION_MIN_CONFIDENCE = 1.5  # Tesseract OSD confidence below this is noise
DOUBTFUL_CONFIDENCE = 70.0  # mean word confidence under which an unsure orientation is rechecked
_UNMAPPED = re.compile(r"\(cid:\d+\)|\ufffd")


@dataclass(frozen=True)
class PageJob:
    """One page to read: which file, which page (0-based), in which format."""

    path: str
    file_format: str
    index: int


def read_page(job: PageJob, engine: OcrEngine, reread: Reread = Reread()) -> Page:
    """Read one page into a ``Page`` (text layer first for PDFs, else OCR)."""
    number = job.index + 1
    try:
        if job.file_format == "pdf":
            page = _text_layer_page(job)
            if page is not None:
                return page
            image, dpi = _render_pdf_page(job), RASTER_DPI
        else:
            image, dpi = _decode_image_page(job)
    except (OSError, SyntaxError, ValueError, EOFError, pypdfium2.PdfiumError) as e:
        raise UnreadableFile(f"{Path(job.path).name} page {number}: {e}") from e
    return ocr_page(image, dpi, number, engine, reread)


def ocr_page(image: Image.Image, dpi: int, number: int, engine: OcrEngine,
             reread: Reread = Reread()) -> Page:
    """Turn a scanned page upright, level it, read its barcodes and OCR it."""
    image = ImageOps.grayscale(image)
    rotation, sure = _orientation(image, dpi, engine)
    turned = _read_turned(image, rotation, dpi, engine)
    if rotation and not sure and _mean_confidence(turned.result) < DOUBTFUL_CONFIDENCE:
        # OSD guessed a turn and the text reads badly: maybe the page was upright.
        other = _read_turned(image, 0, dpi, engine)
        if _mean_confidence(other.result) > _mean_confidence(turned.result):
            turned = other
    second = reread_weak_rows(turned.cleaned, turned.result, dpi, engine, reread)
    marked = _with_checkboxes(turned.result, turned.checkboxes)
    second_words, reread_words = _second_reading(turned.result, second, turned.checkboxes)
    return Page(
        number=number,
        text=normalise_text(clearer_text(turned.result, second)),
        raw_text=marked.text,
        source="ocr",
        words=marked.words,
        rotation=turned.rotation,
        skew=turned.skew,
        barcodes=read_barcodes(turned.upright),
        second_reading=second_words,
        reread_words=reread_words,
    )


def _orientation(image: Image.Image, dpi: int, engine: OcrEngine) -> tuple[int, bool]:
    """Clockwise turn the page needs, and whether OSD was sure of it.

    OSD on a 150 dpi copy is fast and enough for a full page of text; a sparse
    page gives OSD too few characters there, so it is asked again at full size.
    """
    rotation, confidence = engine.orientation(_thumbnail(image, dpi))
    if confidence >= ORIENTATION_MIN_CONFIDENCE:
        return rotation, True
    full_rotation, full_confidence = engine.orientation(image)
    if full_confidence >= ORIENTATION_MIN_CONFIDENCE:
        return full_rotation, True
    return (full_rotation if full_confidence > confidence else rotation), False


@dataclass
class _Turned:
    """A page turned upright, levelled and read once."""

    result: OcrResult  # words and text, without check-box marks
    rotation: int
    skew: float
    upright: Image.Image  # turned and levelled
    cleaned: Image.Image  # the same without ruled lines and check boxes: what OCR saw
    checkboxes: list[Checkbox]


def _read_turned(image: Image.Image, rotation: int, dpi: int, engine: OcrEngine) -> _Turned:
    """OCR after turning by ``rotation`` and levelling."""
    if rotation:
        # OSD reports the clockwise turn needed; PIL rotates counter-clockwise.
        image = image.rotate(-rotation, expand=True)
    skew = measure_skew(image)
    image = level(image, skew)
    checkboxes = find_checkboxes(image)
    cleaned = _blank_out(erase_rules(image), checkboxes)
    return _Turned(engine.read(cleaned, dpi), rotation, skew, image, cleaned, checkboxes)


def _second_reading(result: OcrResult, second: dict[int, list[Word]],
                    checkboxes: list[Checkbox]) -> tuple[list[Word], list[int]]:
    """The page's words with the reread rows replaced, check-box marks merged in as
    in the first reading, and the indices of the words read a second time."""
    if not second:
        return [], []
    first = {(w.text, w.box) for w in result.words}
    reread = {(w.text, w.box) for row in second.values() for w in row} - first
    words, _ = merge_words(replace_rows(result.words, second),
                           [_checkbox_word(c) for c in checkboxes])
    return words, [i for i, w in enumerate(words) if (w.text, w.box) in reread]


def _blank_out(image: Image.Image, checkboxes: list[Checkbox]) -> Image.Image:
    """A copy with the check boxes painted white: Tesseract would read each as a junk glyph.

    A tick often leaves its box over the top, so a ticked box is cleared higher up.
    """
    if not checkboxes:
        return image
    image = image.copy()
    draw = ImageDraw.Draw(image)
    for checkbox in checkboxes:
        left, top, width, height = checkbox.box
        pad = max(2, width // 8)
        rise = height // 3 if checkbox.ticked else pad
        draw.rectangle((left - pad, top - rise, left + width + pad, top + height + pad), fill=255)
    return image


def _checkbox_word(checkbox: Checkbox, scale: float = 1.0) -> Word:
    """A pseudo-word ☑ or ☐ where the box stands, in the page's word coordinates."""
    box = tuple(round(v * scale) for v in checkbox.box)
    return Word(TICKED if checkbox.ticked else EMPTY, 100.0, box, -1)


def _with_checkboxes(result: OcrResult, checkboxes: list[Checkbox]) -> OcrResult:
    """The OCR result with a ☑/☐ word for each check box, in reading order before its
    option.

    The marks go into the words and the raw reading, which the extractor reads;
    the document's text is what is printed, and drawn boxes are not text.
    """
    if not checkboxes:
        return result
    words, marked = merge_words(result.words, [_checkbox_word(c) for c in checkboxes])
    return OcrResult(marked, words)


def _mean_confidence(result) -> float:
    scored = [w.confidence for w in result.words if w.confidence >= 0]
    return sum(scored) / len(scored) if scored else 0.0


def _thumbnail(image: Image.Image, dpi: int) -> Image.Image:
    """A copy at about 150 dpi: orientation needs shapes, not detail, and is faster small."""
    factor = 150 / dpi
    if factor >= 1:
        return image
    return image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.LANCZOS)


def _text_layer_page(job: PageJob) -> Page | None:
    """The page from its text layer, or None when the layer is missing or unusable.

    pdfplumber gives text in reading order with word boxes; some embedded CJK
    fonts (CFF outlines in a CID font) defeat it while PDFium still reads them,
    so PDFium is the second reader before falling back to OCR.
    """
    with pdfplumber.open(job.path) as pdf:
        plumber_page = pdf.pages[job.index]
        raw = plumber_page.extract_text() or ""
        words = _text_layer_words(plumber_page) if _usable(raw) else []
    runs: list[Word] = []  # PDFium's text runs: where its text stands, for placing ticks
    if not _usable(raw):
        raw, runs = _pdfium_text(job)
        if not _usable(raw):
            return None
    image = _render_pdf_page(job, dpi=TEXT_LAYER_RENDER_DPI)
    # Vector-drawn boxes leave no character in the text layer: the ticks go into
    # the words before their options (the text stays what is printed).
    placed = words or runs
    checkboxes = find_checkboxes(image) if placed else []
    printed = raw
    if checkboxes:
        scale = 72 / TEXT_LAYER_RENDER_DPI
        words, raw = merge_words(placed, [_checkbox_word(c, scale) for c in checkboxes])
    return Page(
        number=job.index + 1,
        text=normalise_text(printed),
        raw_text=raw,
        source="text_layer",
        words=words,
        barcodes=read_barcodes(image),
    )


def _usable(text: str) -> bool:
    """Enough characters, and few unmapped glyphs among them."""
    visible = re.sub(r"\s", "", text)
    if len(visible) < MIN_TEXT_LAYER_CHARS:
        return False
    unmapped = sum(len(m) for m in _UNMAPPED.findall(visible))
    return unmapped <= MAX_UNMAPPED_SHARE * len(visible)


def _pdfium_text(job: PageJob) -> tuple[str, list[Word]]:
    """The page's text as PDFium reads it, and its text runs as words."""
    pdf = pypdfium2.PdfDocument(job.path)
    try:
        page = pdf[job.index]
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        words = _pdfium_words(textpage, page.get_height())
    finally:
        pdf.close()
    return text.replace("\r\n", "\n").replace("\r", "\n"), words


def _pdfium_words(textpage, page_height: float) -> list[Word]:
    """PDFium's text runs as words in points from the top left, numbered by line like ``_text_layer_words``."""
    runs = []
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        text = textpage.get_text_bounded(left, bottom, right, top).strip()
        if text:
            runs.append((page_height - top, left, text, (right - left, top - bottom)))
    words: list[Word] = []
    line, last_top = -1, None
    for top, left, text, (width, height) in sorted(runs, key=lambda r: (round(r[0]), r[1])):
        if last_top is None or abs(top - last_top) > 3:
            line += 1
            last_top = top
        words.append(Word(text, 100.0, (round(left), round(top), round(width), round(height)), line))
    return words


def _text_layer_words(plumber_page) -> list[Word]:
    """Words of a text layer, numbered by line (a word starting lower starts a new line)."""
    words: list[Word] = []
    line, last_top = -1, None
    for w in sorted(plumber_page.extract_words(), key=lambda w: (round(w["top"]), w["x0"])):
        if last_top is None or abs(w["top"] - last_top) > 3:
            line += 1
            last_top = w["top"]
        box = (round(w["x0"]), round(w["top"]), round(w["x1"] - w["x0"]), round(w["bottom"] - w["top"]))
        words.append(Word(w["text"], 100.0, box, line))
    return words


def _render_pdf_page(job: PageJob, dpi: int = RASTER_DPI) -> Image.Image:
    pdf = pypdfium2.PdfDocument(job.path)
    try:
        return pdf[job.index].render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        pdf.close()


def _decode_image_page(job: PageJob) -> tuple[Image.Image, int]:
    with Image.open(job.path) as img:
        if job.index:
            img.seek(job.index)
        dpi = img.info.get("dpi", (300, 300))[0] or 300
        image = img.convert("L")  # decodes fully: a truncated file fails here
    return image, int(round(dpi)) if 70 <= dpi <= 1200 else 300
