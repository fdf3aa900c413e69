"""Shared fixtures: a temporary data directory with real services, and generated
Japanese pages (rendered with a Noto CJK font, read by real Tesseract)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from shoko.services import Services
from shoko.settings import load_config

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
SANS = FONT_DIR / "NotoSansCJK-Regular.ttc"
SERIF = FONT_DIR / "NotoSerifCJK-Regular.ttc"
SHOKO = str(Path(sys.executable).with_name("shoko"))


def render_page(lines: list[str], font: Path = SANS, size: int = 40, dpi: int = 300) -> Image.Image:
    """An A4 page at ``dpi`` with ``lines`` of text, black on white, like a clean scan."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    face = ImageFont.truetype(str(font), size)
    y = round(0.8 * dpi)
    for line in lines:
        draw.text((round(0.8 * dpi), y), line, font=face, fill=0)
        y += round(size * 1.8)
    return page


def text_layer_pdf(path: Path, lines: list[str]) -> Path:
    """A born-digital PDF with ``lines`` in its text layer (Noto Sans CJK, embedded)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("noto", "", str(SANS), collection_font_number=0)
    pdf.set_font("noto", size=14)
    for line in lines:
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


@pytest.fixture
def services(tmp_path) -> Services:
    """Services over a fresh data directory (real SQLite, real Whoosh folder)."""
    return Services(load_config(data_dir=str(tmp_path / "data")))


@pytest.fixture
def shoko_cli(tmp_path):
    """Run the real ``shoko`` command on a temporary data directory."""
    data_dir = tmp_path / "data"

    def run(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        env = {**os.environ, "SHOKO_DATA_DIR": str(data_dir)}
        result = subprocess.run([SHOKO, *args], capture_output=True, text=True, input=stdin, env=env, timeout=600)
        if check and result.returncode != 0:
            raise AssertionError(f"shoko {' '.join(args)} exited {result.returncode}: {result.stderr}")
        return result

    run.data_dir = data_dir
    return run
