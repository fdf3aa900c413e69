"""More of what real forms carry than ``samples.forms`` draws: coloured ink, tick marks kept
apart from text, circled options, shaded header cells, red seals and receipt stamps, boxes
with the label above the value, header rows with values under them.

The items here are drawn by ``samples.scanner.draw_sheet``. ``InkText`` and ``InkRule`` are
``Text`` and ``Rule`` too, so ``samples.render.draw`` and the born-digital PDF writer print
them (in black); circles, fills and stamps only exist on scans.
"""

from __future__ import annotations

from dataclasses import dataclass

from samples.forms import BODY, SMALL, Form, Rule, Sheet, Text

BLACK = (20, 20, 20)
BLUE_INK = (30, 50, 150)  # a ballpoint pen
RED = (205, 40, 45)  # seals and receipt stamps
FORM_BLUE = (60, 110, 190)  # rules of a form printed in colour
FORM_GREEN = (40, 130, 90)

# Glyphs that are drawn tick boxes or marks, not words: left out of a document's text.
MARKS = frozenset("□☑☒■✓✔レ●○◯◉")


@dataclass(frozen=True)
class InkText(Text):
    """Text in a colour; ``mark`` for a tick box or a mark, which is not part of the text."""

    color: tuple[int, int, int] = BLACK
    mark: bool = False


@dataclass(frozen=True)
class InkRule(Rule):
    """A ruled line in a colour (forms printed in blue or green)."""

    color: tuple[int, int, int] = BLACK


@dataclass(frozen=True)
class Ellipse:
    """A hand-drawn ring around an option (○ で囲む), or a filled dot."""

    x0: float
    y0: float
    x1: float
    y1: float
    width: int = 4
    color: tuple[int, int, int] = BLACK


@dataclass(frozen=True)
class Fill:
    """A shaded area under text: header cells printed on a grey or coloured ground."""

    x0: float
    y0: float
    x1: float
    y1: float
    color: tuple[int, int, int] = (225, 225, 225)


@dataclass(frozen=True)
class Stamp:
    """A red ring with text in it: a hanko beside a signature, or a dated receipt stamp.

    Its text is not part of the document's printed text (OCR is told to leave seals out)."""

    cx: float
    cy: float
    radius: float
    lines: tuple[str, ...]
    size: int = 40
    vertical: bool = False  # a hanko: the name's characters one under the other
    color: tuple[int, int, int] = RED
    double: bool = False  # two rings: a receipt stamp


def put(sheet: Sheet, x: float, y: float, text: str, size: int = BODY, bold: bool = False,
        color: tuple[int, int, int] = BLACK, mark: bool = False) -> None:
    """Print ``text`` with its baseline starting at (x, y)."""
    sheet.items.append(InkText(x, y, text, size, bold, color, mark))


def rule(sheet: Sheet, x0: float, y0: float, x1: float, y1: float, width: int = 2,
         color: tuple[int, int, int] = BLACK) -> None:
    sheet.items.append(InkRule(x0, y0, x1, y1, width, color))


def frame(sheet: Sheet, x0: float, y0: float, x1: float, y1: float, width: int = 2,
          color: tuple[int, int, int] = BLACK) -> None:
    for a in ((x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)):
        rule(sheet, *a, width=width, color=color)


def centred(sheet: Sheet, x0: float, x1: float, baseline: float, text: str, size: int = BODY,
            bold: bool = False, color: tuple[int, int, int] = BLACK) -> None:
    """``text`` centred between x0 and x1."""
    put(sheet, x0 + (x1 - x0 - sheet.width_of(text, size, bold)) / 2, baseline, text, size, bold, color)


def title(form: Form, text: str, size: int = 72, spaced: bool = False, underline: bool = False) -> None:
    """A centred bold title; ``spaced`` puts a full-width space between its characters."""
    if spaced:
        text = "　".join(text)
    form.y += size * 0.4
    width = form.sheet.width_of(text, size, True)
    x = form.left + (form.width - width) / 2
    put(form.sheet, x, form.y + size * 0.8, text, size, bold=True)
    if underline:
        rule(form.sheet, x - 20, form.y + size * 1.1, x + width + 20, form.y + size * 1.1, 3)
    form.y += size * 1.9


def seal(sheet: Sheet, cx: float, cy: float, surname: str) -> None:
    """A personal hanko: the surname in a red ring."""
    sheet.items.append(Stamp(cx, cy, 44, (surname,), size=34 if len(surname) > 1 else 52, vertical=True))


def receipt_stamp(sheet: Sheet, cx: float, cy: float, lines: tuple[str, ...]) -> None:
    """A supplier's dated receipt stamp (受付 2026.10.22 担当)."""
    sheet.items.append(Stamp(cx, cy, 120, lines, size=34, double=True))


def boxes(form: Form, cells: list[tuple[str, str, float]], height: float = 150, label_size: int = 32,
          size: int = BODY, color: tuple[int, int, int] = BLACK, shade: tuple[int, int, int] | None = None) -> None:
    """A row of boxes, each with a small label in its top-left corner and the value below it."""
    sheet, x, top = form.sheet, form.left, form.y
    for label, value, fraction in cells:
        w = fraction * form.width
        if shade:
            sheet.items.append(Fill(x + 2, top + 2, x + w - 2, top + label_size + 22, shade))
        frame(sheet, x, top, x + w, top + height, 2, color)
        put(sheet, x + 16, top + label_size + 8, label, label_size)
        put(sheet, x + 36, top + height - 30, value, size)
        x += w
    form.y = top + height


def grid(form: Form, rows: list[list[str | None]], widths: list[float], height: float = 96, size: int = BODY,
         header_shade: tuple[int, int, int] | None = None, color: tuple[int, int, int] = BLACK,
         centre: bool = False, header_rows: int = 1) -> list[tuple[float, float]]:
    """A ruled grid; the first ``header_rows`` rows on a shaded ground. A cell ``None`` is merged
    into the one on its left. Returns each column's x range."""
    sheet = form.sheet
    edges = [form.left]
    for w in widths:
        edges.append(edges[-1] + w * form.width)
    top = form.y
    for r, row in enumerate(rows):
        if header_shade and r < header_rows:
            sheet.items.append(Fill(edges[0], form.y, edges[-1], form.y + height, header_shade))
        baseline = form.y + (height + size * 0.72) / 2
        for c, cell in enumerate(row):
            if c and cell is not None:
                rule(sheet, edges[c], form.y, edges[c], form.y + height, 2, color)
            if not cell:
                continue
            end = c + 1
            while end < len(row) and row[end] is None:
                end += 1
            if centre or (header_shade and r < header_rows):
                centred(sheet, edges[c], edges[end], baseline, cell, size)
            else:
                put(sheet, edges[c] + 24, baseline, cell, size)
        form.y += height
        rule(sheet, edges[0], form.y, edges[-1], form.y, 2, color)
    for x in (edges[0], edges[-1]):
        rule(sheet, x, top, x, form.y, 2, color)
    rule(sheet, edges[0], top, edges[-1], top, 3, color)
    form.y += size * 0.8
    return list(zip(edges, edges[1:]))


def key_values(form: Form, rows: list[tuple[str, str]], label_width: float = 0.26, height: float = 100,
               size: int = BODY, shade: tuple[int, int, int] | None = None,
               color: tuple[int, int, int] = BLACK) -> None:
    """A two-column ruled table: label cell, value cell."""
    grid_rows = [[label, value] for label, value in rows]
    sheet = form.sheet
    if shade:
        for i in range(len(rows)):
            y = form.y + i * height
            sheet.items.append(Fill(form.left, y, form.left + label_width * form.width, y + height, shade))
    grid(form, grid_rows, [label_width, 1 - label_width], height, size, color=color)


def ticked(sheet: Sheet, x: float, baseline: float, options: list[str], chosen: str, on: str = "☑",
           off: str = "□", size: int = BODY, gap: float = 1.2) -> float:
    """Options each after a box, the chosen one's box ticked; returns the x after the last."""
    mark_size = round(size * 0.8)
    for option in options:
        put(sheet, x, baseline, on if option == chosen else off, mark_size, mark=True)
        x += mark_size + size * 0.3
        put(sheet, x, baseline, option, size)
        x += sheet.width_of(option, size) + size * gap
    return x


def circled(sheet: Sheet, x: float, baseline: float, options: list[str], chosen: str | None,
            size: int = BODY, sep: str = "・", color: tuple[int, int, int] = BLUE_INK) -> float:
    """Options separated by ``sep``, a ring drawn by hand around the chosen one."""
    for i, option in enumerate(options):
        width = sheet.width_of(option, size)
        put(sheet, x, baseline, option, size)
        if option == chosen:
            ring(sheet, x, baseline, width, size, color)
        x += width
        if i < len(options) - 1:
            put(sheet, x + size * 0.25, baseline, sep, size)
            x += sheet.width_of(sep, size) + size * 0.5
    return x


def ring(sheet: Sheet, x: float, baseline: float, width: float, size: int = BODY,
         color: tuple[int, int, int] = BLUE_INK) -> None:
    """A ring drawn by hand around printed text that starts at x and is ``width`` long."""
    sheet.items.append(Ellipse(x - size * 0.7, baseline - size * 1.45, x + width + size * 0.7,
                               baseline + size * 0.75, 4, color))


def under_line(form: Form, label: str, value: str, size: int = BODY, width: float = 0.45,
               at: float = 0.0, indent: float = 40) -> None:
    """A label above a value written on an underline (the label-above-value layout)."""
    sheet = form.sheet
    x = form.left + at * form.width
    put(sheet, x, form.y + SMALL, label, SMALL - 4)
    put(sheet, x + indent, form.y + SMALL + size * 1.5, value, size)
    rule(sheet, x, form.y + SMALL + size * 1.8, x + width * form.width, form.y + SMALL + size * 1.8, 2)
