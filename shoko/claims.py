"""Claim readiness from the records: the bridge between ``records`` and ``billing``.

``shoko check`` and the web UI's month view build the report here, the same way.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from billing import Catalogue, ClaimMark, EvidenceDocument, MonthReport, StaffLink, check_month, load_catalogue
from records import Records
from shoko.settings import CONFIG_DIR

CATALOGUE_FILE = CONFIG_DIR / "billing.toml"
# A spreadsheet takes a cell that starts with one of these as a formula (or, for TAB
# and CR, strips them and then reads what follows): =HYPERLINK(...) in a patient's
# name would run in 医事課's Excel. OWASP's advice: start such a cell with a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str | None) -> str | None:
    """``text`` made safe for a spreadsheet: prefixed with ``'`` when it starts like a formula."""
    if text and text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_safe(report: MonthReport) -> MonthReport:
    """A copy of ``report`` whose text cells cannot be read as formulas, for every CSV export.

    Only text is changed: points stay numbers (the catalogue's points are never
    negative, and a number is not a formula). Every text the CSV holds is covered,
    the ones staff or OCR can fill (name, patient id, 摘要) and the ones from the
    catalogue and rules alike, so a future column cannot slip through by origin.
    """
    return replace(report, patients=tuple(
        replace(patient, patient_id=csv_cell(patient.patient_id), patient_name=csv_cell(patient.patient_name),
                items=tuple(replace(item, item=csv_cell(item.item), status=csv_cell(item.status),
                                    name=csv_cell(item.name), summary=csv_cell(item.summary))
                            for item in patient.items))
        for patient in report.patients))


@lru_cache(maxsize=4)
def catalogue_at(path: str | Path = CATALOGUE_FILE) -> Catalogue:
    """The billing catalogue, read once per path."""
    return load_catalogue(path)


def month_report(records: Records, month: str, catalogue: Catalogue | None = None) -> MonthReport:
    """Readiness of every home-oxygen claim of ``month`` (YYYY-MM) from stored evidence.

    A staff link without its own patient id counts for the linked document's
    patient; a link with neither cannot be placed and is left out.
    """
    documents = records.all_documents(with_fields=True)
    evidence = [EvidenceDocument(doc.id, doc.doc_type, doc.filled_fields) for doc in documents]
    patient_of = {doc.id: doc.filled_fields.get("patient_id") for doc in documents}
    links = []
    for row in records.all_links():
        patient_id = row["patient_id"] or patient_of.get(row["doc_id"])
        if patient_id:
            links.append(StaffLink(row["doc_id"], str(patient_id), row["item"], row["month"], row["reason"],
                                   row["actor"], row["at"]))
    claims = [ClaimMark(row["patient_id"], row["item"], row["month"], row["actor"], row["at"])
              for row in records.all_claims()]
    return check_month(month, evidence, links, claims, catalogue=catalogue or catalogue_at())
