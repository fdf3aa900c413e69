"""Evidence rules: what each kind of item needs on file for one patient and month.

A rule looks only at the patient's documents. Staff links, the management item
an add-on depends on, and the checks across items come after (billing.checks).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from billing.catalogue import BillingItem
from billing.evidence import (
    CONTRACT,
    DEVICE_REMOVAL,
    GUIDANCE_RECORD,
    PRESCRIPTION,
    EvidenceDocument,
    PatientFile,
    contract_covers,
    contract_ended_before,
    contract_period,
)
from billing.months import Month
from billing.result import CONFLICT, MISSING, READY, RULE, Evidence, ItemResult
from billing.summary import measurement_summary


@dataclass(frozen=True)
class Measurement:
    """An SpO2 and/or PaO2 value with the day it was measured."""

    doc_id: str
    measured_on: date
    spo2: float | None = None
    pao2: float | None = None

    @property
    def summary(self) -> str:
        return measurement_summary(self.measured_on, self.spo2, self.pao2)


def guidance_in_month(patient: PatientFile, month: Month) -> list[EvidenceDocument]:
    """Guidance records whose guidance date falls in the month."""
    return [
        doc
        for doc in patient.of_type(GUIDANCE_RECORD)
        if (day := doc.date_field("guidance_date")) and month.contains(day)
    ]


def latest_order(patient: PatientFile, month: Month) -> EvidenceDocument | None:
    """The most recent order (hot_prescription) dated on or before the month's end."""
    orders = [
        doc
        for doc in patient.of_type(PRESCRIPTION)
        if (day := doc.date_field("document_date")) and day <= month.last_day
    ]
    return max(orders, key=lambda doc: (doc.date_field("document_date"), doc.id), default=None)


def latest_measurement(patient: PatientFile, month: Month) -> Measurement | None:
    """The latest SpO2/PaO2 measured on or before the month's end, from any guidance record.

    A value without its measurement date cannot go on the claim, so it is not used.
    """
    measurements = []
    for doc in patient.of_type(GUIDANCE_RECORD):
        measured_on = doc.date_field("measurement_date")
        spo2, pao2 = doc.number_field("spo2"), doc.number_field("pao2")
        if measured_on and measured_on <= month.last_day and (spo2 is not None or pao2 is not None):
            measurements.append(Measurement(doc.id, measured_on, spo2, pao2))
    return max(measurements, key=lambda m: (m.measured_on, m.doc_id), default=None)


def check_management(item: BillingItem, patient: PatientFile, month: Month) -> ItemResult:
    """C103-*: guidance given in the month, an order on file, and the measurement for 摘要欄."""
    result = ItemResult(item.code)
    guidance = guidance_in_month(patient, month)
    if guidance:
        result = result.with_evidence(*(Evidence.found(doc, "guidance") for doc in guidance))
    else:
        result = result.flagged(MISSING, f"{month} の指導記録（指導日が {month} のもの）がありません")
    order = latest_order(patient, month)
    if order:
        result = result.with_evidence(Evidence.found(order, "order"))
    else:
        result = result.flagged(MISSING, f"{month.last_day} 以前の指示書がありません")
    return with_measurement(result, item, latest_measurement(patient, month), month)


def with_measurement(
    result: ItemResult, item: BillingItem, measurement: Measurement | None, month: Month
) -> ItemResult:
    """Add the measurement and its 摘要; warn when it predates the month."""
    if measurement is None:
        if item.needs_measurement:
            return result.flagged(MISSING, "摘要欄に必要な SpO2/PaO2 の値と測定日がありません")
        return result
    result = result.with_evidence(Evidence(measurement.doc_id, RULE, "measurement"))
    result = replace(result, summary=measurement.summary)
    if not month.contains(measurement.measured_on):
        result = result.flagged(READY, f"{month} の測定がなく、前月以前の値です: {measurement.summary}")
    return result


def check_device(item: BillingItem, patient: PatientFile, month: Month, label: str) -> ItemResult:
    """C157-*, C158, C159-*: a contract for the device whose period covers the month.

    The contract is the evidence of supply; an order alone is not. ``label`` is the
    device's Japanese name for messages.
    """
    contracts = patient.for_device(CONTRACT, item.device_type)
    covering = [doc for doc in contracts if contract_covers(doc, month)]
    result = ItemResult(item.code).with_evidence(*(Evidence.found(doc, "contract") for doc in covering))
    if not covering:
        result = without_contract(result, patient, item.device_type, month, label)
    for removal in patient.for_device(DEVICE_REMOVAL, item.device_type):
        result = with_removal(result, removal, covering, month, label)
    return result


def without_contract(
    result: ItemResult, patient: PatientFile, device_type: str, month: Month, label: str
) -> ItemResult:
    """Missing: say what is on file instead (a lapsed contract, an unreadable one, an order)."""
    result = result.flagged(MISSING, f"{month} を含む{label}の契約がありません")
    for doc in patient.for_device(CONTRACT, device_type):
        if contract_ended_before(doc, month):
            end = contract_period(doc)[1]
            result = result.with_evidence(Evidence.found(doc, "ended_contract"))
            result = result.flagged(MISSING, f"契約（{doc.id}）は {end} に終了しています")
        elif contract_period(doc) is None:
            # Without a start date no period can be checked: the field needs a person.
            result = result.with_evidence(Evidence.found(doc, "incomplete_contract"))
            result = result.flagged(MISSING, f"契約書（{doc.id}）の契約開始日が読み取れていません")
    for order in patient.for_device(PRESCRIPTION, device_type):
        ordered_on = order.date_field("document_date")
        if ordered_on and month.contains(ordered_on):
            result = result.with_evidence(Evidence.found(order, "order"))
            result = result.flagged(MISSING, f"指示書（{order.id}）はありますが、契約書がありません")
    return result


def with_removal(
    result: ItemResult,
    removal: EvidenceDocument,
    covering: list[EvidenceDocument],
    month: Month,
    label: str,
) -> ItemResult:
    """A removal inside the month is shown; one before the month while a contract
    that began before it still covers the month is a conflict (the contract should
    have been closed). A removal before a later contract started is an earlier
    installation and does not matter."""
    removed_on = removal.date_field("removal_date")
    if removed_on is None:
        return result
    if month.contains(removed_on):
        result = result.with_evidence(Evidence.found(removal, "removal"))
        return result.flagged(READY, f"{removed_on} に{label}が撤去されています（{removal.id}）")
    still_open = [doc.id for doc in covering if contract_period(doc)[0] <= removed_on]
    if removed_on < month.first_day and still_open:
        result = result.with_evidence(Evidence.found(removal, "removal"))
        return result.flagged(
            CONFLICT,
            f"{removed_on} に撤去済み（{removal.id}）ですが、契約（{'、'.join(still_open)}）が "
            f"{month} も有効です。契約の終了を確認してください",
        )
    return result


def check_companion(item: BillingItem, management: ItemResult | None) -> ItemResult:
    """C171-*: claimed with its management item, on the same documents.

    Whether it is ready follows the management item (billing.checks.apply_requirement).
    """
    ids = management.evidence_ids if management else ()
    return ItemResult(item.code, evidence=tuple(Evidence(doc_id, RULE, "management") for doc_id in ids))


def check_staff_only(item: BillingItem) -> ItemResult:
    """C103-remote: no scanned document proves remote monitoring, so only a staff
    link with a written reason can make it ready."""
    limit = f"（算定は最大{item.max_months}か月分）" if item.max_months else ""
    return ItemResult(item.code).flagged(
        MISSING, f"{item.name}は書類からは確認できません。理由を書いて記録を紐付けてください{limit}"
    )
