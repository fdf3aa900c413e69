"""The watcher loop: settled inbox files through the intake, until told to stop."""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

from ingest.watcher import InboxWatcher
from kernel.errors import IntakePaused
from shoko.intake import IntakeFile, department_of, displayable
from shoko.services import Services

log = logging.getLogger("shoko.watch")

BATCH = 16  # files per round: enough to fill every core, few enough to stop promptly
STATE_FILE = "watcher.json"  # in the data directory: the watcher's health for status and the UI
FIRST_RETRY_SECONDS = 2.0


class WatcherHealth:
    """The watcher's health (alive, paused, why, since when), kept in DATA_DIR/watcher.json
    so that ``status`` and the web UI, in other processes, can show it."""

    def __init__(self, data_path: Path):
        self.path = Path(data_path) / STATE_FILE
        self.state = {"alive": True, "paused": False, "reason": None, "since": _now(), "pid": os.getpid()}

    def running(self) -> None:
        if self.state["paused"] or not self.path.exists():
            self.state.update(paused=False, reason=None, since=_now())
            self._write()

    def paused(self, reason: str) -> None:
        if not self.state["paused"] or self.state["reason"] != reason:
            since = self.state["since"] if self.state["paused"] else _now()
            self.state.update(paused=True, reason=reason, since=since)
            self._write()

    def stopped(self) -> None:
        self.state.update(alive=False, paused=False, reason=None, since=_now())
        self._write()

    def _write(self) -> None:
        # Best effort: with the disk full this may fail too; the log still has it.
        tmp = self.path.with_name(f".{STATE_FILE}.{os.getpid()}")
        try:
            tmp.write_text(json.dumps(self.state, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as e:
            log.warning("watcher state not written: %s", e)


def watcher_health(data_path: Path) -> dict | None:
    """The last known health of the inbox watcher, or None when none has run here.

    ``alive`` is false once the process that wrote it is gone (a crash or ``kill -9``
    leaves no chance to say so).
    """
    try:
        state = json.loads((Path(data_path) / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    pid = state.pop("pid", None)
    if state.get("alive") and not _process_alive(pid):
        state.update(alive=False, paused=False, crashed=True)  # gone without saying so
    return state


def _process_alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def run_watcher(services: Services, stop: threading.Event) -> None:
    """Watch the inboxes and take in every settled file until ``stop`` is set.

    At start, intake rows a crash left open are closed and the index is made to
    match the records, so a restart after ``kill -9`` loses and doubles nothing.

    No file and no fault ends the loop: a file that fails is set aside by the
    intake; when the storage cannot be written (disk full, database locked, vault
    not writable) intake pauses, says why in DATA_DIR/watcher.json, and tries again
    with a growing wait until the fault clears; the files stay in the inbox.
    """
    config = services.config
    inboxes = config.inbox_paths
    for inbox in inboxes:
        inbox.mkdir(parents=True, exist_ok=True)
    watcher = InboxWatcher(inboxes, config.watch_settle_seconds, config.watch_polling, config.watch_poll_seconds)
    health = WatcherHealth(config.data_path)
    with services.intake(actor="watcher") as intake:
        watcher.start()
        health.running()
        retry = FIRST_RETRY_SECONDS
        recovered = False
        try:
            while not stop.is_set():
                try:
                    if not recovered:  # a locked database at start pauses like any other fault
                        _recover(intake, inboxes)
                        recovered = True
                    ready = _round(intake, watcher, inboxes, stop)
                    if health.state["paused"]:
                        log.warning("intake resumed")
                        _recover(intake, inboxes)  # rows the fault left open
                except Exception as e:
                    # The storage's fault (or one not yet understood): nothing is lost, the
                    # files stay in the inbox; wait, longer each time, and try again.
                    reason = e.reason if isinstance(e, IntakePaused) else "取り込みを一時停止しています（予期しないエラー）"
                    fault = e.detail if isinstance(e, IntakePaused) else f"{type(e).__name__}: {e}"
                    health.paused(f"{reason}: {fault}")
                    log.error("intake paused, retrying in %.0f s: %s", retry, fault,
                              exc_info=not isinstance(e, IntakePaused))
                    stop.wait(retry)
                    retry = min(retry * 2, float(config.watch_retry_max_seconds))
                    continue
                health.running()
                retry = FIRST_RETRY_SECONDS
                if not ready:
                    watcher.wait()
        finally:
            watcher.stop()
            health.stopped()


def _recover(intake, inboxes: list[Path]) -> None:
    recovered = intake.recover(lambda shown: _inbox_path(inboxes, shown))
    added, removed = intake.reconcile_index()
    if recovered or added or removed:
        log.warning("recovered %d interrupted file(s); index +%d -%d", recovered, added, removed)


def _round(intake, watcher: InboxWatcher, inboxes: list[Path], stop: threading.Event) -> list[Path]:
    """Take in one batch of settled files; returns the files that were ready."""
    ready = watcher.settled()[:BATCH]
    files = [IntakeFile(p, displayable(_shown(inboxes, p)), displayable(department_of(p, inboxes))) for p in ready]
    try:
        _take(intake, watcher, files, stop)
    except IntakePaused:
        raise
    except Exception:
        if len(files) == 1 and intake.storage_fault() is None:
            # A fault in shoko met by this file outside the per-file handling:
            # it is left in the inbox, and alone, until it changes or a restart.
            log.exception("%s: could not be taken in; skipped", files[0].shown_as)
            watcher.skip(files[0].path)
        elif len(files) > 1:
            log.exception("a batch failed; taking its files one at a time")
            for item in files:
                if not stop.is_set() and os.path.lexists(item.path):
                    _round_of_one(intake, watcher, item, stop)
        else:
            raise
    for path in ready:
        watcher.forget(path)
    return ready


def _round_of_one(intake, watcher: InboxWatcher, item: IntakeFile, stop: threading.Event) -> None:
    try:
        _take(intake, watcher, [item], stop)
    except IntakePaused:
        raise
    except Exception:
        if intake.storage_fault() is not None:
            raise
        log.exception("%s: could not be taken in; skipped", item.shown_as)
        watcher.skip(item.path)


def _take(intake, watcher: InboxWatcher, files: list[IntakeFile], stop: threading.Event) -> None:
    by_shown = {f.shown_as: f.path for f in files}
    outcomes = intake.run(files, move=True)
    for outcome in outcomes:
        log.info("%s: %s %s", outcome.path, outcome.status, outcome.id or outcome.reason or "")
        if outcome.status == "skipped":
            watcher.skip(by_shown[outcome.path])  # not again until it changes
        if stop.is_set():
            outcomes.close()  # finish the file in hand, leave the rest for next time
            break


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
