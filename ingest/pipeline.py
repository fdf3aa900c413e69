"""Reading a file, as an ordered list of named steps.

    detect_format   what the header says it is      EmptyFile, UnsupportedFormat
    read_layout     pages and sizes, against limits  EncryptedFile, UnreadableFile, TooLarge
    read_pages      text layer or OCR, page by page  UnreadableFile, OcrFailed
    extract         document type and fields         (never fails: unsure fields go to review)

The first two run where the file is picked up; ``read_pages`` is split into one
``PageJob`` per page so a process pool can read the pages of many files at once;
``assemble`` runs the last step on the pages in order.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable

import pytesseract
from PIL import Image

from ingest.document import Extraction, Page, ReadDocument
from ingest.extract import KnownValues, extract, split_document
from ingest.formats import FileLayout, Limits, detect_format, read_layout
from ingest.ocr import OcrEngine, Reread
from ingest.pages import PageJob, read_page
from shoko.errors import OcrFailed

log = logging.getLogger("shoko.ingest")


@dataclass(frozen=True)
class PlannedFile:
    """A file whose header has been checked, split into page jobs."""

    path: Path
    source_name: str
    layout: FileLayout

    @property
    def jobs(self) -> list[PageJob]:
        return [PageJob(str(self.path), self.layout.file_format, i) for i in range(self.layout.page_count)]


def plan(path: Path, limits: Limits, source_name: str | None = None) -> PlannedFile:
    """Steps ``detect_format`` and ``read_layout``: cheap, header-only checks."""
    file_format = detect_format(path)
    layout = read_layout(path, file_format, limits)
    return PlannedFile(path, source_name or path.name, layout)


def read_page_job(job: PageJob, engine: OcrEngine, reread: Reread = Reread(),
                  fallback: OcrEngine | None = None) -> Page:
    """Step ``read_pages`` for one page; OCR engine failures become ``OcrFailed``."""
    try:
        return read_page(job, engine, reread, fallback)
    except (pytesseract.TesseractError, RuntimeError, subprocess.SubprocessError) as e:
        raise OcrFailed(f"{Path(job.path).name} page {job.index + 1}: {e}") from e


def assemble(planned: PlannedFile, pages: Iterable[Page], rules,
             known: KnownValues | None = None) -> ReadDocument:
    """Step ``extract`` on the pages in page order, with the values already on file.

    The text is already safe at this point; a fault in extraction must not lose
    the file, so the document is kept as ``other`` and flagged for review.
    """
    ordered = sorted(pages, key=lambda p: p.number)
    try:
        extraction = extract(ordered, rules, known)
    except Exception as e:  # noqa: BLE001 - any extractor fault, logged with its trace
        log.exception("extraction failed for %s", planned.source_name)
        extraction = Extraction(flags=[f"extraction_failed: {type(e).__name__}: {e}"])
    return ReadDocument(
        source_name=planned.source_name,
        file_format=planned.layout.file_format,
        pages=ordered,
        extraction=extraction,
    )


def assemble_parts(planned: PlannedFile, pages: Iterable[Page], rules,
                   known: KnownValues | None = None) -> list[ReadDocument]:
    """Step ``extract`` for a file that may hold several documents (a batch scan):
    one ReadDocument per document, its pages numbered from 1, ``first_page`` where
    it starts in the file. Each part is flagged ``batch`` so staff can check the cut."""
    ordered = sorted(pages, key=lambda p: p.number)
    try:
        groups = split_document(ordered, rules)
    except Exception:  # noqa: BLE001 - a fault in splitting keeps the file whole
        log.exception("splitting failed for %s", planned.source_name)
        groups = [ordered]
    if len(groups) == 1:
        return [assemble(planned, ordered, rules, known)]
    out = []
    for k, group in enumerate(groups, 1):
        first = group[0].number
        renumbered = [replace(p, number=p.number - first + 1) for p in group]
        document = assemble(planned, renumbered, rules, known)
        document.part, document.first_page = k, first
        document.extraction.flags.append(
            f"batch: part {k} of {len(groups)} (pages {first}-{group[-1].number} of the file)")
        out.append(document)
    return out


def read_document(path: Path, limits: Limits, engine: OcrEngine, rules,
                  run: Callable[[Callable, list], Iterable] = map) -> ReadDocument:
    """Every step for one file; ``run`` maps page jobs (``map`` or a pool's ``map``)."""
    planned = plan(path, limits)
    pages = run(PageReader(engine), planned.jobs)
    return assemble(planned, pages, rules)


@dataclass(frozen=True)
class PageReader:
    """``read_page_job`` with its engine and second-reading policy bound: picklable,
    for a process pool."""

    engine: OcrEngine
    reread: Reread = Reread()
    fallback: OcrEngine | None = None

    def __call__(self, job: PageJob) -> Page:
        return read_page_job(job, self.engine, self.reread, self.fallback)


def worker_setup(max_megapixels: float, parent_pid: int | None = None) -> None:
    """Initialise a page-reading process.

    One Tesseract thread per process: processes already fill the cores, and
    Tesseract's OpenMP threads cost more than they give on top of that (ONNX
    Runtime's threads are sized with the pool, see ``ingest.engines``). A
    reader outlives nothing: when the process that owns the pool is gone
    (``kill -9``), it exits instead of waiting for work forever.
    """
    if parent_pid is not None:
        threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()
    os.environ["OMP_THREAD_LIMIT"] = "1"
    # Ctrl-C reaches the whole process group; the parent decides when to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Sizes were checked from the header; let Pillow decode up to our own limit.
    Image.MAX_IMAGE_PIXELS = int(max_megapixels * 1_000_000) + 1


def _exit_with_parent(parent_pid: int) -> None:
    while True:
        time.sleep(2)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(1)
