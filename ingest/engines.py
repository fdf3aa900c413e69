"""Choosing the OCR engine from the settings, and the one that steps in when it reads nothing."""

from __future__ import annotations

import os
from pathlib import Path

from ingest.ocr import OcrEngine, TesseractEngine
from ingest.rapid import RapidOcrEngine, verify_models
from kernel.errors import ConfigError

ENGINES = ("rapidocr", "tesseract")


VARIANTS_FILE = "ocr_character_variants.tsv"


def make_engines(name: str, languages: str = "jpn", threads: int = 0, workers: int = 1,
                 device: str = "cpu", config_dir: Path | None = None) -> tuple[OcrEngine, OcrEngine]:
    """The configured engine and the other one as its fallback.

    ``threads`` 0 shares the cores among the ``workers`` page readers, so that
    the pool and ONNX Runtime together never ask for more threads than there are
    cores. The PP-OCR models are checked here, before any page is read.
    """
    variants = str(config_dir / VARIANTS_FILE) if config_dir and (config_dir / VARIANTS_FILE).is_file() else None
    tesseract = TesseractEngine(languages)
    if name == "tesseract":
        return tesseract, _rapid_or_none(threads, workers, device, variants) or tesseract
    if name != "rapidocr":
        raise ConfigError(f"unknown ocr_engine {name!r}: one of {', '.join(ENGINES)}")
    if device not in ("cpu", "cuda"):
        raise ConfigError(f"unknown ocr_device {device!r}: cpu or cuda")
    verify_models()
    return RapidOcrEngine(_threads(threads, workers), device, tesseract, variants), tesseract


def _threads(threads: int, workers: int) -> int:
    return threads or max(1, (os.cpu_count() or 1) // max(1, workers))


def _rapid_or_none(threads: int, workers: int, device: str, variants: str | None) -> RapidOcrEngine | None:
    try:
        verify_models()
    except ConfigError:
        return None
    return RapidOcrEngine(_threads(threads, workers), device if device in ("cpu", "cuda") else "cpu",
                          variants_file=variants)
