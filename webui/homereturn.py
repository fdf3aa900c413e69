"""The 在宅復帰率 monitor (医事課, admin): twelve months of the rate against the threshold,
this month's count with every patient and the reason, where next month is heading with
the planned discharges, and the forms that import, add and correct discharge records."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from billing.months import Month
from records import NewDischarge
from kernel.errors import RecordsError
from shoko.homereturn import import_discharge_bytes, monthly_rates, rules_at
from wards import DISCHARGE, TRANSFER, HomeReturnResult, parse_day
from webui.auth import actor, requires
from webui.month import YEARS
from webui.security import services

bp = Blueprint("homereturn", __name__, url_prefix="/homereturn")

MONTHS_SHOWN = 12
KIND_LABELS = {DISCHARGE: "退院", TRANSFER: "転棟"}
CLASS_LABELS = {"home": "在宅等", "not_home": "在宅等以外", "excluded": "対象外"}
FLAG_LABELS = {"death": "死亡", "readmission": "再入院（通算）", "short_stay_surgery": "短期滞在手術等",
               "holds_addition": "退院先・転棟先が在宅復帰機能強化加算等を届出"}
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_TEXT = 100  # characters of a ward or destination typed into the form


@bp.route("")
@requires("watch_standards")
def view():
    """The monitor for one month (default: this month) and one ward (default: the configured ones)."""
    records = services().records
    today = date.fromisoformat(records.now()[:10])
    month = _month_arg(Month.of(today))
    rules = rules_at()
    ward = request.args.get("ward", "").strip()[:MAX_TEXT] or None
    # Twelve months up to the month shown, and the one after it: its window ends with
    # this month, so it is where the rate is heading with the discharges entered so far.
    results = monthly_rates(records, month.shift(1), MONTHS_SHOWN + 1, ward, rules)
    history, current, projection = results[:-1], results[-2], results[-1]
    entered = [p for p in projection.patients if Month.of(p.discharge.exit_date) == month]
    planned = [p for p in entered if p.discharge.exit_date > today]
    stored = records.discharges(current.window[0].first_day.isoformat(), month.last_day.isoformat())
    ids = {(r["patient_id"], r["ward"], r["exit_date"]): r["id"] for r in stored}
    wards = sorted({*rules.wards, *records.discharge_wards()})
    return render_template(
        "homereturn.html", month=month, ward=ward, wards=wards, configured=bool(rules.wards), current=current,
        projection=projection, history=history, planned=planned, entered=entered, ids=ids, today=today,
        chart=chart(history, projection), edit=_edited(),
        percent=percent, class_labels=CLASS_LABELS, kind_labels=KIND_LABELS, flag_labels=FLAG_LABELS,
        previous=month.shift(-1), following=month.shift(1), concepts=_concepts(rules),
        warn=projection.passed is False)


@bp.route("/discharges", methods=("POST",))
@requires("edit_discharges")
def save():
    """Add a discharge record, or correct the one named by ``id`` (audited with old and new values)."""
    back = _back()
    row, problem = _form_discharge()
    discharge_id = _id_arg(request.form.get("id"))
    if problem is None:
        try:
            services().records.save_discharge(discharge_id, row, actor())
        except RecordsError:
            problem = "同じ患者・病棟・退院日の記録が既にあります。その記録を修正してください。"
    if problem:
        flash(problem, "error")
    else:
        flash(f"{row.patient_id}（{row.ward}、{row.exit_date}）の退院記録を保存しました。", "info")
    return redirect(back)


@bp.route("/discharges/<int:discharge_id>/remove", methods=("POST",))
@requires("edit_discharges")
def remove(discharge_id: int):
    """Remove a discharge record (a planned discharge that did not happen); audited."""
    if services().records.remove_discharge(discharge_id, actor()):
        flash("退院記録を削除しました。", "info")
    else:
        flash("その退院記録はありません。", "error")
    return redirect(_back())


@bp.route("/import", methods=("POST",))
@requires("edit_discharges")
def import_csv():
    """Import a CSV from the hospital system: every row, or none when a row is bad."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("CSV ファイルを選んでください。", "error")
        return redirect(_back())
    data = upload.stream.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        flash(f"CSV が大きすぎます（{MAX_IMPORT_BYTES // 1024 // 1024}MB まで）。", "error")
        return redirect(_back())
    outcome = import_discharge_bytes(services().records, data, upload.filename, actor())
    if outcome.imported:
        c = outcome.counts
        flash(f"{upload.filename}: {outcome.rows} 行を取り込みました（追加 {c['added']}、更新 {c['updated']}、"
              f"変更なし {c['unchanged']}、職員の修正を保持 {c['kept']}）。", "info")
    else:
        flash(f"{upload.filename}: 誤りのある行があるため、何も取り込みませんでした。", "error")
        for problem in outcome.problems[:20]:
            flash(str(problem), "error")
        if len(outcome.problems) > 20:
            flash(f"ほかに {len(outcome.problems) - 20} 行に誤りがあります。", "error")
    return redirect(_back())


# -- the form ----------------------------------------------------------------------


def _form_discharge() -> tuple[NewDischarge | None, str | None]:
    """The discharge typed into the form, or the first problem with it in words for a clerk."""
    form = request.form
    # As the CSV reader does: full-width digits and letters are the same ward and patient.
    patient_id = unicodedata.normalize("NFKC", form.get("patient_id", "")).strip()
    ward = " ".join(unicodedata.normalize("NFKC", form.get("ward", "")).split())
    day = parse_day(form.get("exit_date", ""))
    kind = form.get("kind", "")
    destination = " ".join(form.get("destination", "").split())
    if not (patient_id.isascii() and patient_id.isdigit() and len(patient_id) <= 32):
        return None, "患者IDは数字で入力してください。"
    if not ward or len(ward) > MAX_TEXT:
        return None, f"病棟を入力してください（{MAX_TEXT}文字まで）。"
    if day is None or day.year not in YEARS:
        return None, "退院日を 2026-10-14 の形で入力してください。"
    if kind not in KIND_LABELS:
        return None, "区分は退院か転棟を選んでください。"
    if len(destination) > MAX_TEXT:
        return None, f"退院先は{MAX_TEXT}文字までで入力してください。"
    flags = {name: form.get(name) == "1" for name in FLAG_LABELS}
    return NewDischarge(patient_id, ward, day.isoformat(), kind, destination, **flags), None


def _edited() -> dict | None:
    """The discharge record named by ``edit`` in the address, to correct in the form."""
    discharge_id = _id_arg(request.args.get("edit"))
    return services().records.discharge(discharge_id) if discharge_id is not None else None


def _id_arg(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        abort(400, description="退院記録の番号がわかりません。")
    return int(value)


def _month_arg(default: Month) -> Month:
    text = request.args.get("month", "").strip()
    if not text:
        return default
    try:
        month = Month.parse(text)
    except ValueError:
        abort(400, description="月は 2026-10 の形で指定してください。")
    if month.year not in YEARS:
        abort(400, description=f"月は {YEARS.start}年から{YEARS.stop - 1}年までで指定してください。")
    return month


def _back() -> str:
    """The monitor page the form was sent from (month and ward kept; only this page)."""
    month = request.form.get("month", "")
    ward = request.form.get("ward_shown", "")
    try:
        month = str(Month.parse(month))
    except ValueError:
        month = None
    return url_for(".view", month=month, ward=ward[:MAX_TEXT] or None)


def _concepts(rules) -> list[str]:
    """Destination concepts for the form's suggestions."""
    vocabulary = rules.vocabulary
    return [*vocabulary.home, *vocabulary.not_home]


# -- the chart ---------------------------------------------------------------------


def percent(rate: Fraction | None) -> str:
    """A rate as a percentage with one decimal, rounded down: 72.49 % never shows as 72.5 %."""
    if rate is None:
        return "—"
    return f"{math.floor(rate * 1000) / 10:.1f}%"


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float | None  # None: not computable
    label: str  # the month
    year: str  # the year, under the first month and under each January
    value: str
    passed: bool | None
    projected: bool = False


@dataclass(frozen=True)
class Chart:
    """Coordinates of the monitor's chart, drawn as inline SVG by the template."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    points: tuple[ChartPoint, ...]
    grid: tuple[tuple[float, str], ...]  # (y, label)
    threshold: tuple[tuple[float, float, float, str], ...]  # (x1, x2, y, label) per stretch of one threshold
    lines: tuple[str, ...]  # polyline point lists of consecutive computable months
    heading: tuple[float, float, float, float] | None  # dashed segment from the last month to the projection


def chart(history: list[HomeReturnResult], projection: HomeReturnResult,
          width: int = 1240, height: int = 260) -> Chart:
    """The chart's geometry: the months' rates as a line, the projection as a last open
    point, the threshold as a stepped line (it changes with a revision)."""
    left, right, top, bottom = 48, 16, 16, 40
    results = [*history, projection]
    rates = [r.rate for r in results if r.rate is not None]
    floor = min([Fraction(1, 2), *[Fraction(math.floor(r * 10), 10) for r in rates],
                 *[Fraction(math.floor(r.threshold * 10), 10) for r in results]])
    step = (width - left - right) / len(results)

    def y_of(value: Fraction) -> float:
        return round(top + (1 - float(value)) / (1 - float(floor)) * (height - top - bottom), 1)

    points = tuple(
        ChartPoint(round(left + step * (n + 0.5), 1), None if r.rate is None else y_of(r.rate),
                   f"{r.month.number}月", f"{r.month.year}年" if r.month.number == 1 or not n else "",
                   percent(r.rate), r.passed, projected=r is projection)
        for n, r in enumerate(results))
    grid = tuple((y_of(Fraction(v, 10)), f"{v * 10}%") for v in range(10, math.floor(floor * 10) - 1, -1))
    threshold = []
    for n, r in enumerate(results):
        x1, x2 = round(left + step * n, 1), round(left + step * (n + 1), 1)
        if threshold and threshold[-1][3] == percent(r.threshold):
            threshold[-1] = (threshold[-1][0], x2, threshold[-1][2], threshold[-1][3])
        else:
            threshold.append((x1, x2, y_of(r.threshold), percent(r.threshold)))
    lines, run = [], []
    for p in points[:-1]:
        if p.y is None:
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
        else:
            run.append(f"{p.x},{p.y}")
    if len(run) > 1:
        lines.append(" ".join(run))
    last, ahead = points[-2], points[-1]
    heading = (last.x, last.y, ahead.x, ahead.y) if last.y is not None and ahead.y is not None else None
    return Chart(width, height, left, right, top, bottom, points, grid, tuple(threshold), tuple(lines), heading)
