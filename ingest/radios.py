"""Radio buttons on a page image: ○ beside each option, ◉ (a dot inside) for the chosen one.

An OCR engine that reads lines (PP-OCR) drops these marks altogether, and the
chosen option is the value of a field (the device). A radio button is a ring of
text size standing apart from its neighbours: one round stroke, white in the
corners of its box (a check box has dark corners), with either nothing or a
solid dot inside, followed by its option's text. A letter O inside a word (SpO2)
has a neighbour close by, a full stop (。) has no text after it, and a lone ring
is no group of options: all are left alone; a chosen button counts only where empty ones of the
same size are on the page, as for check boxes. Found buttons are whited out
before OCR like check boxes, so a false one would cost a letter: the tests are strict.
"""

from __future__ import annotations

import math

import numpy as np

from ingest.checkboxes import MAX_SIDE, MIN_SIDE, SAME_SIZE, Checkbox

RING_COVER = 0.85  # share of the ring's circle that is dark
ROUND = 0.9  # aspect (shorter / longer side) of a ring's box
DOT_FILL = 0.35  # share of the inner disc that is dark when the button is chosen
EMPTY_FILL = 0.08  # at most this much of the inner disc is dark when it is not
# A button stands apart: nothing dark for this share of its size to its left (the
# previous option ends well before it), and a little space before its option text.
CLEAR_LEFT, CLEAR_RIGHT = 0.6, 0.2


def find_radio_buttons(dark: np.ndarray) -> list[Checkbox]:
    """Radio buttons on a page, given its ink (True where dark), as check-box marks."""
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(dark.astype(np.uint8), connectivity=8)
    found: list[Checkbox] = []
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i])
        if not (MIN_SIDE <= w <= MAX_SIDE and MIN_SIDE <= h <= MAX_SIDE) or min(w, h) / max(w, h) < ROUND:
            continue
        if area > 0.5 * w * h:
            continue  # a solid blob, not a ring
        button = _button(dark, x, y, w, h)
        if button is not None:
            found.append(button)
    # Options come in groups: a lone ring is a letter O or a stamp's edge.
    grouped = [b for b in found if sum(_same_size(b, other) for other in found) >= 2]
    return [b for b in grouped if not b.ticked or _has_empty_sibling(b, grouped)]


def _button(dark: np.ndarray, x: int, y: int, w: int, h: int) -> Checkbox | None:
    """The radio button whose ring has this box, or None when it is none."""
    cx, cy = x + w / 2 - 0.5, y + h / 2 - 0.5
    radius = (w + h) / 4
    angles = np.linspace(0, 2 * math.pi, 64, endpoint=False)
    hits = []
    for r in (radius - 1, radius - 2, radius - 3):
        xs = np.clip(np.rint(cx + r * np.cos(angles)).astype(int), 0, dark.shape[1] - 1)
        ys = np.clip(np.rint(cy + r * np.sin(angles)).astype(int), 0, dark.shape[0] - 1)
        hits.append(dark[ys, xs])
    if np.logical_or.reduce(hits).mean() < RING_COVER:
        return None
    corner = max(1, round(0.15 * min(w, h)))
    corners = [dark[y:y + corner, x:x + corner], dark[y:y + corner, x + w - corner:x + w],
               dark[y + h - corner:y + h, x:x + corner], dark[y + h - corner:y + h, x + w - corner:x + w]]
    if any(c.mean() > 0.3 for c in corners):
        return None  # a square's corners
    left = dark[y + 1:y + h - 1, max(0, x - max(2, round(CLEAR_LEFT * w))):x]
    right = dark[y + 1:y + h - 1, x + w:x + w + max(2, round(CLEAR_RIGHT * w))]
    if left.any() or right.any():
        return None  # a round letter among others (SpO2), not a button
    if not dark[y + 1:y + h - 1, x + w:x + 3 * w].any():
        return None  # no option follows it: a full stop (。), not a button
    inner = radius * 0.45
    yy, xx = np.mgrid[y:y + h, x:x + w]
    disc = (xx - cx) ** 2 + (yy - cy) ** 2 <= inner ** 2
    fill = float(dark[y:y + h, x:x + w][disc].mean()) if disc.any() else 0.0
    if EMPTY_FILL < fill < DOT_FILL:
        return None  # something written inside: a letter, not a button
    return Checkbox((x, y, w, h), fill >= DOT_FILL, round(fill, 3))


def _same_size(a: Checkbox, b: Checkbox) -> bool:
    return SAME_SIZE <= b.box[2] / a.box[2] <= 1 / SAME_SIZE and SAME_SIZE <= b.box[3] / a.box[3] <= 1 / SAME_SIZE


def _has_empty_sibling(button: Checkbox, found: list[Checkbox]) -> bool:
    return any(not other.ticked and _same_size(button, other) for other in found)
