"""Taking files in: ingest → records → search, for ``shoko ingest`` and the watcher.

For every file, in this order, each step with its one reason to fail:

    take_in      an intake row marks the file in progress    (accounting)
    fingerprint  SHA-256 of the bytes                        UnreadableFile
    known_bytes  same bytes stored before → duplicate        —
    plan         format and layout from the header           EmptyFile … TooLarge
    read_pages   text layer or OCR, in the process pool      UnreadableFile, OcrFailed
    assemble     classification and fields, weighed against
                 the values already on file (doctors, …)     —
    store        original into the vault, record committed   —
    index        searchable                                  (reconciled at start)
    settle       intake row closed: stored / duplicate / quarantined

and once the batch is done, ``confirm_known_values``: values left for review on
any document that now match a value on file are filled in (audited).

Pages of several files are in the pool at once, so a batch keeps every core busy;
outcomes still come back in input order.
"""

from __future__ import annotations

import errno
import logging
import os
import multiprocessing
import stat
import tempfile
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ingest.document import Page, ReadDocument, Word
from ingest.extract import KnownValues, extract, learn_from
from ingest.extract.known import KNOWN_FIELDS
from ingest.formats import Limits
from ingest.ocr import OcrEngine, Reread
from ingest.pipeline import PlannedFile, PageReader, assemble_parts, plan, worker_setup
from records.store import NewDocument, NewField, NewPage, Records, StoredDocument, format_doc_id
from records.vault import sha256_of
from search.index import DocumentIndex, IndexEntry
from shoko.timeliness import ScanDelay
from kernel.errors import IngestError, IntakePaused, NotARegularFile, RecordsError, UnexpectedError, UnreadableFile

log = logging.getLogger("shoko.intake")

RECONCILE_ONE_BY_ONE = 100  # more missing documents than this are streamed from the records, not fetched one by one
# Dates that place a document in a month, in order of preference.
_MONTH_FIELDS = ("guidance_date", "removal_date", "contract_start", "document_date", "measurement_date")


# Errors that say the storage, not the file, is at fault.
_ENVIRONMENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}


@dataclass(frozen=True)
class IntakeFile:
    """A file to take in: where it is, how to name it in output, who scanned it."""

    path: Path
    shown_as: str
    department: str | None = None


@dataclass
class Outcome:
    """How one file ended: the contract's ``ingest --json`` line."""

    path: str
    status: str  # ingested, duplicate, quarantined
    id: str | None = None
    doc_type: str | None = None
    reason: str | None = None
    pages: int = 0

    def to_json(self) -> dict:
        return {"path": self.path, "status": self.status, "id": self.id, "doc_type": self.doc_type,
                "reason": self.reason}


@dataclass
class _InFlight:
    item: IntakeFile
    intake_id: int
    sha256: str | None = None
    planned: PlannedFile | None = None
    futures: list[Future] = field(default_factory=list)
    duplicate_of: str | None = None
    error: IngestError | None = None
    pool: ProcessPoolExecutor | None = None


class Intake:
    """Wires the rooms together for taking files in."""

    def __init__(self, records: Records, index: DocumentIndex, rules, limits: Limits,
                 engine: OcrEngine, workers: int, actor: str = "system",
                 reread: Reread = Reread(), fallback: OcrEngine | None = None,
                 scan_delay: ScanDelay | None = None, timestamps=None):
        self.records = records
        self.index = index
        self.rules = rules
        self.limits = limits
        self.engine = engine
        self.fallback = fallback
        self.reread = reread
        self.workers = max(1, workers)
        self.actor = actor
        self.scan_delay = scan_delay or ScanDelay(0)
        self.timestamps = timestamps  # shoko.timestamps.Timestamps when tsa_url is set
        self._pool: ProcessPoolExecutor | None = None
        self._known: KnownValues | None = None

    def __enter__(self) -> "Intake":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the page-reading processes."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    @property
    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # forkserver: the web server is threaded, and forking a threaded process
            # can copy a lock held by another thread into the child.
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("forkserver"),
                initializer=worker_setup, initargs=(self.limits.max_megapixels, os.getpid()),
            )
        return self._pool

    def run(self, files: Iterable[IntakeFile], move: bool = False,
            progress: Callable[[int, int, int], None] | None = None) -> Iterator[Outcome]:
        """Take in ``files``; yields one outcome per file, in input order.

        ``move`` (the watcher) moves quarantined files out of the inbox and
        removes stored and duplicate ones once recorded; otherwise inputs are
        left untouched. ``progress(pages_done, pages_total, files_left)`` is
        called as pages finish.
        """
        pending = deque(files)
        self._known = None  # read again: staff may have corrected values since the last batch
        window: deque[_InFlight] = deque()
        counter = _PageCounter(len(pending), progress)
        try:
            while pending or window:
                # Keep about two pages per worker queued so that no core waits.
                while pending and (not window or counter.in_flight < 2 * self.workers):
                    window.append(self._start(pending.popleft(), counter))
                yield from self._finish(window.popleft(), move, counter)
            # Files of this batch may have made known a value that earlier
            # documents left for review: the outcome does not depend on file order.
            confirm_known_values(self.records, self.index, self.rules)
        finally:
            # Stopped early (SIGTERM): files started but not finished stay where
            # they are and are taken again next time.
            for flight in window:
                for future in flight.futures:
                    future.cancel()
                try:
                    self.records.intake_set(flight.intake_id, "interrupted")
                except Exception as e:  # the database is failing: recover() closes the row later
                    log.warning("%s: intake row %d left open: %s", flight.item.shown_as, flight.intake_id, e)

    # -- steps --------------------------------------------------------------

    def _start(self, item: IntakeFile, counter: "_PageCounter") -> _InFlight:
        """take_in, fingerprint, known_bytes, plan; page jobs go to the pool."""
        flight = _InFlight(item, self.records.intake_begin(item.shown_as))
        try:
            _require_regular_file(item.path)
            flight.sha256 = _fingerprint(item.path)
            flight.duplicate_of = self.records.find_by_sha(flight.sha256)
            if flight.duplicate_of:
                counter.planned(0)
                return flight
            flight.planned = plan(item.path, self.limits, item.path.name)
            self._submit(flight, counter)
        except Exception as e:  # IngestError, or any other: judged in _finish
            flight.error = e
            counter.planned(0)
        return flight

    def _finish(self, flight: _InFlight, move: bool, counter: "_PageCounter") -> list[Outcome]:
        """read_pages (collect), assemble, store, index, settle: one outcome per
        document the file holds (a batch scan holds several)."""
        item = flight.item
        outcomes: list[Outcome]
        try:
            if flight.error:
                raise flight.error
            if flight.duplicate_of:
                self.records.record_duplicate(flight.duplicate_of, flight.sha256, item.path.name, self.actor)
                outcomes = [Outcome(item.shown_as, "duplicate", flight.duplicate_of)]
            else:
                pages = self._collect(flight, counter)
                outcomes = self._store(flight, assemble_parts(flight.planned, pages, self.rules,
                                                              self._known_values()))
        except IngestError as e:
            outcomes = [self._quarantine(flight, e, move)]
        except Exception as e:
            # Never let one file stop the intake: the storage's fault pauses it (the
            # file stays), any other fault sets this file aside.
            self._pause_if_storage_fault(e, flight)
            log.exception("%s: unexpected error", item.shown_as)
            outcomes = [self._quarantine(flight, UnexpectedError(f"{type(e).__name__}: {e}"), move)]
        first = outcomes[0]
        try:
            self.records.intake_set(
                flight.intake_id, "stored" if first.status == "ingested" else first.status,
                sha256=flight.sha256, doc_id=first.id, reason=first.reason,
            )
        except Exception as e:
            # Stored but not accounted: recover() settles the row once the database works.
            self._pause_if_storage_fault(e, None)
            raise
        if move and first.status not in ("quarantined", "skipped"):
            # Only now: the original is in the vault and the record committed.
            item.path.unlink(missing_ok=True)
        counter.file_done()
        return outcomes

    def _collect(self, flight: _InFlight, counter: "_PageCounter") -> list:
        """The pages of a file as the pool reads them.

        A reader process that dies (killed, out of memory) breaks the whole pool:
        the file is read once more on a fresh pool before it counts as unreadable.
        """
        try:
            return self._gather(flight, counter)
        except BrokenProcessPool:
            self._drop_broken_pool(flight)
            log.warning("%s: a page reader died; reading the file again", flight.item.shown_as)
        self._submit(flight, counter)
        try:
            return self._gather(flight, counter)
        except BrokenProcessPool as e:
            self._drop_broken_pool(flight)
            raise UnreadableFile(f"{flight.item.shown_as}: page reader process died twice: {e}") from e

    def _gather(self, flight: _InFlight, counter: "_PageCounter") -> list:
        pages = []
        try:
            for future in flight.futures:
                pages.append(future.result())
                counter.page_done()
            return pages
        except Exception:
            for future in flight.futures[len(pages):]:
                future.cancel()
            counter.abandon(len(flight.futures) - len(pages))
            raise

    def _submit(self, flight: _InFlight, counter: "_PageCounter") -> None:
        reader = PageReader(self.engine, self.reread, self.fallback, self.limits)
        flight.pool = self.pool
        flight.futures = [flight.pool.submit(reader, job) for job in flight.planned.jobs]
        counter.planned(len(flight.futures))

    def _drop_broken_pool(self, flight: _InFlight) -> None:
        # Files behind this one may hold futures of the same broken pool; only the
        # pool that broke is dropped, never a fresh one made since.
        if flight.pool is not None and flight.pool is self._pool:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _store(self, flight: _InFlight, documents: list[ReadDocument]) -> list[Outcome]:
        """Every document of the file stored in one transaction, then indexed."""
        new = [to_new_document(d, flight.sha256, flight.item.department) for d in documents]
        today = date.fromisoformat(self.records.now()[:10])
        for doc in new:
            late = self.scan_delay.flag(next((f.value for f in doc.fields if f.name == "document_date"
                                              and f.state == "filled"), None), today)
            if late:
                doc.flags.append(late)
        ids, created = self.records.store_documents(new, flight.item.path, self.actor)
        if not created:
            return [Outcome(flight.item.shown_as, "duplicate", ids[0])]
        if self.timestamps is not None:  # a failure is logged; ``shoko timestamp`` retries
            self.timestamps.stamp_quietly(self.records.vault.path_for(flight.sha256), flight.sha256)
        outcomes = []
        for doc_id, document, stored in zip(ids, documents, new):
            self.index.add(index_entry(self.records.get(doc_id)))
            learn_from(document.extraction, self._known_values(), self.rules)
            outcomes.append(Outcome(flight.item.shown_as, "ingested", doc_id, stored.doc_type,
                                    pages=len(stored.pages)))
        return outcomes

    def _known_values(self) -> KnownValues:
        if self._known is None:
            self._known = known_values(self.records, self.rules)
        return self._known

    def _quarantine(self, flight: _InFlight, error: IngestError, move: bool) -> Outcome:
        """Set the file aside; if even that fails for a reason of the file's own, the
        file is skipped (status ``skipped``) and stays where it is."""
        item = flight.item
        try:
            self.records.quarantine_file(
                item.path, item.shown_as, error.reason, displayable(error.detail or str(error)), flight.sha256,
                item.department, self.actor, move,
            )
        except Exception as e:
            self._pause_if_storage_fault(e, flight)
            log.exception("%s: could not be quarantined; skipped", item.shown_as)
            return Outcome(item.shown_as, "skipped", None, None, f"{error.reason}（隔離もできませんでした: {e}）")
        if move and item.path.is_symlink():
            item.path.unlink(missing_ok=True)  # a broken link: nothing was set aside, the name goes
        return Outcome(item.shown_as, "quarantined", None, None, error.reason)

    def storage_fault(self, error: BaseException | None = None) -> str | None:
        """Why files cannot be stored now (disk full, database locked or read-only,
        vault or quarantine not writable), or None when nothing is wrong.

        ``error`` is the exception met, if any; without a telling one the vault and
        quarantine folders are tried with a small file of their own.
        """
        if isinstance(error, OSError) and error.errno in _ENVIRONMENT_ERRNOS:
            return f"{type(error).__name__}: {error}"
        if _is_database_fault(error):
            return f"database: {error}"
        for folder in (self.records.vault.root, self.records.quarantine_folder.root):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                with tempfile.TemporaryFile(dir=folder, prefix=".probe-") as probe:
                    probe.write(b"x")
                    probe.flush()
                    os.fsync(probe.fileno())
            except OSError as e:
                return f"{folder}: {e}"
        return None

    def _pause_if_storage_fault(self, error: BaseException, flight: _InFlight | None) -> None:
        """Raise IntakePaused when ``error`` is the storage's fault, not the file's."""
        fault = self.storage_fault(error)
        if fault is None:
            return
        if flight is not None:
            try:
                self.records.intake_set(flight.intake_id, "interrupted")
            except Exception:
                pass  # the database itself is failing: recover() closes the row later
        raise IntakePaused(fault) from error

    def recover(self, inbox_path: Callable[[str], Path]) -> int:
        """Close intake rows left open by a crash; returns how many.

        A file whose bytes were committed before the crash is finished (removed
        from the inbox, its row marked stored); any other file is simply taken
        again, its old row marked interrupted.
        """
        open_rows = self.records.intake_open()
        for row in open_rows:
            path = inbox_path(row["path"])
            doc_id = None
            if path.is_file():
                sha = sha256_of(path)
                doc_id = self.records.find_by_sha(sha)
                if doc_id and self.records.get(doc_id).ingested_at >= row["updated_at"]:
                    self.records.intake_set(row["id"], "stored", sha256=sha, doc_id=doc_id)
                    path.unlink(missing_ok=True)
                    continue
            self.records.intake_set(row["id"], "interrupted")
        return len(open_rows)

    def reconcile_index(self) -> tuple[int, int]:
        """Make the index hold exactly the stored documents; returns (added, removed).

        Only ids are compared (no stored text is read); the missing documents are
        read and added with one writer, streamed when there are many of them.
        """
        stored = {format_doc_id(n) for n in self.records.document_numbers()}  # ids only: no text loaded
        indexed = self.index.doc_ids()
        missing, extra = stored - indexed, indexed - stored
        if len(missing) > RECONCILE_ONE_BY_ONE:
            self.index.add_all(stored_entries(self.records, only=missing))
        elif missing:
            self.index.add_all(index_entry(self.records.get(doc_id)) for doc_id in sorted(missing))
        for doc_id in sorted(extra):
            self.index.delete(doc_id)
        return len(missing), len(extra)


def split_stored_document(records: Records, index: DocumentIndex, rules, doc_id: str, at_page: int,
                          actor: str) -> str:
    """Split a stored document where a person says another paper begins (page
    ``at_page`` and after): both parts are classified and their fields read again
    from the stored pages, stored in one audited change and indexed. Returns the
    new document's id. ``RecordsError`` when the page does not split it."""
    doc = records.get(doc_id)
    pages = [stored_page(row) for row in records.page_rows(doc_id)]
    if not 2 <= at_page <= len(pages):
        raise RecordsError(f"{doc_id} has {len(pages)} pages: it cannot be split at page {at_page}")
    known = known_values(records, rules)
    parts = []
    for number, part_pages in ((doc.part, pages[:at_page - 1]),
                               (doc.part + 1, [replace(p, number=i) for i, p in enumerate(pages[at_page - 1:], 1)])):
        read = ReadDocument(doc.source_name, doc.file_format, part_pages, extract(part_pages, rules, known),
                            part=number)
        parts.append(to_new_document(read, doc.sha256, doc.department))
    new_id = records.split_document(doc_id, parts[0], parts[1], actor)
    index.add(index_entry(records.get(doc_id)))
    index.add(index_entry(records.get(new_id)))
    return new_id


def stored_page(row: dict) -> Page:
    """A page as the records keep it, for reading its fields again (no second reading,
    no barcodes: neither is stored)."""
    words = [Word(w[0], float(w[1]), (int(w[2]), int(w[3]), int(w[4]), int(w[5])), int(w[6])) for w in row["words"]]
    return Page(row["number"], row["text"], row["raw_text"], row["source"], words=words,
                rotation=row["rotation"], skew=row["skew"], reader=row["reader"])


def known_values(records: Records, rules) -> KnownValues:
    """Doctors, suppliers and patients' names as the records hold them surely."""
    known = KnownValues()
    bar = rules.setting("known_value_bar")
    for values in records.filled_values(KNOWN_FIELDS).values():
        known.learn({name: value for name, (value, confidence, source) in values.items()
                     if source == "staff" or confidence >= bar},
                    {name: value for name, (value, _, _) in values.items()})
    return known


def confirm_known_values(records: Records, index: DocumentIndex, rules, actor: str = "shoko") -> int:
    """Fill in values awaiting review that match a value on file (audited); returns how many.

    Run after a batch is stored and after a hand correction: either may have made
    a value known that documents stored earlier could not yet rely on.
    """
    known = known_values(records, rules)
    quality = rules.setting("known_value_quality")
    changed: set[str] = set()
    for row in records.review_values():
        if known.supports(row["name"], row["value"], row["patient_id"]) and records.confirm_review(
                row["doc_id"], row["name"], quality, actor, "matches a value on file"):
            changed.add(row["doc_id"])
    for doc_id in sorted(changed):
        index.add(index_entry(records.get(doc_id)))
    return len(changed)


def displayable(text: str | None) -> str | None:
    """A file name or path as text the database and the UI can hold: bytes that are not
    UTF-8 (a name written by an old scanner) shown as U+FFFD instead of failing."""
    if text is None:
        return None
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _require_regular_file(path: Path) -> None:
    """Refuse links and special files before anything opens them (a link could point
    anywhere on the machine; a FIFO would block the reader)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return  # missing: _fingerprint says so
    if stat.S_ISLNK(mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        raise NotARegularFile(f"{path}: symbolic link to {target}; not followed")
    if not stat.S_ISREG(mode):
        raise NotARegularFile(f"{path}: not a regular file (mode {stat.filemode(mode)})")


def _is_database_fault(error: BaseException | None) -> bool:
    """The database cannot be written (locked, read-only, disk I/O, full)."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    return isinstance(error, (OperationalError, sqlite3.OperationalError))


def expand_paths(paths: Iterable[Path], inboxes: list[Path]) -> Iterator[IntakeFile]:
    """Files of the given paths for ``shoko ingest``, folders recursively in a stable order.

    Links are never followed: a link named on the command line or met in a folder is
    handed on as itself (the intake refuses it with a reason), and linked folders are
    not entered. Hidden files in folders are left out.
    """
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            found = []
            for folder, dirs, names in os.walk(path, followlinks=False):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                here = Path(folder)
                found += [here / n for n in names if not n.startswith(".")]
                # os.walk lists links to folders among the folders: hand them on as files.
                found += [here / d for d in dirs if (here / d).is_symlink()]
            for child in sorted(found):
                yield IntakeFile(child, displayable(str(child)), displayable(department_of(child, inboxes)))
        else:
            # A missing path is still accounted for: it is quarantined as unreadable.
            yield IntakeFile(path, displayable(str(path)), displayable(department_of(path, inboxes)))


def _fingerprint(path: Path) -> str:
    try:
        return sha256_of(path)
    except FileNotFoundError as e:
        raise UnreadableFile(f"{path}: {e}", reason="ファイルが見つかりません（取り込み前に移動または削除されました）") from e
    except OSError as e:
        raise UnreadableFile(f"{path}: {e}") from e


def to_new_document(document: ReadDocument, sha256: str, department: str | None) -> NewDocument:
    """The records layer's view of a read document."""
    extraction = document.extraction
    fields = [NewField(f.name, f.value, "filled", f.source, f.page, f.confidence, f.raw)
              for f in extraction.fields.values()]
    fields += [NewField(f.name, f.value, "review", f.source, f.page, f.confidence, f.raw)
               for f in extraction.review if f.name not in extraction.fields]
    pages = [
        NewPage(p.number, p.text, p.raw_text, p.source, p.rotation, p.skew, p.mean_confidence,
                [[w.text, w.confidence, *w.box, w.line] for w in p.words], p.reader)
        for p in document.pages
    ]
    return NewDocument(
        sha256=sha256, source_name=document.source_name, file_format=document.file_format,
        department=department, doc_type=extraction.doc_type, type_score=extraction.type_score,
        title=extraction.title or _first_line(document.text), text=document.text, raw_text=document.raw_text,
        flags=list(extraction.flags), pages=pages, fields=_unique(fields),
        part=document.part, first_page=document.first_page,
    )


def index_entry(doc: StoredDocument) -> IndexEntry:
    """What the index needs of a stored document."""
    values = doc.filled_fields
    date = next((str(values[f]) for f in _MONTH_FIELDS if f in values), "")
    return IndexEntry(
        doc_id=doc.id, doc_type=doc.doc_type, title=doc.title, text=doc.text,
        patient_id=str(values.get("patient_id", "")), patient_name=str(values.get("patient_name", "")),
        department=doc.department or "", month=date[:7], date=date,
        field_text=" ".join(str(v) for v in values.values()),
    )


def stored_entries(records: Records, only: set[str] | None = None) -> Iterator[IndexEntry]:
    """Index entries of every stored document (or of those in ``only``), streamed
    in id order: the archive's text is never in memory at once."""
    for doc in records.iter_documents(with_fields=True):
        if only is None or doc.id in only:
            yield index_entry(doc)


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")[:80]


def _unique(fields: list[NewField]) -> list[NewField]:
    seen, out = set(), []
    for f in fields:
        if f.name not in seen:
            seen.add(f.name)
            out.append(f)
    return out


class _PageCounter:
    """Pages planned and done across a batch, for progress and pacing."""

    def __init__(self, files: int, report: Callable[[int, int, int], None] | None):
        self.files = files
        self.files_left = files
        self.files_planned = 0
        self.total = 0
        self.done = 0
        self.report = report

    @property
    def in_flight(self) -> int:
        return self.total - self.done

    @property
    def estimated_total(self) -> int:
        """Pages planned so far, plus the files not yet opened at the average so far."""
        unplanned = max(0, self.files - self.files_planned)
        average = self.total / self.files_planned if self.files_planned else 1
        return self.total + round(unplanned * average)

    def planned(self, pages: int) -> None:
        self.total += pages
        self.files_planned += 1


    def page_done(self) -> None:
        self.done += 1
        if self.report:
            self.report(self.done, self.estimated_total, self.files_left)

    def abandon(self, pages: int) -> None:
        """Pages of a failed file that will not be read count as done."""
        self.done += pages

    def file_done(self) -> None:
        self.files_left -= 1
        if self.report:
            self.report(self.done, self.estimated_total, self.files_left)


def department_of(path: Path, inboxes: list[Path]) -> str | None:
    """The department that scanned a file: the inbox subfolder it was dropped in."""
    resolved = path.resolve()
    for inbox in inboxes:
        try:
            relative = resolved.relative_to(inbox.resolve())
        except ValueError:
            continue
        return relative.parts[0] if len(relative.parts) > 1 else None
    return None
