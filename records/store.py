"""``Records``: the one way into the database.

All writes go through ``Records.write()``: one lock per process and, for SQLite,
``BEGIN IMMEDIATE`` with a busy timeout, so the watcher, the web UI and a
command-line ``ingest`` never meet "database is locked". Every change appends an
audit event in the same transaction.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace
from datetime import datetime
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import and_, create_engine, delete, event, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from records import audit as audit_events
from records import schema as t
from records.audit import GENESIS, AuditEvent, ChainRow, chain_hash, verify_chain
from records.quarantine import QuarantineFolder
from records.vault import Vault
from shoko.errors import RecordsError, UnknownDocument


def format_doc_id(number: int) -> str:
    """The public id of a document: ``D`` and six or more digits."""
    return f"D{number:06d}"


def parse_doc_id(doc_id: str) -> int:
    """Inverse of ``format_doc_id``; raises ``UnknownDocument`` for anything else."""
    # Past SQLite's 64-bit integers a lookup overflows instead of finding nothing (and
    # past 4300 digits int() itself refuses): such an id names no document either.
    digits = doc_id[1:].lstrip("0") or "0"
    if (len(doc_id) >= 2 and doc_id[0] in "Dd" and doc_id[1:].isascii() and doc_id[1:].isdigit()
            and len(digits) <= 19 and int(digits) < 2**63):
        return int(digits)
    raise UnknownDocument(f"no document {doc_id!r}")


@dataclass
class NewPage:
    number: int
    text: str
    raw_text: str
    source: str
    rotation: int = 0
    skew: float = 0.0
    mean_confidence: float | None = None
    words: list = field(default_factory=list)  # [text, confidence, left, top, width, height, line]
    reader: dict = field(default_factory=dict)  # engine, version, models with SHA-256, settings, steps


@dataclass
class NewField:
    name: str
    value: str | int | float
    state: str  # "filled" or "review"
    source: str
    page: int | None
    confidence: float | None
    raw: str = ""


@dataclass
class NewDocument:
    """A document to store, in the records layer's own terms."""

    sha256: str
    source_name: str
    file_format: str
    department: str | None
    doc_type: str
    type_score: float
    title: str
    text: str
    raw_text: str
    flags: list[str]
    pages: list[NewPage]
    fields: list[NewField]
    part: int = 1  # which document of its original (a batch scan holds several)
    first_page: int = 1  # where the part starts in the original


@dataclass
class StoredDocument:
    """A document as the system of record holds it."""

    id: str
    number: int
    sha256: str
    source_name: str
    file_format: str
    department: str | None
    doc_type: str
    type_score: float
    title: str
    page_count: int
    text: str
    raw_text: str
    flags: list[str]
    ingested_at: str
    ingested_by: str
    part: int = 1
    first_page: int = 1  # page of the original this document's page 1 is
    fields: dict[str, dict] = field(default_factory=dict)  # name -> row (value, state, source, …)
    links: list[dict] = field(default_factory=list)
    pages: list[dict] = field(default_factory=list)

    @property
    def filled_fields(self) -> dict[str, str | int | float]:
        """Field values that count (not the candidates awaiting review)."""
        return {n: f["value"] for n, f in sorted(self.fields.items()) if f["state"] == "filled"}

    @property
    def review_fields(self) -> dict[str, dict]:
        """Candidates a person must confirm."""
        return {n: f for n, f in sorted(self.fields.items()) if f["state"] == "review"}


class Records:
    """The system of record over one database URL, a vault and a quarantine folder."""

    def __init__(self, url: str, vault_root: Path, quarantine_root: Path, timezone: str = "Asia/Tokyo"):
        self.engine: Engine = _make_engine(url)
        self.vault = Vault(vault_root)
        self.quarantine_folder = QuarantineFolder(quarantine_root)
        self.zone = ZoneInfo(timezone)
        self._write_lock = threading.Lock()
        t.metadata.create_all(self.engine)
        t.add_missing_columns(self.engine)

    def now(self) -> str:
        """Current time in the hospital's time zone, ISO 8601 with offset."""
        return datetime.now(self.zone).isoformat(timespec="seconds")

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """The single writer: a transaction that holds the write lock."""
        with self._write_lock, self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(shoko_read=True) as conn:
            yield conn

    def _audit(self, conn: Connection, ev: AuditEvent) -> None:
        last = conn.execute(select(t.audit.c.hash).order_by(t.audit.c.seq.desc()).limit(1)).scalar()
        prev = last or GENESIS
        details = ev.details()
        digest = chain_hash(prev, ev.at, ev.actor, ev.action, ev.document_id, details)
        conn.execute(
            insert(t.audit).values(
                at=ev.at, actor=ev.actor, action=ev.action, document_id=ev.document_id,
                details=json.dumps(details, ensure_ascii=False, sort_keys=True), prev_hash=prev, hash=digest,
            )
        )

    # -- documents -------------------------------------------------------

    def find_by_sha(self, sha256: str) -> str | None:
        """Id of the (first) document stored from these bytes, if any."""
        with self.read() as conn:
            number = conn.execute(select(t.documents.c.id).where(t.documents.c.sha256 == sha256)
                                  .order_by(t.documents.c.part).limit(1)).scalar()
        return format_doc_id(number) if number is not None else None

    def store_document(self, doc: NewDocument, source: Path, actor: str) -> tuple[str, bool]:
        """Store the original in the vault and the document in the database.

        Returns (document id, True) for a new document, or (existing id, False)
        when the same bytes were stored meanwhile (recorded as a duplicate).
        """
        ids, created = self.store_documents([doc], source, actor)
        return ids[0], created

    def store_documents(self, docs: list[NewDocument], source: Path, actor: str) -> tuple[list[str], bool]:
        """Store one original and the documents it holds (the parts of a batch scan),
        all in one transaction: a crash stores all of them or none.

        Returns (document ids, True), or ([existing id], False) when the same bytes
        were stored meanwhile (recorded as a duplicate).
        """
        sha256 = docs[0].sha256
        self.vault.put(source, sha256)
        at = self.now()
        with self.write() as conn:
            existing = conn.execute(select(t.documents.c.id).where(t.documents.c.sha256 == sha256)
                                    .order_by(t.documents.c.part).limit(1)).scalar()
            if existing is not None:
                self._audit(conn, audit_events.DuplicateFound(actor, at, existing, sha256, docs[0].source_name))
                return [format_doc_id(existing)], False
            numbers = [self._insert_document(conn, doc, at, actor) for doc in docs]
        return [format_doc_id(n) for n in numbers], True

    def _insert_document(self, conn: Connection, doc: NewDocument, at: str, actor: str,
                         audit: bool = True) -> int:
        number = conn.execute(
            insert(t.documents).values(
                sha256=doc.sha256, part=doc.part, first_page=doc.first_page, source_name=doc.source_name,
                file_format=doc.file_format, department=doc.department, doc_type=doc.doc_type,
                type_score=doc.type_score, title=doc.title, pages=len(doc.pages), text=doc.text,
                raw_text=doc.raw_text, flags=json.dumps(doc.flags, ensure_ascii=False), ingested_at=at,
                ingested_by=actor,
            )
        ).inserted_primary_key[0]
        if doc.pages:
            conn.execute(insert(t.pages), [
                dict(document_id=number, number=p.number, text=p.text, raw_text=p.raw_text, source=p.source,
                     rotation=p.rotation, skew=p.skew, mean_confidence=p.mean_confidence,
                     words=json.dumps(p.words, ensure_ascii=False),
                     reader=json.dumps(p.reader, ensure_ascii=False, sort_keys=True))
                for p in doc.pages
            ])
        if doc.fields:
            conn.execute(insert(t.fields), [
                dict(document_id=number, name=f.name, value=json.dumps(f.value, ensure_ascii=False),
                     state=f.state, source=f.source, page=f.page, confidence=f.confidence, raw=f.raw,
                     updated_at=at, updated_by=actor)
                for f in doc.fields
            ])
        if audit:
            self._audit(conn, audit_events.DocumentIngested(actor, at, number, doc.sha256, doc.source_name,
                                                              doc.doc_type))
        return number

    def record_upload(self, file_name: str, sha256: str, department: str | None, actor: str) -> None:
        """Note in the audit log who uploaded a file that the watcher will take later."""
        with self.write() as conn:
            self._audit(conn, audit_events.UploadQueued(actor, self.now(), None, file_name, sha256, department))

    def record_duplicate(self, doc_id: str, sha256: str, source_name: str, actor: str) -> None:
        """Note in the audit log that the same bytes came in again."""
        with self.write() as conn:
            self._audit(conn, audit_events.DuplicateFound(actor, self.now(), parse_doc_id(doc_id), sha256, source_name))

    def get(self, doc_id: str) -> StoredDocument:
        """One document with its fields, links and pages; ``UnknownDocument`` if absent."""
        number = parse_doc_id(doc_id)
        with self.read() as conn:
            row = conn.execute(select(t.documents).where(t.documents.c.id == number)).mappings().first()
            if row is None:
                raise UnknownDocument(f"no document {doc_id}")
            doc = _stored(row)
            for f in conn.execute(select(t.fields).where(t.fields.c.document_id == number)).mappings():
                doc.fields[f["name"]] = {**f, "value": json.loads(f["value"])}
            doc.links = [dict(r) for r in conn.execute(
                select(t.links).where(t.links.c.document_id == number).order_by(t.links.c.month, t.links.c.item)
            ).mappings()]
            doc.pages = [dict(r) for r in conn.execute(
                select(t.pages.c.number, t.pages.c.text, t.pages.c.source, t.pages.c.rotation, t.pages.c.skew,
                       t.pages.c.mean_confidence, t.pages.c.reader)
                .where(t.pages.c.document_id == number).order_by(t.pages.c.number)
            ).mappings()]
            for page in doc.pages:
                page["reader"] = json.loads(page["reader"] or "{}")
        return doc

    def page_rows(self, doc_id: str) -> list[dict]:
        """A document's stored pages in order, words and reader included (JSON decoded)."""
        number = parse_doc_id(doc_id)
        with self.read() as conn:
            rows = [dict(r) for r in conn.execute(
                select(t.pages).where(t.pages.c.document_id == number).order_by(t.pages.c.number)).mappings()]
        for row in rows:
            row["words"] = json.loads(row["words"] or "[]")
            row["reader"] = json.loads(row["reader"] or "{}")
        return rows

    def split_document(self, doc_id: str, first: NewDocument, second: NewDocument, actor: str) -> str:
        """Split a document in two, in one transaction: it keeps ``first`` (its first
        pages, read again) and a new document ``second`` takes the rest, as the next
        part of the same original. Values staff typed stay with the first; its links
        stay too. Returns the new document's id."""
        number = parse_doc_id(doc_id)
        at = self.now()
        with self.write() as conn:
            row = conn.execute(select(t.documents).where(t.documents.c.id == number)).mappings().first()
            if row is None:
                raise UnknownDocument(f"no document {doc_id}")
            kept = len(first.pages)
            if not first.pages or not second.pages or kept + len(second.pages) != row["pages"]:
                raise RecordsError(f"{doc_id}: a split must keep and move at least one of its {row['pages']} pages")
            conn.execute(update(t.documents).where(t.documents.c.id == number).values(
                doc_type=first.doc_type, type_score=first.type_score, title=first.title, pages=kept,
                text=first.text, raw_text=first.raw_text, flags=json.dumps(first.flags, ensure_ascii=False)))
            conn.execute(delete(t.pages).where(t.pages.c.document_id == number, t.pages.c.number > kept))
            staff = set(conn.execute(select(t.fields.c.name).where(
                t.fields.c.document_id == number, t.fields.c.source == "staff")).scalars())
            conn.execute(delete(t.fields).where(t.fields.c.document_id == number, t.fields.c.source != "staff"))
            read_again = [f for f in first.fields if f.name not in staff]
            if read_again:
                conn.execute(insert(t.fields), [
                    dict(document_id=number, name=f.name, value=json.dumps(f.value, ensure_ascii=False),
                         state=f.state, source=f.source, page=f.page, confidence=f.confidence, raw=f.raw,
                         updated_at=at, updated_by=actor)
                    for f in read_again])
            # The new part follows this one: later parts of the original move up one.
            later = conn.execute(select(t.documents.c.id, t.documents.c.part).where(
                t.documents.c.sha256 == row["sha256"], t.documents.c.part > row["part"])
                .order_by(t.documents.c.part.desc())).all()
            for other, part in later:
                conn.execute(update(t.documents).where(t.documents.c.id == other).values(part=part + 1))
            new = dataclass_replace(second, sha256=row["sha256"], source_name=row["source_name"],
                                    file_format=row["file_format"], department=row["department"],
                                    part=row["part"] + 1, first_page=row["first_page"] + kept)
            new_number = self._insert_document(conn, new, row["ingested_at"], row["ingested_by"], audit=False)
            self._audit(conn, audit_events.DocumentSplit(actor, at, number, new_number, kept + 1, kept,
                                                         len(second.pages)))
        return format_doc_id(new_number)

    def all_documents(self, with_fields: bool = False) -> list[StoredDocument]:
        """Every stored document in id order (fields loaded on request)."""
        with self.read() as conn:
            docs = [_stored(r) for r in conn.execute(select(t.documents).order_by(t.documents.c.id)).mappings()]
            if with_fields:
                by_number = {d.number: d for d in docs}
                for f in conn.execute(select(t.fields)).mappings():
                    if f["document_id"] in by_number:
                        by_number[f["document_id"]].fields[f["name"]] = {**f, "value": json.loads(f["value"])}
        return docs

    def iter_documents(self, with_fields: bool = False, batch: int = 500) -> Iterator[StoredDocument]:
        """Every stored document in id order, read ``batch`` at a time (fields loaded on
        request): an archive of any size streams through in bounded memory."""
        after = 0
        while True:
            with self.read() as conn:
                docs = [_stored(r) for r in conn.execute(
                    select(t.documents).where(t.documents.c.id > after).order_by(t.documents.c.id).limit(batch)
                ).mappings()]
                if docs and with_fields:
                    by_number = {d.number: d for d in docs}
                    for f in conn.execute(select(t.fields).where(t.fields.c.document_id.in_(list(by_number)))).mappings():
                        by_number[f["document_id"]].fields[f["name"]] = {**f, "value": json.loads(f["value"])}
            if not docs:
                return
            yield from docs
            after = docs[-1].number

    def document_numbers(self) -> set[int]:
        with self.read() as conn:
            return set(conn.execute(select(t.documents.c.id)).scalars())

    # -- corrections and links -------------------------------------------------

    def correct_field(self, doc_id: str, name: str, value: str | int | float | None, actor: str) -> None:
        """Set (or, with None, clear) a field by hand; the old value goes to the history."""
        number = parse_doc_id(doc_id)
        at = self.now()
        with self.write() as conn:
            if conn.execute(select(t.documents.c.id).where(t.documents.c.id == number)).scalar() is None:
                raise UnknownDocument(f"no document {doc_id}")
            row = conn.execute(select(t.fields).where(t.fields.c.document_id == number, t.fields.c.name == name)
                               ).mappings().first()
            old = json.loads(row["value"]) if row and row["state"] == "filled" else None
            if row:
                conn.execute(delete(t.fields).where(t.fields.c.document_id == number, t.fields.c.name == name))
            if value is not None:
                conn.execute(insert(t.fields).values(
                    document_id=number, name=name, value=json.dumps(value, ensure_ascii=False), state="filled",
                    source="staff", page=None, confidence=1.0, raw="", updated_at=at, updated_by=actor,
                ))
            conn.execute(insert(t.field_history).values(
                document_id=number, name=name, old_value=None if old is None else json.dumps(old, ensure_ascii=False),
                new_value=None if value is None else json.dumps(value, ensure_ascii=False), actor=actor, at=at,
            ))
            self._audit(conn, audit_events.FieldCorrected(actor, at, number, name, old, value))

    def filled_values(self, names: tuple[str, ...]) -> dict[int, dict[str, tuple[object, float, str]]]:
        """Filled values of ``names``: {document number: {field: (value, confidence, source)}}."""
        f = t.fields.c
        with self.read() as conn:
            rows = conn.execute(select(f.document_id, f.name, f.value, f.confidence, f.source)
                                .where(f.name.in_(names), f.state == "filled"))
            out: dict[int, dict[str, tuple[object, float, str]]] = {}
            for number, name, value, confidence, source in rows:
                out.setdefault(number, {})[name] = (json.loads(value), confidence or 0.0, source)
            return out

    def review_values(self) -> list[dict]:
        """Every value awaiting review, with its document's filled patient id (or None)."""
        f, pid = t.fields.c, t.fields.alias("pid")
        query = (select(f.document_id, f.name, f.value, f.confidence, pid.c.value.label("patient_id"))
                 .select_from(t.fields.outerjoin(pid, and_(pid.c.document_id == f.document_id,
                                                          pid.c.name == "patient_id",
                                                          pid.c.state == "filled")))
                 .where(f.state == "review").order_by(f.document_id, f.name))
        with self.read() as conn:
            return [{"doc_id": format_doc_id(r.document_id), "name": r.name, "value": json.loads(r.value),
                     "confidence": r.confidence,
                     "patient_id": None if r.patient_id is None else str(json.loads(r.patient_id))}
                    for r in conn.execute(query)]

    def confirm_review(self, doc_id: str, name: str, confidence: float, actor: str, because: str) -> bool:
        """Fill in a value that was awaiting review, as read; False if it no longer awaits review."""
        number = parse_doc_id(doc_id)
        at = self.now()
        f = t.fields.c
        with self.write() as conn:
            row = conn.execute(select(t.fields).where(f.document_id == number, f.name == name,
                                                      f.state == "review")).mappings().first()
            if row is None:
                return False
            conn.execute(update(t.fields).where(f.document_id == number, f.name == name).values(
                state="filled", confidence=max(row["confidence"] or 0.0, confidence),
                updated_at=at, updated_by=actor))
            self._audit(conn, audit_events.FieldConfirmed(actor, at, number, name,
                                                          json.loads(row["value"]), because))
            return True

    def field_history(self, doc_id: str) -> list[dict]:
        """Hand corrections of a document's fields, oldest first."""
        number = parse_doc_id(doc_id)
        with self.read() as conn:
            rows = conn.execute(select(t.field_history).where(t.field_history.c.document_id == number)
                                .order_by(t.field_history.c.id)).mappings()
            return [{**r, "old_value": None if r["old_value"] is None else json.loads(r["old_value"]),
                     "new_value": None if r["new_value"] is None else json.loads(r["new_value"])} for r in rows]

    def add_link(self, doc_id: str, item: str, month: str, actor: str, patient_id: str | None = None,
                 reason: str | None = None) -> None:
        """Link a document to a billing item and month (idempotent)."""
        number = parse_doc_id(doc_id)
        at = self.now()
        with self.write() as conn:
            if conn.execute(select(t.documents.c.id).where(t.documents.c.id == number)).scalar() is None:
                raise UnknownDocument(f"no document {doc_id}")
            exists = conn.execute(select(t.links.c.id).where(
                t.links.c.document_id == number, t.links.c.item == item, t.links.c.month == month)).scalar()
            if exists:
                conn.execute(update(t.links).where(t.links.c.id == exists)
                             .values(reason=reason, patient_id=patient_id, actor=actor, at=at))
            else:
                conn.execute(insert(t.links).values(document_id=number, patient_id=patient_id, item=item,
                                                    month=month, reason=reason, actor=actor, at=at))
            self._audit(conn, audit_events.LinkAdded(actor, at, number, item, month, patient_id, reason))

    def remove_link(self, doc_id: str, item: str, month: str, actor: str) -> bool:
        """Remove a link; False when there was none."""
        number = parse_doc_id(doc_id)
        at = self.now()
        with self.write() as conn:
            gone = conn.execute(delete(t.links).where(
                t.links.c.document_id == number, t.links.c.item == item, t.links.c.month == month)).rowcount
            if gone:
                self._audit(conn, audit_events.LinkRemoved(actor, at, number, item, month))
        return bool(gone)

    def all_links(self) -> list[dict]:
        """Every staff link, with the document id in public form."""
        with self.read() as conn:
            return [{**r, "doc_id": format_doc_id(r["document_id"])}
                    for r in conn.execute(select(t.links).order_by(t.links.c.id)).mappings()]

    def mark_claimed(self, patient_id: str, item: str, month: str, actor: str, claimed: bool = True) -> None:
        """Record (or withdraw) that a claim for patient, item and month was sent."""
        at = self.now()
        with self.write() as conn:
            conn.execute(delete(t.claims).where(t.claims.c.patient_id == patient_id, t.claims.c.item == item,
                                                t.claims.c.month == month))
            if claimed:
                conn.execute(insert(t.claims).values(patient_id=patient_id, item=item, month=month, actor=actor, at=at))
            self._audit(conn, audit_events.ClaimMarked(actor, at, None, patient_id, item, month, claimed))

    def all_claims(self) -> list[dict]:
        with self.read() as conn:
            return [dict(r) for r in conn.execute(select(t.claims)).mappings()]

    def audit_for(self, doc_id: str) -> list[dict]:
        """Audit events of one document, oldest first."""
        number = parse_doc_id(doc_id)
        with self.read() as conn:
            return [{**r, "details": json.loads(r["details"])} for r in conn.execute(
                select(t.audit).where(t.audit.c.document_id == number).order_by(t.audit.c.seq)).mappings()]

    # -- quarantine ------------------------------------------------------

    def quarantine_file(
        self, source: Path, source_path: str, reason: str, detail: str, sha256: str | None,
        department: str | None, actor: str, move: bool,
    ) -> str:
        """Set a file aside with its reason, exactly once.

        The entry is committed before the file moves, and the same bytes from the
        same path reuse their entry, so a crash in between and a retry give one
        quarantined file, not two.
        """
        with self.read() as conn:
            name = conn.execute(
                select(t.quarantine.c.file_name).where(
                    t.quarantine.c.sha256 == sha256, t.quarantine.c.source_path == source_path,
                    t.quarantine.c.state == "quarantined",
                )
            ).scalar() if sha256 else None
        if name is None:
            name = self.quarantine_folder.free_name(source.name)
            at = self.now()
            with self.write() as conn:
                conn.execute(insert(t.quarantine).values(
                    file_name=name, source_path=source_path, sha256=sha256, reason=reason, detail=detail,
                    department=department, state="quarantined", at=at,
                ))
                self._audit(conn, audit_events.FileQuarantined(actor, at, None, name, sha256, reason))
        if source.exists():
            self.quarantine_folder.set_aside(source, name, reason, detail, move)
        return name

    def quarantined(self) -> list[dict]:
        """Files in quarantine now, oldest first."""
        with self.read() as conn:
            return [dict(r) for r in conn.execute(
                select(t.quarantine).where(t.quarantine.c.state == "quarantined").order_by(t.quarantine.c.id)
            ).mappings()]

    def resolve_quarantine(self, entry_id: int, outcome: str, actor: str) -> dict:
        """Mark a quarantine entry discarded or retried (the caller moves the file)."""
        with self.write() as conn:
            row = conn.execute(select(t.quarantine).where(t.quarantine.c.id == entry_id)).mappings().first()
            if row is None or row["state"] != "quarantined":
                raise RecordsError(f"no quarantined file #{entry_id}")
            conn.execute(update(t.quarantine).where(t.quarantine.c.id == entry_id).values(state=outcome))
            self._audit(conn, audit_events.QuarantineResolved(actor, self.now(), None, row["file_name"], outcome))
        return dict(row)

    # -- intake accounting -------------------------------------------------

    def intake_begin(self, path: str) -> int:
        """Mark a file as in progress; returns its intake row."""
        with self.write() as conn:
            return conn.execute(insert(t.intake).values(path=path, state="in_progress", updated_at=self.now())
                                ).inserted_primary_key[0]

    def intake_set(self, intake_id: int, state: str, sha256: str | None = None,
                   doc_id: str | None = None, reason: str | None = None) -> None:
        """Settle an intake row: stored, duplicate, quarantined or interrupted."""
        values = dict(state=state, updated_at=self.now(), reason=reason)
        if sha256:
            values["sha256"] = sha256
        if doc_id:
            values["document_id"] = parse_doc_id(doc_id)
        with self.write() as conn:
            conn.execute(update(t.intake).where(t.intake.c.id == intake_id).values(**values))

    def intake_open(self) -> list[dict]:
        """Intake rows not finished (queued or in progress), e.g. after a crash."""
        with self.read() as conn:
            return [dict(r) for r in conn.execute(
                select(t.intake).where(t.intake.c.state.in_(["queued", "in_progress"])).order_by(t.intake.c.id)
            ).mappings()]

    def counts(self) -> dict[str, int]:
        """Documents stored, duplicates seen, files in quarantine, intake queued/in progress."""
        with self.read() as conn:
            by_state = dict(conn.execute(select(t.intake.c.state, func.count()).group_by(t.intake.c.state)).all())
            stored = conn.execute(select(func.count()).select_from(t.documents)).scalar()
            duplicates = conn.execute(
                select(func.count()).select_from(t.audit).where(t.audit.c.action == "duplicate_found")
            ).scalar()
            quarantined = conn.execute(
                select(func.count()).select_from(t.quarantine).where(t.quarantine.c.state == "quarantined")
            ).scalar()
        return {
            "queued": by_state.get("queued", 0), "in_progress": by_state.get("in_progress", 0),
            "stored": stored, "duplicate": duplicates, "quarantined": quarantined,
        }

    # -- accounts ------------------------------------------------------------

    def save_user(self, username: str, password_hash: str, role: str, actor: str) -> None:
        """Create or update an account (the password arrives hashed).

        A new password ends the account's sessions (its session generation is raised),
        so a cookie copied before the change no longer works."""
        at = self.now()
        with self.write() as conn:
            exists = conn.execute(select(t.users.c.password_hash).where(t.users.c.username == username)).scalar()
            if exists:
                values = {"password_hash": password_hash, "role": role, "updated_at": at}
                if exists != password_hash:
                    values["session_generation"] = t.users.c.session_generation + 1
                conn.execute(update(t.users).where(t.users.c.username == username).values(**values))
            else:
                conn.execute(insert(t.users).values(username=username, password_hash=password_hash, role=role,
                                                    created_at=at, updated_at=at))
            self._audit(conn, audit_events.UserSaved(actor, at, None, username, role))

    def get_user(self, username: str) -> dict | None:
        """The account's row (with its hash, session generation and disabled_at), or None."""
        with self.read() as conn:
            row = conn.execute(select(t.users).where(t.users.c.username == username)).mappings().first()
        return dict(row) if row else None

    def users(self) -> list[dict]:
        """Every account (without password hashes), by name."""
        with self.read() as conn:
            return [dict(r) for r in conn.execute(
                select(t.users.c.username, t.users.c.role, t.users.c.created_at, t.users.c.updated_at,
                       t.users.c.disabled_at)
                .order_by(t.users.c.username)).mappings()]

    def user_count(self) -> int:
        """How many accounts exist (disabled ones included)."""
        with self.read() as conn:
            return conn.execute(select(func.count()).select_from(t.users)).scalar()

    def set_user_disabled(self, username: str, disabled: bool, actor: str) -> bool:
        """Disable an account (it may not sign in; its sessions end) or enable it again.

        Accounts are never deleted: their names stay in the audit history. Returns
        False when there is no such account."""
        at = self.now()
        with self.write() as conn:
            values = {"disabled_at": at if disabled else None, "updated_at": at}
            if disabled:
                values["session_generation"] = t.users.c.session_generation + 1
            changed = conn.execute(update(t.users).where(t.users.c.username == username).values(**values)).rowcount
            if changed:
                self._audit(conn, audit_events.UserDisabled(actor, at, None, username, disabled))
        return bool(changed)

    def end_sessions(self, username: str, actor: str) -> None:
        """End every session of the account (sign-out): its session generation is raised."""
        at = self.now()
        with self.write() as conn:
            conn.execute(update(t.users).where(t.users.c.username == username)
                         .values(session_generation=t.users.c.session_generation + 1))
            self._audit(conn, audit_events.SignedOut(actor, at))

    def record_account_event(self, event: AuditEvent) -> None:
        """Append an account event that changes no row (a sign-in, a failure, a lock-out)."""
        with self.write() as conn:
            self._audit(conn, event)

    # -- integrity -------------------------------------------------------

    def audit_rows(self) -> list[ChainRow]:
        with self.read() as conn:
            return [
                ChainRow(r.seq, r.at, r.actor, r.action, r.document_id, json.loads(r.details), r.prev_hash, r.hash)
                for r in conn.execute(select(t.audit).order_by(t.audit.c.seq))
            ]

    def verify(self) -> list[str]:
        """Every original against its SHA-256 and the audit chain; empty when intact."""
        problems = []
        with self.read() as conn:
            for number, sha in conn.execute(select(t.documents.c.id, t.documents.c.sha256).order_by(t.documents.c.id)):
                problem = self.vault.verify(sha)
                if problem:
                    problems.append(f"{format_doc_id(number)}: {problem}")
        problems.extend(verify_chain(self.audit_rows()))
        return problems


def _stored(row) -> StoredDocument:
    return StoredDocument(
        id=format_doc_id(row["id"]), number=row["id"], sha256=row["sha256"], source_name=row["source_name"],
        file_format=row["file_format"], department=row["department"], doc_type=row["doc_type"],
        type_score=row["type_score"], title=row["title"], page_count=row["pages"], text=row["text"],
        raw_text=row["raw_text"], flags=json.loads(row["flags"]), ingested_at=row["ingested_at"],
        ingested_by=row["ingested_by"], part=row["part"], first_page=row["first_page"],
    )


def _make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _sqlite_setup(dbapi_conn, _record):
        # Let SQLAlchemy, not the driver, start transactions, so BEGIN IMMEDIATE works.
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA journal_mode=WAL")
        dbapi_conn.execute("PRAGMA synchronous=FULL")
        dbapi_conn.execute("PRAGMA foreign_keys=ON")
        dbapi_conn.execute("PRAGMA busy_timeout=60000")

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn):
        # Writers take the write lock up front (a reader upgrading later could
        # deadlock); readers start a plain deferred transaction.
        reading = conn.get_execution_options().get("shoko_read")
        conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    return engine
