"""The audit log's seal: a key kept outside the database, and checkpoints of the chain's head.

The hash chain alone shows that a row was changed, but someone with write access
to the database can change a row and recompute every hash after it, cut rows off
the end, or append rows of his own. Two things outside the database stop that:

- every row carries an HMAC of its hash under a key in a file of its own
  (``audit_key_file``, created at first start; back it up apart from the data),
  so a recomputed or forged row cannot be sealed without the key;
- after every write the chain's head (sequence number and hash) is appended to
  a checkpoint file that only grows (``audit_checkpoint_file``), each line sealed
  with the key and chained to the line before, so cutting rows off the end of the
  log leaves a checkpoint that names a row no longer there.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

KEY_BYTES = 32


@dataclass(frozen=True)
class Checkpoint:
    """One line of the checkpoint file: the chain's head after a write."""

    seq: int
    hash: str
    at: str
    mac: str


class AuditSeal:
    """The key file and the checkpoint file of one data directory."""

    def __init__(self, key_file: Path, checkpoint_file: Path):
        self.key_file = Path(key_file)
        self.checkpoint_file = Path(checkpoint_file)
        self._key: bytes | None = None

    def has_key(self) -> bool:
        return self.key_file.exists()

    def create_key(self) -> bool:
        """Create the key unless it exists (O_EXCL: two processes starting at once make
        one key). True when this call created it."""
        self.key_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(KEY_BYTES) + "\n")
            out.flush()
            os.fsync(out.fileno())
        return True

    def key(self) -> bytes | None:
        """The key's bytes, or None when the file is missing or unreadable."""
        if self._key is None:
            try:
                self._key = bytes.fromhex(self.key_file.read_text(encoding="ascii").strip())
            except (OSError, ValueError):
                return None
        return self._key

    def mac(self, text: str) -> str | None:
        """HMAC-SHA256 of ``text`` under the key (None without a key)."""
        key = self.key()
        if key is None:
            return None
        return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def checkpoint(self, seq: int, digest: str, at: str) -> None:
        """Append the chain's head, sealed and chained to the line before (under a file
        lock: the watcher, the web server and commands write the same file)."""
        self.checkpoint_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.checkpoint_file, "a+", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                previous = _last_mac(f)
                mac = self.mac(_line_body(previous, seq, digest, at)) or ""
                f.write(json.dumps({"seq": seq, "hash": digest, "at": at, "mac": mac}) + "\n")
                f.flush()
                os.fsync(f.fileno())
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def read_checkpoints(self) -> tuple[list[Checkpoint], list[str]]:
        """Every checkpoint, and what is wrong with the file (a line changed, removed or forged)."""
        if not self.checkpoint_file.exists():
            return [], []
        points: list[Checkpoint] = []
        problems: list[str] = []
        previous = ""
        for number, line in enumerate(self.checkpoint_file.read_text(encoding="utf-8").splitlines(), 1):
            try:
                data = json.loads(line)
                point = Checkpoint(int(data["seq"]), str(data["hash"]), str(data["at"]), str(data["mac"]))
            except (ValueError, KeyError, TypeError):
                problems.append(f"audit checkpoint line {number}: unreadable")
                continue
            if self.key() is not None and point.mac != self.mac(_line_body(previous, point.seq, point.hash, point.at)):
                problems.append(f"audit checkpoint line {number}: seal does not match (line changed, removed or forged)")
            previous = point.mac
            points.append(point)
        return points, problems


def _line_body(previous_mac: str, seq: int, digest: str, at: str) -> str:
    return json.dumps([previous_mac, seq, digest, at])


def _last_mac(f) -> str:
    """The seal of the file's last line ("" for an empty file)."""
    f.seek(0, os.SEEK_END)
    size = f.tell()
    if not size:
        return ""
    f.seek(max(0, size - 4096))
    tail = f.read().splitlines()
    for line in reversed(tail):
        try:
            return str(json.loads(line)["mac"])
        except (ValueError, KeyError, TypeError):
            continue
    return ""
