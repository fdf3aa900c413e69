"""The inbox watcher: which files in the inbox folders are finished and ready.

watchdog wakes the loop when something changes (or, for network shares where no
events arrive, a polling observer does); a rescan every few seconds is the safety
net either way. A file is ready once its size and modification time have not
changed for the settle time and it can be opened. Names that scanners and office
software use for files still being written are never taken.
"""

from __future__ import annotations

import os
import re
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

# Hidden files, Office lock files, and partial downloads or copies.
_IN_PROGRESS_NAME = re.compile(r"^(\.|~\$)|\.(tmp|part|partial|crdownload|download)$", re.IGNORECASE)


def is_ignored(name: str) -> bool:
    """True for names of temporary or hidden files that must never be ingested."""
    return bool(_IN_PROGRESS_NAME.search(name))


def inbox_files(inboxes: list[Path]) -> list[Path]:
    """Entries waiting in the inboxes (subfolders included), oldest first.

    Links are never followed: a symbolic link (to a file or a folder) and any other
    entry that is neither a folder nor a regular file (FIFO, socket, device) is listed
    as itself, for the intake to refuse with a reason; linked folders are not entered.
    """
    found = []
    for inbox in inboxes:
        if not inbox.is_dir():
            continue
        for folder, dirs, names in os.walk(inbox, followlinks=False):
            here = Path(folder)
            dirs[:] = [d for d in dirs if not is_ignored(d)]
            linked_dirs = [d for d in dirs if (here / d).is_symlink()]
            for name in [n for n in names if not is_ignored(n)] + linked_dirs:
                path = here / name
                try:
                    found.append((path.lstat().st_mtime_ns, str(path), path))
                except OSError:  # vanished between listing and stat
                    continue
    return [path for _, _, path in sorted(found)]


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


class InboxWatcher:
    """Finds settled files in the inbox folders and wakes up on file events."""

    def __init__(self, inboxes: list[Path], settle_seconds: float = 2.0, polling: bool = False,
                 poll_seconds: float = 2.0, clock=time.monotonic):
        self.inboxes = [Path(p) for p in inboxes]
        self.settle_seconds = settle_seconds
        self.poll_seconds = poll_seconds
        self.clock = clock
        self._seen: dict[Path, _Seen] = {}
        self._skipped: dict[Path, tuple[int, int]] = {}
        self._wake = threading.Event()
        self._observer = PollingObserver(timeout=poll_seconds) if polling else Observer()

    def start(self) -> None:
        """Create the inbox folders and start watching them."""
        handler = _WakeOnEvent(self._wake)
        for inbox in self.inboxes:
            inbox.mkdir(parents=True, exist_ok=True)
            self._observer.schedule(handler, str(inbox), recursive=True)
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)
        self._wake.set()

    def wait(self, timeout: float | None = None) -> None:
        """Sleep until a file event or ``timeout`` (default: the poll interval)."""
        self._wake.wait(self.poll_seconds if timeout is None else timeout)
        self._wake.clear()

    def settled(self) -> list[Path]:
        """Files that have stopped changing and can be opened, oldest first."""
        now = self.clock()
        ready = []
        current = inbox_files(self.inboxes)
        for path in current:
            try:
                st = path.lstat()  # the entry itself, never what a link points to
            except OSError:
                continue
            if self._skipped.get(path) == (st.st_size, st.st_mtime_ns):
                continue
            seen = self._seen.get(path)
            if seen is None or (seen.size, seen.mtime_ns) != (st.st_size, st.st_mtime_ns):
                self._seen[path] = _Seen(st.st_size, st.st_mtime_ns, now)
                continue
            # Only a regular file is opened to test it (opening a FIFO would block);
            # anything else is handed on for the intake to refuse.
            if now - seen.since >= self.settle_seconds and (not stat.S_ISREG(st.st_mode) or _openable(path)):
                ready.append(path)
        present = set(current)
        for gone in [p for p in self._seen if p not in present]:
            del self._seen[gone]
        for gone in [p for p in self._skipped if p not in present]:
            del self._skipped[gone]
        return ready

    def skip(self, path: Path) -> None:
        """Leave a file alone until it changes (it could be neither stored nor set aside)."""
        try:
            st = path.lstat()
        except OSError:
            return
        self._skipped[path] = (st.st_size, st.st_mtime_ns)

    def forget(self, path: Path) -> None:
        """Stop tracking a file (it has been taken)."""
        self._seen.pop(path, None)


def _openable(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            f.read(1)
        return True
    except OSError:
        return False


class _WakeOnEvent(FileSystemEventHandler):
    def __init__(self, wake: threading.Event):
        self.wake = wake

    def on_any_event(self, event) -> None:
        self.wake.set()
