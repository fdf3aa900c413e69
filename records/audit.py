"""Audit events and the hash chain that makes the log tamper-evident.

Each event is a small typed record with its actor and time. Appended rows carry
the hash of the previous row, so changing or deleting any row breaks the chain
from there on (``verify_chain``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import ClassVar

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEvent:
    """Base of every audit event: who did it, when, and to which document."""

    action: ClassVar[str] = "event"
    changes: ClassVar[bool] = True  # False for reads and notes: they carry no state fingerprints
    actor: str
    at: str
    document_id: int | None = None

    def details(self) -> dict:
        """Event-specific data, stored as JSON beside actor and time."""
        data = asdict(self)
        for common in ("actor", "at", "document_id"):
            data.pop(common)
        return data


@dataclass(frozen=True)
class DocumentIngested(AuditEvent):
    action: ClassVar[str] = "document_ingested"
    sha256: str = ""
    source_name: str = ""
    doc_type: str = ""


@dataclass(frozen=True)
class DocumentSplit(AuditEvent):
    """A person split a document in two: its pages from ``at_page`` on became ``new_document``."""

    action: ClassVar[str] = "document_split"
    new_document: int = 0
    at_page: int = 0
    pages_kept: int = 0
    pages_moved: int = 0


@dataclass(frozen=True)
class UploadQueued(AuditEvent):
    """A person uploaded a file through the web for the watcher to take later: who
    brought it, since the watcher ingests it under its own name."""

    action: ClassVar[str] = "upload_queued"
    file_name: str = ""
    sha256: str = ""
    department: str | None = None


@dataclass(frozen=True)
class DuplicateFound(AuditEvent):
    action: ClassVar[str] = "duplicate_found"
    changes: ClassVar[bool] = False
    sha256: str = ""
    source_name: str = ""


@dataclass(frozen=True)
class FileQuarantined(AuditEvent):
    action: ClassVar[str] = "file_quarantined"
    file_name: str = ""
    sha256: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class QuarantineResolved(AuditEvent):
    action: ClassVar[str] = "quarantine_resolved"
    file_name: str = ""
    outcome: str = ""  # discarded or retried


@dataclass(frozen=True)
class FieldCorrected(AuditEvent):
    action: ClassVar[str] = "field_corrected"
    name: str = ""
    old_value: str | int | float | None = None
    new_value: str | int | float | None = None


@dataclass(frozen=True)
class FieldConfirmed(AuditEvent):
    """A value awaiting review was filled in because it matches one on file."""

    action: ClassVar[str] = "field_confirmed"
    name: str = ""
    value: str | int | float | None = None
    because: str = ""


@dataclass(frozen=True)
class LinkAdded(AuditEvent):
    action: ClassVar[str] = "link_added"
    item: str = ""
    month: str = ""
    patient_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class LinkRemoved(AuditEvent):
    action: ClassVar[str] = "link_removed"
    item: str = ""
    month: str = ""


@dataclass(frozen=True)
class ClaimMarked(AuditEvent):
    action: ClassVar[str] = "claim_marked"
    patient_id: str = ""
    item: str = ""
    month: str = ""
    claimed: bool = True


@dataclass(frozen=True)
class TitleCorrected(AuditEvent):
    """A person corrected a document's title (OCR garbled it)."""

    action: ClassVar[str] = "title_corrected"
    old_title: str = ""
    new_title: str = ""


@dataclass(frozen=True)
class ClaimMarkedAnyway(ClaimMarked):
    """A claim marked sent although the item was not ready: the status seen and the
    reason given are kept with the mark (same action as ``ClaimMarked``)."""

    status: str = ""
    reason: str = ""


@dataclass(frozen=True)
class DischargesImported(AuditEvent):
    """A CSV of discharges was imported, all its rows in one go: how many were new,
    changed, already there, or kept as staff had corrected them."""

    action: ClassVar[str] = "discharges_imported"
    file_name: str = ""
    sha256: str = ""
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0


@dataclass(frozen=True)
class DischargeSaved(AuditEvent):
    """A person added or corrected one discharge record (``old`` is None when it was new)."""

    action: ClassVar[str] = "discharge_saved"
    discharge_id: int = 0
    old: dict | None = None
    new: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DischargeRemoved(AuditEvent):
    """A person removed a discharge record (a planned discharge that did not happen)."""

    action: ClassVar[str] = "discharge_removed"
    discharge_id: int = 0
    old: dict = field(default_factory=dict)

@dataclass(frozen=True)
class UserSaved(AuditEvent):
    action: ClassVar[str] = "user_saved"
    username: str = ""
    role: str = ""


@dataclass(frozen=True)
class UserDisabled(AuditEvent):
    """An account was disabled (may not sign in, its sessions ended) or enabled again."""

    action: ClassVar[str] = "user_disabled"
    username: str = ""
    disabled: bool = True


@dataclass(frozen=True)
class SignInSucceeded(AuditEvent):
    """``actor`` is the account that signed in."""

    action: ClassVar[str] = "sign_in_succeeded"
    address: str = ""


@dataclass(frozen=True)
class SignInFailed(AuditEvent):
    """``actor`` is the user name that was tried (it may not exist); ``reason`` is for the log only."""

    action: ClassVar[str] = "sign_in_failed"
    address: str = ""
    reason: str = ""  # password, disabled, locked


@dataclass(frozen=True)
class SignInLocked(AuditEvent):
    """Too many failures: the account or the address (``scope``) is locked until ``until``."""

    action: ClassVar[str] = "sign_in_locked"
    address: str = ""
    scope: str = ""  # account or address
    until: str = ""


@dataclass(frozen=True)
class SignedOut(AuditEvent):
    """The account signed out; every session it had ended with it."""

    action: ClassVar[str] = "signed_out"


# -- trash, retention and backups (issue 15) -------------------------------------


@dataclass(frozen=True)
class DocumentTrashed(AuditEvent):
    """A person moved a document to the trash: it leaves lists, search and claims, but
    its row and original stay until an admin purges it after retention."""

    action: ClassVar[str] = "document_trashed"
    reason: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class DocumentRestored(AuditEvent):
    """A trashed document was taken back out of the trash."""

    action: ClassVar[str] = "document_restored"
    sha256: str = ""


@dataclass(frozen=True)
class DocumentPurged(AuditEvent):
    """An admin removed a trashed document after its retention period: its rows are gone
    (and its original, unless another part of the same file remains); this event keeps
    the fact, the hash and the reason."""

    action: ClassVar[str] = "document_purged"
    sha256: str = ""
    reason: str = ""
    doc_type: str = ""
    source_name: str = ""
    retention_end: str = ""
    original_removed: bool = False


@dataclass(frozen=True)
class BackupExported(AuditEvent):
    """A full export (``shoko export DIR``) was written: where, and the manifest's hash."""

    action: ClassVar[str] = "backup_exported"
    directory: str = ""
    files: int = 0
    manifest_sha256: str = ""


@dataclass(frozen=True)
class BackupImported(AuditEvent):
    """This data directory was restored from an export (``shoko import DIR``)."""

    action: ClassVar[str] = "backup_imported"
    directory: str = ""
    files: int = 0
    manifest_sha256: str = ""
    created_at: str = ""


@dataclass(frozen=True)
class PatientRecordsExported(AuditEvent):
    """One patient's originals were copied out (開示請求): to where and which documents."""

    action: ClassVar[str] = "patient_records_exported"
    patient_id: str = ""
    directory: str = ""
    documents: list = field(default_factory=list)



@dataclass(frozen=True)
class ChainSealed(AuditEvent):
    """The audit key was created for a log kept before there was one: its rows were
    sealed as they stood, with the state of every document and account then."""

    action: ClassVar[str] = "chain_sealed"
    changes: ClassVar[bool] = False
    rows: int = 0


# -- reads: who looked at what (MHLW guideline: access logs) --------------------------


@dataclass(frozen=True)
class ReadEvent(AuditEvent):
    """Base of reads: they change nothing; ``address`` is the client's (empty from the command line)."""

    changes: ClassVar[bool] = False
    address: str = ""


@dataclass(frozen=True)
class DocumentViewed(ReadEvent):
    action: ClassVar[str] = "document_viewed"
    via: str = "web"  # web or cli


@dataclass(frozen=True)
class PageImageViewed(ReadEvent):
    action: ClassVar[str] = "page_viewed"
    page: int = 0


@dataclass(frozen=True)
class OriginalDownloaded(ReadEvent):
    action: ClassVar[str] = "original_downloaded"


@dataclass(frozen=True)
class Searched(ReadEvent):
    action: ClassVar[str] = "searched"
    query: str = ""
    filters: dict = field(default_factory=dict)
    total: int = 0
    via: str = "web"


@dataclass(frozen=True)
class Exported(ReadEvent):
    """A list or report left shoko as a file (a CSV, a backup, a patient's documents)."""

    action: ClassVar[str] = "exported"
    what: str = ""
    detail: str = ""


READ_ACTIONS = tuple(cls.action for cls in (DocumentViewed, PageImageViewed, OriginalDownloaded, Searched, Exported))


@dataclass(frozen=True)
class ChainRow:
    """An audit row as stored, for verification."""

    seq: int
    at: str
    actor: str
    action: str
    document_id: int | None
    details: dict = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""
    mac: str | None = None


def chain_hash(prev_hash: str, at: str, actor: str, action: str, document_id: int | None, details: dict) -> str:
    """Hash of one audit row over its content and the previous row's hash."""
    body = json.dumps(
        [prev_hash, at, actor, action, document_id, details], ensure_ascii=False, sort_keys=True
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def verify_chain(rows: list[ChainRow]) -> list[str]:
    """Problems found in the chain, in order; empty when intact."""
    problems = []
    prev = GENESIS
    for row in rows:
        if row.prev_hash != prev:
            problems.append(f"audit #{row.seq}: previous-hash link broken (row removed or reordered)")
        expected = chain_hash(row.prev_hash, row.at, row.actor, row.action, row.document_id, row.details)
        if row.hash != expected:
            problems.append(f"audit #{row.seq}: content does not match its hash (row altered)")
        prev = row.hash
    return problems


def verify_seal(rows: list[ChainRow], seal) -> list[str]:
    """Problems with the rows' seals and the checkpoints (``records.seal.AuditSeal``):
    a row recomputed or appended without the key, rows cut off the end of the log."""
    problems = []
    if seal.key() is None:
        if rows or seal.checkpoint_file.exists():
            problems.append(f"audit key {seal.key_file} is missing: restore it from its backup "
                            "(without it no seal can be checked)")
        return problems
    for row in rows:
        if row.mac is None:
            problems.append(f"audit #{row.seq}: not sealed (a row added to the database directly)")
        elif row.mac != seal.mac(row.hash):
            problems.append(f"audit #{row.seq}: seal does not match (row altered and the chain recomputed, "
                            "or a forged row)")
    points, point_problems = seal.read_checkpoints()
    problems.extend(point_problems)
    by_seq = {row.seq: row for row in rows}
    last = rows[-1].seq if rows else 0
    furthest = max((point.seq for point in points), default=0)
    if furthest > last:
        problems.append(f"audit log cut off: a checkpoint records row #{furthest}, the log ends at #{last}")
    for point in points:
        row = by_seq.get(point.seq)
        if point.seq > last:
            continue
        if row is None:
            problems.append(f"audit #{point.seq}: deleted (a checkpoint records it)")
        elif row.hash != point.hash:
            problems.append(f"audit #{point.seq}: differs from its checkpoint (row replaced)")
    return problems
