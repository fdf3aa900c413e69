"""Files uploaded from the browser: safe names, the inbox folders, synchronous ingest.

An upload is written under a hidden temporary name and then linked to its final
name, so the watcher never sees half a file and no file is ever overwritten.
Files to ingest at once are staged in DATA_DIR/web-uploads/ (outside the inbox,
so the watcher does not take them at the same time); anything left there after a
crash is moved into the inbox at the next start, so nothing uploaded is lost.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import unicodedata
from pathlib import Path
from typing import BinaryIO

from shoko.intake import IntakeFile, Outcome
from shoko.services import Services

STAGING_DIR = "web-uploads"
NO_DEPARTMENT = "_"  # staging subfolder for uploads that belong to the inbox itself
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}")
_PARTIAL = re.compile(r"\.upload-[0-9a-f]{16}")  # place()/move_into()'s temporary names
# A stem this long in UTF-8 bytes (plus the suffix and extension) keeps the name, its
# ``-N`` variant and a quarantine ``NAME.reason.txt`` under the 255-byte limit.
MAX_STEM_BYTES = 120


def _cut_bytes(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` bytes of UTF-8 at a character boundary."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def safe_name(filename: str | None) -> str:
    """A unique file name from what the browser sent: no folders, no control characters,
    no leading dot, a short stem; a random suffix keeps two uploads of ``scan.pdf`` apart."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    stem, ext = os.path.splitext(name)
    ext = ext.lower() if _EXTENSION.fullmatch(ext) else ""
    return f"{_cut_bytes(stem, MAX_STEM_BYTES).strip() or 'upload'}_{secrets.token_hex(3)}{ext}"


def department_folder(department: str | None) -> str | None:
    """A department as one folder name, or None (refuses anything that is not a plain name)."""
    if not department or department in (".", "..") or Path(department).name != department or "\\" in department:
        return None
    return department


def inbox_folder(services: Services, department: str | None) -> Path:
    """``inbox/`` or ``inbox/<department>/`` of the first configured inbox."""
    inbox = services.config.inbox_paths[0]
    folder = inbox / department if department_folder(department) else inbox
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def place(stream: BinaryIO, folder: Path, name: str) -> Path:
    """Write ``stream`` to ``folder/name`` without ever exposing a partial file or overwriting one."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".upload-{secrets.token_hex(8)}"
    try:
        with open(tmp, "xb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        return _link_free(tmp, folder, name)
    finally:
        tmp.unlink(missing_ok=True)


def move_into(source: Path, folder: Path, name: str) -> Path:
    """Move a file into ``folder`` under ``name`` (or a free variant of it)."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".upload-{secrets.token_hex(8)}"
    shutil.move(str(source), tmp)
    try:
        return _link_free(tmp, folder, name)
    finally:
        tmp.unlink(missing_ok=True)


def _link_free(tmp: Path, folder: Path, name: str) -> Path:
    stem, ext = os.path.splitext(name)
    for n in range(1, 1000):
        target = folder / (name if n == 1 else f"{stem}-{n}{ext}")
        try:
            os.link(tmp, target)  # fails when the name is taken: never overwrites
            return target
        except FileExistsError:
            continue
    raise OSError(f"no free name for {name} in {folder}")


def staging_folder(services: Services, department: str | None) -> Path:
    return services.config.data_path / STAGING_DIR / (department_folder(department) or NO_DEPARTMENT)


def ingest_now(services: Services, staged: list[tuple[Path, str, str | None]], actor: str) -> list[Outcome]:
    """Ingest staged files (path, name shown, department) while the user waits.

    Stored and duplicate files are removed, quarantined ones moved to quarantine
    (the watcher's ``move``); a file the intake could not finish goes on into
    the inbox for the watcher.
    """
    files = [IntakeFile(path, shown, department) for path, shown, department in staged]
    try:
        with services.intake(actor) as intake:
            return list(intake.run(files, move=True))
    finally:
        for path, _, department in staged:
            if path.exists():
                move_into(path, inbox_folder(services, department), path.name)


def clean_partial_uploads(services: Services) -> int:
    """Delete the hidden temporary files of uploads cut off mid-copy (``kill -9``) from
    the inbox folders; returns how many. Run at start, before any upload of this process."""
    removed = 0
    for inbox in services.config.inbox_paths:
        if not inbox.is_dir():
            continue
        for folder, dirs, names in os.walk(inbox, followlinks=False):
            for name in names:
                path = Path(folder) / name
                if _PARTIAL.fullmatch(name) and not path.is_symlink():
                    path.unlink(missing_ok=True)
                    removed += 1
    return removed


def recover_staged(services: Services) -> int:
    """Move uploads left in staging by an interrupted request into the inbox; returns how many.
    Partial uploads left in the inbox folders are removed first."""
    clean_partial_uploads(services)
    root = services.config.data_path / STAGING_DIR
    moved = 0
    if not root.is_dir():
        return 0
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        department = None if folder.name == NO_DEPARTMENT else department_folder(folder.name)
        for path in folder.iterdir():
            if path.is_file() and not path.name.startswith("."):
                move_into(path, inbox_folder(services, department), path.name)
                moved += 1
            elif path.is_file():
                path.unlink(missing_ok=True)  # half-written temporary file of a failed request
    return moved
