"""OCR behind a narrow interface, and the page geometry fixes that precede it.

``OcrEngine`` is what the pipeline needs from an OCR engine: words with
confidences for an upright image, and the orientation of a page.
``TesseractEngine`` implements it with pytesseract. Skew is measured here with a
projection profile, which is cheap and engine-independent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pytesseract
from PIL import Image, ImageOps

from ingest.document import Word


@dataclass(frozen=True)
class OcrResult:
    """Text (lines joined by newlines) and the words it was built from."""

    text: str
    words: list[Word]


class OcrEngine(Protocol):
    """What the pipeline asks of an OCR engine."""

    def read(self, image: Image.Image, dpi: int) -> OcrResult:
        """Recognise an upright page."""

    def orientation(self, image: Image.Image) -> tuple[int, float]:
        """Clockwise degrees (0/90/180/270) the page must be turned, and a confidence."""


@dataclass(frozen=True)
class TesseractEngine:
    """Tesseract through pytesseract; one process per call, one thread each."""

    languages: str = "jpn"
    page_segmentation: int = 3
    timeout: int = 300  # seconds for one page; a stuck page must not hang the inbox

    def read(self, image: Image.Image, dpi: int) -> OcrResult:
        data = pytesseract.image_to_data(
            image,
            lang=self.languages,
            config=f"--psm {self.page_segmentation} --dpi {dpi}",
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


def _result_from_data(data: dict) -> OcrResult:
    """Words in reading order: rows top to bottom, each row left to right.

    Tesseract's layout analysis reads a ruled form column by column (all labels,
    then all values); hospital forms are read row by row, label beside value, so
    Tesseract's lines are regrouped into rows by their vertical overlap.
    """
    lines: dict[tuple[int, int, int], list[tuple[str, float, tuple[int, int, int, int]]]] = {}
    for i, text in enumerate(data["text"]):
        text = text.strip()
        if text:
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            box = (data["left"][i], data["top"][i], data["width"][i], data["height"][i])
            lines.setdefault(key, []).append((text, float(data["conf"][i]), box))
    rows = _rows(list(lines.values()))
    words: list[Word] = []
    text_rows = []
    for number, row in enumerate(rows):
        row_words = [w for line in row for w in line]
        words.extend(Word(text, conf, box, number) for text, conf, box in row_words)
        text_rows.append(" ".join(text for text, _, _ in row_words))
    return OcrResult("\n".join(text_rows), words)


def merge_words(words: list[Word], extra: list[Word]) -> tuple[list[Word], str]:
    """Put ``extra`` words (check box marks) into the rows of ``words``; the words renumbered and the text.

    ``words`` are in reading order with ``line`` as their row. An extra word joins
    the row it shares most of its height with, before the first word that starts
    right of it; a word beside no row becomes a row of its own, in order of height.
    Row text is its words joined by spaces, as ``_result_from_data`` builds it.
    """
    rows: list[list[Word]] = []
    for word in words:
        if not rows or word.line != rows[-1][0].line:
            rows.append([])
        rows[-1].append(word)
    for word in sorted(extra, key=lambda w: (w.box[1], w.box[0])):
        row = _row_for(rows, word)
        if row is None:
            at = next((i for i, r in enumerate(rows) if _row_extent(r)[0] > word.box[1]), len(rows))
            rows.insert(at, [word])
            continue
        at = next((i for i, w in enumerate(row) if w.box[0] >= word.box[0]), len(row))
        row.insert(at, word)
    merged = [Word(w.text, w.confidence, w.box, number) for number, row in enumerate(rows) for w in row]
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


def _rows(lines: list[list[tuple]]) -> list[list[list[tuple]]]:
    """Group lines that share most of their height into rows, ordered top-down, left-right."""

    def extent(line):
        top = min(box[1] for _, _, box in line)
        bottom = max(box[1] + box[3] for _, _, box in line)
        return top, bottom

    rows: list[tuple[int, int, list]] = []  # (top, bottom) of the row's first line, lines
    for line in sorted(lines, key=lambda ln: extent(ln)[0]):
        top, bottom = extent(line)
        centre = (top + bottom) / 2
        for row_top, row_bottom, members in rows:
            # Same row when each line's centre lies within the other's height; the
            # row keeps its first line's extent so that rows never chain together.
            if row_top <= centre <= row_bottom and top <= (row_top + row_bottom) / 2 <= bottom:
                members.append(line)
                break
        else:
            rows.append((top, bottom, [line]))
    rows.sort(key=lambda r: r[0])
    return [sorted(members, key=lambda ln: min(box[0] for _, _, box in ln)) for _, _, members in rows]


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
