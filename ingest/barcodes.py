"""QR codes and barcodes on a page image (zxing-cpp)."""

from __future__ import annotations

import zxingcpp
from PIL import Image

from ingest.document import Barcode

# zxing-cpp format names as the project writes them (Barcode.kind).
_KINDS = {
    "QRCode": "qrcode", "MicroQRCode": "qrcode", "RMQRCode": "qrcode",
    "Code128": "code128", "Code39": "code39", "Code93": "code93", "EAN13": "ean13",
    "EAN8": "ean8", "ITF": "itf", "Codabar": "codabar", "DataMatrix": "datamatrix",
    "PDF417": "pdf417", "Aztec": "aztec", "UPCA": "upca", "UPCE": "upce",
}
# Thin bars on a low-resolution scan read better enlarged; past this size a page is
# already fine enough (A4 at about 220 dpi) and enlarging only costs time.
_ENLARGE_BELOW = 2600


def _kind(fmt: object) -> str:
    name = getattr(fmt, "name", None) or str(fmt).split(".")[-1]
    return _KINDS.get(name, name.lower())


def _read(image: Image.Image) -> list[Barcode]:
    return [Barcode(_kind(r.format), r.text) for r in zxingcpp.read_barcodes(image)
            if r.valid and r.text]


def read_barcodes(image: Image.Image) -> list[Barcode]:
    """Every QR code and barcode zxing-cpp finds on the page, each once.

    When nothing is found on a low-resolution page, a copy enlarged by 1.5 is tried
    (blurred 200 dpi scans lose Code128 bars otherwise).
    """
    grey = image.convert("L") if image.mode not in ("L", "1") else image
    found = _read(grey)
    if not found and max(grey.size) <= _ENLARGE_BELOW:
        size = (grey.width * 3 // 2, grey.height * 3 // 2)
        found = _read(grey.resize(size, Image.Resampling.BILINEAR))
    unique: list[Barcode] = []
    for barcode in found:
        if barcode not in unique:
            unique.append(barcode)
    return unique
