"""The work lists' reading of the records: contracts with their state, patients with
their last document and active devices, monthly fees per vendor, the claim month.

Pure functions over ``Records.document_facts()`` rows (no database, no HTTP), so the
web pages, a bench and the tests read the same figures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from billing.months import Month
from records.lists import document_date

ENDING = "ending"  # ends within the configured window
ACTIVE = "active"
OPEN = "open"  # no end date printed
ENDED = "ended"

CONTRACT_SORTS = ("ending", "patient", "vendor", "start", "end", "fee")
PATIENT_SORTS = ("patient", "name", "last")


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Contract:
    doc_id: str
    patient_id: str
    patient_name: str | None
    vendor: str | None
    device_type: str | None
    start: date | None
    end: date | None
    monthly_fee: int | float | None
    state: str
    days_left: int | None  # to the end date, while it has not passed
    ended_on: date | None  # the end date or the removal that ended it
    removal_id: str | None = None  # the removal report that ended it early

    def covers(self, month: Month) -> bool:
        """Whether the contract runs during some of ``month`` (a removal ends it)."""
        last = self.ended_on or self.end
        return (self.start is None or self.start <= month.last_day) and (last is None or last >= month.first_day)


def contracts(facts: list[dict], today: date, ending_days: int) -> list[Contract]:
    """Every contract document with its state on ``today``: 終了 when its end date has
    passed or a removal of the same patient's device (on or after the start) ended it,
    ending when the end lies within ``ending_days``; in id order."""
    removals = defaultdict(list)
    for doc in facts:
        if doc["doc_type"] == "hot_device_removal":
            day = _day(doc["fields"].get("removal_date"))
            if day:
                removals[str(doc["fields"]["patient_id"])].append((day, doc["fields"].get("device_type"), doc["id"]))
    out = []
    for doc in facts:
        if doc["doc_type"] != "hot_contract":
            continue
        values = doc["fields"]
        patient_id = str(values["patient_id"])
        start, end = _day(values.get("contract_start")), _day(values.get("contract_end"))
        device = values.get("device_type")
        removal = min(((day, doc_id) for day, kind, doc_id in removals.get(patient_id, ())
                       if (kind is None or device is None or kind == device) and (start is None or day >= start)
                       and (end is None or day <= end) and day <= today), default=None)
        if removal:
            state, ended_on, days_left = ENDED, removal[0], None
        elif end is not None and end < today:
            state, ended_on, days_left = ENDED, end, None
        elif end is None:
            state, ended_on, days_left = OPEN, None, None
        else:
            days_left = (end - today).days
            state, ended_on = (ENDING if days_left <= ending_days else ACTIVE), None
        out.append(Contract(doc["id"], patient_id, values.get("patient_name"), values.get("vendor"), device, start,
                            end, values.get("monthly_fee"), state, days_left, ended_on,
                            removal[1] if removal else None))
    return out


_STATE_ORDER = {ENDING: 0, ACTIVE: 1, OPEN: 2, ENDED: 3}


def sort_contracts(rows: list[Contract], key: str = "ending", descending: bool = False) -> list[Contract]:
    """``ending`` (default): ending soonest first, then running ones, open-ended ones, 終了
    last (most recently ended first); other keys sort by that column, blanks last."""
    if key == "ending" or key not in CONTRACT_SORTS:
        def ending(c: Contract):
            rank = _STATE_ORDER[c.state]
            when = c.end.toordinal() if c.end else 0
            if c.state == ENDED:
                when = -(c.ended_on.toordinal() if c.ended_on else 0)
            return (rank, when, c.doc_id)
        ordered = sorted(rows, key=ending)
        return ordered[::-1] if descending else ordered
    column = {"patient": lambda c: c.patient_id, "vendor": lambda c: c.vendor, "start": lambda c: c.start,
              "end": lambda c: c.end, "fee": lambda c: c.monthly_fee}[key]
    present = sorted((c for c in rows if column(c) is not None), key=lambda c: (column(c), c.doc_id),
                     reverse=descending)
    return present + [c for c in rows if column(c) is None]


@dataclass(frozen=True)
class VendorTotal:
    vendor: str
    contracts: int
    total: int | float
    without_fee: int  # contracts covering the month with no monthly fee on file
    doc_ids: tuple[str, ...]


def vendor_totals(rows: list[Contract], month: Month) -> list[VendorTotal]:
    """Monthly fees per vendor of the contracts running in ``month`` (to check against
    the supplier's invoice), by vendor name; a contract without a vendor is 「業者不明」."""
    groups: dict[str, list[Contract]] = defaultdict(list)
    for c in rows:
        if c.covers(month):
            groups[c.vendor or "業者不明"].append(c)
    return [VendorTotal(vendor, len(cs), sum(c.monthly_fee for c in cs if c.monthly_fee is not None),
                        sum(1 for c in cs if c.monthly_fee is None), tuple(c.doc_id for c in cs))
            for vendor, cs in sorted(groups.items())]


@dataclass
class Patient:
    patient_id: str
    patient_name: str | None = None
    documents: int = 0
    last_date: str | None = None
    last_doc_id: str | None = None
    last_doc_type: str | None = None
    contracts: list[Contract] = field(default_factory=list)

    @property
    def active_contracts(self) -> list[Contract]:
        return [c for c in self.contracts if c.state != ENDED]

    @property
    def active_devices(self) -> list[str]:
        return list(dict.fromkeys(c.device_type for c in self.active_contracts if c.device_type))


def patients(facts: list[dict], contract_rows: list[Contract]) -> list[Patient]:
    """Every patient with paperwork, by id: name, number of documents, the latest
    document by its date, the contracts (active ones marked)."""
    by_id: dict[str, Patient] = {}
    for doc in facts:
        values = doc["fields"]
        patient = by_id.setdefault(str(values["patient_id"]), Patient(str(values["patient_id"])))
        patient.documents += 1
        if values.get("patient_name"):
            patient.patient_name = values["patient_name"]
        when = document_date(doc["doc_type"], values) or ""
        if patient.last_doc_id is None or (when, doc["number"]) >= (patient.last_date or "", _number(patient)):
            patient.last_date, patient.last_doc_id, patient.last_doc_type = when or None, doc["id"], doc["doc_type"]
    for c in contract_rows:
        if c.patient_id in by_id:
            by_id[c.patient_id].contracts.append(c)
    return [by_id[k] for k in sorted(by_id)]


def _number(patient: Patient) -> int:
    return int(patient.last_doc_id[1:]) if patient.last_doc_id else 0


def sort_patients(rows: list[Patient], key: str = "patient", descending: bool = False) -> list[Patient]:
    """By id (default), name or the latest document's date; blanks last."""
    column = {"name": lambda p: p.patient_name, "last": lambda p: p.last_date}.get(key, lambda p: p.patient_id)
    present = sorted((p for p in rows if column(p) is not None), key=lambda p: (column(p), p.patient_id),
                     reverse=descending)
    return present + [p for p in rows if column(p) is None]


def claim_month(today: date, switch_day: int) -> str:
    """The month a clerk claims on ``today``: the previous one until ``switch_day``
    (claims for November go out in early December), then the current one."""
    month = Month.of(today)
    return str(month.shift(-1) if today.day <= switch_day else month)
