"""Scan timeliness (issue 15): paper should be scanned without delay after it is written.

Pure functions: business days between a document's date and its intake, and the review
flag ``late_scan`` for a document taken in more than the configured number of business
days after its document date. ``Intake`` adds the flag where documents are stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

LATE_SCAN = "late_scan"


def business_days_after(start: date, end: date, holidays: Iterable[date] = ()) -> int:
    """Business days (Monday to Friday, not a holiday) after ``start`` up to and including
    ``end``: a paper of Friday scanned the next Monday is 1 business day late; 0 when
    ``end`` is not after ``start``."""
    if end <= start:
        return 0
    closed = set(holidays)
    # Whole weeks at once: five business days each, then the days left over one by one.
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    day = start + timedelta(days=weeks * 7)
    for _ in range(rest):
        day += timedelta(days=1)
        count += day.weekday() < 5
    count -= sum(1 for h in closed if start < h <= end and h.weekday() < 5)
    return count


@dataclass(frozen=True)
class ScanDelay:
    """The rule: more than ``business_days`` business days is late (0 turns the check off)."""

    business_days: int = 3
    holidays: frozenset[date] = frozenset()

    @classmethod
    def from_settings(cls, business_days: int, holidays: Iterable[str]) -> ScanDelay:
        """From the settings ``scan_delay_business_days`` and ``scan_holidays`` (ISO dates)."""
        return cls(int(business_days), frozenset(date.fromisoformat(str(h)) for h in holidays))

    def flag(self, document_date: object, ingested_on: date) -> str | None:
        """The ``late_scan`` flag ("late_scan: detail" in Japanese) when the document was taken
        in too long after its document date; None when on time, unknown or the check is off."""
        if self.business_days <= 0 or not document_date:
            return None
        try:
            written = date.fromisoformat(str(document_date)[:10])
        except ValueError:
            return None
        late = business_days_after(written, ingested_on, self.holidays)
        if late <= self.business_days:
            return None
        return (f"{LATE_SCAN}: スキャン遅延: 文書日付 {written.isoformat()} から {late} 営業日後に取り込み"
                f"（基準 {self.business_days} 営業日以内）")
