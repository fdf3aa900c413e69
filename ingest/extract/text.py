"""Lines of a page in the forms the extractor reads them.

A page is read in up to four *views*, because each loses something different:
the text rebuilt from word boxes (table rows left to right even where OCR split a
table into column blocks; spaces where there is a visible gap), the raw OCR text
(OCR's own reading order and spacing) and the normalised text (clean for a text
layer). The fourth, "second", is the rows view again with the page's weakest rows
read a second time by OCR: on those rows it is an independent reading. Extraction
runs on every view and the readings are compared.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass
from typing import Callable

from ingest.document import Page, Word

_WS = re.compile(r"\s+")
_LETTER = re.compile(r"[A-Za-z\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ヶ]")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ヶー]")


# OCR confuses small and full-size kana (チエック for チェック): labels and lines are
# compared with the small ones made full size.
_SMALL_KANA = str.maketrans("ァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ", "アイウエオツヤユヨワカケあいうえおつやゆよわ")


def fold_kana(text: str) -> str:
    """Small kana made full size (one character for one: positions are kept)."""
    return text.translate(_SMALL_KANA)


# A small vowel kana extends only a kana it can sound with (ファ, ティ, ドゥ, シェ, フォ):
# never one of the a-row (ラィ) nor of the o-row but ト and ド. After those, it is a
# full-size kana OCR read small: the word is not sure to be what was printed.
_NO_SMALL_VOWEL_AFTER = set("アカガサザタダナハバパマヤラワオコゴソゾノホボポモヨロヲ"
                            "あかがさざただなはばぱまやらわおこごそぞのほぼぽもよろを")


def implausible_small_kana(text: str) -> bool:
    """Whether ``text`` has a small vowel kana after a kana that never takes one, or
    a small katakana that follows no katakana (印ッイク: a seal's strokes read as text)."""
    for i, c in enumerate(text):
        if c in "ァィゥェォぁぃぅぇぉ" and i and text[i - 1] in _NO_SMALL_VOWEL_AFTER:
            return True
        if c in "ァィゥェォッャュョヮ" and (not i or script(text[i - 1]) != "katakana"):
            return True
    return False


def normalise(text: str) -> str:
    """NFKC with every run of whitespace made one ASCII space."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def script(char: str) -> str:
    """Script class of a character: kanji, hiragana, katakana, latin, digit or other."""
    code = ord(char)
    if 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or char in "々〆ヶ":
        return "kanji"
    if 0x3040 <= code <= 0x309F:
        return "hiragana"
    if 0x30A0 <= code <= 0x30FF:
        return "katakana"
    if char.isascii() and char.isalpha():
        return "latin"
    return "digit" if char.isdigit() else "other"


def is_letter(char: str) -> bool:
    """True for kanji, kana and Latin letters (characters a word continues with)."""
    return bool(_LETTER.match(char))


@dataclass
class Line:
    """One line of one view: its text, a compact form for matching, confidences."""

    page: int
    number: int  # position of the line in its view
    text: str  # NFKC, single spaces
    compact: str  # text without spaces
    key: str  # compact, lower-cased, for label matching
    to_text: list[int]  # compact index -> text index
    gaps: frozenset[int]  # compact indices that had a space before them
    confidences: list[float] | None = None  # per compact character, 0..100
    reread: list[bool] | None = None  # per compact character: read a second time by OCR
    # Per compact character, its left and right edge on the page (a word's box shared
    # evenly among its characters): columns of a table, in the rows view only.
    xs: list[tuple[float, float]] | None = None

    @classmethod
    def make(cls, page: int, number: int, text: str,
             confidences: list[float] | None = None) -> "Line":
        text = normalise(text)
        compact_chars: list[str] = []
        to_text: list[int] = []
        gaps: set[int] = set()
        for i, ch in enumerate(text):
            if ch == " ":
                gaps.add(len(compact_chars))
                continue
            compact_chars.append(ch)
            to_text.append(i)
        compact = "".join(compact_chars)
        return cls(page, number, text, compact, fold_kana(compact.lower()), to_text, frozenset(gaps),
                   confidences)

    def text_slice(self, start: int, end: int) -> str:
        """The text (with its spaces) covering compact positions start..end."""
        if start >= len(self.compact) or start >= end:
            return ""
        a = self.to_text[start]
        b = self.to_text[end - 1] + 1 if end <= len(self.to_text) else len(self.text)
        return self.text[a:b]

    def text_from(self, start: int) -> str:
        """The text from compact position ``start`` to the end of the line."""
        return self.text[self.to_text[start]:] if start < len(self.compact) else ""


@dataclass
class View:
    """One reading of a page: its lines and what they were read from."""

    name: str  # "rows", "raw" or "text"
    page: int
    source: str  # "ocr" or "text_layer"
    lines: list[Line]


def _text_view(name: str, page: Page, text: str) -> View:
    lines = [Line.make(page.number, i, t) for i, t in enumerate(text.splitlines())]
    return View(name, page.number, page.source, [ln for ln in lines if ln.compact])


def _rows(words: list[Word]) -> list[list[Word]]:
    """Group words into visual rows by the vertical centres of their boxes."""
    usable = [w for w in words if w.text.strip() and w.box[3] > 0]
    if not usable:
        return []
    heights = sorted(w.box[3] for w in usable)
    typical = heights[len(heights) // 2]
    usable.sort(key=lambda w: (w.box[1] + w.box[3] / 2, w.box[0]))
    rows: list[list[Word]] = []
    centres: list[float] = []
    for w in usable:
        # Tall glyph boxes (ticks, brackets) make their own centre unreliable.
        centre = w.box[1] + w.box[3] / 2
        if rows and abs(centre - centres[-1]) <= typical * 0.55:
            rows[-1].append(w)
            n = len(rows[-1])
            centres[-1] += (centre - centres[-1]) / n
        else:
            rows.append([w])
            centres.append(centre)
    return [sorted(r, key=lambda w: w.box[0]) for r in rows]


def _row_line(page: int, number: int, row: list[Word], reread_ids: frozenset[int] = frozenset()) -> Line:
    heights = [w.box[3] for w in row if w.text.strip()]
    char_h = statistics.median(heights) if heights else 10
    parts: list[str] = []
    confidences: list[float] = []
    reread: list[bool] = []
    xs: list[tuple[float, float]] = []
    prev_right: int | None = None
    for w in row:
        t = normalise(w.text).replace(" ", "")
        if not t:
            continue
        step = w.box[2] / len(t)
        xs.extend((w.box[0] + k * step, w.box[0] + (k + 1) * step) for k in range(len(t)))
        if prev_right is not None and w.box[0] - prev_right > char_h * 0.45:
            parts.append(" ")
        parts.append(t)
        if len(w.chars) == len(t):
            confidences.extend(max(0.0, float(c)) for c in w.chars)
        else:
            confidences.extend([max(0.0, float(w.confidence))] * len(t))
        reread.extend([id(w) in reread_ids] * len(t))
        prev_right = max(prev_right or 0, w.box[0] + w.box[2])
    line = Line.make(page, number, "".join(parts))
    if len(confidences) == len(line.compact):
        line.confidences = confidences
        line.xs = xs
        if any(reread):
            line.reread = reread
    return line


def _rows_view(name: str, page: Page, words: list[Word], reread: list[int]) -> View:
    reread_ids = frozenset(id(words[i]) for i in reread if 0 <= i < len(words))
    lines = [_row_line(page.number, i, row, reread_ids) for i, row in enumerate(_rows(words))]
    return View(name, page.number, page.source, [ln for ln in lines if ln.compact])


def page_views(page: Page) -> list[View]:
    """The views a page is read in, best first for OCR pages."""
    views: list[View] = []
    if page.words:
        views.append(_rows_view("rows", page, page.words, []))
    if page.second_reading:
        views.append(_rows_view("second", page, page.second_reading, page.reread_words))
    if page.raw_text.strip():
        views.append(_text_view("raw", page, page.raw_text))
    # The text is the raw reading normalised and without check-box marks; read it
    # only where it says more than that, or it would outvote the marks. On an OCR
    # page read twice it mixes both readings, which the second view already weighs.
    unmarked_raw = page.raw_text.replace("\u2611", "").replace("\u2610", "")
    if page.text.strip() and not page.second_reading and \
            normalise(page.text).replace(" ", "") != normalise(unmarked_raw).replace(" ", ""):
        views.append(_text_view("text", page, page.text))
    return views


class ConfidenceIndex:
    """Finds the OCR confidence of a printed string among a page's word rows."""

    def __init__(self, views: list[View]):
        self._rows = {v.name: [ln for ln in v.lines if ln.confidences is not None]
                      for v in views if v.name in ("rows", "second")}

    def lookup(self, compact: str, label: str = "", view: str = "rows",
               bearing: Callable[[str], bool] | None = None) -> tuple[float, bool, int] | None:
        """Lowest confidence (0..100) among the characters of ``compact`` (one misread
        character makes a name or an id wrong), whether all of them were read a
        second time, and how many gaps between words the rows show inside it; None
        if the string is not found.

        With a label key, the characters after that label are preferred: a short value
        such as "1" occurs in many places on a page. A value read in the second
        reading is looked up there; any other among the first reading's rows.
        With ``bearing``, only the characters it accepts count for the confidence
        (a date's digits and era, not a 日 the date parser already knew was misread).
        """
        if not compact:
            return None
        fallback: tuple[float, bool, int] | None = None
        for line in self._rows.get("second" if view == "second" else "rows", []):
            if line.confidences is None:
                continue
            after = line.key.find(label) + len(label) if label and label in line.key else -1
            at = line.compact.find(compact, max(after, 0))
            if at < 0:
                continue
            span = range(at, at + len(compact))
            counted = [i for i in span if bearing is None or bearing(line.compact[i])] or list(span)
            found = (min(line.confidences[i] for i in counted),
                     line.reread is not None and all(line.reread[i] for i in span),
                     sum(1 for i in span if i > at and i in line.gaps))
            if after >= 0 or not label:
                return found
            if fallback is None:
                fallback = found
        return fallback
