"""Backup and restore of a whole data directory, and one patient's originals for a 開示請求.

``shoko export DIR`` writes, into an empty folder, everything needed to restore the
service, laid out as in a data directory:

- ``shoko.sqlite3``: a consistent copy of the database, made with SQLite's online
  backup API (a running service may keep writing meanwhile);
- ``originals/``: every original the copied database refers to (and nothing else, so
  the restored vault holds no stray file);
- ``quarantine/``: files set aside and their reasons (work still to do);
- the data-directory items in ``DATA_DIR_ITEMS`` when present: the audit key folder
  ``keys/``, the chain checkpoints ``audit-checkpoints*`` and the timestamp tokens
  ``timestamps/``;
- ``manifest.json``, written last: format version, time, shoko version, and every file
  with its SHA-256 and size. An export without it is incomplete and is refused.

Not exported: the search index (rebuilt on import from the records), the inboxes
(files not yet taken in), the web session key (a restored service makes a new one;
everyone signs in again) and the watcher's health file.

``shoko import DIR`` restores such an export into an empty data directory (one that
holds nothing but empty folders, such as an ``inbox/`` made by a start), after checking
every file against the manifest; then it rebuilds the index and runs ``verify``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import sqlite3
import stat
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from sqlalchemy.engine import make_url

import shoko
from records import audit as audit_events
from kernel.errors import ShokoError
from records.vault import sha256_of

MANIFEST = "manifest.json"
FORMAT = "shoko-export"
FORMAT_VERSION = 1
DATABASE = "shoko.sqlite3"
ORIGINALS = "originals"
QUARANTINE = "quarantine"
# Data-directory items copied as they are when present (folders whole, names may be
# globs): the audit chain's key and checkpoints and the timestamp tokens. Keys and
# checkpoints are copied before the database, so the copied chain always reaches at
# least as far as the copied checkpoint.
DATA_DIR_ITEMS = ("keys", "audit-checkpoints*", "timestamps")
_BEFORE_DATABASE = ("keys", "audit-checkpoints*")
_SECRET_FOLDERS = ("keys",)  # their files stay readable by the owner only
CHUNK = 1 << 20


class BackupError(ShokoError):
    """An export or import that cannot be done (the message says why)."""


@dataclass
class ManifestEntry:
    path: str  # POSIX path inside the export
    sha256: str
    size: int


@dataclass
class ImportResult:
    files: int
    documents: int
    problems: list[str] = field(default_factory=list)  # from verify, after the restore


# -- export -----------------------------------------------------------------------


def export_backup(services, target: Path, actor: str = "cli") -> list[ManifestEntry]:
    """Write a full export of ``services``' data directory into ``target`` (empty or new).

    Returns the manifest's entries. ``BackupError`` when ``target`` is not empty, cannot
    be written, or the database is not SQLite."""
    config = services.config
    db_path = _sqlite_path(config.db_url)
    target = _empty_target(Path(target), config.data_path)
    records = services.records  # opened first: a fresh data directory gets its (empty) database
    data = config.data_path
    entries: list[ManifestEntry] = []
    try:
        for pattern in _BEFORE_DATABASE:
            entries += _copy_items(data, pattern, target)
        entries.append(_backup_database(db_path, target / DATABASE))
        vault = config.path("vault_dir")
        for sha in _originals_in(target / DATABASE):
            source = vault / sha[:2] / sha
            if source.is_file():  # a missing original is verify's to report, not the export's
                entries.append(_copy_file(source, target / ORIGINALS / sha[:2] / sha, target))
        quarantine = config.path("quarantine_dir")
        if quarantine.is_dir():
            for source in _files_under(quarantine):
                entries.append(_copy_file(source, target / QUARANTINE / source.relative_to(quarantine), target))
        for pattern in DATA_DIR_ITEMS:
            if pattern not in _BEFORE_DATABASE:
                entries += _copy_items(data, pattern, target)
        manifest_sha = _write_manifest(target, entries)
    except OSError as e:
        raise BackupError(f"cannot write the export to {target}: {e}") from e
    records.record_event(audit_events.BackupExported(actor, records.now(), None, str(target), len(entries),
                                                     manifest_sha))
    return entries


def _empty_target(target: Path, data_path: Path) -> Path:
    """``target`` created if missing; refused when not empty, not writable or inside the data directory."""
    target = target.expanduser().absolute()
    if target.exists() and not target.is_dir():
        raise BackupError(f"{target} is not a folder")
    if target.resolve() == data_path or data_path in target.resolve().parents:
        raise BackupError(f"{target} is inside the data directory {data_path}; choose a folder outside it")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BackupError(f"cannot create {target}: {e}") from e
    if any(target.iterdir()):
        raise BackupError(f"{target} is not empty; export into a new or empty folder")
    if not os.access(target, os.W_OK | os.X_OK):
        raise BackupError(f"{target} cannot be written")
    return target


def _sqlite_path(url: str) -> Path:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        raise BackupError("export and import handle a SQLite database only; back up another database "
                          "with its own tools (e.g. pg_dump)")
    return Path(parsed.database)


def _backup_database(db_path: Path, out: Path) -> ManifestEntry:
    """A consistent copy through SQLite's online backup API, as one plain file (no WAL)."""
    if not db_path.exists():
        raise BackupError(f"no database at {db_path}")
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=60)
    try:
        copy = sqlite3.connect(out)
        try:
            source.backup(copy)
            # The copy stands alone: rollback journal, not write-ahead log files beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    finally:
        source.close()
    _fsync(out)
    return ManifestEntry(DATABASE, sha256_of(out), out.stat().st_size)


def _originals_in(database: Path) -> list[str]:
    """SHA-256 of every original the (copied) database refers to."""
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return [row[0] for row in db.execute("SELECT DISTINCT sha256 FROM documents ORDER BY sha256")]
    finally:
        db.close()


def _copy_items(data: Path, pattern: str, target: Path) -> list[ManifestEntry]:
    entries = []
    for item in sorted(data.glob(pattern)):
        if item.is_symlink():
            continue
        if item.is_dir():
            for source in _files_under(item):
                entries.append(_copy_file(source, target / source.relative_to(data), target))
        elif item.is_file():
            entries.append(_copy_file(item, target / item.relative_to(data), target))
    return entries


def _files_under(folder: Path) -> list[Path]:
    """Regular files below ``folder`` (links not followed), leaving half-written vault temporaries out."""
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and not p.is_symlink() and not p.name.startswith(".incoming-"))


def _copy_file(source: Path, out: Path, root: Path, mode: int | None = None) -> ManifestEntry:
    """Copy ``source`` to ``out``, hashing the bytes as they are written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with open(source, "rb") as f, open(out, "xb") as w:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            w.write(chunk)
            size += len(chunk)
        w.flush()
        os.fsync(w.fileno())
    relative = out.relative_to(root).as_posix()
    if mode is not None:
        os.chmod(out, mode)
    elif relative.split("/")[0] in _SECRET_FOLDERS:
        os.chmod(out, stat.S_IRUSR | stat.S_IWUSR)
    return ManifestEntry(relative, digest.hexdigest(), size)


def _write_manifest(target: Path, entries: list[ManifestEntry]) -> str:
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "shoko_version": shoko.__version__,
        "files": [{"path": e.path, "sha256": e.sha256, "size": e.size} for e in entries],
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    path = target / MANIFEST
    with open(path, "xb") as w:
        w.write(body)
        w.flush()
        os.fsync(w.fileno())
    return hashlib.sha256(body).hexdigest()


# -- import -----------------------------------------------------------------------


def import_backup(services, source: Path, actor: str = "cli") -> ImportResult:
    """Restore the export in ``source`` into ``services``' (empty) data directory.

    Every file is checked against the manifest before anything is copied; then the
    index is rebuilt from the records and ``verify`` runs (its problems are returned).
    ``BackupError`` when the data directory is not empty or the export does not verify."""
    config = services.config
    db_path = _sqlite_path(config.db_url)
    source = Path(source).expanduser().absolute()
    occupied = _occupied(config.data_path) + ([db_path] if db_path.exists() else [])
    if occupied:
        raise BackupError(f"the data directory {config.data_path} is not empty (it holds {occupied[0]}); "
                          "import into a new or empty data directory")
    entries, manifest = _checked_manifest(source)
    destinations = {
        DATABASE: db_path.parent,
        ORIGINALS: config.path("vault_dir"),
        QUARANTINE: config.path("quarantine_dir"),
    }
    written: list[Path] = []
    try:
        for entry in entries:
            parts = PurePosixPath(entry.path).parts
            if entry.path == DATABASE:
                out = db_path
            elif parts[0] in (ORIGINALS, QUARANTINE):
                out = destinations[parts[0]].joinpath(*parts[1:])
            else:
                out = config.data_path.joinpath(*parts)
            mode = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH if parts[0] == ORIGINALS else None
            copied = _copy_file(source.joinpath(*parts), out, out.parent, mode)
            written.append(out)
            if copied.sha256 != entry.sha256:  # changed between the check and the copy
                raise BackupError(f"{entry.path} changed while being restored")
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    from shoko.cli import cmd_reindex

    cmd_reindex(services, None)
    records = services.records
    records.record_event(audit_events.BackupImported(
        actor, records.now(), None, str(source), len(entries), sha256_of(source / MANIFEST),
        str(manifest.get("created_at", ""))))
    return ImportResult(len(entries), len(records.document_numbers()), records.verify())


def _occupied(data_path: Path) -> list[Path]:
    """Files in the data directory: empty folders (an inbox made at start) do not count."""
    if not data_path.exists():
        return []
    return sorted(p for p in data_path.rglob("*") if not p.is_dir())[:1]


def _checked_manifest(source: Path) -> tuple[list[ManifestEntry], dict]:
    """The manifest's entries once every file matches it; ``BackupError`` naming each file that does not."""
    path = source / MANIFEST
    if not source.is_dir():
        raise BackupError(f"{source} is not a folder")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source} has no {MANIFEST}: not an export, or an unfinished one") from None
    except (OSError, ValueError) as e:
        raise BackupError(f"{path} cannot be read: {e}") from e
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a shoko export manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path}: export format version {manifest.get('format_version')!r} is not "
                          f"{FORMAT_VERSION}, the one this shoko reads")
    problems = []
    entries = []
    for item in manifest.get("files") or []:
        try:
            entry = ManifestEntry(str(item["path"]), str(item["sha256"]), int(item["size"]))
        except (KeyError, TypeError, ValueError):
            problems.append(f"{MANIFEST}: malformed entry {item!r}")
            continue
        relative = PurePosixPath(entry.path)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts or entry.path == MANIFEST:
            problems.append(f"{entry.path}: not a path inside the export")
            continue
        file = source.joinpath(*relative.parts)
        if file.is_symlink() or not file.is_file():
            problems.append(f"{entry.path}: missing from the export")
        elif file.stat().st_size != entry.size or sha256_of(file) != entry.sha256:
            problems.append(f"{entry.path}: does not match its SHA-256 in the manifest (changed or damaged)")
        entries.append(entry)
    if DATABASE not in {e.path for e in entries}:
        problems.append(f"{DATABASE}: missing from the manifest")
    listed = {e.path for e in entries} | {MANIFEST}
    for file in sorted(p for p in source.rglob("*") if not p.is_dir()):
        relative = file.relative_to(source).as_posix()
        if relative not in listed:
            problems.append(f"{relative}: in the export but not in its manifest")
    if problems:
        raise BackupError("the export does not verify:\n  " + "\n  ".join(problems))
    return entries, manifest


# -- one patient's documents (開示請求) --------------------------------------------

# Control characters, folders and what Windows refuses in a file name.
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\\"<>:|?*]")
PATIENT_COLUMNS = ("id", "doc_type", "title", "document_date", "patient_id", "patient_name", "pages",
                   "original_pages", "sha256", "file")


def export_patient(services, target: Path, patient_id: str, actor: str = "cli") -> list[dict]:
    """Copy the originals of one patient's documents (not trashed) into ``target``, each
    as ``D000123_<source name>``, with ``manifest.json`` and ``manifest.csv`` (UTF-8 with
    BOM, for Excel). No database. Returns the manifest rows; ``BackupError`` when
    ``target`` is not empty or cannot be written, or the patient has no documents."""
    records = services.records
    documents = [doc for doc in records.all_documents(with_fields=True)
                 if str(doc.filled_fields.get("patient_id", "")) == patient_id]
    if not documents:
        raise BackupError(f"no documents for patient {patient_id}")
    target = _empty_target(Path(target), services.config.data_path)
    rows = []
    try:
        for doc in documents:
            name = patient_file_name(doc.id, doc.source_name, doc.file_format)
            entry = _copy_file(records.vault.path_for(doc.sha256), target / name, target)
            if entry.sha256 != doc.sha256:
                raise BackupError(f"{doc.id}: the original no longer matches its SHA-256; run shoko verify")
            values = doc.filled_fields
            rows.append({
                "id": doc.id, "doc_type": doc.doc_type, "title": doc.title,
                "document_date": str(values.get("document_date", "")), "patient_id": patient_id,
                "patient_name": str(values.get("patient_name", "")), "pages": doc.page_count,
                # A part of a batch scan: the file holds the whole scan, this document is these pages.
                "original_pages": f"{doc.first_page}-{doc.first_page + doc.page_count - 1}",
                "sha256": doc.sha256, "file": name,
            })
        body = {"format": "shoko-patient-export", "format_version": FORMAT_VERSION,
                "created_at": records.now(), "shoko_version": shoko.__version__, "patient_id": patient_id,
                "documents": rows}
        (target / "manifest.json").write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
        with open(target / "manifest.csv", "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=PATIENT_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
    except OSError as e:
        raise BackupError(f"cannot write the export to {target}: {e}") from e
    records.record_event(audit_events.PatientRecordsExported(
        actor, records.now(), None, patient_id, str(target), [row["id"] for row in rows]))
    return rows


def patient_file_name(doc_id: str, source_name: str, file_format: str) -> str:
    """``D000123_<source name>``: safe on Windows, the format's extension kept or added."""
    name = _UNSAFE_NAME.sub("_", unicodedata.normalize("NFC", source_name or "")).strip(" .")[:120]
    if not name.lower().endswith(f".{file_format}") and "." not in name[-6:]:
        name = f"{name}.{file_format}" if name else f"original.{file_format}"
    return f"{doc_id}_{name}"


# -- helpers --------------------------------------------------------------------


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


__all__ = ["DATA_DIR_ITEMS", "BackupError", "export_backup", "export_patient", "import_backup",
           "patient_file_name"]
