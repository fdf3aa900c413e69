"""The month's claim report for the web UI: the same report as ``shoko check``."""

from __future__ import annotations

from billing import Catalogue, MonthReport
from shoko.claims import catalogue_at, month_report as records_month_report
from shoko.services import Services

__all__ = ["catalogue_at", "month_report"]


def month_report(services: Services, month: str, catalogue: Catalogue | None = None) -> MonthReport:
    """Claim readiness for ``month`` (YYYY-MM) from the services' records."""
    return records_month_report(services.records, month, catalogue)
