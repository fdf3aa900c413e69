"""Claim readiness for one month: patient by patient, item by item.

``check_month`` is the room's entry point; ``MonthReport.to_dict()`` is the
``shoko check --month YYYY-MM --json`` shape of the contract.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from billing.catalogue import BillingItem, Catalogue, Revision
from billing.checks import (
    apply_claim_frequency,
    apply_exclusion,
    apply_one_per_group,
    apply_requirement,
    apply_staff_links,
)
from billing.evidence import (
    CONTRACT,
    DEVICE_REMOVAL,
    GUIDANCE_RECORD,
    PRESCRIPTION,
    ClaimMark,
    EvidenceDocument,
    PatientFile,
    StaffLink,
    contract_covers,
    contract_period,
    patient_files,
)
from billing.months import Month
from billing.result import CONFLICT, MISSING, READY, STAFF, Evidence, ItemResult
from billing.rules import check_companion, check_device, check_management, check_staff_only


@dataclass(frozen=True)
class ReportItem:
    """One item of one patient's month, with what the catalogue says about it."""

    item: str
    status: str
    evidence: tuple[str, ...]
    problems: tuple[str, ...]
    name: str | None
    points: int | None
    summary: str
    evidence_sources: tuple[Evidence, ...]
    claimed: bool
    # False when the patient no longer needs the item this month (the device was
    # removed or its contracts ended before the month, or the patient switched to
    # another device): the status stays as checked, the month view shows 対象外.
    applicable: bool = True

    @property
    def warning(self) -> bool:
        """A ready item that carries warnings (a removal in the month, an older measurement)."""
        return self.status == READY and bool(self.problems)

    def to_dict(self) -> dict:
        """The contract's item keys, then extras (name, points, summary, sources, claimed)."""
        return {
            "item": self.item,
            "status": self.status,
            "evidence": list(self.evidence),
            "problems": list(self.problems),
            "name": self.name,
            "points": self.points,
            "summary": self.summary,
            "evidence_sources": [_source_dict(e) for e in self.evidence_sources],
            "claimed": self.claimed,
            "applicable": self.applicable,
        }


@dataclass(frozen=True)
class PatientReport:
    patient_id: str
    patient_name: str | None
    items: tuple[ReportItem, ...]

    def to_dict(self) -> dict:
        return {
            "patient_id": self.patient_id,
            "patient_name": self.patient_name,
            "items": [item.to_dict() for item in self.items],
        }


@dataclass(frozen=True)
class MonthReport:
    """The month's readiness; ``revision`` names the fee schedule that priced it."""

    month: str
    revision: str
    patients: tuple[PatientReport, ...]

    def to_dict(self) -> dict:
        """The contract's ``check --json`` shape."""
        return {"month": self.month, "patients": [patient.to_dict() for patient in self.patients]}

    def to_json(self, indent: int | None = None) -> str:
        """``to_dict()`` as JSON text, Japanese kept readable."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


def check_month(
    month: str | Month,
    documents: Iterable[EvidenceDocument],
    links: Iterable[StaffLink] = (),
    claims: Iterable[ClaimMark] = (),
    *,
    catalogue: Catalogue,
) -> MonthReport:
    """Check every patient with HOT paperwork, links or claims in the month.

    Raises ValueError for a malformed month and ConfigError when no revision of
    the catalogue is in force for it.
    """
    month = Month.parse(month) if isinstance(month, str) else month
    revision = catalogue.revision_for(month)
    files = patient_files(documents, links, claims)
    patients = tuple(
        check_patient(files[patient_id], month, revision, catalogue)
        for patient_id in sorted(files)
        if files[patient_id].is_relevant(month)
    )
    return MonthReport(str(month), revision.label, patients)


def check_patient(patient: PatientFile, month: Month, revision: Revision, catalogue: Catalogue) -> PatientReport:
    """All items of one patient for the month, in catalogue order."""
    management_codes = applicable_management(patient, month, revision)
    management = {}
    for code in management_codes:
        item = revision.item(code)
        management[code] = apply_staff_links(check_management(item, patient, month), patient.links_for(code, month))

    results = dict(management)
    for item in revision.items:
        if item.rule == "management":
            continue
        result = evaluate(item, patient, month, management, catalogue)
        result = apply_staff_links(result, patient.links_for(item.code, month))
        result = apply_exclusion(result, item, management_codes, revision)
        result = apply_requirement(result, item, management)
        if result.evidence or marked(patient, item.code, month):
            results[item.code] = result
    results.update(unknown_items(patient, month, revision))
    results = apply_one_per_group(results, revision, catalogue)
    results = apply_claim_frequency(results, revision, patient.claims, month, catalogue)
    order = {item.code: position for position, item in enumerate(revision.items)}
    codes = sorted(results, key=lambda code: order.get(code, len(order)))
    items = tuple(report_item(results[code], revision.item(code), marked(patient, code, month),
                              applicable(results[code], revision.item(code), patient, month))
                  for code in codes)
    return PatientReport(patient.patient_id, patient.patient_name, items)


def applicable(result: ItemResult, item: BillingItem | None, patient: PatientFile, month: Month) -> bool:
    """False for a missing item the patient no longer needs: a device item whose device
    was removed, or whose contracts all ended, before the month (also when the patient
    switched to another device); any other item when the patient's whole supply ended
    before the month and no guidance was given in it. Staff links and claim marks keep
    an item applicable."""
    if result.status != MISSING or item is None or patient.links_for(item.code, month) \
            or marked(patient, item.code, month):
        return True
    if item.rule == "device":
        ordered = any(month.contains(day) for order in patient.for_device(PRESCRIPTION, item.device_type)
                      if (day := order.date_field("document_date")))
        return ordered or not supply_ended(patient, month, item.device_type)
    guided = any(month.contains(day) for doc in patient.of_type(GUIDANCE_RECORD)
                 if (day := doc.date_field("guidance_date")))
    return guided or not supply_ended(patient, month)


def supply_ended(patient: PatientFile, month: Month, device_type: str | None = None) -> bool:
    """True when no contract (for ``device_type``, or for any device) covers the month and
    the supply ended before it: a removal dated before the month, or contracts that all
    ended before it."""
    contracts = patient.for_device(CONTRACT, device_type) if device_type else patient.of_type(CONTRACT)
    if any(contract_covers(doc, month) for doc in contracts):
        return False
    removals = patient.for_device(DEVICE_REMOVAL, device_type) if device_type else patient.of_type(DEVICE_REMOVAL)
    removed = any((day := doc.date_field("removal_date")) and day < month.first_day for doc in removals)
    periods = [contract_period(doc) for doc in contracts]
    ended = bool(periods) and all(p is not None and p[1] is not None and p[1] < month.first_day for p in periods)
    return removed or ended


def applicable_management(patient: PatientFile, month: Month, revision: Revision) -> list[str]:
    """The management items for the patient: those staff linked for the month
    (C103-1 applies only so), otherwise the revision's default (C103-2)."""
    management = [item for item in revision.items if item.rule == "management"]
    linked = [item.code for item in management if patient.links_for(item.code, month)]
    return linked or [item.code for item in management if item.default]


def evaluate(
    item: BillingItem, patient: PatientFile, month: Month, management: dict[str, ItemResult], catalogue: Catalogue
) -> ItemResult:
    """Run the evidence rule the catalogue names for an add-on item."""
    if item.rule == "device":
        return check_device(item, patient, month, catalogue.device_label(item.device_type))
    if item.rule == "companion":
        return check_companion(item, management.get(item.requires))
    return check_staff_only(item)


def unknown_items(patient: PatientFile, month: Month, revision: Revision) -> dict[str, ItemResult]:
    """Staff links to items the month's fee schedule does not have: they cannot be claimed."""
    results = {}
    for link in patient.links:
        if link.month == str(month) and revision.item(link.item) is None and link.item not in results:
            result = ItemResult(link.item).flagged(CONFLICT, f"{link.item} は{revision.label}の点数表にありません")
            results[link.item] = apply_staff_links(result, patient.links_for(link.item, month))
    return results


def marked(patient: PatientFile, code: str, month: Month) -> bool:
    """Whether a claim was already sent for the item and month."""
    return any(claim.item == code and claim.month == str(month) for claim in patient.claims)


def report_item(result: ItemResult, item: BillingItem | None, claimed: bool, applicable: bool = True) -> ReportItem:
    return ReportItem(
        item=result.code,
        status=result.status,
        evidence=result.evidence_ids,
        problems=result.problems,
        name=item.name if item else None,
        points=item.points if item else None,
        summary=result.summary,
        evidence_sources=result.evidence,
        claimed=claimed,
        applicable=applicable,
    )


def _source_dict(evidence: Evidence) -> dict:
    entry = {"id": evidence.doc_id, "source": evidence.source, "role": evidence.role}
    if evidence.source == STAFF:
        entry.update(reason=evidence.reason, actor=evidence.actor, at=evidence.at)
    return entry
