"""The vault: originals stored once, by SHA-256, read-only.

A file lands under a temporary name, is flushed to disk, then renamed into place,
so a crash never leaves a half-written original under its final name.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class Vault:
    """Content-addressed, read-only store of original files."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        """Where the original with this hash lives (validated: hex only)."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def put(self, source: Path, sha256: str) -> Path:
        """Copy ``source`` into the vault unless it is there already; returns its path."""
        target = self.path_for(sha256)
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out, open(source, "rb") as f:
                while chunk := f.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != sha256:
                raise OSError(f"{source} changed while being stored")
            os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return target

    def stray(self, known: set[str]) -> list[str]:
        """Files in the vault that are no original of ``known`` (SHA-256s), as relative names."""
        return list(_stray_names(self.root, known))

    def verify(self, sha256: str) -> str | None:
        """None when the original is present and intact, else what is wrong."""
        path = self.path_for(sha256)
        if not path.exists():
            return f"original {sha256[:12]}… is missing from the vault"
        if sha256_of(path) != sha256:
            return f"original {sha256[:12]}… no longer matches its SHA-256"
        return None


def _stray_names(root: Path, known: set[str]):
    for folder in sorted(root.iterdir()) if root.exists() else []:
        if not folder.is_dir():
            yield folder.name
            continue
        for item in sorted(folder.iterdir()):
            if item.name.startswith(".incoming-"):
                continue  # a copy under way (or left by a crash): not an original yet
            if item.name not in known or item.parent.name != item.name[:2]:
                yield f"{folder.name}/{item.name}"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
