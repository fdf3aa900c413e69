"""One document: page images, text, fields and corrections, billing links, history."""

from __future__ import annotations

import re
import unicodedata

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for

from shoko.claims import catalogue_at
from kernel.errors import UnknownDocument

from records.audit import DocumentViewed, OriginalDownloaded, PageImageViewed
from webui.auth import actor, log_read, requires
from webui.fields import fields_for, kind_of, parse_value
from webui.labels import FIELDS
from webui.security import services
from webui.suggest import item_choices, suggest_links

bp = Blueprint("documents", __name__, url_prefix="/documents")

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_MIMETYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg", "tiff": "image/tiff"}
# Control characters, folders and what Windows refuses in a file name (the hospital's PCs).
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\\"<>:|?*]")


def load_document(doc_id: str):
    """The stored document or 404 (ids that are not ``D`` + digits never reach the database)."""
    try:
        return services().records.get(doc_id)
    except UnknownDocument:
        abort(404)


@bp.route("/<doc_id>")
@requires("read")
def view(doc_id: str):
    """The document page."""
    doc = load_document(doc_id)
    records = services().records
    log_read(DocumentViewed, doc.number)
    catalogue = catalogue_at(current_app.config["BILLING_CATALOGUE"])
    current_month = records.now()[:7]
    linked = {(link["item"], link["month"]) for link in doc.links}
    suggestions = [s for s in suggest_links(doc.doc_type, doc.filled_fields, current_month, catalogue)
                   if (s.item, s.month) not in linked]
    return render_template(
        "document.html",
        doc=doc,
        field_names=fields_for(services().rules.fields_by_type, doc.doc_type, set(doc.fields)),
        kind_of=kind_of,
        history=records.field_history(doc.id),
        audit=records.audit_for(doc.id),
        reads=records.reads_of(doc.id),
        suggestions=suggestions,
        items=item_choices(catalogue, current_month),
        current_month=current_month,
        page_numbers=[p["number"] for p in doc.pages] or list(range(1, doc.page_count + 1)),
        rotations={p["number"]: p["rotation"] for p in doc.pages},
        readers={p["number"]: p.get("reader") or {} for p in doc.pages},
        prefill=float(services().config.review_prefill_confidence),
    )


@bp.route("/<doc_id>/pages/<int:number>.png")
@requires("read")
def page_image(doc_id: str, number: int):
    """One page of the original as PNG; the path comes from the record, never from the request."""
    doc = load_document(doc_id)
    if not 1 <= number <= doc.page_count:
        abort(404)
    original_page = doc.first_page + number - 1  # a part of a batch scan starts further in
    etag = f"{doc.sha256}-{original_page}"
    log_read(PageImageViewed, doc.number, page=number)
    if etag in request.if_none_match:
        return _cached(current_app.response_class(status=304), etag)
    path = services().records.vault.path_for(doc.sha256)
    try:
        png = current_app.extensions["shoko_pages"].png(path, doc.file_format, original_page)
    except (IndexError, OSError, ValueError):
        abort(404)
    return _cached(current_app.response_class(png, mimetype="image/png"), etag)


def _cached(response, etag: str):
    # Originals never change, so a rendered page can be kept; "private": it is patient data.
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.route("/<doc_id>/original")
@requires("read")
def download(doc_id: str):
    """The original file, under its source file name."""
    doc = load_document(doc_id)
    path = services().records.vault.path_for(doc.sha256)
    if not path.exists():
        abort(404)
    log_read(OriginalDownloaded, doc.number)
    response = send_file(path, mimetype=_MIMETYPES.get(doc.file_format, "application/octet-stream"),
                         as_attachment=True, download_name=download_name(doc.source_name, doc.id, doc.file_format),
                         etag=doc.sha256, max_age=0)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def download_name(source_name: str, doc_id: str, file_format: str) -> str:
    """A file name safe for Content-Disposition (Werkzeug adds the RFC 5987 form for Japanese)."""
    name = _UNSAFE_NAME.sub("_", unicodedata.normalize("NFC", source_name or "")).strip(" .")
    return name or f"{doc_id}.{file_format}"


@bp.route("/<doc_id>/fields", methods=("POST",))
@requires("correct_fields")
def correct(doc_id: str):
    """Set or clear one field by hand; the old value stays in the history."""
    doc = load_document(doc_id)
    back = _back_to(doc.id)
    name = request.form.get("name", "")
    if name not in FIELDS:
        abort(400, description="修正する項目がわかりません。")
    if request.form.get("action") == "clear":
        value = None
    else:
        try:
            value = parse_value(name, request.form.get("value", ""))
        except ValueError as e:
            flash(f"{FIELDS[name]}: {e}", "error")
            return redirect(back)
    current = doc.fields.get(name)
    if value is None and current is None:
        return redirect(back)
    if current is not None and current["state"] == "filled" and value is not None and current["value"] == value:
        # Saving what is already there changes nothing and adds no history.
        flash(f"{FIELDS[name]}は変わっていません。", "info")
        return redirect(back)
    confirmed = services().correct_field(doc.id, name, value, actor())
    was_review = current is not None and current["state"] == "review"
    flash(f"{FIELDS[name]}を{'消しました' if value is None else '確定しました' if was_review else '修正しました'}。", "info")
    if confirmed:
        flash(f"同じ値で確認待ちだった他の{confirmed}件の文書も確定しました。", "info")
    return redirect(back)


def _back_to(doc_id: str) -> str:
    """Where a correction returns: the review list it came from, else the document's fields."""
    target = request.form.get("next", "")
    if target.startswith("/review") and "//" not in target and "\\" not in target:
        return target
    return url_for(".view", doc_id=doc_id, _anchor="fields")


@bp.route("/<doc_id>/title", methods=("POST",))
@requires("correct_fields")
def correct_title(doc_id: str):
    """Correct a title OCR garbled (指導礼理記録); audited, the old one kept in the audit log."""
    doc = load_document(doc_id)
    title = " ".join(unicodedata.normalize("NFC", request.form.get("title", "")).split())
    if not title or len(title) > 200:
        flash("表題は1文字以上200文字以内で入力してください。", "error")
    elif title != doc.title:
        services().correct_title(doc.id, title, actor())
        flash("表題を修正しました。", "info")
    return redirect(url_for(".view", doc_id=doc.id))


@bp.route("/<doc_id>/split", methods=("POST",))
@requires("correct_fields")
def split(doc_id: str):
    """Make the pages from the chosen one on a document of their own (audited)."""
    doc = load_document(doc_id)
    page = request.form.get("page", "")
    if not page.isascii() or not page.isdigit() or not 2 <= int(page) <= doc.page_count:
        flash("分けるページを一覧から選んでください。", "error")
        return redirect(url_for(".view", doc_id=doc.id, _anchor="split"))
    if request.form.get("confirm") != "1":
        flash("分けてよいか確認の欄にチェックを入れてください。", "error")
        return redirect(url_for(".view", doc_id=doc.id, _anchor="split"))
    new_id = services().split_document(doc.id, int(page), actor())
    flash(f"{page}ページ目から後ろを新しい文書 {new_id} にしました。", "info")
    return redirect(url_for(".view", doc_id=new_id))


@bp.route("/<doc_id>/links", methods=("POST",))
@requires("link_billing")
def add_link(doc_id: str):
    """Link the document to a billing item and month."""
    doc = load_document(doc_id)
    item, month = request.form.get("item", ""), request.form.get("month", "").strip()
    patient_id = unicodedata.normalize("NFKC", request.form.get("patient_id", "")).strip()
    patient_id = patient_id or str(doc.filled_fields.get("patient_id", ""))
    reason = request.form.get("reason", "").strip() or None
    problem = _link_problem(item, month, patient_id)
    if problem:
        flash(problem, "error")
    else:
        services().records.add_link(doc.id, item, month, actor(), patient_id=patient_id, reason=reason)
        flash(f"{item}（{month}）に紐付けました。", "info")
    return redirect(url_for(".view", doc_id=doc.id, _anchor="links"))


@bp.route("/<doc_id>/links/remove", methods=("POST",))
@requires("link_billing")
def remove_link(doc_id: str):
    """Remove one link of the document."""
    doc = load_document(doc_id)
    item, month = request.form.get("item", ""), request.form.get("month", "")
    if services().records.remove_link(doc.id, item, month, actor()):
        flash(f"{item}（{month}）の紐付けを外しました。", "info")
    return redirect(url_for(".view", doc_id=doc.id, _anchor="links"))


def _link_problem(item: str, month: str, patient_id: str) -> str | None:
    catalogue = catalogue_at(current_app.config["BILLING_CATALOGUE"])
    codes = {i.code for revision in catalogue.revisions for i in revision.items}
    if item not in codes:
        return "請求項目を一覧から選んでください。"
    if not MONTH.fullmatch(month):
        return "月は 2026-10 の形で入力してください。"
    if not (patient_id.isascii() and patient_id.isdigit()):
        return "患者IDがわかりません。文書の患者IDを入力するか、紐付けの患者IDを数字で入力してください。"
    return None

