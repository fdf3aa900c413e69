"""Claim readiness from the records: the bridge between ``records`` and ``billing``.

``shoko check`` and the web UI's month view build the report here, the same way.
"""

from __future__ import annotations

import logging
import threading
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


log = logging.getLogger(__name__)


def month_report(records: Records, month: str, catalogue: Catalogue | None = None) -> MonthReport:
    """Readiness of every home-oxygen claim of ``month`` (YYYY-MM) from stored evidence.

    A staff link without its own patient id counts for the linked document's
    patient; a link with neither cannot be placed and is left out.
    """
    documents = records.filled_documents()
    evidence = [EvidenceDocument(doc_id, doc_type, fields) for doc_id, doc_type, fields in documents]
    patient_of = {doc_id: fields.get("patient_id") for doc_id, _, fields in documents}
    links = []
    for row in records.all_links():
        patient_id = row["patient_id"] or patient_of.get(row["doc_id"])
        if patient_id:
            links.append(StaffLink(row["doc_id"], str(patient_id), row["item"], row["month"], row["reason"],
                                   row["actor"], row["at"]))
    claims = [ClaimMark(row["patient_id"], row["item"], row["month"], row["actor"], row["at"])
              for row in records.all_claims()]
    return check_month(month, evidence, links, claims, catalogue=catalogue or catalogue_at())


class CachedReadings:
    """Month reports and list facts kept while the records do not change.

    Every change to the records appends an audit row in its own transaction, so the
    audit log's last row (``Records.change_mark``) tells whether a reading is still
    good; a change anywhere drops everything. ``keep`` bounds how many readings stay.
    """

    def __init__(self, records: Records, keep: int = 8):
        self.records = records
        self.keep = keep
        self._mark = None
        self._readings: dict = {}
        self._asked: dict = {}  # key -> how to compute it: what ``refresh`` makes ready again
        self._lock = threading.Lock()

    def _get(self, key, compute):
        mark = self.records.change_mark()
        with self._lock:
            self._asked[key] = compute
            while len(self._asked) > self.keep:
                self._asked.pop(next(iter(self._asked)))
            if mark != self._mark:
                self._mark, self._readings = mark, {}
            if key in self._readings:
                return self._readings[key]
        value = compute()
        with self._lock:
            if mark == self._mark:
                if len(self._readings) >= self.keep:
                    self._readings.pop(next(iter(self._readings)))
                self._readings[key] = value
        return value

    def refresh(self) -> None:
        """Compute again, after a change, the readings people asked for before it."""
        with self._lock:
            asked = list(self._asked.items())
        for key, compute in asked:
            self._get(key, compute)

    def keep_warm(self, stop: threading.Event, seconds: float = 2.0) -> None:
        """Until ``stop`` is set, look for a change every ``seconds`` and ``refresh``: a
        new document costs the server the month's recount, not the next person's wait."""
        while not stop.wait(seconds):
            try:
                self.refresh()
            except Exception:  # a failed recount is made again by the next request
                log.exception("readings could not be refreshed")

    def report(self, month: str, catalogue: Catalogue) -> MonthReport:
        """``month_report`` of the records, computed once per change."""
        return self._get(("report", month, id(catalogue)), lambda: month_report(self.records, month, catalogue))

    def facts(self) -> list[dict]:
        """``Records.document_facts()``, read once per change (callers must not modify it)."""
        return self._get(("facts",), self.records.document_facts)
