"""Seals: text closed in by a ring drawn tight around it is not printed text.

A hanko beside a signature (宮本 in a circle) carries characters that OCR reads,
but they are not part of the document's text and must never become a field (a
doctor 宮本亮 宮本). What marks a seal is geometry: a short run of characters, in
a box about as high as it is wide, closed in by a circle around its centre. A
circled option (○ around 酸素濃縮装置) is a wide word in a flat ellipse, which no
circle around the word's centre follows, and a table cell is a rectangle; both
stay text.
"""

from __future__ import annotations

import math

import numpy as np

MIN_CHARS, MAX_CHARS = 2, 8  # a seal holds a name or a date; one circled character is an answer
MAX_ASPECT = 2.2  # longer side / shorter side of a seal's text box
RING_COVER = 0.8  # share of the ring's circumference that must be dark
SAMPLES = 96


def dark_pixels(pixels: np.ndarray) -> np.ndarray:
    """Ink of a grey page (pixels well darker than its paper), thickened by two
    pixels each way: a scanned ring is neither exactly round nor exactly placed."""
    paper = float(np.percentile(pixels[::4, ::4], 90))
    dark = pixels < paper - 60
    for axis in (0, 1):
        grown = dark.copy()
        for shift in (1, 2):
            grown[tuple(slice(shift, None) if a == axis else slice(None) for a in (0, 1))] |= \
                dark[tuple(slice(None, -shift) if a == axis else slice(None) for a in (0, 1))]
            grown[tuple(slice(None, -shift) if a == axis else slice(None) for a in (0, 1))] |= \
                dark[tuple(slice(shift, None) if a == axis else slice(None) for a in (0, 1))]
        dark = grown
    return dark


def is_stamp(dark: np.ndarray, box: tuple[int, int, int, int], chars: int) -> bool:
    """Whether the text in ``box`` (left, top, width, height) sits inside a ring.

    Circles are tried around centres near the box's centre (a seal's characters
    are seldom exactly centred) with radii from half the box's longer side out.
    """
    left, top, width, height = box
    if not MIN_CHARS <= chars <= MAX_CHARS or max(width, height) > MAX_ASPECT * max(1, min(width, height)):
        return False
    half = max(width, height) / 2
    step = 0.08 * half
    centres = [(left + width / 2 + dx * step, top + height / 2 + dy * step)
               for dx in range(-2, 3) for dy in range(-2, 3)]
    radii = half * np.arange(0.9, 1.9, 0.05)
    angles = np.linspace(0, 2 * math.pi, SAMPLES, endpoint=False)
    cx = np.array([c[0] for c in centres])[:, None, None]
    cy = np.array([c[1] for c in centres])[:, None, None]
    xs = np.rint(cx + radii[None, :, None] * np.cos(angles)[None, None, :]).astype(int)
    ys = np.rint(cy + radii[None, :, None] * np.sin(angles)[None, None, :]).astype(int)
    h, w = dark.shape
    if xs.min() < 0 or ys.min() < 0 or xs.max() >= w or ys.max() >= h:
        return False
    cover = dark[ys, xs].mean(axis=2)
    return bool(cover.max() >= RING_COVER)
