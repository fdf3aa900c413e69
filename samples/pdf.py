"""A minimal PDF writer for born-digital sample documents: real text, ruled lines, no images.

Japanese text is set in a CID-keyed font (Adobe-Japan1, encoding UniJIS-UCS2-H)
that is referenced by name and not embedded, as many office systems print it:
text extractors map the codes to Unicode through the standard Adobe-Japan1
tables, and viewers draw it with a Japanese system font. Latin letters and
digits are half-width (500/1000 em), CJK characters full-width, matching the
"mono" family that the sheet was laid out with.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from samples.forms import A4, DPI, Rule, Sheet, Text

POINTS = 72 / DPI  # PDF units per pixel
PAGE_WIDTH, PAGE_HEIGHT = A4[0] * POINTS, A4[1] * POINTS
FONTS = {"F1": "NotoSansCJKjp-Regular", "F2": "NotoSansCJKjp-Bold"}


def write_text_pdf(sheets: list[Sheet], path: Path) -> None:
    """Write one PDF page per sheet, with every text item in the text layer."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")
    pages = add(b"")
    fonts = {name: _add_font(add, base) for name, base in FONTS.items()}
    font_refs = b" ".join(b"/%s %d 0 R" % (name.encode(), ref) for name, ref in fonts.items())
    kids = []
    for sheet in sheets:
        content = add(_stream(_content(sheet)))
        kids.append(add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] "
            b"/Resources << /Font << %s >> >> /Contents %d 0 R >>"
            % (pages, PAGE_WIDTH, PAGE_HEIGHT, font_refs, content)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages
    objects[pages - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids), len(kids))
    path.write_bytes(_file(objects))


def _add_font(add, base_name: str) -> int:
    """A Type0 font over a non-embedded CIDFontType0 of the Adobe-Japan1 collection."""
    name = base_name.encode()
    descriptor = add(
        b"<< /Type /FontDescriptor /FontName /%s /Flags 4 /FontBBox [-1000 -1000 2000 1000] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 733 /StemV 80 >>" % name)
    # CIDs 1-95 (ASCII) and 231-631 (half-width forms) are half-width; the rest 1 em.
    cid_font = add(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /%s "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 6 >> "
        b"/FontDescriptor %d 0 R /DW 1000 /W [1 95 500 231 631 500] >>" % (name, descriptor))
    return add(b"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /UniJIS-UCS2-H "
               b"/DescendantFonts [%d 0 R] >>" % (name, cid_font))


def _content(sheet: Sheet) -> bytes:
    """The page's drawing operators: lines first, then the text."""
    ops = []
    for item in sheet.items:
        if isinstance(item, Rule):
            ops.append("%.2f w %.2f %.2f m %.2f %.2f l S" % (
                item.width * POINTS, item.x0 * POINTS, PAGE_HEIGHT - item.y0 * POINTS,
                item.x1 * POINTS, PAGE_HEIGHT - item.y1 * POINTS))
    for item in sheet.items:
        if isinstance(item, Text):
            code = item.text.encode("utf-16-be").hex().upper()
            ops.append("BT /%s %.2f Tf %.2f %.2f Td <%s> Tj ET" % (
                "F2" if item.bold else "F1", item.size * POINTS, item.x * POINTS,
                PAGE_HEIGHT - item.y * POINTS, code))
    return "\n".join(ops).encode("ascii")


def _stream(data: bytes) -> bytes:
    packed = zlib.compress(data, 9)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(packed), packed)


def _file(objects: list[bytes]) -> bytes:
    """The whole file: header, numbered objects, cross-reference table, trailer."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
