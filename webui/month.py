"""The month view (医事課): patients × items with ready / missing / conflict,
the evidence and problems behind each mark, the 摘要欄 text, claimed marks, CSV."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from billing import export_csv
from billing.export import ENCODINGS
from billing.months import Month
from shoko.claims import catalogue_at
from kernel.errors import ConfigError
from shoko.worklists import claim_month

from records.audit import Exported
from webui.auth import actor, log_read, requires
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


def readings():
    """The app's cached month reports and list facts (``shoko.claims.CachedReadings``)."""
    return current_app.extensions["shoko_readings"]


def _report(month: str):
    try:
        return readings().report(month, catalogue_at(current_app.config["BILLING_CATALOGUE"]))
    except ConfigError as e:
        abort(400, description=str(e))


MONTH_PAGE_SIZE = 100  # patients a page of the month view


def _is_problem(item) -> bool:
    """Whether a cell needs a look: not ready, or ready with warnings (対象外 does not)."""
    return item.applicable and (item.status != "ready" or bool(item.problems))


@bp.route("/claims")
@requires("check_claims")
def view():
    """Patients × items for the month: marks with warnings and 対象外, a problems-only
    filter, counts, patients in pages."""
    month = month_arg()
    report = _report(month)
    catalogue = catalogue_at(current_app.config["BILLING_CATALOGUE"])
    codes = []
    for patient in report.patients:
        codes.extend(item.item for item in patient.items if item.item not in codes)
    order = {item.code: n for n, item in enumerate(catalogue.items_for(month))}
    codes.sort(key=lambda code: order.get(code, len(order)))
    names = {item.code: item.name for item in catalogue.items_for(month)}
    names.update({item.item: item.name for p in report.patients for item in p.items if item.name})
    ready_patients = [p for p in report.patients
                      if all(i.status == "ready" for i in p.items if i.applicable)]
    only_problems = request.args.get("only") == "problems"
    patients = [p for p in report.patients if any(_is_problem(i) for i in p.items)] if only_problems \
        else list(report.patients)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    pages = max(1, -(-len(patients) // MONTH_PAGE_SIZE))
    page = min(page, pages)
    shown = patients[(page - 1) * MONTH_PAGE_SIZE:page * MONTH_PAGE_SIZE]
    cells = {(patient.patient_id, item.item): item for patient in shown for item in patient.items}
    counts = {
        "patients": len(report.patients), "ready_patients": len(ready_patients),
        "problem_patients": sum(1 for p in report.patients if any(_is_problem(i) for i in p.items)),
        "missing": sum(1 for p in report.patients for i in p.items if i.applicable and i.status == "missing"),
        "conflict": sum(1 for p in report.patients for i in p.items if i.applicable and i.status == "conflict"),
        "warning": sum(1 for p in report.patients for i in p.items if i.applicable and i.warning),
        "not_applicable": sum(1 for p in report.patients for i in p.items if not i.applicable),
    }
    claimed = services().records.claim_marks(month)
    parsed = Month.parse(month)
    return render_template("claims.html", report=report, patients=shown, month=month, codes=codes, names=names,
                           cells=cells, claimed=claimed, previous=str(parsed.shift(-1)),
                           following=str(parsed.shift(1)), counts=counts, only_problems=only_problems,
                           page=page, pages=pages, default_month=default_month())


@bp.route("/claims/mark", methods=("POST",))
@requires("mark_claimed")
def mark():
    """Record (claimed=1) or withdraw (claimed=0) that a claim was sent. An item that is
    not ready needs a confirmation and a reason, both kept in the audit log."""
    month = month_arg()
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
    back = redirect(url_for(".view", month=month, **({"only": "problems"} if request.form.get("only") else {}),
                            _anchor=f"p{patient_id}"))
    status, reason = None, None
    if claimed:
        cell = next((i for p in _report(month).patients if p.patient_id == patient_id for i in p.items
                     if i.item == item), None)
        status = "missing" if cell is None else cell.status if cell.applicable else "not_applicable"
        if status != "ready":
            reason = " ".join(request.form.get("reason", "").split())[:500]
            if request.form.get("confirm") != "1" or not reason:
                flash(f"{patient_id} の {item} は算定可ではありません。請求済みにするには、確認の欄にチェックを入れ、"
                      "理由を書いてください。", "error")
                return back
        else:
            status = None
    services().records.mark_claimed(patient_id, item, month, actor(), claimed=claimed, status=status, reason=reason)
    flash(f"{patient_id} の {item} を{'請求済みにしました' if claimed else '未請求に戻しました'}。", "info")
    return back


@bp.route("/claims.csv")
@requires("check_claims")
def export():
    """The month as CSV: UTF-8 with BOM (default) or Shift_JIS (``encoding=sjis``); the
    encoding is in the file name."""
    month = month_arg()
    choice = request.args.get("encoding", "utf-8").lower()
    codec = CSV_ENCODINGS.get(choice) or (choice if choice in ENCODINGS else None)
    if codec is None:
        abort(400, description="encoding は utf-8 か sjis を指定してください。")
    data = export_csv(_report(month), encoding=codec, claims=services().records.claim_marks(month))
    sjis = ENCODINGS[codec] == "cp932"
    log_read(Exported, what="claims_csv", detail=month)
    response = current_app.response_class(data, mimetype="text/csv")
    response.headers["Content-Type"] = f"text/csv; charset={'Shift_JIS' if sjis else 'utf-8'}"
    response.headers["Content-Disposition"] = (f'attachment; filename="shoko-claims-{month}-'
                                               f'{"sjis" if sjis else "utf8"}.csv"')
    response.headers["Cache-Control"] = "private, no-store"
    return response
