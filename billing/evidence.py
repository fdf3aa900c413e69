"""What the claim check reads: documents, staff links and claim marks, as plain values.

Field values follow the contract (``../shared/contract.md``): ISO date strings,
JSON numbers, digit-string patient ids, ``device_type`` values. A value that
cannot be read as its type counts as absent: the check never guesses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from billing.months import Month

CONTRACT = "hot_contract"
PRESCRIPTION = "hot_prescription"
GUIDANCE_RECORD = "hot_guidance_record"
DEVICE_REMOVAL = "hot_device_removal"
HOT_TYPES = (CONTRACT, PRESCRIPTION, GUIDANCE_RECORD, DEVICE_REMOVAL)


@dataclass(frozen=True)
class EvidenceDocument:
    """A stored document as the claim check sees it: id, type and fields."""

    id: str
    doc_type: str
    fields: Mapping[str, Any] = field(default_factory=dict)

    @property
    def patient_id(self) -> str | None:
        return self.text_field("patient_id")

    def text_field(self, name: str) -> str | None:
        value = self.fields.get(name)
        return value if isinstance(value, str) and value else None

    def date_field(self, name: str) -> date | None:
        value = self.fields.get(name)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None

    def number_field(self, name: str) -> float | None:
        value = self.fields.get(name)
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return value
        try:
            return float(value) if isinstance(value, str) else None
        except ValueError:
            return None


@dataclass(frozen=True)
class StaffLink:
    """A document a member of staff linked to (patient, item, month)."""

    doc_id: str
    patient_id: str
    item: str
    month: str
    reason: str | None
    actor: str
    at: str

    @property
    def has_reason(self) -> bool:
        return bool(self.reason and self.reason.strip())


@dataclass(frozen=True)
class ClaimMark:
    """A claim already sent for (patient, item, month); month is the 診療月 claimed."""

    patient_id: str
    item: str
    month: str
    actor: str
    at: str


@dataclass(frozen=True)
class PatientFile:
    """Everything on file for one patient."""

    patient_id: str
    documents: tuple[EvidenceDocument, ...] = ()
    links: tuple[StaffLink, ...] = ()
    claims: tuple[ClaimMark, ...] = ()

    def of_type(self, doc_type: str) -> list[EvidenceDocument]:
        return [doc for doc in self.documents if doc.doc_type == doc_type]

    def for_device(self, doc_type: str, device_type: str) -> list[EvidenceDocument]:
        return [doc for doc in self.of_type(doc_type) if doc.text_field("device_type") == device_type]

    def links_for(self, item: str, month: Month) -> list[StaffLink]:
        return [link for link in self.links if link.item == item and link.month == str(month)]

    @property
    def patient_name(self) -> str | None:
        """The name on the most recent document that carries one."""
        named = [doc for doc in self.documents if doc.text_field("patient_name")]
        if not named:
            return None
        latest = max(named, key=lambda doc: (doc.date_field("document_date") or date.min, doc.id))
        return latest.text_field("patient_name")

    def is_relevant(self, month: Month) -> bool:
        """True when a HOT document, a staff link or a claim mark concerns the month."""
        marked = [*self.links, *self.claims]
        return any(mark.month == str(month) for mark in marked) or any(
            is_relevant(doc, month) for doc in self.documents
        )


def contract_period(doc: EvidenceDocument) -> tuple[date, date | None] | None:
    """(start, end) of a contract; end None when open-ended; None without a start."""
    start = doc.date_field("contract_start")
    return None if start is None else (start, doc.date_field("contract_end"))


def contract_covers(doc: EvidenceDocument, month: Month) -> bool:
    """True when the contract's period overlaps the month."""
    period = contract_period(doc)
    if period is None:
        return False
    start, end = period
    return start <= month.last_day and (end is None or end >= month.first_day)


def contract_ended_before(doc: EvidenceDocument, month: Month) -> bool:
    """True when the contract ended in the month before (a lapse at the boundary)."""
    period = contract_period(doc)
    return period is not None and period[1] is not None and Month.of(period[1]) == month.shift(-1)


def is_relevant(doc: EvidenceDocument, month: Month) -> bool:
    """Whether a document puts its patient in the month's report."""
    dated = {
        GUIDANCE_RECORD: "guidance_date",
        PRESCRIPTION: "document_date",
        DEVICE_REMOVAL: "removal_date",
    }
    if doc.doc_type == CONTRACT:
        return contract_covers(doc, month) or contract_ended_before(doc, month)
    if doc.doc_type in dated:
        day = doc.date_field(dated[doc.doc_type])
        return day is not None and month.contains(day)
    return False


def patient_files(
    documents: Iterable[EvidenceDocument],
    links: Iterable[StaffLink] = (),
    claims: Iterable[ClaimMark] = (),
) -> dict[str, PatientFile]:
    """HOT documents, links and claim marks grouped by patient id.

    Documents without a patient id, and documents that are not HOT paperwork,
    cannot support a patient's claim by rule; staff can still link them.
    """
    grouped: dict[str, dict[str, list]] = {}

    def bucket(patient_id: str) -> dict[str, list]:
        return grouped.setdefault(patient_id, {"documents": [], "links": [], "claims": []})

    for doc in documents:
        if doc.doc_type in HOT_TYPES and doc.patient_id:
            bucket(doc.patient_id)["documents"].append(doc)
    for link in links:
        bucket(link.patient_id)["links"].append(link)
    for claim in claims:
        bucket(claim.patient_id)["claims"].append(claim)
    return {
        patient_id: PatientFile(patient_id, tuple(parts["documents"]), tuple(parts["links"]), tuple(parts["claims"]))
        for patient_id, parts in grouped.items()
    }
