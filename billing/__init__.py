"""Billing: the items 医事課 claims for home oxygen therapy and the evidence each needs.

Pure functions over plain values; this room knows nothing of OCR, HTTP or the
database. Entry points::

    catalogue = load_catalogue("config/billing.toml")
    report = check_month("2026-10", documents, links, claims, catalogue=catalogue)
    report.to_dict()          # the contract's ``check --json`` shape
    export_csv(report)        # bytes for the billing system
"""

from billing.catalogue import BillingItem, Catalogue, Revision, load_catalogue
from billing.evidence import ClaimMark, EvidenceDocument, StaffLink
from billing.export import export_csv
from billing.months import Month
from billing.report import MonthReport, PatientReport, ReportItem, check_month
from billing.result import CONFLICT, MISSING, READY
from billing.summary import era_date, measurement_summary

__all__ = [
    "CONFLICT",
    "MISSING",
    "READY",
    "BillingItem",
    "Catalogue",
    "ClaimMark",
    "EvidenceDocument",
    "Month",
    "MonthReport",
    "PatientReport",
    "ReportItem",
    "Revision",
    "StaffLink",
    "check_month",
    "era_date",
    "export_csv",
    "load_catalogue",
    "measurement_summary",
]
