"""Claim readiness from the records: the bridge between ``records`` and ``billing``."""

from __future__ import annotations

from billing import ClaimMark, EvidenceDocument, MonthReport, StaffLink, check_month, load_catalogue
from records import Records
from shoko.settings import CONFIG_DIR

CATALOGUE_FILE = CONFIG_DIR / "billing.toml"


def month_report(records: Records, month: str) -> MonthReport:
    """Readiness of every home-oxygen claim of ``month`` (YYYY-MM) from stored evidence."""
    documents = [EvidenceDocument(d.id, d.doc_type, d.filled_fields)
                 for d in records.all_documents(with_fields=True) if d.doc_type.startswith("hot_")]
    links = [StaffLink(r["doc_id"], r["patient_id"], r["item"], r["month"], r["reason"], r["actor"], r["at"])
             for r in records.all_links()]
    claims = [ClaimMark(r["patient_id"], r["item"], r["month"], r["actor"], r["at"]) for r in records.all_claims()]
    return check_month(month, documents, links, claims, catalogue=load_catalogue(CATALOGUE_FILE))
