"""One patient's paperwork on a timeline: contracts with their periods, orders,
monthly guidance records (SpO2/PaO2), removals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, render_template, request

from shoko import worklists
from webui.auth import requires
from webui.security import services
from webui.worklists import Paging

bp = Blueprint("patients", __name__, url_prefix="/patients")

TIMELINE_PAGE = 50  # entries a page of the timeline shows (a patient of many years has hundreds)

# The date that places each type on the timeline, in order of preference.
_DATE_FIELDS = {
    "hot_contract": ("contract_start", "document_date"),
    "hot_prescription": ("document_date",),
    "hot_guidance_record": ("guidance_date", "measurement_date", "document_date"),
    "hot_device_removal": ("removal_date", "document_date"),
}


@dataclass(frozen=True)
class TimelineEntry:
    date: str
    doc_id: str
    doc_type: str
    title: str
    fields: dict


def timeline(documents) -> list[TimelineEntry]:
    """Entries newest first; documents without any date come last."""
    entries = []
    for doc in documents:
        values = doc.filled_fields
        date = next((str(values[f]) for f in _DATE_FIELDS.get(doc.doc_type, ("document_date",)) if f in values), "")
        entries.append(TimelineEntry(date, doc.id, doc.doc_type, doc.title, values))
    return sorted(entries, key=lambda e: (e.date != "", e.date, e.doc_id), reverse=True)


@bp.route("/<patient_id>")
@requires("read")
def view(patient_id: str):
    """Every document of the patient by date and type."""
    if not (patient_id.isascii() and patient_id.isdigit()):
        abort(404)
    documents = services().records.patient_documents(patient_id)
    if not documents:
        abort(404, description="この患者IDの文書はありません。")
    entries = timeline(documents)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    paging = Paging(min(page, -(-len(entries) // TIMELINE_PAGE)), TIMELINE_PAGE, len(entries))
    names = [e.fields["patient_name"] for e in entries if e.fields.get("patient_name")]
    contracts = [e for e in entries if e.doc_type == "hot_contract"]
    facts = [{"id": d.id, "number": d.number, "doc_type": d.doc_type, "ingested_at": d.ingested_at,
              "fields": d.filled_fields} for d in documents]
    today = date.fromisoformat(services().records.now()[:10])
    states = {c.doc_id: c for c in worklists.contracts(facts, today, services().config.contracts_ending_days)}
    return render_template("patient.html", patient_id=patient_id, patient_name=names[0] if names else "",
                           entries=entries[paging.offset:paging.offset + paging.per_page], paging=paging,
                           contracts=contracts, states=states)
