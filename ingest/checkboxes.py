"""Check boxes (and radio buttons, ``ingest.radios``) on a page image: where they are and whether they are ticked.

OCR reads a printed box as an arbitrary glyph (■ → 画, ☑ → 図, □ → 日), and a
born-digital PDF draws its boxes as vector shapes that leave no character in the
text layer, so the boxes are found in the image instead.

A box is four thin, straight sides of text size: a dark horizontal run (the top
side) is paired with a run of about the same extent a square's height below it
(the bottom side), and the pair is kept when dark columns join their ends (the
left and right sides). Kanji with an enclosure (口, 日, 田, 回, 国) share that
outline, but their vertical strokes run on below the bottom stroke and their
inner strokes cross the interior from side to side; a box's sides end at its
corners and a tick inside it is diagonal. Whether a box is ticked is read from
the ink inside it, away from its sides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

MIN_SIDE, MAX_SIDE = 12, 90  # px: half to twice a text line at 200-300 dpi
MIN_ASPECT, MAX_ASPECT = 0.75, 1.33  # height / width of a roughly square box
SIDE_COVER = 0.7  # share of a side's length that must be dark (breaks and noise allowed)
POSITION_STEP = 3  # px: top and bottom sides are paired when their ends agree to about this
TICK_FILL = 0.04  # share of dark interior above which a box is marked
FILLED = 0.6  # share of dark interior of a filled box (■)
CROSSING_STROKE = 0.8  # an interior row or column this dark is a kanji stroke, not a tick
SAME_SIZE = 0.85  # boxes of one form differ in width and height by less than this ratio
RUN_ON = 0.45  # a side continuing this dark beyond its corner belongs to a glyph


@dataclass(frozen=True)
class Checkbox:
    """A check box on a page image."""

    box: tuple[int, int, int, int]  # left, top, width, height in page pixels
    ticked: bool
    fill: float  # share of the interior (away from the sides) that is dark


@dataclass(frozen=True)
class _Sides:
    """Outer edges (inclusive) and side thicknesses of a candidate box in a patch."""

    top: int
    bottom: int
    left: int
    right: int
    thick_top: int
    thick_bottom: int
    thick_left: int
    thick_right: int
    solid: bool = False  # a filled square (■): one solid block, no inside to read


def find_checkboxes(image: Image.Image) -> list[Checkbox]:
    """Check boxes on an upright, levelled page, in reading order (top-down, left-right)."""
    pixels = np.asarray(ImageOps.grayscale(image), dtype=np.uint8)
    dark = pixels < _ink_threshold(pixels)
    found: list[Checkbox] = []
    for top, left, right, bottom in _candidates(dark):
        checkbox = _verify(dark, top, left, right, bottom)
        if checkbox is not None and not any(_overlaps(checkbox.box, c.box) for c in found):
            found.append(checkbox)
    found = [c for c in found if not c.ticked or _has_empty_sibling(c, found)]
    from ingest.radios import find_radio_buttons  # radios builds on this module's sizes

    found += [r for r in find_radio_buttons(dark) if not any(_overlaps(r.box, c.box) for c in found)]
    return sorted(found, key=lambda c: (c.box[1] // max(1, c.box[3]), c.box[0]))


def _has_empty_sibling(checkbox: Checkbox, found: list[Checkbox]) -> bool:
    """Whether an empty box of the same size is on the page.

    A form offers several options, most left empty. A marked square alone is as
    likely a bullet (■ before a heading), a QR code's corner or part of a glyph.
    """
    _, _, width, height = checkbox.box
    return any(
        not other.ticked
        and SAME_SIZE <= other.box[2] / width <= 1 / SAME_SIZE
        and SAME_SIZE <= other.box[3] / height <= 1 / SAME_SIZE
        for other in found
    )


def _ink_threshold(pixels: np.ndarray) -> int:
    """Grey level under which a pixel is ink: well below the paper, whatever its tint."""
    paper = int(np.median(pixels))
    return max(60, min(200, paper - 55))


def _candidates(dark: np.ndarray) -> list[tuple[int, int, int, int]]:
    """(top, left, right, bottom row) of pairs of horizontal runs that could be a box's top and bottom."""
    rows, starts, ends = _horizontal_runs(dark)
    if not len(rows):
        return []
    height = dark.shape[0] + 1
    keys = (starts // POSITION_STEP).astype(np.int64) * (dark.shape[1] // POSITION_STEP + 3) + ends // POSITION_STEP
    codes = keys * height + rows
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    lengths = ends - starts
    low = rows + np.ceil(MIN_ASPECT * lengths).astype(np.int64) - 1
    high = rows + np.floor(MAX_ASPECT * lengths).astype(np.int64)
    stride = dark.shape[1] // POSITION_STEP + 3
    pairs: dict[tuple[int, int, int], int] = {}
    for d_start in (-1, 0, 1):
        for d_end in (-1, 0, 1):
            other = (keys + d_start * stride + d_end) * height
            first = np.searchsorted(sorted_codes, other + low)
            last = np.searchsorted(sorted_codes, other + high, side="right")
            for i in np.nonzero(last > first)[0]:
                bottom = int(rows[order[first[i]]])
                key = (int(rows[i]), int(starts[i]), int(ends[i]))
                pairs[key] = min(pairs.get(key, bottom), bottom)
    return [(top, left, right - 1, bottom) for (top, left, right), bottom in sorted(pairs.items())]


def _horizontal_runs(dark: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, starts and ends (exclusive) of dark runs of a box side's length, 1-px breaks bridged."""
    bridged = dark.copy()
    bridged[:, 1:-1] |= dark[:, :-2] & dark[:, 2:]
    edges = np.zeros((dark.shape[0], dark.shape[1] + 1), dtype=bool)
    edges[:, 1:-1] = bridged[:, 1:] != bridged[:, :-1]
    edges[:, 0] = bridged[:, 0]
    edges[:, -1] = bridged[:, -1]
    rows, cols = np.nonzero(edges)
    rows, starts, ends = rows[0::2], cols[0::2], cols[1::2]
    keep = (ends - starts >= MIN_SIDE) & (ends - starts <= MAX_SIDE)
    return rows[keep].astype(np.int64), starts[keep].astype(np.int64), ends[keep].astype(np.int64)


def _verify(dark: np.ndarray, top: int, left: int, right: int, bottom: int) -> Checkbox | None:
    """The check box a candidate pair of runs outlines, or None when it is no box."""
    size = right - left + 1
    margin = max(3, size // 4)
    y0, x0 = top - margin, left - margin
    # Tall enough to see a side that runs on past a square's height (a bar, a long stroke).
    y1, x1 = top + int(MAX_ASPECT * size) + 2 * margin, right + margin
    if y0 < 0 or x0 < 0 or y1 >= dark.shape[0] or x1 >= dark.shape[1]:
        return None  # at the page edge: scan borders, not boxes
    patch = dark[y0:y1 + 1, x0:x1 + 1]
    sides = _sides(patch, margin, margin + bottom - top, margin, margin + size - 1)
    if sides is None:
        return None
    inner = _interior(patch, sides)
    if inner.size == 0:
        return None
    fill = float(inner.mean())
    filled = fill >= FILLED and (sides.solid or _evenly_inked(inner))
    if not filled and not _thin(sides, size):
        return None
    marked = filled or fill >= TICK_FILL
    if not marked and fill > 0 and not _quiet(inner):
        return None
    if marked and not filled and _crossed(inner):
        return None  # a stroke from side to side: 日, 田, 国
    ticked_over = marked and not filled  # only a drawn tick can cross the sides
    if _runs_on(patch, sides, ticked_over) or not _isolated(patch, sides, ticked_over):
        return None
    box = (x0 + sides.left, y0 + sides.top, sides.right - sides.left + 1, sides.bottom - sides.top + 1)
    return Checkbox(box, marked, round(fill, 3))


def _sides(patch: np.ndarray, top: int, bottom_row: int, left: int, right: int) -> _Sides | None:
    """Find the four sides around a candidate, or None when one is missing or the shape is not square.

    A filled box (■) is one solid square: its sides are taken as one pixel thick
    so that its interior is everything inside the outline.
    """
    span = patch[:, left:right + 1].mean(axis=1)
    # The run may lie inside a thick side, or below a first row that noise broke into pieces.
    top -= _extent(span, top - 1, -1)
    bottom = bottom_row + _extent(span, bottom_row, 1) - 1
    height, width = bottom - top + 1, right - left + 1
    if not MIN_ASPECT <= height / width <= MAX_ASPECT:
        return None
    thick_top = _extent(span, top, 1)
    solid = thick_top >= height
    thick_bottom = 1 if solid else _extent(span, bottom, -1)
    if not solid and bottom - thick_bottom < top + thick_top:
        return None  # top and bottom sides merge without filling the square
    columns = patch[top:bottom + 1].mean(axis=0)
    left_edge = _side_start(columns, left, 1)
    right_edge = _side_start(columns, right, -1)
    if left_edge is None or right_edge is None or right_edge <= left_edge:
        return None
    if solid:
        return _Sides(top, bottom, left_edge, right_edge, 1, 1, 1, 1, solid=True)
    thick_left = _extent(columns, left_edge, 1)
    thick_right = _extent(columns, right_edge, -1)
    return _Sides(top, bottom, left_edge, right_edge, thick_top, thick_bottom, thick_left, thick_right)


def _extent(cover: np.ndarray, start: int, step: int) -> int:
    """How many entries from ``start`` on (in direction ``step``) are dark enough to be a side."""
    at = start
    while 0 <= at < len(cover) and cover[at] >= SIDE_COVER:
        at += step
    return abs(at - start)


def _side_start(columns: np.ndarray, near: int, step: int) -> int | None:
    """The outermost side column within a pixel of ``near`` (blur shifts an edge by one)."""
    for at in (near - step, near, near + step):
        if 0 <= at < len(columns) and columns[at] >= SIDE_COVER:
            return at
    return None


def _thin(sides: _Sides, size: int) -> bool:
    """Whether every side is a thin line rather than a thick glyph stroke or a blob."""
    limit = max(2, size // 6)
    return max(sides.thick_top, sides.thick_bottom, sides.thick_left, sides.thick_right) <= limit


def _interior(patch: np.ndarray, sides: _Sides) -> np.ndarray:
    """The inside of the box, away from the sides so that their blur does not count as a mark."""
    gap = max(1, (sides.right - sides.left + 1) // 10)
    return patch[sides.top + sides.thick_top + gap:sides.bottom - sides.thick_bottom - gap + 1,
                 sides.left + sides.thick_left + gap:sides.right - sides.thick_right - gap + 1]


def _evenly_inked(inner: np.ndarray) -> bool:
    """Whether ink fills the interior in every row and column (a box blacked in), unlike strokes."""
    return float(inner.mean(axis=1).min()) >= 0.5 and float(inner.mean(axis=0).min()) >= 0.5


def _quiet(inner: np.ndarray) -> bool:
    """An unmarked interior holds specks at most, never a stroke."""
    return float(inner.mean(axis=1).max(initial=0)) < 0.3 and float(inner.mean(axis=0).max(initial=0)) < 0.3


def _crossed(inner: np.ndarray) -> bool:
    """Whether a straight stroke crosses most of the interior, as in a kanji, not a tick."""
    rows = inner.mean(axis=1).max(initial=0)
    columns = inner.mean(axis=0).max(initial=0)
    return bool(rows >= CROSSING_STROKE or columns >= CROSSING_STROKE)


def _runs_on(patch: np.ndarray, sides: _Sides, marked: bool) -> bool:
    """Whether a side continues past a corner, as the verticals of 口 do below its bottom stroke.

    A tick may leave the box over its top right corner, so those two continuations
    are not held against a marked box.
    """
    reach = max(2, (sides.right - sides.left + 1) // 8)
    s = sides
    left_cols = slice(s.left, s.left + s.thick_left)
    right_cols = slice(s.right - s.thick_right + 1, s.right + 1)
    top_rows = slice(s.top, s.top + s.thick_top)
    bottom_rows = slice(s.bottom - s.thick_bottom + 1, s.bottom + 1)
    below = slice(s.bottom + 1, s.bottom + 1 + reach)
    above = slice(max(0, s.top - reach), s.top)
    before = slice(max(0, s.left - reach), s.left)
    after = slice(s.right + 1, s.right + 1 + reach)
    bands = [patch[below, left_cols], patch[below, right_cols], patch[above, left_cols],
             patch[top_rows, before], patch[bottom_rows, before], patch[bottom_rows, after]]
    if not marked:
        bands += [patch[above, right_cols], patch[top_rows, after]]
    return any(band.size and float(band.mean()) >= RUN_ON for band in bands)


def _isolated(patch: np.ndarray, sides: _Sides, marked: bool) -> bool:
    """Whether the box stands clear of neighbouring strokes: thin bands just outside its sides are light.

    The bands start a pixel out, past a side's blurred edge. A tick may cross the
    top and right sides, so those bands are only checked on an unmarked box.
    """
    s = sides
    width = max(2, (s.right - s.left + 1) // 10)
    rows = slice(s.top, s.bottom + 1)
    columns = slice(s.left, s.right + 1)
    outside = [patch[rows, max(0, s.left - 1 - width):s.left - 1],
               patch[s.bottom + 2:s.bottom + 2 + width, columns]]
    if not marked:
        outside += [patch[rows, s.right + 2:s.right + 2 + width],
                    patch[max(0, s.top - 1 - width):max(0, s.top - 1), columns]]
    return all(not band.size or float(band.mean()) < 0.25 for band in outside)


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether two boxes share most of the smaller one's area (the same box found twice)."""
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return False
    return width * height >= 0.5 * min(a[2] * a[3], b[2] * b[3])
