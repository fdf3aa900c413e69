"""The inbox page: upload scans, see the work in progress and the quarantine."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from kernel.errors import RecordsError
from records.vault import sha256_of
from kernel.errors import IntakePaused
from shoko.watch import watcher_health

from webui.auth import actor, requires
from webui.security import services
from webui.uploads import (
    department_folder,
    ingest_now,
    inbox_folder,
    move_into,
    place,
    safe_name,
    staging_folder,
)

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
log = logging.getLogger("shoko.webui.inbox")


@bp.route("")
@requires("upload")
def view():
    """Counts of the intake and the files set aside with their reasons."""
    records = services().records
    return render_template("inbox.html", counts=services().work_counts(), quarantine=records.quarantined(),
                           department=_department(), outcomes=None, watcher=_watcher(),
                           uploads=records.uploads_by(actor()))


@bp.app_context_processor
def intake_alarm() -> dict:
    """``intake_alarm`` for every page: the watcher's health when intake is paused or
    the watcher is gone, for administrators only; None otherwise."""
    user = g.get("user")
    if not user or user["role"] != "admin":
        return {"intake_alarm": None}
    health = watcher_health(services().config.data_path)
    # A watcher stopped on purpose (serve --no-watch, a stopped watch) is no alarm.
    alarm = health if health and (health.get("paused") or health.get("crashed")) else None
    return {"intake_alarm": alarm}


def _watcher() -> dict | None:
    """The inbox watcher's health, for administrators only (it names paths and faults)."""
    if g.user["role"] != "admin":
        return None
    return watcher_health(services().config.data_path)


def _department() -> str | None:
    """The uploader's department: their role, unless it is not a department (admin)."""
    role = g.user["role"]
    return department_folder(role) if role != "admin" else None


@bp.route("/upload", methods=("POST",))
@requires("upload")
def upload():
    """Save the files into the inbox, or ingest small uploads at once and show how each ended."""
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not files:
        flash("ファイルを選んでください。", "error")
        return redirect(url_for(".view"))
    department = _department()
    size = request.content_length or 0
    now = (request.form.get("ingest_now") == "1" and len(files) <= current_app.config["SYNC_INGEST_MAX_FILES"]
           and size <= current_app.config["SYNC_INGEST_MAX_BYTES"])
    folder = staging_folder(services(), department) if now else inbox_folder(services(), department)
    saved = [place(f.stream, folder, safe_name(f.filename)) for f in files]
    if not now:
        # The watcher takes these later under its own name: say here who brought them.
        for path in saved:
            log.info("upload queued by %s: %s", actor(), path)
            services().records.record_upload(path.name, sha256_of(path), department, actor())
        flash(f"{len(saved)}件を受け付けました。順番に取り込みます。結果は下の「あなたのアップロード」に出ます。", "info")
        return redirect(url_for(".view"))
    staged = [(path, f"{department}/{path.name}" if department else path.name, department) for path in saved]
    try:
        outcomes = ingest_now(services(), staged, actor())
    except IntakePaused as e:
        # The storage cannot be written now: the files went on into the inbox (ingest_now)
        # and the watcher takes them once the fault clears.
        log.error("upload by %s not ingested now: %s", actor(), e.detail)
        flash(f"{len(saved)}件を受け付けましたが、保存先に書き込めないため今は取り込めません。"
              "原因が解消されると自動で取り込みます。", "error")
        return redirect(url_for(".view"))
    records = services().records
    return render_template("inbox.html", counts=services().work_counts(), quarantine=records.quarantined(),
                           department=department, outcomes=outcomes, watcher=_watcher(),
                           uploads=records.uploads_by(actor()))


def _entry(entry_id: int) -> dict:
    entry = next((q for q in services().records.quarantined() if q["id"] == entry_id), None)
    if entry is None:
        abort(404, description="この隔離ファイルはすでに処理されています。")
    return entry


@bp.route("/quarantine/<int:entry_id>/retry", methods=("POST",))
@requires("manage_quarantine")
def retry(entry_id: int):
    """Put a quarantined file back into the inbox (its department's folder) to be read again."""
    entry = _entry(entry_id)
    quarantine = services().records.quarantine_folder
    source = quarantine.path_of(entry["file_name"])
    if not source.exists():
        flash("隔離フォルダにファイルがありません。破棄してください。", "error")
        return redirect(url_for(".view"))
    move_into(source, inbox_folder(services(), entry["department"]), entry["file_name"])
    try:
        services().records.resolve_quarantine(entry_id, "retried", actor())
    except RecordsError:
        pass  # resolved meanwhile by someone else; the file is in the inbox either way
    quarantine.discard(entry["file_name"])  # the file has moved: this removes the reason file
    flash(f"{entry['file_name']} を受信フォルダに戻しました。", "info")
    return redirect(url_for(".view"))


@bp.route("/quarantine/<int:entry_id>/discard", methods=("POST",))
@requires("manage_quarantine")
def discard(entry_id: int):
    """Delete a quarantined file for good (the audit log keeps that it existed and why)."""
    entry = _entry(entry_id)
    try:
        services().records.resolve_quarantine(entry_id, "discarded", actor())
    except RecordsError:
        abort(404, description="この隔離ファイルはすでに処理されています。")
    services().records.quarantine_folder.discard(entry["file_name"])
    flash(f"{entry['file_name']} を破棄しました。", "info")
    return redirect(url_for(".view"))
