"""Recognising a file's format and checking it against the limits before loading it.

Only headers are read here: a decompression bomb or a 10,000-page PDF is refused
from its declared sizes, never by decoding it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from PIL import Image

from kernel.errors import EmptyFile, EncryptedFile, TooLarge, UnreadableFile, UnsupportedFormat

RASTER_DPI = 300  # image-only PDF pages are rendered at this resolution for OCR

_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)


@dataclass(frozen=True)
class Limits:
    """Largest file shoko accepts, and what reading one page may cost (configuration:
    max_pages, max_megapixels, page_seconds, reader_memory_mb; 0 is no limit)."""

    max_pages: int = 1000
    max_megapixels: float = 200.0
    page_seconds: float = 0.0
    reader_memory_mb: int = 0


@dataclass(frozen=True)
class FileLayout:
    """What the header of a file says: its format and the size of each page."""

    file_format: str
    page_sizes: tuple[tuple[int, int], ...]  # pixels (at RASTER_DPI for PDF pages)

    @property
    def page_count(self) -> int:
        return len(self.page_sizes)


def detect_format(path: Path) -> str:
    """Return "pdf", "png", "jpeg" or "tiff" from the file's first bytes."""
    with open(path, "rb") as f:
        head = f.read(1024)
    if not head:
        raise EmptyFile(f"{path.name}: 0 bytes")
    for magic, name in _MAGIC:
        # PDF readers accept junk before the header; so do we, within the first KiB.
        if head.startswith(magic) or (name == "pdf" and magic in head):
            return name
    raise UnsupportedFormat(f"{path.name}: unknown header {head[:8]!r}")


def read_layout(path: Path, file_format: str, limits: Limits) -> FileLayout:
    """Read page count and page sizes from the header and enforce ``limits``."""
    if file_format == "pdf":
        sizes = _pdf_page_sizes(path, limits)
    else:
        sizes = _image_page_sizes(path, file_format, limits)
    if not sizes:
        raise UnreadableFile(f"{path.name}: no pages")
    _check_pixels(path, sizes, limits)
    return FileLayout(file_format, tuple(sizes))


def _pdf_page_sizes(path: Path, limits: Limits) -> list[tuple[int, int]]:
    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as e:
        if "password" in str(e).lower():
            raise EncryptedFile(f"{path.name}: {e}") from e
        raise UnreadableFile(f"{path.name}: {e}") from e
    try:
        count = len(pdf)
        if count > limits.max_pages:
            raise TooLarge(
                f"{path.name}: {count} pages > {limits.max_pages}",
                reason=f"ページ数が上限（{limits.max_pages}ページ）を超えています（{count}ページ）。分割してから入れ直してください",
            )
        sizes = []
        for i in range(count):
            w, h = pdf.get_page_size(i)
            sizes.append((round(w / 72 * RASTER_DPI), round(h / 72 * RASTER_DPI)))
        return sizes
    finally:
        pdf.close()


def _image_page_sizes(path: Path, file_format: str, limits: Limits) -> list[tuple[int, int]]:
    try:
        with Image.open(path) as img:
            if file_format != "tiff":
                return [img.size]
            sizes = []
            for frame in range(getattr(img, "n_frames", 1)):
                if frame >= limits.max_pages:
                    raise TooLarge(
                        f"{path.name}: more than {limits.max_pages} TIFF pages",
                        reason=f"ページ数が上限（{limits.max_pages}ページ）を超えています。分割してから入れ直してください",
                    )
                img.seek(frame)
                sizes.append(img.size)
            return sizes
    except Image.DecompressionBombError as e:
        raise TooLarge(f"{path.name}: {e}", reason=_pixel_reason(limits)) from e
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise UnreadableFile(f"{path.name}: {e}") from e


def _check_pixels(path: Path, sizes: list[tuple[int, int]], limits: Limits) -> None:
    for number, (w, h) in enumerate(sizes, start=1):
        if w * h > limits.max_megapixels * 1_000_000:
            raise TooLarge(
                f"{path.name}: page {number} is {w}x{h} px > {limits.max_megapixels} MP",
                reason=_pixel_reason(limits),
            )


def _pixel_reason(limits: Limits) -> str:
    return (
        f"画像が大きすぎます（1ページあたり{limits.max_megapixels:g}メガピクセルの上限を超えています）。"
        "解像度を下げてスキャンし直してください"
    )
