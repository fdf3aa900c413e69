"""Reading order from boxes: rows of a form left to right, columns and blocks one by one.

A hospital form is read row by row, label beside value, so lines that share most
of their height form a row, and rows run top to bottom. The page is first cut
into bands at wide horizontal gaps (XY-cut); within a band, a vertical gutter
that no line crosses may separate two things that are not one table:

- columns of running text (a magazine page, a leaflet): both sides hold several
  full lines of prose, which a form's short labels and values never are; read
  row by row they would interleave two articles;
- two blocks side by side whose lines do not share rows (an address on the left,
  a date and a slip number on the right): each block is read whole, the one that
  starts higher first.

Sides whose lines stand in the same rows are a table and stay rows. Pure
geometry: no engine, no image.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from ingest.document import Word

# Columns of running text: each side of the gutter has at least this many lines,
# of at least this many characters (median), filling this share of the side's width.
COLUMN_MIN_LINES = 4
COLUMN_MIN_CHARS = 8
COLUMN_MIN_FILL = 0.6
GUTTER_MIN_WIDTH = 0.5  # a gutter is at least this share of a line's height wide
BAND_GAP = 0.6  # rows further apart than this share of a line's height start a new band
ALIGNED_ROWS = 0.5  # sides sharing at least this share of rows are one table


@dataclass(frozen=True)
class Line:
    """A line of text as detected: its box (left, top, width, height) and words."""

    box: tuple[int, int, int, int]
    words: list[Word]

    @property
    def chars(self) -> int:
        return sum(len(w.text) for w in self.words)

    @property
    def left(self) -> int:
        return self.box[0]

    @property
    def right(self) -> int:
        return self.box[0] + self.box[2]


def reading_order(lines: list[Line]) -> list[list[Line]]:
    """Lines as rows in reading order, each row's lines left to right."""
    lines = [line for line in lines if line.words]
    if not lines:
        return []
    out: list[list[Line]] = []
    for band in _bands(group_rows(lines)):
        out.extend(_band_order(band))
    return out


def _bands(rows: list[list[Line]]) -> list[list[list[Line]]]:
    """Rows cut into bands where the gap down to the next row is wide."""
    height = median(line.box[3] for row in rows for line in row)
    bands: list[list[list[Line]]] = []
    bottom = None
    for row in rows:
        top = min(line.box[1] for line in row)
        if bottom is None or top - bottom > BAND_GAP * height:
            bands.append([])
        bands[-1].append(row)
        bottom = max(bottom or 0, max(line.box[1] + line.box[3] for line in row))
    return bands


def _band_order(rows: list[list[Line]]) -> list[list[Line]]:
    gutter = _gutter([line for row in rows for line in row])
    if gutter is None:
        return rows
    out: list[list[Line]] = []
    run: list[list[Line]] = []
    for row in rows + [None]:
        if row is not None and not any(_crosses(line, gutter) for line in row):
            run.append(row)
            continue
        out.extend(_split(run, gutter))
        run = []
        if row is not None:
            out.append(row)
    return out


def group_rows(lines: list[Line]) -> list[list[Line]]:
    """Lines that share most of their height, as rows top-down, each left to right.

    Same row when each line's centre lies within the other's height; a row keeps
    its first line's extent so that rows never chain together down a page.
    """
    rows: list[tuple[int, int, list[Line]]] = []
    for line in sorted(lines, key=lambda ln: ln.box[1]):
        top, bottom = line.box[1], line.box[1] + line.box[3]
        centre = (top + bottom) / 2
        for row_top, row_bottom, members in rows:
            if row_top <= centre <= row_bottom and top <= (row_top + row_bottom) / 2 <= bottom:
                members.append(line)
                break
        else:
            rows.append((top, bottom, [line]))
    rows.sort(key=lambda r: r[0])
    return [sorted(members, key=lambda ln: ln.left) for _, _, members in rows]


def _gutter(lines: list[Line]) -> tuple[int, int] | None:
    """The widest vertical strip in the middle of the text that no ordinary line
    covers, at least half a line's height wide; lines spanning the page (titles) are left
    out of the search and break the column runs instead."""
    left = min(line.left for line in lines)
    right = max(line.right for line in lines)
    width = right - left
    if width <= 0:
        return None
    height = median(line.box[3] for line in lines)
    covered = sorted((line.left, line.right) for line in lines if line.box[2] < 0.55 * width)
    best = None
    reach = left
    for start, end in covered + [(right, right)]:
        if start > reach and start - reach >= GUTTER_MIN_WIDTH * height:
            gap = (reach, start)
            middle = (gap[0] + gap[1]) / 2
            if left + 0.2 * width <= middle <= right - 0.2 * width:
                if best is None or gap[1] - gap[0] > best[1] - best[0]:
                    best = gap
        reach = max(reach, end)
    return best


def _crosses(line: Line, gutter: tuple[int, int]) -> bool:
    return line.left < gutter[1] and line.right > gutter[0]


def _split(run: list[list[Line]], gutter: tuple[int, int]) -> list[list[Line]]:
    """A run of rows on both sides of a gutter: columns, blocks, or a table's rows."""
    lefts = [line for row in run for line in row if line.right <= gutter[0]]
    rights = [line for row in run for line in row if line.left >= gutter[1]]
    if not lefts or not rights:
        return run
    if _prose(lefts) and _prose(rights):
        return reading_order(lefts) + reading_order(rights)
    both = sum(1 for row in run if any(ln.right <= gutter[0] for ln in row)
               and any(ln.left >= gutter[1] for ln in row))
    one_side = min(sum(1 for row in run if any(ln.right <= gutter[0] for ln in row)),
                   sum(1 for row in run if any(ln.left >= gutter[1] for ln in row)))
    if both >= ALIGNED_ROWS * one_side:
        return run
    blocks = sorted((lefts, rights), key=lambda b: (min(ln.box[1] for ln in b), min(ln.left for ln in b)))
    return reading_order(blocks[0]) + reading_order(blocks[1])


def _prose(lines: list[Line]) -> bool:
    if len(lines) < COLUMN_MIN_LINES:
        return False
    side = max(line.right for line in lines) - min(line.left for line in lines)
    return (median(line.chars for line in lines) >= COLUMN_MIN_CHARS
            and median(line.box[2] for line in lines) >= COLUMN_MIN_FILL * side)
