"""Claim readiness from the records: the bridge between ``records`` and ``billing``.

``shoko check`` and the web UI's month view build the report here, the same way.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from billing import Catalogue, ClaimMark, EvidenceDocument, MonthReport, StaffLink, check_month, load_catalogue
from records import Records
from shoko.settings import CONFIG_DIR

CATALOGUE_FILE = CONFIG_DIR / "billing.toml"


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
