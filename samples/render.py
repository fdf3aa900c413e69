"""Turning sheets into files: a clean print, a scan of it, and the file formats a scanner writes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from samples.forms import A4, DPI, Rule, Sheet, Text, font
from samples.pdf import write_text_pdf

PAPER = 250  # grey level of scanned paper
INK = 25  # grey level of printed text
SCANNED_AT = time.gmtime(1793523600)  # 2026-11-01 09:00 UTC: fixed, so a seed always writes the same bytes


@dataclass(frozen=True)
class Scan:
    """How a page went through the scanner: skew in degrees, upside down, speckles."""

    skew: float = 0.0
    upside_down: bool = False
    noise: float = 0.0  # share of pixels hit by dust, 0 for a clean print


CLEAN = Scan()


def draw(sheet: Sheet) -> Image.Image:
    """The sheet printed on white paper: a greyscale A4 image at 300 dpi."""
    image = Image.new("L", A4, 255)
    pen = ImageDraw.Draw(image)
    for item in sheet.items:
        if isinstance(item, Text):
            pen.text((item.x, item.y), item.text, fill=0, anchor="ls",
                     font=font(sheet.family, item.size, item.bold))
        elif isinstance(item, Rule):
            pen.line((item.x0, item.y0, item.x1, item.y1), fill=0, width=item.width)
    return image


def scan(image: Image.Image, how: Scan, rng: np.random.Generator) -> Image.Image:
    """What a flatbed scanner makes of a printed page: greyish paper, soft edges, dust, skew."""
    if how == CLEAN:
        return image
    pixels = np.asarray(image, dtype=np.float32) / 255.0
    pixels = INK + pixels * (PAPER - INK)
    if how.noise:
        dust = rng.random(pixels.shape) < how.noise
        pixels[dust] = rng.integers(60, 180, size=int(dust.sum()))
    scanned = Image.fromarray(pixels.astype(np.uint8), "L")
    if how.skew:
        scanned = scanned.rotate(how.skew, resample=Image.Resampling.BICUBIC, fillcolor=PAPER)
    if how.upside_down:
        scanned = scanned.transpose(Image.Transpose.ROTATE_180)
    return scanned


def save(pages: list[Image.Image], path: Path) -> None:
    """Write scanned pages in the format the file name says (png, jpg, tif, pdf)."""
    suffix = path.suffix.lower()
    dpi = (DPI, DPI)
    if suffix == ".png":
        _single(pages, path).save(path, "PNG", dpi=dpi, optimize=True)
    elif suffix in (".jpg", ".jpeg"):
        _single(pages, path).save(path, "JPEG", dpi=dpi, quality=90)
    elif suffix in (".tif", ".tiff"):
        pages[0].save(path, "TIFF", dpi=dpi, compression="tiff_deflate", save_all=True,
                      append_images=pages[1:])
    elif suffix == ".pdf":
        pages[0].save(path, "PDF", resolution=DPI, save_all=True, append_images=pages[1:],
                      creationDate=SCANNED_AT, modDate=SCANNED_AT)
    else:
        raise ValueError(f"no writer for {path.name}")


def save_born_digital(sheets: list[Sheet], path: Path) -> None:
    """Write sheets as a PDF with a text layer, as an office system prints to PDF."""
    write_text_pdf(sheets, path)


def _single(pages: list[Image.Image], path: Path) -> Image.Image:
    if len(pages) != 1:
        raise ValueError(f"{path.name}: this format holds one page, not {len(pages)}")
    return pages[0]
