"""Scan conditions beyond ``samples.render.Scan``: resolution, blur, faint ink, uneven or tinted
paper, colour, bilevel (fax) images, JPEG quality, pages turned 90/180/270 degrees; and the
printed text of a sheet in reading order, for a corpus's truth.

    image = scan_page(draw_sheet(sheet), Scanner(dpi=200, bilevel=True), rng)
    save_pages([image], path, Scanner(...))
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from samples.forms import A4, DPI, Rule, Sheet, Text, font
from samples.penwork import MARKS, Ellipse, Fill, InkRule, InkText, Stamp

SCANNED_AT = time.gmtime(1793523600)  # fixed, so a seed always writes the same bytes
MAX_SKEW = 1.6


@dataclass(frozen=True)
class Scanner:
    """How pages of a family went through a scanner or a fax machine.

    ``preset`` names the overall quality as the corpus truth does (light, medium, heavy).
    """

    preset: str = "light"
    dpi: int = 300
    skew: float = 0.0  # degrees, before the per-document jitter
    jitter: float = 0.3  # degrees the seed may add or take away
    orientation: int = 0  # 0, 90, 180, 270: how the page lay on the glass (clockwise turn)
    noise: float = 0.0003  # share of pixels hit by dust
    grain: float = 0.0  # standard deviation of sensor noise, grey levels
    blur: float = 0.0  # Gaussian radius in pixels at 300 dpi (a copy of a copy, a soft scan)
    faint: float = 0.0  # 0..1: how much lighter the ink came out (toner running low)
    uneven: float = 0.0  # 0..1: shading across the page (a lid not closed, a fold)
    color: bool = False  # an RGB scan; otherwise greyscale
    paper: tuple[int, int, int] = (250, 250, 250)  # paper colour (a tinted form, recycled paper)
    bilevel: bool = False  # black and white only, as a fax or a "text" scan setting writes
    threshold: int = 165
    jpeg_quality: int = 88

    def truth(self, skew: float) -> dict:
        """This page's entry in a truth record's ``scan`` list (corpus README format)."""
        return {"dpi": self.dpi, "orientation": self.orientation, "skew": round(skew, 2),
                "preset": self.preset, "bilevel": self.bilevel, "color": self.color}


def draw_sheet(sheet: Sheet, size: tuple[int, int] = A4) -> Image.Image:
    """The sheet printed on white paper, in colour, at 300 dpi."""
    image = Image.new("RGB", size, (255, 255, 255))
    pen = ImageDraw.Draw(image)
    for item in sheet.items:
        if isinstance(item, Fill):
            pen.rectangle((item.x0, item.y0, item.x1, item.y1), fill=item.color)
    for item in sheet.items:
        if isinstance(item, Rule):
            color = item.color if isinstance(item, InkRule) else (0, 0, 0)
            pen.line((item.x0, item.y0, item.x1, item.y1), fill=color, width=item.width)
        elif isinstance(item, Ellipse):
            pen.line(_ring(item), fill=item.color, width=item.width, joint="curve")
    for item in sheet.items:
        if isinstance(item, Text):
            color = item.color if isinstance(item, InkText) else (0, 0, 0)
            pen.text((item.x, item.y), item.text, fill=color, anchor="ls",
                     font=font(sheet.family, item.size, item.bold))
    stamps = [item for item in sheet.items if isinstance(item, Stamp)]
    if stamps:
        layer = Image.new("RGB", size, (255, 255, 255))
        ink = ImageDraw.Draw(layer)
        for stamp in stamps:
            _stamp(ink, stamp)
        image = ImageChops.multiply(image, layer)  # red ink over black print
    return image


def _ring(e: Ellipse) -> list[tuple[float, float]]:
    """A ring drawn by hand: a little tilted, not quite round, its end running past its start."""
    cx, cy = (e.x0 + e.x1) / 2, (e.y0 + e.y1) / 2
    rx, ry = (e.x1 - e.x0) / 2, (e.y1 - e.y0) / 2
    tilt = math.radians(-4.0)
    points = []
    for step in range(97):
        t = math.radians(200 + step * 3.9)  # about 375 degrees
        wobble = 1.0 + 0.05 * math.sin(3 * t) + 0.06 * step / 96
        x, y = rx * wobble * math.cos(t), ry * wobble * math.sin(t)
        points.append((cx + x * math.cos(tilt) - y * math.sin(tilt), cy + x * math.sin(tilt) + y * math.cos(tilt)))
    return points


def _stamp(pen: ImageDraw.ImageDraw, s: Stamp) -> None:
    r = s.radius
    pen.ellipse((s.cx - r, s.cy - r, s.cx + r, s.cy + r), outline=s.color, width=5)
    if s.double:
        pen.ellipse((s.cx - r + 12, s.cy - r + 12, s.cx + r - 12, s.cy + r - 12), outline=s.color, width=2)
    face = font("serif", s.size, True)
    if s.vertical:
        chars = list("".join(s.lines))
        step = s.size * 0.95
        y = s.cy - step * len(chars) / 2 + step * 0.85
        for ch in chars:
            pen.text((s.cx, y), ch, fill=s.color, font=face, anchor="ms")
            y += step
        return
    step = s.size * 1.25
    y = s.cy - step * (len(s.lines) - 1) / 2 + s.size * 0.35
    for i, line in enumerate(s.lines):
        pen.text((s.cx, y), line, fill=s.color, font=face, anchor="ms")
        if s.double and i < len(s.lines) - 1:
            w = r * 0.8
            pen.line((s.cx - w, y + step * 0.3, s.cx + w, y + step * 0.3), fill=s.color, width=2)
        y += step


def scan_page(image: Image.Image, how: Scanner, rng: np.random.Generator) -> tuple[Image.Image, float]:
    """What the scanner made of a printed page, and the skew it was scanned at."""
    skew = max(-MAX_SKEW, min(MAX_SKEW, how.skew + rng.uniform(-how.jitter, how.jitter)))
    ink = 25 + how.faint * 130
    paper = np.array(how.paper, dtype=np.float32)
    pixels = np.asarray(image, dtype=np.float32) / 255.0
    pixels = ink + pixels * (paper - ink)
    height, width = pixels.shape[:2]
    if how.uneven:
        # Darker towards one side and one corner, as light falls off under a half-open lid.
        xs = np.linspace(0.0, 1.0, width, dtype=np.float32)
        ys = np.linspace(0.0, 1.0, height, dtype=np.float32)
        side = rng.integers(0, 2)
        gx = xs if side else xs[::-1]
        shade = 1.0 - how.uneven * 0.45 * (gx[None, :] ** 3 + 0.5 * ys[:, None] ** 2)
        pixels *= shade[:, :, None]
    if how.grain:
        pixels += rng.normal(0.0, how.grain, size=(height, width, 1)).astype(np.float32)
    if how.noise:
        dust = rng.random((height, width)) < how.noise
        pixels[dust] = rng.integers(60, 180, size=(int(dust.sum()), 1))
    scanned = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    if not how.color:
        scanned = scanned.convert("L")
    if how.blur:
        scanned = scanned.filter(ImageFilter.GaussianBlur(how.blur))
    fill = tuple(how.paper) if how.color else int(sum(how.paper) / 3)
    if skew:
        scanned = scanned.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=fill)
    if how.orientation:
        turn = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
                270: Image.Transpose.ROTATE_90}[how.orientation]
        scanned = scanned.transpose(turn)
    if how.dpi != DPI:
        size = (round(scanned.width * how.dpi / DPI), round(scanned.height * how.dpi / DPI))
        scanned = scanned.resize(size, Image.Resampling.LANCZOS)
    if how.bilevel:
        grey = scanned.convert("L")
        scanned = grey.point(lambda v: 255 if v > how.threshold else 0, mode="1")
    return scanned, skew


FORMATS = {".png": "png", ".jpg": "jpg", ".tif": "tif", ".pdf": "pdf_image"}


def save_pages(pages: list[Image.Image], path: Path, how: Scanner) -> str:
    """Write scanned pages in the format the file name says; returns the truth's ``format``."""
    suffix = path.suffix.lower()
    dpi = (how.dpi, how.dpi)
    if suffix == ".png":
        _one(pages, path).save(path, "PNG", dpi=dpi, optimize=True)
    elif suffix == ".jpg":
        page = _one(pages, path)
        page = page.convert("L") if page.mode == "1" else page
        page.save(path, "JPEG", dpi=dpi, quality=how.jpeg_quality)
    elif suffix == ".tif":
        compression = "group4" if how.bilevel else "tiff_deflate"
        pages[0].save(path, "TIFF", dpi=dpi, compression=compression, save_all=True, append_images=pages[1:])
        return "tif_multi" if len(pages) > 1 else "tif"
    elif suffix == ".pdf":
        pages[0].save(path, "PDF", resolution=float(how.dpi), save_all=True, append_images=pages[1:],
                      creationDate=SCANNED_AT, modDate=SCANNED_AT)
    else:
        raise ValueError(f"no writer for {path.name}")
    return FORMATS[suffix]


def _one(pages: list[Image.Image], path: Path) -> Image.Image:
    if len(pages) != 1:
        raise ValueError(f"{path.name}: this format holds one page, not {len(pages)}")
    return pages[0]


def sheet_text(sheet: Sheet) -> str:
    """The sheet's printed text, one line per printed line, left to right, top to bottom.

    Tick boxes and marks, seals and stamps are left out, as the corpus README says."""
    runs = [item for item in sheet.items
            if isinstance(item, Text) and item.text.strip()
            and not (isinstance(item, InkText) and item.mark)
            and not (len(item.text.strip()) == 1 and item.text.strip() in MARKS)]
    runs.sort(key=lambda t: (t.y, t.x))
    lines: list[list[Text]] = []
    for run in runs:
        if lines and abs(lines[-1][0].y - run.y) <= max(8, run.size * 0.3):
            lines[-1].append(run)
        else:
            lines.append([run])
    return "\n".join(" ".join(t.text.strip() for t in sorted(line, key=lambda t: t.x)) for line in lines)

