"""The month view (医事課): patients × items with ready / missing / conflict,
the evidence and problems behind each mark, the 摘要欄 text, claimed marks, CSV."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from billing import export_csv
from billing.export import ENCODINGS
from shoko.claims import catalogue_at, month_report
from shoko.errors import ConfigError
from shoko.worklists import claim_month

from webui.auth import actor, requires
from webui.documents import MONTH
from webui.security import services

bp = Blueprint("month", __name__)

CSV_ENCODINGS = {"utf-8": "utf-8-sig", "sjis": "cp932"}
# Months a claim can be for: a typo such as 0000-01 or 9999-12 would otherwise reach
# date() and the month links outside the years it can hold.
YEARS = range(1900, 3000)


def default_month() -> str:
    """The month a clerk claims today: the previous one until ``claim_month_switch_day``."""
    today = date.fromisoformat(services().records.now()[:10])
    return claim_month(today, services().config.claim_month_switch_day)


def month_arg(default: str | None = None) -> str:
    """``month`` from the request (YYYY-MM), else ``default`` or the claim month; 400 when malformed."""
    month = request.values.get("month", "").strip()
    if not month:
        return default or default_month()
    if not MONTH.fullmatch(month):
        abort(400, description="月は 2026-10 の形で指定してください。")
    if int(month[:4]) not in YEARS:
        abort(400, description=f"月は {YEARS.start}年から{YEARS.stop - 1}年までで指定してください。")
    return month


_month_arg = month_arg


def _report(month: str):
    try:
        return month_report(services().records, month, catalogue_at(current_app.config["BILLING_CATALOGUE"]))
    except ConfigError as e:
        abort(400, description=str(e))


@bp.route("/claims")
@requires("check_claims")
def view():
    """Patients × items for the month."""
    month = _month_arg()
    report = _report(month)
    codes = []
    for patient in report.patients:
        codes.extend(item.item for item in patient.items if item.item not in codes)
    order = {item.code: n for n, item in enumerate(catalogue_at(current_app.config["BILLING_CATALOGUE"]).items_for(month))}
    codes.sort(key=lambda code: order.get(code, len(order)))
    cells = {(patient.patient_id, item.item): item for patient in report.patients for item in patient.items}
    names = {code: item.name for (_, code), item in cells.items()}
    claimed = {(c["patient_id"], c["item"]): c for c in services().records.all_claims() if c["month"] == month}
    year, number = int(month[:4]), int(month[5:])
    previous = f"{year - (number == 1)}-{(number - 2) % 12 + 1:02d}"
    following = f"{year + (number == 12)}-{number % 12 + 1:02d}"
    return render_template("claims.html", report=report, month=month, codes=codes, names=names, cells=cells,
                           claimed=claimed, previous=previous, following=following)


@bp.route("/claims/mark", methods=("POST",))
@requires("mark_claimed")
def mark():
    """Record (claimed=1) or withdraw (claimed=0) that a claim was sent."""
    month = _month_arg()
    patient_id, item = request.form.get("patient_id", ""), request.form.get("item", "")
    if not (patient_id.isascii() and patient_id.isdigit()) or not item:
        abort(400, description="患者IDと請求項目がわかりません。")
    # Only an item the month's fee schedule has can be claimed: anything else would
    # show as claimed in the records while no such claim can exist.
    catalogue = catalogue_at(current_app.config["BILLING_CATALOGUE"])
    try:
        known = catalogue.revision_for(month).item(item) is not None
    except ConfigError as e:
        abort(400, description=str(e))
    if not known:
        abort(400, description=f"請求項目 {item} は {month} の点数表にありません。")
    claimed = request.form.get("claimed") == "1"
    services().records.mark_claimed(patient_id, item, month, actor(), claimed=claimed)
    flash(f"{patient_id} の {item} を{'請求済みにしました' if claimed else '未請求に戻しました'}。", "info")
    return redirect(url_for(".view", month=month, _anchor=f"p{patient_id}"))


@bp.route("/claims.csv")
@requires("check_claims")
def export():
    """The month as CSV: UTF-8 with BOM (default) or Shift_JIS (``encoding=sjis``)."""
    month = _month_arg()
    choice = request.args.get("encoding", "utf-8").lower()
    codec = CSV_ENCODINGS.get(choice) or (choice if choice in ENCODINGS else None)
    if codec is None:
        abort(400, description="encoding は utf-8 か sjis を指定してください。")
    data = export_csv(_report(month), encoding=codec)
    charset = "Shift_JIS" if ENCODINGS[codec] == "cp932" else "utf-8"
    response = current_app.response_class(data, mimetype="text/csv")
    response.headers["Content-Type"] = f"text/csv; charset={charset}"
    response.headers["Content-Disposition"] = f'attachment; filename="shoko-claims-{month}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
