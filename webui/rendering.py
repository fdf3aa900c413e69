"""Page images for the viewer, rendered from the original in the vault.

Only the vault path of a stored document ever reaches this module, never a
path from the request. Rendered pages are small PNGs kept in a bounded cache:
originals never change, so neither do their pages.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageSequence

RENDER_DPI = 150
_CACHE_SIZE = 64


class PageRenderer:
    """PNG bytes of one page of an original, longest side at most ``max_side`` pixels."""

    def __init__(self, max_side: int = 1800):
        self.max_side = max_side
        self._cache: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def png(self, path: Path, file_format: str, number: int) -> bytes:
        """Page ``number`` (1-based) as PNG; IndexError when the original has no such page."""
        key = (str(path), number)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        image = _render_pdf(path, number) if file_format == "pdf" else _render_image(path, number)
        image.thumbnail((self.max_side, self.max_side))
        out = io.BytesIO()
        image.save(out, "PNG", optimize=False)
        data = out.getvalue()
        with self._lock:
            self._cache[key] = data
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return data


def _render_pdf(path: Path, number: int) -> Image.Image:
    pdf = pdfium.PdfDocument(str(path))
    try:
        if not 1 <= number <= len(pdf):
            raise IndexError(number)
        page = pdf[number - 1]
        try:
            return page.render(scale=RENDER_DPI / 72).to_pil().convert("RGB")
        finally:
            page.close()
    finally:
        pdf.close()


def _render_image(path: Path, number: int) -> Image.Image:
    with Image.open(path) as image:
        for index, frame in enumerate(ImageSequence.Iterator(image), start=1):
            if index == number:
                frame.draft("RGB", (4000, 4000))  # JPEG: decode at reduced size when large
                return _viewable(frame.copy())
    raise IndexError(number)


def _viewable(image: Image.Image) -> Image.Image:
    if image.mode in ("1", "L", "RGB"):
        return image
    if image.mode in ("RGBA", "LA", "P"):
        return image.convert("RGBA")
    return image.convert("RGB")
