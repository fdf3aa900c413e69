"""The values that flow out of ingestion: pages, words, fields, the read document."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    """One OCR word (for Japanese, usually a run of characters) with its confidence."""

    text: str
    confidence: float  # 0..100 as Tesseract reports it; 100 for a text layer
    box: tuple[int, int, int, int]  # left, top, width, height in page pixels
    line: int  # index of the line on its page, in reading order
    # Each character's confidence, where the engine gives them (PP-OCR): one weak
    # character of a long word then costs only the values it is part of.
    chars: tuple[float, ...] = ()


@dataclass
class Page:
    """The text of one page, with where it came from."""

    number: int  # 1-based
    text: str  # normalised (NFKC, OCR spaces between Japanese characters removed); of an OCR
    # page read twice, each row from the reading OCR was surer of
    raw_text: str  # as the text layer or Tesseract first gave it, with check-box marks ☑/☐ where boxes were found
    source: str  # "text_layer" or "ocr"
    words: list[Word] = field(default_factory=list)
    rotation: int = 0  # degrees the scan was turned to read it (0, 90, 180, 270)
    skew: float = 0.0  # degrees of skew corrected before OCR
    barcodes: list[Barcode] = field(default_factory=list)
    # The page's words again with its weakest stretches of rows read a second time,
    # each on its own, and which of those words (indices) come from that second
    # reading: the extractor weighs them against the first. Empty when nothing
    # was read again.
    second_reading: list[Word] = field(default_factory=list)
    reread_words: list[int] = field(default_factory=list)
    # What read the page: engine, version, model files and their SHA-256, settings,
    # and the preprocessing steps kept for it.
    reader: dict = field(default_factory=dict)
    # Ink on the page but no text read from it by any engine or preparation.
    unreadable: bool = False

    @property
    def mean_confidence(self) -> float | None:
        """Mean word confidence (0..100), None when the page has no words."""
        scored = [w.confidence for w in self.words if w.confidence >= 0]
        return sum(scored) / len(scored) if scored else None


@dataclass(frozen=True)
class Barcode:
    """A QR code or barcode found on a page."""

    kind: str  # e.g. "qrcode", "code128"
    data: str


@dataclass(frozen=True)
class FieldValue:
    """One extracted field with its provenance.

    ``confidence`` is 0..1. A value below the review threshold is not filled in:
    it is kept as a candidate that a person confirms.
    """

    name: str
    value: str | int | float
    source: str  # "ocr", "text_layer" or "barcode"
    page: int
    confidence: float
    raw: str = ""  # the printed text the value was read from


@dataclass
class Extraction:
    """What classification and field extraction made of a document's text."""

    doc_type: str = "other"
    type_score: float = 0.0
    title: str = ""
    fields: dict[str, FieldValue] = field(default_factory=dict)
    review: list[FieldValue] = field(default_factory=list)  # candidates a person must confirm
    flags: list[str] = field(default_factory=list)  # e.g. "compound: two documents in one file"


@dataclass
class ReadDocument:
    """A file read into pages and extracted, ready to be stored."""

    source_name: str
    file_format: str  # "pdf", "png", "jpeg", "tiff"
    pages: list[Page]
    extraction: Extraction = field(default_factory=Extraction)
    part: int = 1  # which document of its file (a batch scan holds several)
    first_page: int = 1  # the file's page this document's page 1 is

    @property
    def text(self) -> str:
        """Normalised text of all pages, pages separated by a blank line."""
        return "\n\n".join(p.text for p in self.pages)

    @property
    def raw_text(self) -> str:
        """Text as read, before normalisation, pages separated by a blank line."""
        return "\n\n".join(p.raw_text for p in self.pages)
