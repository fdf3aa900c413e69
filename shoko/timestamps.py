"""RFC 3161 timestamps of the originals (issue 15, guideline 企Q-47/52/58).

With the setting ``tsa_url`` set, each stored original gets a timestamp token from that
time-stamping authority, kept beside the vault as ``DATA_DIR/timestamps/<sha256>.tsr``:
the request is made with ``openssl ts -query -sha256 -cert`` and sent by HTTP POST
(``application/timestamp-query``). A failure never stops intake; ``shoko timestamp``
stamps whatever still lacks a token. With ``tsa_url`` empty nothing is sent anywhere.

``verify`` checks every token against its file: with ``tsa_ca_file`` set, fully
(``openssl ts -verify -data FILE -in TOKEN -CAfile CA``: signature, chain and imprint);
without it, the token's message imprint against the file's SHA-256.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import tempfile
import urllib.request
from pathlib import Path

from records.vault import sha256_of
from kernel.errors import ShokoError

log = logging.getLogger("shoko.timestamps")

CONTENT_TYPE = "application/timestamp-query"
_OPENSSL_SECONDS = 60
_HEX_ROW = re.compile(r"^\s*[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){0,15}[0-9a-f]{2})", re.MULTILINE)


class TimestampError(ShokoError):
    """A token could not be obtained or read (the message says why)."""


class Timestamps:
    """Timestamp tokens of originals in one folder, and the authority that issues them."""

    def __init__(self, folder: Path, url: str = "", ca_file: Path | None = None, timeout: float = 30.0):
        self.folder = Path(folder)
        self.url = url
        self.ca_file = Path(ca_file) if ca_file else None
        self.timeout = timeout

    def token_path(self, sha256: str) -> Path:
        """Where the token of the original with this SHA-256 is kept."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.folder / f"{sha256}.tsr"

    def stamp(self, original: Path, sha256: str) -> Path:
        """Get a token for ``original`` from the authority and keep it; ``TimestampError`` on failure."""
        if not self.url:
            raise TimestampError("no time-stamping authority configured (setting tsa_url)")
        with tempfile.TemporaryDirectory(prefix="shoko-ts-") as work:
            query = Path(work) / "query.tsq"
            _openssl("ts", "-query", "-data", str(original), "-sha256", "-cert", "-out", str(query))
            request = urllib.request.Request(self.url, data=query.read_bytes(), method="POST",
                                             headers={"Content-Type": CONTENT_TYPE})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    reply = response.read(1 << 20)
            except OSError as e:
                raise TimestampError(f"time-stamping authority {self.url}: {e}") from e
            answer = Path(work) / "reply.tsr"
            answer.write_bytes(reply)
            # A reply that is an error status or for other data is never kept as the token.
            problem = self._check_reply(original, answer, sha256)
            if problem:
                raise TimestampError(f"time-stamping authority {self.url}: {problem}")
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.token_path(sha256)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".incoming-")
            with os.fdopen(fd, "wb") as out:
                out.write(reply)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        return target

    def check_checkpoints(self, seal) -> list[str]:
        """See ``check_checkpoints``: stamped heads of the audit chain against the checkpoint file."""
        return check_checkpoints(seal, self)

    def stamp_quietly(self, original: Path, sha256: str) -> bool:
        """``stamp`` for intake: a failure is logged (``shoko timestamp`` retries later), never raised."""
        try:
            self.stamp(original, sha256)
            return True
        except (TimestampError, OSError) as e:
            log.warning("original %s… not timestamped now (shoko timestamp retries): %s", sha256[:12], e)
            return False

    def check(self, original: Path, sha256: str) -> str | None:
        """None when the original's token (if any) matches the file, else what is wrong."""
        token = self.token_path(sha256)
        if not token.exists():
            return None
        if not original.exists():
            return None  # the vault check names a missing original
        return self._check_reply(original, token, sha256)

    def _check_reply(self, original: Path, token: Path, sha256: str) -> str | None:
        if self.ca_file:
            result = _run("ts", "-verify", "-data", str(original), "-in", str(token), "-CAfile", str(self.ca_file))
            return None if result.returncode == 0 else "timestamp token does not verify against its file " \
                f"({_last_line(result.stderr) or 'openssl ts -verify failed'})"
        result = _run("ts", "-reply", "-in", str(token), "-text")
        if result.returncode != 0 or "Status: Granted" not in result.stdout:
            return "timestamp token cannot be read or was not granted"
        imprint = _message_imprint(result.stdout)
        if imprint != sha256_of(original):
            return "timestamp token does not match its file (message imprint differs)"
        return None


def _message_imprint(text: str) -> str:
    """The hex message imprint from ``openssl ts -reply -text`` output."""
    part = text.split("Message data:", 1)[-1]
    rows = []
    for line in part.splitlines()[1:]:
        match = _HEX_ROW.match(line)
        if not match:
            break
        rows.append(match.group(1).replace("-", " ").replace(" ", ""))
    return "".join(rows)


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=_OPENSSL_SECONDS,
                          check=False)


def _openssl(*args: str) -> None:
    result = _run(*args)
    if result.returncode != 0:
        raise TimestampError(f"openssl {args[0]} {args[1]} failed: {_last_line(result.stderr)}")


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("Using configuration")]
    return lines[-1] if lines else ""


def stamp_missing(records, timestamps: Timestamps) -> tuple[int, list[str]]:
    """Stamp every stored original that has no token yet: (stamped, problems)."""
    stamped, problems = 0, []
    for sha in records.original_hashes():
        if timestamps.token_path(sha).exists():
            continue
        try:
            timestamps.stamp(records.vault.path_for(sha), sha)
            stamped += 1
        except (TimestampError, OSError) as e:
            problems.append(f"{sha[:12]}…: {e}")
    return stamped, problems


CHECKPOINT_PREFIX = "checkpoint-"


def stamp_checkpoint(seal, timestamps: Timestamps) -> Path | None:
    """Timestamp the audit chain's head: the checkpoint file's last line is kept as
    ``checkpoint-<seq>.line`` beside the tokens and stamped like an original. A token
    proves the log reached that row by that time, so rows written later cannot be
    passed off as older. None when the head has a token already or there is none."""
    lines = checkpoint_lines(seal)
    if not lines:
        return None
    seq = json.loads(lines[-1])["seq"]
    kept = timestamps.folder / f"{CHECKPOINT_PREFIX}{int(seq):09d}.line"
    if kept.exists():
        return None
    timestamps.folder.mkdir(parents=True, exist_ok=True)
    kept.write_text(lines[-1] + "\n", encoding="utf-8")
    try:
        return timestamps.stamp(kept, sha256_of(kept))
    except BaseException:
        kept.unlink(missing_ok=True)  # no line without its token: the next run tries again
        raise


def check_checkpoints(seal, timestamps: Timestamps) -> list[str]:
    """Every stamped checkpoint must still stand in the checkpoint file, and its token match it."""
    if not timestamps.folder.exists():
        return []
    present = set(checkpoint_lines(seal))
    problems = []
    for kept in sorted(timestamps.folder.glob(f"{CHECKPOINT_PREFIX}*.line")):
        line = kept.read_text(encoding="utf-8").strip()
        if line not in present:
            problems.append(f"audit checkpoint {kept.name}: timestamped, but no longer in the checkpoint file")
        sha = sha256_of(kept)
        if not timestamps.token_path(sha).exists():
            problems.append(f"audit checkpoint {kept.name}: its timestamp token is missing")
            continue
        problem = timestamps.check(kept, sha)
        if problem:
            problems.append(f"audit checkpoint {kept.name}: {problem}")
    return problems


def checkpoint_lines(seal) -> list[str]:
    """The checkpoint file's lines as written."""
    try:
        return [line for line in seal.checkpoint_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    except FileNotFoundError:
        return []
