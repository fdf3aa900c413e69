"""The trash: moving a document there with a reason (admin, 総務課), and the admin's list
with restore and purge (only after the retention period). Nothing is deleted silently:
every step is an audit event."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from kernel.errors import RecordsError

from webui.auth import actor, requires
from webui.documents import load_document
from webui.security import services

bp = Blueprint("trash", __name__)

MAX_REASON_CHARS = 500


@bp.route("/documents/<doc_id>/trash", methods=("POST",))
@requires("trash_documents")
def move(doc_id: str):
    """Move the document to the trash; the reason is required and kept in the audit log."""
    doc = load_document(doc_id)
    reason = " ".join(request.form.get("reason", "").split())
    if not reason:
        flash("ゴミ箱へ移動する理由を入力してください。", "error")
        return redirect(url_for("documents.view", doc_id=doc.id, _anchor="trash"))
    if len(reason) > MAX_REASON_CHARS:
        flash(f"理由は{MAX_REASON_CHARS}文字以内で入力してください。", "error")
        return redirect(url_for("documents.view", doc_id=doc.id, _anchor="trash"))
    try:
        services().trash_document(doc.id, reason, actor())
    except RecordsError:
        flash("この文書は既にゴミ箱にあります。", "error")
        return redirect(url_for("documents.view", doc_id=doc.id))
    flash(f"{doc.id} をゴミ箱へ移動しました（保存期間が過ぎるまで原本と記録は残ります）。", "info")
    return redirect(url_for("documents.view", doc_id=doc.id))


@bp.route("/admin/trash")
@requires("manage_trash")
def view():
    """Documents in the trash, with why, who, when and the first day each may be purged."""
    records = services().records
    today = records.now()[:10]
    entries = []
    for doc in records.trashed_documents():
        end = services().retention_end(doc.id)
        entries.append({"doc": doc, "retention_end": end, "purgeable": today >= end})
    return render_template("trash.html", entries=entries, today=today)


@bp.route("/admin/trash/<doc_id>/restore", methods=("POST",))
@requires("manage_trash")
def restore(doc_id: str):
    """Take a document back out of the trash."""
    doc = load_document(doc_id)
    try:
        services().restore_document(doc.id, actor())
    except RecordsError:
        flash("この文書はゴミ箱にありません。", "error")
        return redirect(url_for(".view"))
    flash(f"{doc.id} をゴミ箱から戻しました。", "info")
    return redirect(url_for(".view"))


@bp.route("/admin/trash/<doc_id>/purge", methods=("POST",))
@requires("manage_trash")
def purge(doc_id: str):
    """Remove a trashed document for good, only after its retention period and when confirmed."""
    doc = load_document(doc_id)
    if request.form.get("confirm") != "1":
        flash("完全に削除してよいか確認の欄にチェックを入れてください。", "error")
        return redirect(url_for(".view"))
    try:
        services().purge_document(doc.id, actor())
    except RecordsError:
        flash(f"{doc.id} は保存期間（{services().retention_end(doc.id)} まで）が終わっていないか、"
              "ゴミ箱にないため削除できません。", "error")
        return redirect(url_for(".view"))
    flash(f"{doc.id} を完全に削除しました（操作の記録にハッシュ値と理由が残ります）。", "info")
    return redirect(url_for(".view"))
