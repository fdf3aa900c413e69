"""The quarantine folder: files set aside with a reason a clerk can read."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

_UNSAFE = re.compile(r"[\x00-\x1f/\\]")


class QuarantineFolder:
    """Holds set-aside files, each beside ``NAME.reason.txt``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def free_name(self, wanted: str) -> str:
        """A name not yet used here, close to ``wanted``."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = _UNSAFE.sub("_", wanted).lstrip(".") or "file"
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
        """
        self.root.mkdir(parents=True, exist_ok=True)
        reason_path = self.root / f"{name}.reason.txt"
        reason_path.write_text(f"{reason}\n\n詳細（システム管理者向け）: {detail}\n", encoding="utf-8")
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

