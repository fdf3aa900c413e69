"""Reading a file, as an ordered list of named steps.

    detect_format   what the header says it is      EmptyFile, UnsupportedFormat
    read_layout     pages and sizes, against limits  EncryptedFile, UnreadableFile, TooLarge
    read_pages      text layer or OCR, page by page  UnreadableFile, OcrFailed, PageTooSlow
    extract         document type and fields         (never fails: unsure fields go to review)

The first two run where the file is picked up; ``read_pages`` is split into one
``PageJob`` per page so a process pool can read the pages of many files at once;
``assemble`` runs the last step on the pages in order.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pytesseract
from PIL import Image

from ingest.document import Extraction, Page, ReadDocument
from ingest.extract import KnownValues, extract, split_document
from ingest.formats import FileLayout, Limits, detect_format, read_layout
from ingest.ocr import OcrEngine, Reread
from ingest.pages import PageJob, read_page
from kernel.errors import OcrFailed, PageTooSlow

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
    pages = run(PageReader(engine, limits=limits), planned.jobs)
    return assemble(planned, pages, rules)


@dataclass(frozen=True)
class PageReader:
    """``read_page_job`` with its engine and second-reading policy bound: picklable,
    for a process pool."""

    engine: OcrEngine
    reread: Reread = Reread()
    fallback: OcrEngine | None = None
    limits: Limits = Limits()

    def __call__(self, job: PageJob) -> Page:
        with boxed(self.limits, f"{Path(job.path).name} page {job.index + 1}"):
            return read_page_job(job, self.engine, self.reread, self.fallback)


@contextmanager
def boxed(limits: Limits, what: str) -> Iterator[None]:
    """Read one page within the limits: ``page_seconds`` of time (every path: text
    layer, rendering, OCR, barcodes; checked whenever Python code runs, so a long
    native call ends first) and ``reader_memory_mb`` of resident memory (a reader
    past it exits at once; the intake reads the file once more on a fresh pool,
    then quarantines it). Timing needs the process's main thread, where pool
    workers run their jobs; elsewhere only the memory limit applies."""
    if limits.reader_memory_mb and multiprocessing.parent_process() is not None:
        _watch_memory(limits.reader_memory_mb)  # only a pool's reader: never the service itself
    timed = limits.page_seconds > 0 and threading.current_thread() is threading.main_thread()
    if not timed:
        yield
        return

    def too_slow(signum, frame):
        raise PageTooSlow(f"{what}: still reading after {limits.page_seconds:g} s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, limits.page_seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_memory_watch: list[threading.Thread] = []  # one watcher per process


def _watch_memory(limit_mb: int) -> None:
    if _memory_watch:
        return
    page = os.sysconf("SC_PAGE_SIZE")

    def watch() -> None:
        while True:
            try:
                with open("/proc/self/statm") as f:
                    resident = int(f.read().split()[1]) * page
            except (OSError, ValueError, IndexError):
                return  # no /proc: nothing to watch
            if resident > limit_mb * 2**20:
                log.error("page reader over %d MB (%d MB resident): exiting", limit_mb, resident // 2**20)
                os._exit(70)  # the machine's memory matters more than this page
            time.sleep(0.2)

    thread = threading.Thread(target=watch, name="reader-memory", daemon=True)
    thread.start()
    _memory_watch.append(thread)


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
