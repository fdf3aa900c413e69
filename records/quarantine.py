"""The quarantine folder: files set aside with a reason a clerk can read."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
from pathlib import Path

_UNSAFE = re.compile(r"[\x00-\x1f/\\]")
# File systems allow 255 bytes per name; ``NAME.reason.txt`` and ``.incoming-NAME``
# add up to 11 bytes, and a ``-N`` variant a few more: quarantine names stay well under.
MAX_NAME_BYTES = 200
_MAX_EXT_BYTES = 16  # a longer "extension" is part of the name, not a file type


def shorten_name(name: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """``name`` cut to at most ``max_bytes`` bytes of UTF-8, at a character boundary.

    The extension is kept and a short hash of the whole name is added, so two long
    names that begin alike stay apart. Names that fit are returned unchanged.
    """
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) <= max_bytes:
        return name
    stem, dot, ext = name.rpartition(".")
    ext = f".{ext}" if dot and stem and len(ext.encode("utf-8", "surrogateescape")) < _MAX_EXT_BYTES else ""
    if not ext:
        stem = name
    tag = "~" + hashlib.sha256(encoded).hexdigest()[:10]
    room = max_bytes - len(tag.encode()) - len(ext.encode("utf-8", "surrogateescape"))
    # Cutting the bytes and dropping an incomplete last character keeps valid UTF-8.
    cut = stem.encode("utf-8", "surrogateescape")[:room].decode("utf-8", "ignore")
    return f"{cut}{tag}{ext}"


class QuarantineFolder:
    """Holds set-aside files, each beside ``NAME.reason.txt``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def free_name(self, wanted: str) -> str:
        """A name not yet used here, close to ``wanted``."""
        self.root.mkdir(parents=True, exist_ok=True)
        # Bytes that are not UTF-8 in a name cannot go into the database: shown as U+FFFD.
        wanted = wanted.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        name = shorten_name(_UNSAFE.sub("_", wanted).lstrip(".") or "file")
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        candidate, n = name, 1
        while (self.root / candidate).exists() or (self.root / f"{candidate}.reason.txt").exists():
            n += 1
            candidate = f"{stem}-{n}.{ext}" if ext else f"{stem}-{n}"
        return candidate

    def set_aside(self, source: Path, name: str, reason: str, detail: str, move: bool) -> None:
        """Copy (or move) ``source`` here as ``name`` beside its reason file.

        The reason file is written first and the file lands under a temporary name,
        so a crash leaves either nothing or a complete pair, never a file without
        its reason. Setting the same file aside again under the same name is harmless.
        The original name, when ``name`` had to be shortened, is in the reason file.

        A symbolic link or other non-regular file (FIFO, device) is never read nor
        copied: only its reason is kept, and with ``move`` the link itself (a name,
        not the file it points to) leaves the inbox.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        reason_path = self.root / f"{name}.reason.txt"
        shown = source.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        original = f"元のファイル名: {shown}\n" if source.name != name else ""
        reason_path.write_text(f"{reason}\n\n{original}詳細（システム管理者向け）: {detail}\n", encoding="utf-8")
        try:
            regular = stat.S_ISREG(os.lstat(source).st_mode)
        except FileNotFoundError:
            return
        if not regular:
            if move:
                source.unlink(missing_ok=True)
            return
        tmp = self.root / f".incoming-{name}"
        if move:
            try:
                os.replace(source, tmp)
            except OSError:  # another file system: copy, then remove the original
                shutil.copy2(source, tmp)
                source.unlink()
        else:
            shutil.copy2(source, tmp)
        os.replace(tmp, self.path_of(name))

    def path_of(self, name: str) -> Path:
        """Path of a quarantined file by name; refuses names that leave the folder."""
        if not name or _UNSAFE.search(name) or name in (".", ".."):
            raise ValueError(f"not a quarantine file name: {name!r}")
        return self.root / name

    def discard(self, name: str) -> None:
        """Delete a quarantined file and its reason file."""
        self.path_of(name).unlink(missing_ok=True)
        (self.root / f"{name}.reason.txt").unlink(missing_ok=True)

