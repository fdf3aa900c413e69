"""The work lists: ``/`` (what needs doing now, per role), ``/review``, ``/documents``,
``/patients``, ``/contracts`` (with CSV and the monthly fees per vendor).

Lists only read; every change goes through the document page's forms (audited in
``records``). Sorting is by fixed keys, pages are bounded (``list_page_size``).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, g, render_template, request

from billing.export import csv_cell, encode_text
from billing.months import Month
from shoko import worklists
from shoko.claims import catalogue_at
from kernel.errors import ConfigError
from records.audit import Exported
from webui.auth import can, log_read, requires
from webui.fields import kind_of
from webui.labels import DEVICES, DOC_TYPES
from webui.month import CSV_ENCODINGS, default_month, month_arg, readings
from webui.security import services

bp = Blueprint("worklists", __name__)

MIN_PAGE_SIZE, MAX_PAGE_SIZE = 10, 200


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def window(self) -> range:
        return range(max(1, self.page - 4), min(self.pages, self.page + 4) + 1)


def _paging(total: int | None = None) -> Paging:
    """``page`` and ``per`` from the address, bounded; ``total`` fixed later when unknown."""
    page = request.args.get("page", 1, type=int) or 1
    per = request.args.get("per", services().config.list_page_size, type=int) or services().config.list_page_size
    return Paging(max(1, min(page, 100_000)), max(MIN_PAGE_SIZE, min(per, MAX_PAGE_SIZE)), total or 0)


def _sort(keys: tuple[str, ...], default: str, default_descending: bool) -> tuple[str, bool]:
    """The sort key (one of ``keys``, else ``default``) and direction from the address."""
    key = request.args.get("sort", default)
    if key not in keys:
        key = default
    direction = request.args.get("dir", "")
    descending = default_descending if direction not in ("asc", "desc") else direction == "desc"
    return key, descending


def _doc_type_arg() -> str | None:
    value = request.args.get("type", "")
    return value if value in DOC_TYPES else None


def _department_arg() -> str | None:
    value = request.args.get("department", "")
    departments = [role for role in services().permissions.roles if role != "admin"]
    return value if value in departments else None


def _patient_arg() -> tuple[str | None, list[str]]:
    value = unicodedata.normalize("NFKC", request.args.get("patient", "")).strip()
    if value and not (value.isascii() and value.isdigit()):
        return None, ["患者IDは数字で入力してください。"]
    return value or None, []


def _today() -> date:
    return date.fromisoformat(services().records.now()[:10])


def _departments() -> list[str]:
    return [role for role in services().permissions.roles if role != "admin"]


def _args(**changes) -> dict:
    """The current list's address arguments with ``changes`` (None removes one), for links."""
    args = {**(request.view_args or {}), **{k: v for k, v in request.args.items() if v}}
    for k, v in changes.items():
        if v is None:
            args.pop(k, None)
        else:
            args[k] = v
    return args


bp.add_app_template_global(lambda **changes: _args(**changes), "list_args")


# -- the work list -------------------------------------------------------------


@bp.route("/", endpoint="home")
@requires("read")
def home():
    """What needs doing now for the signed-in user's role, each item a link."""
    records = services().records
    config = services().config
    role = g.user["role"]
    types = services().permissions.types_for(role)
    review = records.review_summary(types)
    review_all = records.review_summary() if types is not None else review
    recent = records.list_documents(doc_types=types, limit=8).rows
    items = SimpleNamespace(review=review, review_all=review_all, types=types, recent=recent,
                            quarantine=None, contracts=None, claims=None)
    if can("upload"):
        items.quarantine = records.counts()["quarantined"]
    if can("view_contracts"):
        rows = worklists.contracts(readings().facts(), _today(), config.contracts_ending_days)
        ending = [c for c in rows if c.state == worklists.ENDING]
        items.contracts = SimpleNamespace(ending=len(ending), days=config.contracts_ending_days,
                                          soonest=min((c.end for c in ending), default=None))
    if can("check_claims"):
        month = default_month()
        try:
            report = readings().report(month, catalogue_at(current_app.config["BILLING_CATALOGUE"]))
        except ConfigError:
            report = None
        if report is not None:
            cells = [item for p in report.patients for item in p.items]
            not_ready = sum(1 for item in cells if item.status != "ready")
            warnings = sum(1 for item in cells if item.status == "ready" and item.problems)
            items.claims = SimpleNamespace(month=month, not_ready=not_ready, warnings=warnings, total=len(cells),
                                           patients=len(report.patients))
    return render_template("home.html", w=items)


# -- review ----------------------------------------------------------------------


@bp.route("/review")
@requires("read")
def review():
    """Documents with values awaiting review, oldest first; confirm each on the page."""
    records = services().records
    doc_type, department = _doc_type_arg(), _department_arg()
    mine = request.args.get("all") != "1"
    types = services().permissions.types_for(g.user["role"]) if mine and not doc_type else None
    paging = _paging()
    result = records.review_queue(doc_type=doc_type, department=department, doc_types=types,
                                  offset=paging.offset, limit=paging.per_page)
    paging = Paging(paging.page, paging.per_page, result.total)
    return render_template("review.html", rows=result.rows, paging=paging, doc_type=doc_type or "",
                           department=department or "", departments=_departments(), mine=mine,
                           types=types, prefill=float(services().config.review_prefill_confidence),
                           kind_of=kind_of)


# -- documents -------------------------------------------------------------------

DOCUMENT_SORT_LABELS = {"ingested": "取り込み日時", "date": "作成日", "type": "種類", "patient": "患者ID"}


@bp.route("/documents")
@requires("read")
def documents():
    """Recent documents: sortable, with type, department, patient and 要確認 filters, in pages."""
    records = services().records
    sort, descending = _sort(records.DOCUMENT_SORTS, "ingested", True)
    patient, problems = _patient_arg()
    review_only = request.args.get("review") == "1"
    paging = _paging()
    result = records.list_documents(sort=sort, descending=descending, doc_type=_doc_type_arg(),
                                    department=_department_arg(), patient_id=patient, review_only=review_only,
                                    offset=paging.offset, limit=paging.per_page)
    paging = Paging(paging.page, paging.per_page, result.total)
    form = {"type": _doc_type_arg() or "", "department": _department_arg() or "", "patient": patient or "",
            "review": review_only}
    return render_template("documents.html", rows=result.rows, paging=paging, sort=sort, descending=descending,
                           sorts=DOCUMENT_SORT_LABELS, form=form, departments=_departments(), problems=problems)


# -- patients --------------------------------------------------------------------

PATIENT_SORT_LABELS = {"patient": "患者ID", "name": "氏名", "last": "最新の文書"}


@bp.route("/patients")
@requires("read")
def patients():
    """Every patient with paperwork: last document, active devices and contracts."""
    sort, descending = _sort(worklists.PATIENT_SORTS, "patient", False)
    facts = readings().facts()
    contract_rows = worklists.contracts(facts, _today(), services().config.contracts_ending_days)
    rows = worklists.patients(facts, contract_rows)
    query = unicodedata.normalize("NFKC", request.args.get("q", "")).strip()
    if query:
        plain = query.replace(" ", "")
        rows = [p for p in rows if plain in p.patient_id or plain in (p.patient_name or "").replace(" ", "")]
    rows = worklists.sort_patients(rows, sort, descending)
    paging = _paging()
    paging = Paging(min(paging.page, max(1, -(-len(rows) // paging.per_page))), paging.per_page, len(rows))
    shown = rows[paging.offset:paging.offset + paging.per_page]
    return render_template("patients.html", rows=shown, paging=paging, sort=sort, descending=descending,
                           sorts=PATIENT_SORT_LABELS, q=query, show_fees=can("view_contracts"))


# -- contracts -------------------------------------------------------------------

CONTRACT_SORT_LABELS = {"ending": "終了が近い順", "patient": "患者ID", "vendor": "業者", "start": "開始日",
                        "end": "終了日", "fee": "月額"}
STATE_LABELS = {worklists.ENDING: "終了間近", worklists.ACTIVE: "契約中", worklists.OPEN: "期限なし",
                worklists.ENDED: "終了"}


def _contract_rows() -> tuple[list, str, bool]:
    sort, descending = _sort(worklists.CONTRACT_SORTS, "ending", False)
    rows = worklists.contracts(readings().facts(), _today(), services().config.contracts_ending_days)
    state = request.args.get("state", "")
    if state in STATE_LABELS:
        rows = [c for c in rows if c.state == state]
    vendor = unicodedata.normalize("NFKC", request.args.get("vendor", "")).strip()
    if vendor:
        rows = [c for c in rows if vendor in unicodedata.normalize("NFKC", c.vendor or "")]
    return worklists.sort_contracts(rows, sort, descending), sort, descending


@bp.route("/contracts")
@requires("view_contracts")
def contracts():
    """Every contract: patient, vendor, device, period, monthly fee; ending soonest first."""
    rows, sort, descending = _contract_rows()
    paging = _paging()
    paging = Paging(min(paging.page, max(1, -(-len(rows) // paging.per_page))), paging.per_page, len(rows))
    return render_template("contracts.html", rows=rows[paging.offset:paging.offset + paging.per_page],
                           paging=paging, sort=sort, descending=descending, sorts=CONTRACT_SORT_LABELS,
                           states=STATE_LABELS, state=request.args.get("state", ""),
                           vendor=request.args.get("vendor", ""), days=services().config.contracts_ending_days)


CONTRACT_CSV_HEADER = ("文書ID", "患者ID", "患者氏名", "業者", "機器", "開始日", "終了日", "月額", "状態", "残り日数",
                       "終了日（撤去）")


@bp.route("/contracts.csv")
@requires("view_contracts")
def contracts_csv():
    """The contracts list (filters and order as on the page) as CSV: UTF-8 with BOM or Shift_JIS."""
    rows, _, _ = _contract_rows()
    choice = request.args.get("encoding", "utf-8").lower()
    if choice not in CSV_ENCODINGS:
        abort(400, description="encoding は utf-8 か sjis を指定してください。")
    buffer = io.StringIO()
    # Text cells quoted (ids stay text for an importer), formulas neutralised; numbers plain.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(CONTRACT_CSV_HEADER)
    for c in rows:
        writer.writerow((c.doc_id, csv_cell(c.patient_id), csv_cell(c.patient_name or ""), csv_cell(c.vendor or ""),
                         DEVICES.get(c.device_type or "", c.device_type or ""), _iso(c.start), _iso(c.end),
                         "" if c.monthly_fee is None else c.monthly_fee, STATE_LABELS[c.state],
                         "" if c.days_left is None else c.days_left, _iso(c.ended_on)))
    log_read(Exported, what="contracts_csv", detail=f"{len(rows)} rows")
    return _csv_response(buffer.getvalue(), choice, f"shoko-contracts-{_today().isoformat()}")


@bp.route("/contracts/vendors")
@requires("vendor_totals")
def vendors():
    """Monthly fees per vendor of the contracts running in a month, to check the invoice."""
    month = month_arg(default=str(Month.of(_today())))
    rows = worklists.contracts(readings().facts(), _today(),
                               services().config.contracts_ending_days)
    totals = worklists.vendor_totals(rows, Month.parse(month))
    parsed = Month.parse(month)
    return render_template("vendors.html", month=month, totals=totals, previous=str(parsed.shift(-1)),
                           following=str(parsed.shift(1)), grand=sum(t.total for t in totals),
                           count=sum(t.contracts for t in totals))


# -- CSV helpers -----------------------------------------------------------------


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _csv_response(text: str, choice: str, stem: str):
    codec = CSV_ENCODINGS[choice]
    data = encode_text(text, codec)
    label = "sjis" if codec == "cp932" else "utf8"
    response = current_app.response_class(data, mimetype="text/csv")
    response.headers["Content-Type"] = f"text/csv; charset={'Shift_JIS' if codec == 'cp932' else 'utf-8'}"
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}-{label}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response

