"""PP-OCRv6 (RapidOCR on ONNX Runtime) behind the ``OcrEngine`` interface.

The models are the ones inside the pinned ``rapidocr`` wheel, named by path and
checked against their SHA-256 before they are loaded: RapidOCR downloads a model
whenever its configuration names one it does not have, and a hospital's intake
must neither reach the network nor read with a model nobody checked.

PP-OCR detects text lines as quadrilaterals and recognises each line with a
score per character (per word for latin text). The characters become words
where the gap between them is wide (a form's columns, a name's space), the
page's skew is measured from the lines themselves and levelled in the
coordinates (no image is turned for it), and the lines are put in reading
order: rows top to bottom, left to right, and columns of running text one after
the other (:func:`ingest.layout.reading_order`).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ingest.document import Word
from ingest.layout import Line, reading_order
from ingest.ocr import OcrResult, TesseractEngine, level_box
from ingest.stamps import dark_pixels, is_stamp
from kernel.errors import ConfigError

log = logging.getLogger("shoko.ocr")

RAPIDOCR_VERSION = "3.10.0"
# The wheel's own model files (rapidocr 3.10.0): what is read, and what it must hash to.
MODELS = {
    "det": ("PP-OCRv6_det_small.onnx", "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f"),
    "rec": ("PP-OCRv6_rec_small.onnx", "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884"),
    "cls": ("ch_ppocr_mobile_v2.0_cls_mobile.onnx",
            "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c"),
}
# A gap between two characters of a line wider than this share of the line's
# height starts a new word: a form's columns, or the space in 山田 太郎.
WORD_GAP = 0.6
DETECTION_SIDE = 0
# Lines recognised one at a time: a batch is padded to its widest line, and on the
# CPU that padding costs more than the batch saves (measured: recognition 25 %
# faster than RapidOCR's default of 6 on corpus-dev pages; bench/ingest_speed.py
# prints plain PP-OCRv6 with both).
REC_BATCH = 1
# Lines this much wider than high measure the page's skew.
SKEW_MIN_ASPECT = 4.0
MAX_SKEW = 10.0

_loaded: dict[tuple, Any] = {}  # one RapidOCR per process and configuration
_checked: list[dict] = []  # the models' names and hashes, checked once per process


def model_dir() -> Path:
    """Where the pinned wheel keeps its models (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("ocr_engine = 'rapidocr' needs the rapidocr package: run `make install`")
    return Path(list(spec.submodule_search_locations)[0]) / "models"


def verify_models(directory: Path | None = None) -> dict[str, dict[str, str]]:
    """Each model file's name and SHA-256, after checking it against the pinned hash."""
    directory = directory or model_dir()
    out = {}
    for role, (name, expected) in MODELS.items():
        path = directory / name
        if not path.is_file():
            raise ConfigError(f"OCR model missing: {path} (reinstall with `make install`, "
                              "or set ocr_engine = 'tesseract')")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != expected:
            raise ConfigError(f"OCR model {path} has SHA-256 {digest}, expected {expected}: "
                              "refusing to read with an unchecked model")
        out[role] = {"file": name, "sha256": digest}
    return out


def _checked_models() -> dict[str, dict[str, str]]:
    if not _checked:
        _checked.append(verify_models())
    return _checked[0]


@dataclass(frozen=True)
class RapidOcrEngine:
    """PP-OCRv6 small detection and recognition, bundled models only.

    ``threads`` is ONNX Runtime's intra-op thread count per process (the page
    pool already runs one process per core); ``device`` is ``cpu`` or ``cuda``
    (``onnxruntime-gpu`` with a GPU; otherwise CPU, said in the log).
    A turned page is found from its lines (``read``); Tesseract's OSD (``osd``)
    decides only for a page that still reads badly.
    """

    threads: int = 1
    device: str = "cpu"
    osd: TesseractEngine = field(default_factory=TesseractEngine)
    # A table of Chinese character forms and the Japanese form each is a misread of
    # (config/ocr_character_variants.tsv); PP-OCR reads Chinese as well as Japanese.
    variants_file: str | None = None
    # Longest side of the image the line detector sees (0: RapidOCR's own rule:
    # the page within 2000 pixels, at least 736 on its shorter side). Measured on
    # both corpora, its own rule reads best; a sparse page whose lines it misses
    # is read again cropped to its ink (``ingest.pages``).
    detection_side: int = DETECTION_SIDE
    name: str = "rapidocr"
    # PP-OCR finds lines on grey, tilted and ruled pages by itself: a page is read
    # as scanned, and prepared only when that reading is weak.
    first_steps: tuple[str, ...] = ()
    weak_below: float = 80.0
    # Each line is already recognised alone, cut out of the page.
    rereads: bool = False
    # It tells a turned page from its lines before reading it (``read``); OSD is
    # needed only for a page that still reads badly.
    reads_before_turning: bool = True

    def describe(self) -> dict:
        """Engine, version, model files and settings: a page's provenance."""
        return {"engine": self.name, "version": RAPIDOCR_VERSION, "models": _checked_models(),
                "threads": self.threads, "device": self._device(), "detection_side": self.detection_side,
                "orientation": "line direction classifier; tesseract-osd when the page reads badly"}

    def read(self, image: Image.Image, dpi: int, lines: object = None) -> OcrResult:
        """Read a page; a page that lies turned is not read but reported turned.

        Lines are detected and each is shown to the direction classifier first
        (cheap next to recognition): when most of the text stands, or lies upside
        down, the page is turned, and ``OcrResult.rotation`` says how far, with no
        words, and ``OcrResult.lines`` holds the lines turned with the page: given
        back with the page turned upright, they are recognised without detecting
        them again (detection costs as much as recognition). Recognition reads the
        lines as cut, unturned: the classifier is sometimes wrong about one line of
        an upright page, never about most of a turned one.
        """
        from rapidocr.main import RapidOCRError

        ocr = self._ocr()
        array = _rgb(image)
        prepared, record = ocr.preprocess_img(array)
        try:
            if isinstance(lines, _TurnedLines) and lines.shape == prepared.shape[:2]:
                det, cls = lines.det, lines.cls
                record["padding_1"] = {"top": 0, "left": 0}
                crops = ocr.crop_text_regions(prepared, det.boxes)
            else:
                crops, det = ocr.detect_and_crop(prepared, record)
                _, cls = ocr.cls_and_rotate(crops)
                flips = [bool(label) and "180" in label and score > ocr.cfg.Cls.cls_thresh
                         for label, score in (cls.cls_res or [])]
                turn = page_rotation(list(det.boxes), flips)
                if turn:
                    return OcrResult("", [], rotation=turn, lines=_turned_lines(prepared, record, det, cls, turn))
            rec = ocr.recognize_txt(crops)
        except RapidOCRError:
            return OcrResult("", [])
        output = ocr.build_final_output(array, det, cls, rec, crops, record)
        return self._result(output, image, _variants(self.variants_file))

    def read_block(self, image: Image.Image, dpi: int) -> OcrResult:
        return self.read(image, dpi)

    def orientation(self, image: Image.Image) -> tuple[int, float]:
        return self.osd.orientation(image)

    def _device(self) -> str:
        if self.device != "cuda":
            return "cpu"
        import onnxruntime

        if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
            return "cuda"
        log.warning("ocr_device = 'cuda' but ONNX Runtime has no CUDA provider: reading on the CPU")
        return "cpu"

    def _ocr(self):
        key = (self.threads, self.device, self.detection_side)
        if key not in _loaded:
            _loaded[key] = self._load()
        return _loaded[key]

    def _load(self):
        directory = model_dir()
        _checked_models()
        os.environ.setdefault("OMP_NUM_THREADS", str(self.threads))
        from rapidocr import RapidOCR

        cuda = self._device() == "cuda"
        params = {
            "Global.log_level": "error",
            "Global.model_root_dir": str(directory),
            "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            "EngineConfig.onnxruntime.use_cuda": cuda,
            "Global.return_word_box": True,
            "Rec.rec_batch_num": REC_BATCH,
        }
        if self.detection_side:
            params.update({"Det.limit_type": "max", "Det.limit_side_len": self.detection_side})
        # Every model named by its file: RapidOCR downloads any model it is not given.
        for role, (name, _) in MODELS.items():
            params[f"{role.capitalize()}.model_path"] = str(directory / name)
        return RapidOCR(params=params)

    def _result(self, output, image: Image.Image, variants: dict[int, str]) -> OcrResult:
        if output is None or getattr(output, "txts", None) is None or not len(output.txts):
            return OcrResult("", [], skew=0.0)
        centre = (image.width / 2, image.height / 2)
        dark = dark_pixels(np.asarray(image.convert("L")))
        lines = []
        for quad, text, score, chars in zip(output.boxes, output.txts, output.scores,
                                            output.word_results):
            if is_stamp(dark, level_box(np.asarray(quad, dtype=float), 0.0, centre), len(text.strip())):
                continue  # a seal's characters are not the document's text
            pieces = [(t.translate(variants), float(s), np.asarray(b, dtype=float))
                      for t, s, b in _aligned(text, chars, float(score)) if b is not None]
            if not pieces:
                pieces = [(text.translate(variants), float(score), np.asarray(quad, dtype=float))]
            lines.append((np.asarray(quad, dtype=float), pieces, text.translate(variants)))
        skew = page_skew([quad for quad, _, _ in lines])
        ordered = reading_order([_line(quad, pieces, skew, centre, text) for quad, pieces, text in lines])
        words: list[Word] = []
        texts = []
        for number, row in enumerate(ordered):
            row_words = [replace(w, line=number) for line in row for w in line.words]
            words.extend(row_words)
            texts.append(" ".join(w.text for w in row_words))
        return OcrResult("\n".join(texts), words, skew=skew)


STANDING = 1.5  # a detected line this much higher than wide is read turned a quarter (RapidOCR's rule)
SURE_TURN = 0.6  # share of the page's lines (by length) that must agree before it counts as turned


def page_rotation(quads: list[np.ndarray], flipped: list[bool]) -> int:
    """Clockwise degrees the page must be turned (0, 90, 180, 270), from its detected
    lines: lying or standing, and whether the direction classifier found each
    upside down. A standing line is cut turned a quarter counter-clockwise, so one
    the classifier leaves ran downwards (the page needs 270°) and one it turns
    round ran upwards (90°)."""
    weight: dict[int, float] = {}
    for quad, flip in zip(quads, flipped):
        quad = np.asarray(quad, dtype=float)
        width = float(np.hypot(*(quad[1] - quad[0])))
        height = float(np.hypot(*(quad[3] - quad[0])))
        standing = height >= STANDING * max(width, 1.0)
        turn = (90 if flip else 270) if standing else (180 if flip else 0)
        weight[turn] = weight.get(turn, 0.0) + max(width, height)
    total = sum(weight.values())
    if not total:
        return 0
    best = max(weight, key=weight.get)
    return best if best and weight[best] >= SURE_TURN * total else 0


@dataclass(frozen=True)
class _TurnedLines:
    """Lines detected on a turned page, on the prepared (resized) page turned upright."""

    shape: tuple[int, int]  # height and width of that prepared page
    det: Any
    cls: Any


def _turned_lines(prepared: np.ndarray, record: dict, det, cls, turn: int) -> _TurnedLines | None:
    """The detected lines turned with the page; none for a padded strip (found again)."""
    if any(record.get("padding_1", {}).values()):
        return None
    height, width = prepared.shape[:2]
    boxes = np.array([turn_quad(q, turn, width, height) for q in det.boxes], dtype=np.float32)
    shape = (width, height) if turn in (90, 270) else (height, width)
    return _TurnedLines(shape, replace(det, boxes=boxes), cls)


def turn_quad(quad: np.ndarray, turn: int, width: float, height: float) -> np.ndarray:
    """A quadrilateral on a ``width`` × ``height`` image, on that image turned
    ``turn`` degrees clockwise: corners clockwise from the top-left, as detected."""
    x, y = np.asarray(quad, dtype=float).T
    if turn == 90:
        x, y = height - y, x
    elif turn == 180:
        x, y = width - x, height - y
    elif turn == 270:
        x, y = y, width - x
    points = np.stack([x, y], axis=1)
    return np.roll(points, -int(np.argmin(points.sum(axis=1))), axis=0)


_VARIANTS: dict[str, dict[int, str]] = {}


def _variants(path: str | None) -> dict[int, str]:
    """The variants table as a ``str.translate`` map (read once per process)."""
    if not path:
        return {}
    if path not in _VARIANTS:
        table = {}
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                read, japanese = line.split("\t")
                table[ord(read)] = japanese
        _VARIANTS[path] = table
    return _VARIANTS[path]


def page_skew(quads: list[np.ndarray]) -> float:
    """The page's skew in degrees (PIL's sense: counter-clockwise positive), the
    median slope of its long text lines; 0 when too few lines to tell."""
    angles = []
    for quad in quads:
        (x0, y0), (x1, y1) = quad[0], quad[1]
        width = math.hypot(x1 - x0, y1 - y0)
        height = math.hypot(*(quad[3] - quad[0]))
        if height > 0 and width / height >= SKEW_MIN_ASPECT:
            angles.append(math.degrees(math.atan2(-(y1 - y0), x1 - x0)))
    if len(angles) < 3:
        return 0.0
    skew = float(np.median(angles))
    return round(skew, 2) if abs(skew) <= MAX_SKEW else 0.0


def _line(quad: np.ndarray, pieces: list, skew: float, centre: tuple[float, float], text: str = "") -> Line:
    """One detected line as words: its characters joined where they stand close.

    A new word starts at a wide gap, or where the recogniser read a space (患者ID
    00381724), except between digits: a space there is letter-spacing (8 7 %).
    """
    box = level_box(quad, skew, centre)
    height = box[3]
    spaces = _spaces_before(text, [t for t, _, _ in pieces])
    words: list[Word] = []
    current: list[tuple[str, float, tuple[int, int, int, int]]] = []
    for i, (piece, score, points) in enumerate(pieces):
        piece_box = level_box(points, skew, centre)
        piece = piece.strip()
        if current and piece:
            last = current[-1][2]
            gap = piece_box[0] - (last[0] + last[2])
            digits = current[-1][0][-1:].isdigit() and piece[:1].isdigit()
            if gap > WORD_GAP * height or (i in spaces and not digits):
                words.append(_word(current))
                current = []
        if piece:
            current.append((piece, score, piece_box))
    if current:
        words.append(_word(current))
    return Line(box, words)


def _aligned(text: str, pieces, line_score: float) -> list:
    """The pieces with the confidence of their own characters.

    RapidOCR pairs the n-th piece with the n-th character's confidence of the whole
    line, spaces included, so after a space every piece carries its neighbour's (小山
    勝男: 勝 gets the space's 0.67, 男 gets 勝's) and the last ones none. Each piece's
    characters are found in the line text and take the lowest of their own
    confidences; past the end of what RapidOCR handed over, the line's score."""
    confs = [float(s) for _, s, _ in pieces]
    out, at = [], 0
    for piece, _, box in pieces:
        start = text.find(piece.strip(), at) if piece.strip() else -1
        if start < 0:
            return list(pieces)  # the pieces do not spell the line: leave them as they are
        end = start + len(piece.strip())
        own = [confs[i] for i in range(start, end) if i < len(confs) and not text[i].isspace()]
        out.append((piece, min(own) if len(own) == end - start else min(own + [line_score]), box))
        at = end
    return out


def _spaces_before(text: str, pieces: list[str]) -> set[int]:
    """Indices of the pieces the recognised line text has a space before."""
    compact, at = 0, set()
    for char in text:
        if char.isspace():
            at.add(compact)
        else:
            compact += 1
    if "".join(p.strip() for p in pieces) != "".join(text.split()):
        return set()  # the pieces do not spell the line: trust the gaps alone
    out, start = set(), 0
    for i, piece in enumerate(pieces):
        if i and start in at:
            out.add(i)
        start += len(piece.strip())
    return out


def _word(pieces: list[tuple[str, float, tuple[int, int, int, int]]]) -> Word:
    """Characters as one word: its weakest character's confidence, 0..100 as Tesseract counts."""
    left = min(b[0] for _, _, b in pieces)
    top = min(b[1] for _, _, b in pieces)
    right = max(b[0] + b[2] for _, _, b in pieces)
    bottom = max(b[1] + b[3] for _, _, b in pieces)
    text = "".join(t for t, _, _ in pieces)
    chars = tuple(round(100 * s, 1) for t, s, _ in pieces for _ in t)
    return Word(text, min(chars, default=0.0), (left, top, right - left, bottom - top), -1, chars)


def _rgb(image: Image.Image) -> np.ndarray:
    """What RapidOCR reads: a three-channel array (it takes arrays as BGR; grey is the same)."""
    return np.asarray(image.convert("RGB"))[:, :, ::-1].copy()
