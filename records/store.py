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
from records.audit import GENESIS, READ_ACTIONS, AuditEvent, ChainRow, chain_hash, verify_chain, verify_seal
from records.lists import ListQueries, live
from records.quarantine import QuarantineFolder
from records.seal import AuditSeal
from records.state import differences, document_state, user_state
from records.vault import Vault
from kernel.errors import RecordsError, UnknownDocument


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


@dataclass(frozen=True)
class NewDischarge:
    """A patient leaving a ward (退院 or 転棟), in the records layer's own terms."""

    patient_id: str
    ward: str
    exit_date: str  # ISO date
    kind: str  # discharge or transfer
    destination: str = ""
    death: bool = False
    readmission: bool = False
    short_stay_surgery: bool = False
    holds_addition: bool = False

    def values(self) -> dict:
        """The row's columns as stored (and as the audit log shows them)."""
        return {name: getattr(self, name) for name in DISCHARGE_COLUMNS}


DISCHARGE_COLUMNS = ("patient_id", "ward", "exit_date", "kind", "destination", "death", "readmission",
                     "short_stay_surgery", "holds_addition")
_DISCHARGE_FLAGS = ("death", "readmission", "short_stay_surgery", "holds_addition")

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
    trash: dict | None = None  # reason, actor and time, for a document in the trash (when loaded)

    @property
    def filled_fields(self) -> dict[str, str | int | float]:
        """Field values that count (not the candidates awaiting review)."""
        return {n: f["value"] for n, f in sorted(self.fields.items()) if f["state"] == "filled"}

    @property
    def review_fields(self) -> dict[str, dict]:
        """Candidates a person must confirm."""
        return {n: f for n, f in sorted(self.fields.items()) if f["state"] == "review"}


class Records(ListQueries):
    """The system of record over one database URL, a vault and a quarantine folder."""

    def __init__(self, url: str, vault_root: Path, quarantine_root: Path, timezone: str = "Asia/Tokyo",
                 seal: AuditSeal | None = None):
        self.engine: Engine = _make_engine(url)
        self.vault = Vault(vault_root)
        self.quarantine_folder = QuarantineFolder(quarantine_root)
        self.zone = ZoneInfo(timezone)
        self.seal = seal
        self._write_lock = threading.Lock()
        self._head: tuple[int, str, str] | None = None  # the chain's head written in this transaction
        t.metadata.create_all(self.engine)
        t.add_missing_columns(self.engine)
        if seal is not None:
            self._first_start(seal)

    def _first_start(self, seal: AuditSeal) -> None:
        """Create the audit key at first start; a log that was kept before there was a key
        is sealed as it stands, with the state of every document and account then."""
        with self.read() as conn:
            sealed_rows = conn.execute(select(func.count()).select_from(t.audit)
                                       .where(t.audit.c.mac.is_not(None))).scalar()
        if seal.has_key() or sealed_rows:
            return  # a sealed log whose key is missing stays so: ``verify`` says the key is gone
        if not seal.create_key():
            return
        with self.write() as conn:
            rows = conn.execute(select(t.audit.c.seq, t.audit.c.hash).where(t.audit.c.mac.is_(None))).all()
            for seq, digest in rows:
                conn.execute(update(t.audit).where(t.audit.c.seq == seq).values(mac=seal.mac(digest)))
            if rows:
                documents = {str(n): document_state(conn, n) for n in conn.execute(select(t.documents.c.id)).scalars()}
                accounts = {u: user_state(conn, u) for u in conn.execute(select(t.users.c.username)).scalars()}
                self._audit(conn, audit_events.ChainSealed("system", self.now(), None, len(rows)),
                            extra={"state": documents, "users": accounts})

    def now(self) -> str:
        """Current time in the hospital's time zone, ISO 8601 with offset."""
        return datetime.now(self.zone).isoformat(timespec="seconds")

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """The single writer: a transaction that holds the write lock. Once it commits,
        the chain's head is checkpointed outside the database."""
        with self._write_lock:
            self._head = None
            with self.engine.begin() as conn:
                yield conn
            if self._head is not None and self.seal is not None:
                self.seal.checkpoint(*self._head)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(shoko_read=True) as conn:
            yield conn

    def _audit(self, conn: Connection, ev: AuditEvent, extra: dict | None = None) -> None:
        """Append ``ev`` to the chain, sealed with the key. An event that changes a
        document or an account carries the fingerprints of its state after the change
        (called after the change's statements, in the same transaction)."""
        last = conn.execute(select(t.audit.c.hash).order_by(t.audit.c.seq.desc()).limit(1)).scalar()
        prev = last or GENESIS
        details = {**ev.details(), **(extra or {})}
        if ev.changes:
            touched = {n for n in (ev.document_id, getattr(ev, "new_document", None)) if n}
            if touched and ev.action in ("document_split", "document_purged"):
                # A split renumbers the other parts of the same original; a purge may too.
                d = t.documents.c
                shas = set(conn.execute(select(d.sha256).where(d.id.in_(touched))).scalars())
                shas.add(getattr(ev, "sha256", None))
                touched |= set(conn.execute(select(d.id).where(d.sha256.in_(shas - {None, ""}))).scalars())
            if touched:
                details["state"] = {str(n): document_state(conn, n) for n in sorted(touched)}
            if getattr(ev, "username", None) and ev.action in ("user_saved", "user_disabled"):
                details["user_state"] = user_state(conn, ev.username)
        digest = chain_hash(prev, ev.at, ev.actor, ev.action, ev.document_id, details)
        result = conn.execute(
            insert(t.audit).values(
                at=ev.at, actor=ev.actor, action=ev.action, document_id=ev.document_id,
                details=json.dumps(details, ensure_ascii=False, sort_keys=True), prev_hash=prev, hash=digest,
                mac=self.seal.mac(digest) if self.seal is not None else None,
            )
        )
        self._head = (result.inserted_primary_key[0], digest, ev.at)

    def record_read(self, event: AuditEvent) -> None:
        """Append a read (a view, a download, a search, an export): it changes nothing
        but is kept in the chain like every change."""
        with self.write() as conn:
            self._audit(conn, event)

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
            trashed = conn.execute(select(t.trash).where(t.trash.c.document_id == number)).mappings().first()
            doc.trash = {"reason": trashed["reason"], "actor": trashed["actor"], "at": trashed["at"]} if trashed else None
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
        """Every stored document not in the trash, in id order (fields loaded on request)."""
        with self.read() as conn:
            docs = [_stored(r) for r in conn.execute(
                select(t.documents).where(live()).order_by(t.documents.c.id)).mappings()]
            if with_fields:
                by_number = {d.number: d for d in docs}
                for f in conn.execute(select(t.fields)).mappings():
                    if f["document_id"] in by_number:
                        by_number[f["document_id"]].fields[f["name"]] = {**f, "value": json.loads(f["value"])}
        return docs

    def iter_documents(self, with_fields: bool = False, batch: int = 500) -> Iterator[StoredDocument]:
        """Every stored document not in the trash, in id order, read ``batch`` at a time
        (fields loaded on request): an archive of any size streams through in bounded memory."""
        after = 0
        while True:
            with self.read() as conn:
                docs = [_stored(r) for r in conn.execute(
                    select(t.documents).where(t.documents.c.id > after, live()).order_by(t.documents.c.id).limit(batch)
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
        """Numbers of the stored documents not in the trash (what lists and the index hold)."""
        with self.read() as conn:
            return set(conn.execute(select(t.documents.c.id).where(live())).scalars())

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
                 .where(f.state == "review", f.document_id.not_in(select(t.trash.c.document_id)))
                 .order_by(f.document_id, f.name))
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
        """Every staff link of a document not in the trash, with the document id in public form."""
        with self.read() as conn:
            return [{**r, "doc_id": format_doc_id(r["document_id"])}
                    for r in conn.execute(select(t.links).where(
                        t.links.c.document_id.not_in(select(t.trash.c.document_id))).order_by(t.links.c.id)).mappings()]

    def mark_claimed(self, patient_id: str, item: str, month: str, actor: str, claimed: bool = True,
                     status: str | None = None, reason: str | None = None) -> None:
        """Record (or withdraw) that a claim for patient, item and month was sent.

        ``status`` and ``reason``: an item marked although it was not ready keeps the
        status seen and the reason given in the audit log."""
        at = self.now()
        with self.write() as conn:
            conn.execute(delete(t.claims).where(t.claims.c.patient_id == patient_id, t.claims.c.item == item,
                                                t.claims.c.month == month))
            if claimed:
                conn.execute(insert(t.claims).values(patient_id=patient_id, item=item, month=month, actor=actor, at=at))
            if status or reason:
                event = audit_events.ClaimMarkedAnyway(actor, at, None, patient_id, item, month, claimed, status or "", reason or "")
            else:
                event = audit_events.ClaimMarked(actor, at, None, patient_id, item, month, claimed)
            self._audit(conn, event)

    def correct_title(self, doc_id: str, title: str, actor: str) -> None:
        """Set a document's title by hand (audited with the old title)."""
        number = parse_doc_id(doc_id)
        at = self.now()
        with self.write() as conn:
            old = conn.execute(select(t.documents.c.title).where(t.documents.c.id == number)).scalar()
            if old is None:
                raise UnknownDocument(f"no document {doc_id}")
            conn.execute(update(t.documents).where(t.documents.c.id == number).values(title=title))
            self._audit(conn, audit_events.TitleCorrected(actor, at, number, old, title))

    def all_claims(self) -> list[dict]:
        with self.read() as conn:
            return [dict(r) for r in conn.execute(select(t.claims)).mappings()]

    def audit_for(self, doc_id: str) -> list[dict]:
        """Changes to one document (audit events that are not reads), oldest first."""
        number = parse_doc_id(doc_id)
        a = t.audit.c
        with self.read() as conn:
            return [{**r, "details": _shown_details(r["details"])} for r in conn.execute(
                select(t.audit).where(a.document_id == number, a.action.not_in(READ_ACTIONS))
                .order_by(a.seq)).mappings()]

    def reads_of(self, doc_id: str, limit: int = 50) -> list[dict]:
        """Who viewed or downloaded one document, newest first (page images left out:
        a view loads each page)."""
        number = parse_doc_id(doc_id)
        a = t.audit.c
        with self.read() as conn:
            return [{**r, "details": _shown_details(r["details"])} for r in conn.execute(
                select(t.audit).where(a.document_id == number,
                                      a.action.in_(("document_viewed", "original_downloaded")))
                .order_by(a.seq.desc()).limit(limit)).mappings()]

    # -- discharges (在宅復帰率) -------------------------------------------------

    def import_discharges(self, rows: list[NewDischarge], file_name: str, sha256: str, actor: str) -> dict[str, int]:
        """Store a file's discharges in one transaction, audited as one import.

        A row is found by patient, ward and day: a new one is added, one already
        there unchanged is left alone (importing a file twice adds nothing), a changed
        one is updated, except where staff corrected it by hand: that one is kept.
        Returns the counts (added, updated, unchanged, kept)."""
        d = t.discharges.c
        at = self.now()
        counts = {"added": 0, "updated": 0, "unchanged": 0, "kept": 0}
        with self.write() as conn:
            for row in rows:
                old = conn.execute(select(t.discharges).where(
                    d.patient_id == row.patient_id, d.ward == row.ward, d.exit_date == row.exit_date)).mappings().first()
                if old is None:
                    conn.execute(insert(t.discharges).values(**row.values(), source="import", updated_at=at,
                                                             updated_by=actor))
                    counts["added"] += 1
                elif _discharge_values(old) == row.values():
                    counts["unchanged"] += 1
                elif old["source"] == "staff":
                    counts["kept"] += 1
                else:
                    conn.execute(update(t.discharges).where(d.id == old["id"]).values(
                        **row.values(), source="import", updated_at=at, updated_by=actor))
                    counts["updated"] += 1
            self._audit(conn, audit_events.DischargesImported(actor, at, None, file_name, sha256, len(rows), **counts))
        return counts

    def save_discharge(self, discharge_id: int | None, row: NewDischarge, actor: str) -> int:
        """Add or correct one discharge by hand (audited with the old and new values).

        Without an id, a row with the same patient, ward and day is corrected, else a
        new one is added. ``RecordsError`` when the id names no row, or when the
        corrected row would take the patient, ward and day of another. Returns the id."""
        d = t.discharges.c
        at = self.now()
        with self.write() as conn:
            same_key = conn.execute(select(t.discharges).where(
                d.patient_id == row.patient_id, d.ward == row.ward, d.exit_date == row.exit_date)).mappings().first()
            if discharge_id is None:
                old = same_key
            else:
                old = conn.execute(select(t.discharges).where(d.id == discharge_id)).mappings().first()
                if old is None:
                    raise RecordsError(f"no discharge #{discharge_id}")
                if same_key is not None and same_key["id"] != discharge_id:
                    raise RecordsError(f"discharge #{same_key['id']} has the same patient, ward and day")
            values = {**row.values(), "source": "staff", "updated_at": at, "updated_by": actor}
            if old is None:
                number = conn.execute(insert(t.discharges).values(**values)).inserted_primary_key[0]
            else:
                number = old["id"]
                conn.execute(update(t.discharges).where(d.id == number).values(**values))
            self._audit(conn, audit_events.DischargeSaved(
                actor, at, None, number, None if old is None else _discharge_values(old), row.values()))
        return number

    def remove_discharge(self, discharge_id: int, actor: str) -> bool:
        """Remove a discharge record (a planned discharge that did not happen); False if none."""
        d = t.discharges.c
        with self.write() as conn:
            old = conn.execute(select(t.discharges).where(d.id == discharge_id)).mappings().first()
            if old is None:
                return False
            conn.execute(delete(t.discharges).where(d.id == discharge_id))
            self._audit(conn, audit_events.DischargeRemoved(actor, self.now(), None, discharge_id,
                                                            _discharge_values(old)))
        return True

    def discharges(self, first_day: str | None = None, last_day: str | None = None) -> list[dict]:
        """Discharge rows with ``first_day <= exit_date <= last_day`` (ISO dates; None: open),
        by day, patient and ward."""
        d = t.discharges.c
        query = select(t.discharges).order_by(d.exit_date, d.patient_id, d.ward)
        if first_day:
            query = query.where(d.exit_date >= first_day)
        if last_day:
            query = query.where(d.exit_date <= last_day)
        with self.read() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def discharge_wards(self) -> list[str]:
        """Every ward named in a discharge record, by name."""
        with self.read() as conn:
            return list(conn.execute(select(t.discharges.c.ward).distinct().order_by(t.discharges.c.ward)).scalars())

    def discharge(self, discharge_id: int) -> dict | None:
        """One discharge row, or None."""
        with self.read() as conn:
            row = conn.execute(select(t.discharges).where(t.discharges.c.id == discharge_id)).mappings().first()
        return dict(row) if row else None

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


    # -- trash, retention and purge (issue 15) -------------------------------------

    def record_event(self, event: AuditEvent) -> None:
        """Append an audit event that changes no row (an export, an import)."""
        with self.write() as conn:
            self._audit(conn, event)

    def trash_document(self, doc_id: str, reason: str, actor: str) -> None:
        """Move a document to the trash with a reason (audited). Its rows and original stay;
        it leaves lists, claims and (the caller's part) the index."""
        number = parse_doc_id(doc_id)
        reason = reason.strip()
        if not reason:
            raise RecordsError(f"{doc_id}: a reason is required to move a document to the trash")
        at = self.now()
        with self.write() as conn:
            sha = conn.execute(select(t.documents.c.sha256).where(t.documents.c.id == number)).scalar()
            if sha is None:
                raise UnknownDocument(f"no document {doc_id}")
            if conn.execute(select(t.trash.c.document_id).where(t.trash.c.document_id == number)).scalar():
                raise RecordsError(f"{doc_id} is already in the trash")
            conn.execute(insert(t.trash).values(document_id=number, reason=reason, actor=actor, at=at))
            self._audit(conn, audit_events.DocumentTrashed(actor, at, number, reason, sha))

    def restore_document(self, doc_id: str, actor: str) -> None:
        """Take a document back out of the trash (audited)."""
        number = parse_doc_id(doc_id)
        at = self.now()
        with self.write() as conn:
            sha = conn.execute(select(t.documents.c.sha256).where(t.documents.c.id == number)).scalar()
            if sha is None:
                raise UnknownDocument(f"no document {doc_id}")
            if not conn.execute(delete(t.trash).where(t.trash.c.document_id == number)).rowcount:
                raise RecordsError(f"{doc_id} is not in the trash")
            self._audit(conn, audit_events.DocumentRestored(actor, at, number, sha))

    def trash_entry(self, doc_id: str) -> dict | None:
        """Why and by whom the document was trashed, or None when it is not in the trash."""
        number = parse_doc_id(doc_id)
        with self.read() as conn:
            row = conn.execute(select(t.trash).where(t.trash.c.document_id == number)).mappings().first()
        return dict(row) if row else None

    def trashed_documents(self) -> list[StoredDocument]:
        """Documents in the trash, oldest deletion first, each with ``trash`` (reason, actor, at)
        and its filled fields."""
        with self.read() as conn:
            rows = conn.execute(select(t.documents, t.trash.c.reason, t.trash.c.actor.label("trashed_by"),
                                       t.trash.c.at.label("trashed_at"))
                                .join(t.trash, t.trash.c.document_id == t.documents.c.id)
                                .order_by(t.trash.c.at, t.documents.c.id)).mappings().all()
            docs = []
            for row in rows:
                doc = _stored(row)
                doc.trash = {"reason": row["reason"], "actor": row["trashed_by"], "at": row["trashed_at"]}
                for f in conn.execute(select(t.fields).where(t.fields.c.document_id == doc.number)).mappings():
                    doc.fields[f["name"]] = {**f, "value": json.loads(f["value"])}
                docs.append(doc)
        return docs

    def purge_document(self, doc_id: str, actor: str, retention_end: str) -> bool:
        """Remove a trashed document for good once its retention has ended (``retention_end``,
        an ISO date, is today or earlier): its rows, and its original unless another part of
        the same file remains. The audit keeps a ``DocumentPurged`` event with the hash and the
        trash reason. Returns True when the original was removed from the vault."""
        number = parse_doc_id(doc_id)
        at = self.now()
        if at[:10] < retention_end:
            raise RecordsError(f"{doc_id} is kept until {retention_end} (retention period); it cannot be purged yet")
        with self.write() as conn:
            row = conn.execute(select(t.documents).where(t.documents.c.id == number)).mappings().first()
            if row is None:
                raise UnknownDocument(f"no document {doc_id}")
            reason = conn.execute(select(t.trash.c.reason).where(t.trash.c.document_id == number)).scalar()
            if reason is None:
                raise RecordsError(f"{doc_id} is not in the trash; move it there (with a reason) before purging")
            for table in (t.pages, t.fields, t.field_history, t.links, t.trash):
                conn.execute(delete(table).where(table.c.document_id == number))
            conn.execute(delete(t.documents).where(t.documents.c.id == number))
            others = conn.execute(select(func.count()).select_from(t.documents)
                                  .where(t.documents.c.sha256 == row["sha256"])).scalar()
            self._audit(conn, audit_events.DocumentPurged(
                actor, at, number, row["sha256"], reason, row["doc_type"], row["source_name"], retention_end,
                original_removed=not others))
        if not others:
            # After the commit: a failed transaction must never leave a document without its original.
            self.vault.path_for(row["sha256"]).unlink(missing_ok=True)
        return not others

    def purged_documents(self) -> dict[int, str]:
        """{document number: SHA-256} of every purged document, from the audit log: ``verify``
        takes a purged document's missing row and original as explained by its event."""
        with self.read() as conn:
            rows = conn.execute(select(t.audit.c.document_id, t.audit.c.details)
                                .where(t.audit.c.action == audit_events.DocumentPurged.action)).all()
        return {number: json.loads(details).get("sha256", "") for number, details in rows}

    # -- timestamps (issue 15) -------------------------------------------------------

    # Set by the composition root (``shoko.timestamps.Timestamps``); None checks no tokens.
    timestamps = None

    def original_hashes(self) -> list[str]:
        """SHA-256 of every original the documents refer to (trashed ones included), sorted."""
        with self.read() as conn:
            return list(conn.execute(select(t.documents.c.sha256).distinct().order_by(t.documents.c.sha256)).scalars())

    def verify_timestamps(self) -> list[str]:
        """Every timestamp token against its original; a problem names the document."""
        if self.timestamps is None:
            return []
        problems = []
        with self.read() as conn:
            firsts = conn.execute(select(t.documents.c.sha256, func.min(t.documents.c.id))
                                  .group_by(t.documents.c.sha256).order_by(func.min(t.documents.c.id))).all()
        for sha, number in firsts:
            problem = self.timestamps.check(self.vault.path_for(sha), sha)
            if problem:
                problems.append(f"{format_doc_id(number)}: {problem}")
        if self.seal is not None:
            problems.extend(self.timestamps.check_checkpoints(self.seal))
        return problems

    # -- integrity -------------------------------------------------------

    def audit_rows(self) -> list[ChainRow]:
        with self.read() as conn:
            return [
                ChainRow(r.seq, r.at, r.actor, r.action, r.document_id, json.loads(r.details), r.prev_hash, r.hash,
                         r.mac)
                for r in conn.execute(select(t.audit).order_by(t.audit.c.seq))
            ]

    def audit_log(self, document: int | None = None, actor: str | None = None, since: str | None = None,
                  limit: int | None = None, newest_first: bool = False) -> Iterator[dict]:
        """Audit rows (reads included) as dicts, filtered; streamed, not loaded whole."""
        a = t.audit.c
        query = select(t.audit)
        if document is not None:
            query = query.where(a.document_id == document)
        if actor:
            query = query.where(a.actor == actor)
        if since:
            query = query.where(a.at >= since)
        query = query.order_by(a.seq.desc() if newest_first else a.seq)
        if limit:
            query = query.limit(limit)
        with self.read() as conn:
            for r in conn.execute(query).mappings():
                yield {"seq": r["seq"], "at": r["at"], "actor": r["actor"], "action": r["action"],
                       "document": format_doc_id(r["document_id"]) if r["document_id"] else None,
                       "details": _shown_details(r["details"])}

    def verify(self) -> list[str]:
        """Every original against its SHA-256, the audit chain with its seal and
        checkpoints, and the tables against the state the audit log vouches for;
        empty when intact."""
        problems = []
        with self.read() as conn:
            for number, sha in conn.execute(select(t.documents.c.id, t.documents.c.sha256).order_by(t.documents.c.id)):
                problem = self.vault.verify(sha)
                if problem:
                    problems.append(f"{format_doc_id(number)}: {problem}")
            known = set(conn.execute(select(t.documents.c.sha256)).scalars())
        problems.extend(f"vault: {name} is no original of any document (a file added to the vault)"
                        for name in self.vault.stray(known))
        rows = self.audit_rows()
        problems.extend(verify_chain(rows))
        if self.seal is not None:
            problems.extend(verify_seal(rows, self.seal))
        problems.extend(self._verify_state(rows))
        problems.extend(self.verify_timestamps())
        return problems

    def _verify_state(self, rows: list[ChainRow]) -> list[str]:
        """Documents, accounts and claim marks against the last state the audit log recorded."""
        expected: dict[int, dict | None] = {}
        accounts: dict[str, str | None] = {}
        claims: set[tuple[str, str, str]] = set()
        for row in rows:
            for number, state in (row.details.get("state") or {}).items():
                expected[int(number)] = state
            accounts.update(row.details.get("users") or {})
            if "user_state" in row.details:
                accounts[row.details.get("username", "")] = row.details["user_state"]
            if row.action == "claim_marked":
                key = (row.details.get("patient_id", ""), row.details.get("item", ""), row.details.get("month", ""))
                (claims.add if row.details.get("claimed", True) else claims.discard)(key)
        problems = []
        with self.read() as conn:
            numbers = set(conn.execute(select(t.documents.c.id)).scalars())
            for number in sorted(numbers | set(expected)):
                doc = format_doc_id(number)
                current = document_state(conn, number)
                if number not in expected:
                    problems.append(f"{doc}: no audit event records this document (added to the database directly)")
                elif expected[number] is None:
                    if current is not None:
                        problems.append(f"{doc}: present although the audit log records it removed")
                elif current is None:
                    problems.append(f"{doc}: missing from the database (its row was deleted)")
                else:
                    changed = differences(expected[number], current)
                    if changed:
                        problems.append(f"{doc}: {', '.join(changed)} changed outside shoko "
                                        "(does not match the audit log)")
            for username in sorted(set(conn.execute(select(t.users.c.username)).scalars()) | set(accounts)):
                current_user = user_state(conn, username)
                if username not in accounts:
                    problems.append(f"account {username}: no audit event records it (added to the database directly)")
                elif accounts[username] != current_user:
                    problems.append(f"account {username}: role, password or state changed outside shoko")
            marked = {tuple(r) for r in conn.execute(select(t.claims.c.patient_id, t.claims.c.item, t.claims.c.month))}
        for patient_id, item, month in sorted(marked - claims):
            problems.append(f"claim mark {patient_id} {item} {month}: not in the audit log (added directly)")
        for patient_id, item, month in sorted(claims - marked):
            problems.append(f"claim mark {patient_id} {item} {month}: removed outside shoko")
        return problems


def _shown_details(stored: str) -> dict:
    """An event's details as people read them: without the state fingerprints."""
    details = json.loads(stored)
    for internal in ("state", "users", "user_state"):
        details.pop(internal, None)
    return details




def _discharge_values(row) -> dict:
    """A stored discharge row's columns as ``NewDischarge.values()`` gives them (flags as bools)."""
    return {name: bool(row[name]) if name in _DISCHARGE_FLAGS else row[name] for name in DISCHARGE_COLUMNS}

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
