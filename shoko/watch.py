"""The watcher loop: settled inbox files through the intake, until told to stop."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from ingest.watcher import InboxWatcher
from shoko.intake import IntakeFile, department_of
from shoko.services import Services

log = logging.getLogger("shoko.watch")

BATCH = 16  # files per round: enough to fill every core, few enough to stop promptly


def run_watcher(services: Services, stop: threading.Event) -> None:
    """Watch the inboxes and take in every settled file until ``stop`` is set.

    At start, intake rows a crash left open are closed and the index is made to
    match the records, so a restart after ``kill -9`` loses and doubles nothing.
    """
    config = services.config
    inboxes = config.inbox_paths
    for inbox in inboxes:
        inbox.mkdir(parents=True, exist_ok=True)
    watcher = InboxWatcher(inboxes, config.watch_settle_seconds, config.watch_polling, config.watch_poll_seconds)
    with services.intake(actor="watcher") as intake:
        recovered = intake.recover(lambda shown: _inbox_path(inboxes, shown))
        added, removed = intake.reconcile_index()
        if recovered or added or removed:
            log.warning("recovered %d interrupted file(s); index +%d -%d", recovered, added, removed)
        watcher.start()
        try:
            while not stop.is_set():
                ready = watcher.settled()[:BATCH]
                files = [IntakeFile(p, _shown(inboxes, p), department_of(p, inboxes)) for p in ready]
                outcomes = intake.run(files, move=True)
                for outcome in outcomes:
                    log.info("%s: %s %s", outcome.path, outcome.status, outcome.id or outcome.reason or "")
                    if stop.is_set():
                        outcomes.close()  # finish the file in hand, leave the rest for next time
                        break
                for path in ready:
                    watcher.forget(path)
                if not ready:
                    watcher.wait()
        finally:
            watcher.stop()


def _shown(inboxes: list[Path], path: Path) -> str:
    """Path relative to its inbox, as the contract's ``path`` for the watcher."""
    for inbox in inboxes:
        try:
            return str(path.relative_to(inbox))
        except ValueError:
            continue
    return str(path)


def _inbox_path(inboxes: list[Path], shown: str) -> Path:
    for inbox in inboxes:
        candidate = inbox / shown
        if candidate.exists():
            return candidate
    return inboxes[0] / shown
