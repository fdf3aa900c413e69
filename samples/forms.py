"""Drawing paper forms: an A4 sheet at 300 dpi as a list of texts and ruled lines.

A ``Sheet`` is a description, not pixels: ``samples.render`` turns it into a
Pillow image (for scans) or a PDF page with a text layer (``samples.pdf``).
``Form`` is the pen that lays out a sheet top to bottom: titles, label/value
lines, ruled tables, tick-box options and paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from PIL import ImageFont

DPI = 300
A4 = (2480, 3508)  # pixels at 300 dpi
MARGIN = 210
BODY = 46  # body text height in pixels (11 pt)
SMALL = 40
TITLE = 76
MARK_SCALE = 0.8  # tick boxes print smaller than the words: OCR reads them as 口 and 図, not 日 or 凶

FONT_DIR = "/usr/share/fonts/opentype/noto"
# family -> (file stem, face index in the .ttc); "mono" has half-width Latin
# letters, so that a PDF text layer with fixed widths lines up with the drawing.
# A third element True prints every text of the family in the bold weight (a heavy
# gothic or mincho, as FAX forms and some suppliers' forms are printed).
FAMILIES = {
    "sans": ("NotoSansCJK", 0),
    "serif": ("NotoSerifCJK", 0),
    "mono": ("NotoSansCJK", 5),
    "sans_heavy": ("NotoSansCJK", 0, True),
    "serif_heavy": ("NotoSerifCJK", 0, True),
    "mono_heavy": ("NotoSansCJK", 5, True),
}


@lru_cache(maxsize=64)
def font(family: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The Noto CJK face of ``family`` at ``size`` pixels."""
    stem, index, *heavy = FAMILIES[family]
    weight = "Bold" if bold or any(heavy) else "Regular"
    return ImageFont.truetype(f"{FONT_DIR}/{stem}-{weight}.ttc", size, index=index)


@dataclass(frozen=True)
class Text:
    """A run of text; (x, y) is the left end of its baseline, in pixels."""

    x: float
    y: float
    text: str
    size: int = BODY
    bold: bool = False


@dataclass(frozen=True)
class Rule:
    """A straight ruled line from (x0, y0) to (x1, y1), ``width`` pixels thick."""

    x0: float
    y0: float
    x1: float
    y1: float
    width: int = 3


@dataclass
class Sheet:
    """One A4 page: what is printed on it, in one font family."""

    family: str = "sans"
    items: list[Text | Rule] = field(default_factory=list)

    def width_of(self, text: str, size: int = BODY, bold: bool = False) -> float:
        """Printed width of ``text`` in pixels."""
        return font(self.family, size, bold).getlength(text)

    def text(self, x: float, y: float, text: str, size: int = BODY, bold: bool = False) -> None:
        """Print ``text`` with its baseline starting at (x, y)."""
        self.items.append(Text(x, y, text, size, bold))

    def rule(self, x0: float, y0: float, x1: float, y1: float, width: int = 3) -> None:
        """Draw a ruled line."""
        self.items.append(Rule(x0, y0, x1, y1, width))

    def box(self, x0: float, y0: float, x1: float, y1: float, width: int = 3) -> None:
        """Draw a rectangle's four sides."""
        self.rule(x0, y0, x1, y0, width)
        self.rule(x0, y1, x1, y1, width)
        self.rule(x0, y0, x0, y1, width)
        self.rule(x1, y0, x1, y1, width)


@dataclass(frozen=True)
class Cell:
    """A table cell: its text (or device options), and how many columns it spans."""

    text: str
    span: int = 1
    options: tuple[tuple[str, bool], ...] = ()  # (option, ticked) printed after tick boxes
    tick: str = "☑"


def option_cell(options: list[str], ticked: str, tick: str, span: int = 1) -> Cell:
    """A cell of printed options with their tick boxes, ``ticked`` among them."""
    return Cell("", span, options=tuple((o, o == ticked) for o in options), tick=tick)


class Form:
    """Lays a sheet out from the top down; ``y`` is the next baseline."""

    def __init__(self, family: str = "sans", top: float = MARGIN + 40):
        self.sheet = Sheet(family)
        self.y = top
        self.left = MARGIN
        self.right = A4[0] - MARGIN

    @property
    def width(self) -> float:
        return self.right - self.left

    def gap(self, pixels: float) -> None:
        """Leave vertical space."""
        self.y += pixels

    def title(self, text: str, size: int = TITLE) -> None:
        """A centred title in bold."""
        self.y += size * 0.4
        x = self.left + (self.width - self.sheet.width_of(text, size, True)) / 2
        self.sheet.text(x, self.y + size * 0.8, text, size, bold=True)
        self.y += size * 2.0

    def line(self, text: str, size: int = BODY, indent: float = 0, bold: bool = False) -> None:
        """One printed line at the left margin (plus ``indent``)."""
        self.sheet.text(self.left + indent, self.y + size, text, size, bold)
        self.y += size * 1.9

    def right_line(self, text: str, size: int = BODY) -> None:
        """One line flush with the right margin (dates, addressees of letters)."""
        self.sheet.text(self.right - self.sheet.width_of(text, size), self.y + size, text, size)
        self.y += size * 1.9

    def pairs(self, pairs: list[tuple[str, str]], columns: list[float], size: int = BODY) -> None:
        """Label/value pairs on one line, each pair starting at a column (fractions of the width)."""
        for (label, value), at in zip(pairs, columns):
            self.sheet.text(self.left + at * self.width, self.y + size, f"{label}　{value}", size)
        self.y += size * 1.9

    def labelled(self, label: str, value: str, label_width: float = 330, size: int = BODY) -> None:
        """A label, then its value where the value column begins: 契約期間　令和8年4月1日 から …"""
        self.sheet.text(self.left, self.y + size, label, size)
        self.sheet.text(self.left + label_width, self.y + size, value, size)
        self.y += size * 1.9

    def options(self, options: list[str], ticked: str, on: str = "■", per_line: int = 3,
                indent: float = 40, size: int = BODY) -> None:
        """Printed device options, one of them ticked: ■ 酸素濃縮装置 □ …"""
        for start in range(0, len(options), per_line):
            row = tuple((o, o == ticked) for o in options[start:start + per_line])
            self._option_run(self.left + indent, self.y + size, row, on, size)
            self.y += size * 1.9

    def _option_run(self, x: float, baseline: float, options: tuple[tuple[str, bool], ...],
                    on: str, size: int) -> None:
        mark_size = round(size * MARK_SCALE)
        for option, ticked in options:
            self.sheet.text(x, baseline, on if ticked else "□", mark_size)
            x += mark_size + size * 0.3
            self.sheet.text(x, baseline, option, size)
            x += self.sheet.width_of(option, size) + size * 1.4

    def paragraph(self, text: str, size: int = SMALL, indent: float = 0) -> None:
        """Running text wrapped at the right margin."""
        width = self.width - indent
        line = ""
        for char in text:
            if self.sheet.width_of(line + char, size) > width:
                self.line(line, size, indent)
                line = ""
            line += char
        if line:
            self.line(line, size, indent)

    def table(self, rows: list[list[Cell | str]], widths: list[float], height: float = 112,
              size: int = BODY, rule: int = 2) -> None:
        """A ruled table; ``widths`` are the column widths as fractions of the line."""
        edges = [self.left]
        for w in widths:
            edges.append(edges[-1] + w * self.width)
        top = self.y
        for row in rows:
            column = 0
            for cell in row:
                cell = cell if isinstance(cell, Cell) else Cell(cell)
                x0 = edges[column]
                baseline = self.y + (height + size * 0.72) / 2
                if cell.options:
                    self._option_run(x0 + 44, baseline, cell.options, cell.tick, size)
                else:
                    self.sheet.text(x0 + 44, baseline, cell.text, size)
                if column:
                    self.sheet.rule(x0, self.y, x0, self.y + height, rule)
                column += cell.span
            self.y += height
            self.sheet.rule(edges[0], self.y, edges[-1], self.y, rule)
        self.sheet.box(edges[0], top, edges[-1], self.y, rule + 1)
        self.y += size * 0.9

    def signature(self, lines: list[str], size: int = BODY) -> None:
        """A block of lines starting at the middle of the page (signatures, senders)."""
        for text in lines:
            self.sheet.text(self.left + self.width * 0.45, self.y + size, text, size)
            self.y += size * 1.9
