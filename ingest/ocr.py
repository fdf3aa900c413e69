"""OCR behind a narrow interface, and the page geometry fixes that precede it.

``OcrEngine`` is what the pipeline needs from an OCR engine: words with
confidences for an upright page or for a plain block of lines, and the
orientation of a page. A page's weakest rows are read a second time away from
everything around them (:func:`reread_weak_rows`): Tesseract often reads a row
cut out of a busy form better than it did inside the page.
``TesseractEngine`` implements it with pytesseract. Skew is measured here with a
projection profile, which is cheap and engine-independent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
import pytesseract
from PIL import Image, ImageOps

from ingest.document import Word
from ingest.layout import Line, reading_order


@dataclass(frozen=True)
class OcrResult:
    """Text (lines joined by newlines) and the words it was built from.

    ``skew`` is set by an engine that levels the words' coordinates itself (the
    degrees it measured, PIL's sense); the image it read was not turned.
    """

    text: str
    words: list[Word]
    skew: float = 0.0
    # An engine that found the page turned: the clockwise degrees it needs; nothing read.
    rotation: int = 0
    # With ``rotation``, the lines the engine found, on the page turned upright: given
    # back to ``read`` with that page, they are recognised without being found again.
    lines: object = None


class OcrEngine(Protocol):
    """What the pipeline asks of an OCR engine.

    ``first_steps`` names the preprocessing its first reading of a page gets
    (see ``ingest.pages``); ``weak_below`` the mean word confidence under which
    a reading is weak and other preparations are tried; ``rereads`` whether its
    weakest rows pay for a second reading cut out of the page;
    ``reads_before_turning`` whether a page is read as scanned first, and turned
    only when that reads badly (an engine that says clearly when text is upside
    down or standing), rather than turned by orientation detection first.
    """

    name: str
    first_steps: tuple[str, ...]
    weak_below: float
    rereads: bool
    reads_before_turning: bool

    def describe(self) -> dict:
        """Engine, version, models and settings, recorded with every page it reads."""

    def read(self, image: Image.Image, dpi: int, lines: object = None) -> OcrResult:
        """Recognise an upright page (``lines``: what an earlier reading that found
        the page turned returned as ``OcrResult.lines``; an engine may ignore it)."""

    def read_block(self, image: Image.Image, dpi: int) -> OcrResult:
        """Recognise an image holding one block of lines (no columns, no layout to find)."""

    def orientation(self, image: Image.Image) -> tuple[int, float]:
        """Clockwise degrees (0/90/180/270) the page must be turned, and a confidence."""


@dataclass(frozen=True)
class TesseractEngine:
    """Tesseract through pytesseract; one process per call, one thread each."""

    languages: str = "jpn"
    page_segmentation: int = 3
    timeout: int = 300  # seconds for one page; a stuck page must not hang the inbox
    name: str = "tesseract"
    # Tesseract's page layout drops underlined and ruled text and misreads a tilt:
    # it reads a levelled page with its rules erased better, on most pages.
    first_steps: tuple[str, ...] = ("level", "erase_rules")
    weak_below: float = 70.0
    rereads: bool = True
    reads_before_turning: bool = False

    def describe(self) -> dict:
        return {"engine": self.name, "version": _tesseract_version(), "languages": self.languages,
                "psm": self.page_segmentation}

    def read(self, image: Image.Image, dpi: int, lines: object = None) -> OcrResult:
        return self._read(image, dpi, self.page_segmentation)

    def read_block(self, image: Image.Image, dpi: int) -> OcrResult:
        return self._read(image, dpi, 6)  # psm 6: a single uniform block of text

    def _read(self, image: Image.Image, dpi: int, segmentation: int) -> OcrResult:
        data = pytesseract.image_to_data(
            image,
            lang=self.languages,
            config=f"--psm {segmentation} --dpi {dpi}",
            output_type=pytesseract.Output.DICT,
            timeout=self.timeout,
        )
        return _result_from_data(data)

    def orientation(self, image: Image.Image) -> tuple[int, float]:
        try:
            osd = pytesseract.image_to_osd(
                image, config="--psm 0", output_type=pytesseract.Output.DICT, timeout=self.timeout
            )
        except pytesseract.TesseractError:
            # Too little text to tell (a nearly blank page): leave it as scanned.
            return 0, 0.0
        return int(osd["rotate"]) % 360, float(osd["orientation_conf"])


_VERSION: list[str] = []


def _tesseract_version() -> str:
    if not _VERSION:
        try:
            _VERSION.append(str(pytesseract.get_tesseract_version()))
        except (pytesseract.TesseractNotFoundError, OSError):
            _VERSION.append("unknown")
    return _VERSION[0]


def _result_from_data(data: dict) -> OcrResult:
    """Words in reading order (``ingest.layout``): rows top to bottom, each row left
    to right, columns of running text one after the other.

    Tesseract's layout analysis reads a ruled form column by column (all labels,
    then all values); hospital forms are read row by row, label beside value, so
    Tesseract's lines are put in order again from their boxes, as every engine's are.
    """
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for i, text in enumerate(data["text"]):
        text = text.strip()
        if text:
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            box = (data["left"][i], data["top"][i], data["width"][i], data["height"][i])
            lines.setdefault(key, []).append(Word(text, float(data["conf"][i]), box, -1))
    detected = []
    for words in lines.values():
        left = min(w.box[0] for w in words)
        top = min(w.box[1] for w in words)
        right = max(w.box[0] + w.box[2] for w in words)
        bottom = max(w.box[1] + w.box[3] for w in words)
        detected.append(Line((left, top, right - left, bottom - top), words))
    words_out: list[Word] = []
    text_rows = []
    for number, row in enumerate(reading_order(detected)):
        row_words = [replace(w, line=number) for line in row for w in line.words]
        words_out.extend(row_words)
        text_rows.append(" ".join(w.text for w in row_words))
    return OcrResult("\n".join(text_rows), words_out)


@dataclass(frozen=True)
class Reread:
    """Which rows of a page are read a second time, and how."""

    below: float = 80.0  # a stretch whose weakest word is under this confidence
    limit: int = 16  # at most this many stretches per page, weakest first


def reread_weak_rows(image: Image.Image, result: OcrResult, dpi: int, engine: OcrEngine,
                     reread: Reread = Reread()) -> dict[int, list[Word]]:
    """Second readings of the page's weakest rows: {row number: the row's words, its
    weak stretches read again, in page coordinates}.

    A row is cut into stretches at wide gaps (form columns), and the weak stretches
    are cut out and read again, away from everything around them. Neighbouring
    table cells, ruled lines and columns confuse Tesseract's page layout; read
    alone, the same characters often read cleanly, though sometimes worse. Which
    reading is right is the extractor's call: it sees both.
    """
    stretches = [(row[0].line, i, stretch) for row in _word_rows(result.words)
                 for i, stretch in enumerate(_stretches(row))]
    weak = sorted((s for s in stretches if min(w.confidence for w in s[2]) < reread.below),
                  key=lambda s: min(w.confidence for w in s[2]))[:reread.limit]
    if not weak:
        return {}
    readings = _read_apart(image, [stretch for _, _, stretch in weak], dpi, engine)
    again = {(line, i): words for (line, i, _), words in zip(weak, readings) if words}
    reread_lines = {line for line, _ in again}
    second: dict[int, list[Word]] = {}
    for line, i, stretch in stretches:
        if line in reread_lines:
            second.setdefault(line, []).extend(again.get((line, i), stretch))
    return second


def _stretches(row: list[Word]) -> list[list[Word]]:
    """A row cut where the gap between two words is wider than two characters."""
    heights = sorted(w.box[3] for w in row)
    gap = 2 * heights[len(heights) // 2]
    out = [[row[0]]]
    for previous, word in zip(row, row[1:]):
        if word.box[0] - (previous.box[0] + previous.box[2]) > gap:
            out.append([])
        out[-1].append(word)
    return out


def clearer_text(result: OcrResult, second: dict[int, list[Word]], margin: float = 5.0) -> str:
    """The page's text with each row read a second time taken from whichever reading
    OCR was surer of: the second one when its characters are ``margin`` points more
    confident on average and it neither lost nor invented much text."""
    lines = []
    for row in _word_rows(result.words):
        again = second.get(row[0].line)
        if again and _row_score(again) >= _row_score(row) + margin \
                and 0.8 <= _row_chars(again) / max(1, _row_chars(row)) <= 1.25:
            row = again
        lines.append(" ".join(w.text for w in row))
    return "\n".join(lines)


def _row_chars(row: list[Word]) -> int:
    return sum(len(w.text) for w in row)


def _row_score(row: list[Word]) -> float:
    """Mean confidence of a row's characters."""
    chars = _row_chars(row)
    return sum(max(0.0, w.confidence) * len(w.text) for w in row) / chars if chars else 0.0


def replace_rows(words: list[Word], second: dict[int, list[Word]]) -> list[Word]:
    """``words`` with the rows in ``second`` replaced by their second readings."""
    out: list[Word] = []
    for row in _word_rows(words):
        out.extend(second.get(row[0].line, row))
    return out


def _word_rows(words: list[Word]) -> list[list[Word]]:
    rows: list[list[Word]] = []
    for word in words:
        if not rows or word.line != rows[-1][0].line:
            rows.append([])
        rows[-1].append(word)
    return rows


def _read_apart(image: Image.Image, stretches: list[list[Word]], dpi: int,
                engine: OcrEngine) -> list[list[Word]]:
    """Each stretch cut out with a margin, the cuts stacked one under another with
    blank space between, read in one OCR call (one call per stretch would cost a
    Tesseract start each), and the words given back per stretch in page coordinates."""
    cuts = [_cut(image, stretch) for stretch in stretches]
    gap = max(crop.height for crop, _ in cuts)
    sheet = Image.new("L", (max(crop.width for crop, _ in cuts) + 2 * gap,
                            sum(crop.height for crop, _ in cuts) + gap * (len(cuts) + 1)), 255)
    places: list[tuple[int, int, int]] = []  # top on the sheet, x and y offsets to the page
    y = gap
    for crop, (x0, y0) in cuts:
        sheet.paste(crop, (gap, y))
        places.append((y, x0 - gap, y0 - y))
        y += crop.height + gap
    out: list[list[Word]] = [[] for _ in stretches]
    for word in engine.read_block(sheet, dpi).words:
        centre = word.box[1] + word.box[3] / 2
        k = max((k for k, (top, _, _) in enumerate(places) if top - gap / 2 <= centre), default=0)
        _, dx, dy = places[k]
        left, top, width, height = word.box
        out[k].append(Word(word.text, word.confidence, (left + dx, top + dy, width, height),
                           stretches[k][0].line))
    return out


def _cut(image: Image.Image, stretch: list[Word]) -> tuple[Image.Image, tuple[int, int]]:
    """The stretch with a margin, and where that cut starts on the page."""
    left = min(w.box[0] for w in stretch)
    right = max(w.box[0] + w.box[2] for w in stretch)
    # The band most words share: one tall box (a tick, a bracket, two glyphs read
    # as one) would reach into the next row.
    top = sorted(w.box[1] for w in stretch)[len(stretch) // 2]
    bottom = sorted(w.box[1] + w.box[3] for w in stretch)[len(stretch) // 2]
    # White to the sides (Tesseract drops a glyph touching the edge), little above
    # and below: the rows next to it must stay out.
    side, rise = max(8, bottom - top), max(4, (bottom - top) // 3)
    x0, y0 = max(0, left - side), max(0, top - rise)
    return image.crop((x0, y0, min(image.width, right + side), min(image.height, bottom + rise))), (x0, y0)


def merge_words(words: list[Word], extra: list[Word]) -> tuple[list[Word], str]:
    """Put ``extra`` words (check box marks) into the rows of ``words``; the words renumbered and the text.

    ``words`` are in reading order with ``line`` as their row. An extra word joins
    the row it shares most of its height with, before the first word that starts
    right of it; a word beside no row becomes a row of its own, in order of height.
    Row text is its words joined by spaces, as ``_result_from_data`` builds it.
    """
    rows = _word_rows(words)
    for word in sorted(extra, key=lambda w: (w.box[1], w.box[0])):
        row = _row_for(rows, word)
        if row is None:
            at = next((i for i, r in enumerate(rows) if _row_extent(r)[0] > word.box[1]), len(rows))
            rows.insert(at, [word])
            continue
        at = next((i for i, w in enumerate(row) if w.box[0] >= word.box[0]), len(row))
        row.insert(at, word)
    merged = [replace(w, line=number) for number, row in enumerate(rows) for w in row]
    return merged, "\n".join(" ".join(w.text for w in row) for row in rows)


def _row_extent(row: list[Word]) -> tuple[int, int]:
    return min(w.box[1] for w in row), max(w.box[1] + w.box[3] for w in row)


def _row_for(rows: list[list[Word]], word: Word) -> list[Word] | None:
    """The row whose height and the word's each hold the other's centre, nearest first."""
    top, bottom = word.box[1], word.box[1] + word.box[3]
    centre = (top + bottom) / 2
    best, distance = None, None
    for row in rows:
        row_top, row_bottom = _row_extent(row)
        row_centre = (row_top + row_bottom) / 2
        if row_top <= centre <= row_bottom and top <= row_centre <= bottom:
            if distance is None or abs(row_centre - centre) < distance:
                best, distance = row, abs(row_centre - centre)
    return best


def level_box(points: np.ndarray, skew: float, centre: tuple[float, float]) -> tuple[int, int, int, int]:
    """The upright box (left, top, width, height) of ``points`` once the page's skew
    is undone by turning about ``centre``."""
    if skew:
        t = math.radians(skew)  # turned clockwise by the skew (image axes: y grows downwards)
        cx, cy = centre
        dx, dy = points[:, 0] - cx, points[:, 1] - cy
        x = cx + dx * math.cos(t) - dy * math.sin(t)
        y = cy + dx * math.sin(t) + dy * math.cos(t)
        points = np.stack([x, y], axis=1)
    left, top = points.min(axis=0)
    right, bottom = points.max(axis=0)
    return round(left), round(top), max(1, round(right - left)), max(1, round(bottom - top))


def measure_skew(image: Image.Image, max_degrees: float = 5.0) -> float:
    """The page's skew in degrees, as PIL counts rotation (counter-clockwise positive).

    Projection profile on a sample of dark pixels: rows of text give the sharpest
    histogram of rotated y coordinates when the page is level.
    """
    small = ImageOps.grayscale(image)
    scale = 1000 / max(small.size)
    if scale < 1:
        small = small.resize((round(small.width * scale), round(small.height * scale)))
    pixels = np.asarray(small, dtype=np.uint8)
    threshold = min(128, int(pixels.mean()) - 40)
    ys, xs = np.nonzero(pixels < threshold)
    if len(ys) < 200:
        return 0.0
    if len(ys) > 40_000:
        pick = np.random.default_rng(0).choice(len(ys), 40_000, replace=False)
        ys, xs = ys[pick], xs[pick]
    xs = xs - pixels.shape[1] / 2

    def sharpness(degrees: float) -> float:
        t = math.radians(degrees)
        rows = np.round(ys * math.cos(t) + xs * math.sin(t)).astype(np.int64)
        counts = np.bincount(rows - rows.min())
        return float((counts.astype(np.float64) ** 2).sum())

    best = max(np.arange(-max_degrees, max_degrees + 0.01, 0.5), key=sharpness)
    fine = max(np.arange(best - 0.5, best + 0.51, 0.1), key=sharpness)
    return round(float(fine), 2)


def erase_rules(image: Image.Image) -> Image.Image:
    """White out thin horizontal rules (ruled and dashed lines) that touch text.

    Tesseract's page layout treats a line of text with a dashed underline as a
    graphic and drops it. A rule is a band at most a few pixels thick that is
    dark over a wide stretch while the rows just above and below it are much
    lighter, which the rows inside a line of text never are.
    """
    pixels = np.asarray(image.convert("L"), dtype=np.uint8)
    dark = pixels < min(160, int(pixels.mean()) - 50)
    height, width = dark.shape
    block = 64
    blocks = width // block
    if blocks < 3 or height < 20:
        return image
    cover = dark[:, : blocks * block].reshape(height, blocks, block).mean(axis=2)
    rule = np.zeros_like(cover, dtype=bool)
    for gap in (3, 4, 5):
        above = np.zeros_like(cover)
        below = np.zeros_like(cover)
        above[gap:] = cover[:-gap]
        below[:-gap] = cover[gap:]
        rule |= (cover >= 0.3) & (above < 0.35 * cover) & (below < 0.35 * cover)
    # A rule spans at least three neighbouring blocks; text rarely passes both tests that wide.
    wide = rule[:, :-2] & rule[:, 1:-1] & rule[:, 2:]
    rule[:] = False
    rule[:, :-2] |= wide
    rule[:, 1:-1] |= wide
    rule[:, 2:] |= wide
    if not rule.any():
        return image
    mask = np.repeat(rule, block, axis=1)
    mask = np.pad(mask, ((0, 0), (0, width - mask.shape[1])))
    # Widen the band by two rows each way to take the rule's grey, anti-aliased edges too.
    mask = mask | np.roll(mask, 1, axis=0) | np.roll(mask, -1, axis=0)
    mask = mask | np.roll(mask, 1, axis=0) | np.roll(mask, -1, axis=0)
    cleaned = pixels.copy()
    cleaned[mask & (pixels < int(pixels.mean()) - 10)] = 255
    return Image.fromarray(cleaned)


def level(image: Image.Image, skew: float) -> Image.Image:
    """Undo a skew measured by ``measure_skew``, onto a white background."""
    if abs(skew) < 0.2:
        return image
    return image.rotate(-skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
