"""Reading one page of a file into text: the unit of work the process pool runs.

A PDF page with a usable text layer is read with pdfplumber; any other page is
rendered (PDF at 300 dpi) or decoded (PNG, JPEG, TIFF frame), turned upright,
levelled and OCR'd. Each call opens the file itself so that pages of one file can
be read in parallel processes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pdfplumber
import pypdfium2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from ingest.barcodes import read_barcodes
from ingest.checkboxes import Checkbox, find_checkboxes
from ingest.document import Page, Word
from ingest.formats import RASTER_DPI
from kernel.text import normalise_text
from ingest.ocr import (OcrEngine, OcrResult, Reread, clearer_text, erase_rules, level, level_box,
                        measure_skew, merge_words, replace_rows, reread_weak_rows)
from kernel.errors import UnreadableFile

# A text layer is trusted when it has this many characters, few of them
# unmapped glyphs ("(cid:123)" or U+FFFD from fonts without a ToUnicode map).
MIN_TEXT_LAYER_CHARS = 20
# An A4 page in 6-point type holds about 10,000 characters: a text layer with far
# more is junk (or an attack), and pdfplumber would spend minutes on it.
MAX_TEXT_LAYER_CHARS = 30_000
MAX_UNMAPPED_SHARE = 0.05
TEXT_LAYER_RENDER_DPI = 200  # the text-layer page is rendered at this for barcodes and check boxes
TICKED, EMPTY = "\u2611", "\u2610"  # ☑ and ☐: the marks the extractor reads before an option
ORIENTATION_MIN_CONFIDENCE = 1.5  # Tesseract OSD confidence below this is noise
MIN_PAGE_CHARS = 10  # a page read into fewer characters while it has ink has not been read
FEW_ROWS = 5  # a page read into fewer rows is read again in other ways too
INK_CONTRAST = 60  # grey levels below the paper that count as ink
MIN_INK_SHARE = 0.0003  # share of ink pixels above which a page is not blank (two short lines: 0.001)
UPSCALE_BELOW_DPI = 250  # pages scanned under this are also tried enlarged ...
UPSCALE_TO_DPI = 300  # ... to this
CROP_MARGIN = 0.04  # share of the page kept around its ink when a page is read cropped
_UNMAPPED = re.compile(r"\(cid:\d+\)|\ufffd")


@dataclass(frozen=True)
class PageJob:
    """One page to read: which file, which page (0-based), in which format."""

    path: str
    file_format: str
    index: int


def read_page(job: PageJob, engine: OcrEngine, reread: Reread = Reread(),
              fallback: OcrEngine | None = None) -> Page:
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
    return ocr_page(image, dpi, number, engine, reread, fallback)


def ocr_page(image: Image.Image, dpi: int, number: int, engine: OcrEngine,
             reread: Reread = Reread(), fallback: OcrEngine | None = None) -> Page:
    """Turn a scanned page upright, read its barcodes and OCR it, never worse than plainly.

    The engine's own first reading (``engine.first_steps``: none for PP-OCR,
    levelling and ruled-line removal for Tesseract) is kept when it reads well.
    A weak reading (low confidence, or little text on an inked page) is read again
    without and with each other preprocessing step, and the best reading by
    confidence-weighted amount of text is kept. A page still without text while it
    has ink is read by the ``fallback`` engine; failing that it is marked
    unreadable, which the extractor turns into a flag for review.
    """
    image = ImageOps.grayscale(image)
    if engine.reads_before_turning:
        # Most pages arrive upright: a page that reads well as scanned, in
        # horizontal lines, needs no orientation detection.
        best = _attempt(image, 0, dpi, engine, engine.first_steps)
        if best.result.rotation:
            # The engine saw the page lie turned before reading it: read it turned,
            # from the lines it already found (check boxes are found on the upright page).
            turn = best.result.rotation
            best = _attempt(_turn(image, turn), turn, dpi, engine, engine.first_steps, best.result.lines)
        # A sure reading of a few horizontal rows needs no OSD either.
        if not _unsure(best, engine) and not _empty(best) and _horizontal(best.result):
            rotation = best.rotation
        else:
            rotation, sure = _orientation(image, dpi, engine)
            if rotation:
                turned = _attempt(_turn(image, rotation), rotation, dpi, engine, engine.first_steps)
                # Standing lines may still be read, in the wrong order: a sure OSD wins.
                best = turned if sure and not _weak(turned, engine) else _better(best, turned)
    else:
        rotation, sure = _orientation(image, dpi, engine)
        best = _attempt(_turn(image, rotation), rotation, dpi, engine, engine.first_steps)
        if rotation and not sure and _weak(best, engine):
            # OSD guessed a turn and the text reads badly: maybe the page was upright.
            best = _better(best, _attempt(image, 0, dpi, engine, engine.first_steps))
    # Whether the page has ink matters only for a weak reading: not measured otherwise.
    inked = has_ink(best.upright) if _weak(best, engine) else True
    if _weak(best, engine, inked):
        # An unsure reading is tried every other way, until one reads well; a sure
        # reading of a few rows only cropped, where the detector sees small lines.
        others = _alternatives(engine, dpi) if _unsure(best, engine) or _empty(best) else [("crop",)]
        for steps in others:
            if steps != best.steps:
                best = _better(best, _attempt(_turn(image, best.rotation), best.rotation, dpi, engine, steps))
            if not _weak(best, engine, inked):
                break
    if _empty(best) and inked and fallback is not None:
        turned = _turn(image, best.rotation)
        for steps in (fallback.first_steps, *_alternatives(fallback, dpi)):
            other = _attempt(turned, best.rotation, dpi, fallback, steps)
            if _chars(other.result) > _chars(best.result):
                best = other
            if not _weak(best, fallback, inked):
                break
    second = reread_weak_rows(best.cleaned, best.result, dpi, best.engine, reread) \
        if best.engine.rereads else {}
    marked = _with_checkboxes(best.result, best.checkboxes)
    second_words, reread_words = _second_reading(best.result, second, best.checkboxes)
    return Page(
        number=number,
        text=normalise_text(clearer_text(best.result, second)),
        raw_text=marked.text,
        source="ocr",
        words=marked.words,
        rotation=best.rotation,
        skew=best.skew,
        barcodes=read_barcodes(best.upright),
        second_reading=second_words,
        reread_words=reread_words,
        reader={**best.engine.describe(), "steps": list(best.steps), "rotation": best.rotation,
                "skew": best.skew},
        unreadable=_empty(best) and inked,
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
    """A page turned upright, prepared by some steps and read once."""

    result: OcrResult  # words and text, without check-box marks
    rotation: int
    skew: float
    upright: Image.Image  # turned (and levelled, when a step did): the page's coordinates
    cleaned: Image.Image  # what OCR saw, in the same coordinates
    checkboxes: list[Checkbox]
    steps: tuple[str, ...]
    engine: OcrEngine


def _turn(image: Image.Image, rotation: int) -> Image.Image:
    # OSD reports the clockwise turn needed; PIL rotates counter-clockwise.
    return image.rotate(-rotation, expand=True) if rotation else image


def _attempt(upright: Image.Image, rotation: int, dpi: int, engine: OcrEngine,
             steps: tuple[str, ...], lines: object = None) -> _Turned:
    """One reading of an upright page after the named preprocessing ``steps``
    (with ``lines`` the engine already found on it, when it found them)."""
    skew = 0.0
    image = upright
    if "level" in steps:
        skew = measure_skew(image)
        image = level(image, skew)
    checkboxes = find_checkboxes(image)
    cleaned = image
    if "background" in steps:
        cleaned = flatten_background(cleaned)
    if "erase_rules" in steps:
        cleaned = erase_rules(cleaned)
    cleaned = _blank_out(cleaned, checkboxes)
    factor = UPSCALE_TO_DPI / dpi if "upscale" in steps and dpi < UPSCALE_BELOW_DPI else 1.0
    if "crop" in steps:
        # Read only where the ink is: a line detector misses lines of a sparse page
        # in a sea of white, which the crop leaves behind.
        x0, y0, x1, y1 = _ink_box(cleaned)
        crop = cleaned.crop((x0, y0, x1, y1))
        result = _shifted(engine.read(crop, dpi), x0, y0)
    elif factor != 1.0:
        resized = cleaned.resize((round(cleaned.width * factor), round(cleaned.height * factor)),
                                 Image.Resampling.LANCZOS)
        result = _scaled(engine.read(resized, round(dpi * factor)), 1 / factor)
    else:
        result = engine.read(cleaned, dpi, lines)
    if result.skew:
        # The engine levelled its words' coordinates: the boxes follow them.
        skew = result.skew
        centre = (image.width / 2, image.height / 2)
        checkboxes = [replace(c, box=level_box(_corners(c.box), skew, centre)) for c in checkboxes]
    return _Turned(result, rotation, skew, image, cleaned, checkboxes, steps, engine)


def _alternatives(engine: OcrEngine, dpi: int) -> list[tuple[str, ...]]:
    """Other ways to prepare a weak page, plainest first."""
    out = [(), ("background",), ("level", "background")]
    if dpi < UPSCALE_BELOW_DPI:
        out.append(("upscale", "background"))
    out.append(("crop",))
    return [steps for steps in out if steps != engine.first_steps]


def _horizontal(result: OcrResult) -> bool:
    """Whether the page's words of three or more characters mostly run across, as
    upright Japanese forms do (a page turned a quarter has them standing)."""
    long_words = [w for w in result.words if len(w.text) >= 3]
    return not long_words or sum(w.box[2] > w.box[3] for w in long_words) > len(long_words) / 2


def _chars(result: OcrResult) -> int:
    return sum(len(w.text) for w in result.words)


def _score(reading: _Turned) -> float:
    """Confidence-weighted amount of text: more text read more surely is better."""
    return sum(max(0.0, w.confidence) / 100 * len(w.text) for w in reading.result.words)


def _better(a: _Turned, b: _Turned) -> _Turned:
    """The reading that scores higher; the first one on a tie."""
    return b if _score(b) > _score(a) else a


def _empty(reading: _Turned) -> bool:
    return _chars(reading.result) < MIN_PAGE_CHARS


def _weak(reading: _Turned, engine: OcrEngine, inked: bool = True) -> bool:
    """Low confidence, no text on an inked page, or only a few rows: a line
    detector tuned on full pages misses lines of a sparse one at full size."""
    rows = len({w.line for w in reading.result.words})
    return (inked and (_empty(reading) or rows < FEW_ROWS)) or _unsure(reading, engine)


def _unsure(reading: _Turned, engine: OcrEngine) -> bool:
    """Words read with a mean confidence under the engine's bar."""
    return bool(reading.result.words) and _mean_confidence(reading.result) < engine.weak_below


def _small_ink(image: Image.Image) -> tuple[np.ndarray, float]:
    """Ink (pixels well darker than the paper) on a copy at most 1000 pixels long, and its scale."""
    small = ImageOps.grayscale(image)
    scale = min(1.0, 1000 / max(small.size))
    small = small.resize((max(1, round(small.width * scale)), max(1, round(small.height * scale))))
    pixels = np.asarray(small, dtype=np.int16)
    return pixels < int(np.percentile(pixels, 90)) - INK_CONTRAST, scale


def has_ink(image: Image.Image) -> bool:
    """Whether the page carries marks: enough pixels well darker than its paper."""
    return float(_small_ink(image)[0].mean()) >= MIN_INK_SHARE


def flatten_background(image: Image.Image) -> Image.Image:
    """Grey, coloured or unevenly lit paper made white, and the ink stretched to black.

    The paper's brightness is estimated as a wide local maximum (text strokes are
    thin, paper is everywhere) on a small copy; dividing by it levels shading and
    tint, and a contrast stretch restores faint ink.
    """
    grey = ImageOps.grayscale(image)
    small = grey.resize((max(1, grey.width // 8), max(1, grey.height // 8)), Image.Resampling.BOX)
    paper = small.filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.BoxBlur(4))
    paper = np.asarray(paper.resize(grey.size, Image.Resampling.BILINEAR), dtype=np.float32)
    ratio = np.asarray(grey, dtype=np.float32) / np.maximum(paper, 1.0)
    low = float(np.percentile(ratio, 0.5))
    stretched = (ratio - low) / max(1e-3, 0.95 - low)
    return Image.fromarray((np.clip(stretched, 0, 1) * 255).astype(np.uint8))


def _scaled(result: OcrResult, factor: float) -> OcrResult:
    """A reading of a resized page with its boxes in the page's own pixels."""
    return replace(result, words=[replace(w, box=tuple(round(v * factor) for v in w.box))
                                  for w in result.words])


def _ink_box(image: Image.Image) -> tuple[int, int, int, int]:
    """The box around the page's ink, with a margin, in the page's pixels."""
    ink, scale = _small_ink(image)
    ys, xs = np.nonzero(ink)
    if len(xs) == 0:
        return 0, 0, image.width, image.height
    margin = CROP_MARGIN * max(image.size)
    return (max(0, round(xs.min() / scale - margin)), max(0, round(ys.min() / scale - margin)),
            min(image.width, round((xs.max() + 1) / scale + margin)),
            min(image.height, round((ys.max() + 1) / scale + margin)))


def _shifted(result: OcrResult, dx: int, dy: int) -> OcrResult:
    """A reading of a crop with its boxes in the page's pixels."""
    return replace(result, words=[replace(w, box=(w.box[0] + dx, w.box[1] + dy, w.box[2], w.box[3]))
                                  for w in result.words])


def _corners(box: tuple[int, int, int, int]) -> np.ndarray:
    left, top, width, height = box
    return np.array([[left, top], [left + width, top], [left + width, top + height], [left, top + height]],
                    dtype=float)


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


def _mean_confidence(result: OcrResult) -> float:
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
    if _layer_chars(job) > MAX_TEXT_LAYER_CHARS:
        return None  # junk no page can hold (an inflating content stream): read the image
    with pdfplumber.open(job.path) as pdf:
        plumber_page = pdf.pages[job.index]
        raw = plumber_page.extract_text() or ""
        words = _text_layer_words(plumber_page) if _usable(raw) else []
    runs: list[Word] = []  # PDFium's text runs: where its text stands, for placing ticks
    reader = {"engine": "pdfplumber", "version": pdfplumber.__version__}
    if not _usable(raw):
        raw, runs = _pdfium_text(job)
        if not _usable(raw):
            return None
        reader = {"engine": "pdfium", "version": str(pypdfium2.PYPDFIUM_INFO)}
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
        reader=reader,
    )


def _layer_chars(job: PageJob) -> int:
    """Characters in the page's text layer, counted by PDFium (native and quick, where
    pdfplumber may spend minutes and gigabytes on a hostile content stream)."""
    pdf = pypdfium2.PdfDocument(job.path)
    try:
        textpage = pdf[job.index].get_textpage()
        return textpage.count_chars()
    finally:
        pdf.close()


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
