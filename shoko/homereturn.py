"""The 在宅復帰率 from the records: the bridge between ``records`` and ``wards``.

``shoko discharges import``, ``shoko homereturn`` and the web UI's monitor page
read and write discharges here, the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from billing.months import Month
from records import NewDischarge, Records
from kernel.errors import ShokoError
from shoko.settings import CONFIG_DIR
from wards import (
    Discharge,
    HomeReturnResult,
    HomeReturnRules,
    RowProblem,
    evaluate,
    load_rules,
    read_discharges,
    window,
)

RULES_FILE = CONFIG_DIR / "homereturn.toml"


@lru_cache(maxsize=4)
def rules_at(path: str | Path = RULES_FILE) -> HomeReturnRules:
    """The 在宅復帰率 rule, read once per path."""
    return load_rules(path)


@dataclass(frozen=True)
class ImportOutcome:
    """What importing one CSV did: everything (``imported``) or, with problems, nothing."""

    file: str
    encoding: str
    rows: int
    problems: tuple[RowProblem, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def imported(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        """The ``discharges import --json`` object."""
        return {"file": self.file, "imported": self.imported, "encoding": self.encoding or None, "rows": self.rows,
                **{k: self.counts.get(k, 0) for k in ("added", "updated", "unchanged", "kept")},
                "errors": [p.to_dict() for p in self.problems]}


def import_discharges(records: Records, path: Path, actor: str, rules: HomeReturnRules | None = None) -> ImportOutcome:
    """Import a CSV of discharges: all its rows in one transaction, or none when any row is bad."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ShokoError(f"cannot read {path}: {e.strerror or e}") from e
    return import_discharge_bytes(records, data, Path(path).name, actor, rules)


def import_discharge_bytes(records: Records, data: bytes, file_name: str, actor: str,
                           rules: HomeReturnRules | None = None) -> ImportOutcome:
    """``import_discharges`` for a file's bytes (an upload)."""
    parsed = read_discharges(data, (rules or rules_at()).csv)
    if parsed.problems:
        return ImportOutcome(file_name, parsed.encoding, parsed.rows, parsed.problems)
    counts = records.import_discharges([new_discharge(d) for d in parsed.discharges], file_name,
                                       hashlib.sha256(data).hexdigest(), actor)
    return ImportOutcome(file_name, parsed.encoding, parsed.rows, (), counts)


def new_discharge(discharge: Discharge) -> NewDischarge:
    """A discharge in the records layer's terms."""
    return NewDischarge(discharge.patient_id, discharge.ward, discharge.exit_date.isoformat(), discharge.kind,
                        discharge.destination, discharge.death, discharge.readmission,
                        discharge.short_stay_surgery, discharge.holds_addition)


def discharge_of(row: dict) -> Discharge:
    """A stored discharge row as the rule reads it."""
    return Discharge(row["patient_id"], row["ward"], date.fromisoformat(row["exit_date"]), row["kind"],
                     row["destination"], bool(row["death"]), bool(row["readmission"]),
                     bool(row["short_stay_surgery"]), bool(row["holds_addition"]))


def counted_wards(rules: HomeReturnRules, ward: str | None) -> list[str] | None:
    """The wards counted: the one asked for, else the configured 地域包括ケア wards,
    else (None) every ward on record."""
    if ward:
        return [ward]
    return list(rules.wards) or None


def home_return(records: Records, month: Month | str, ward: str | None = None,
                rules: HomeReturnRules | None = None) -> HomeReturnResult:
    """The 在宅復帰率 of ``month`` (YYYY-MM) over the six months before it; ValueError for a bad month."""
    month = Month.parse(month) if isinstance(month, str) else month
    return monthly_rates(records, month, 1, ward, rules)[0]


def monthly_rates(records: Records, last: Month, count: int = 12, ward: str | None = None,
                  rules: HomeReturnRules | None = None) -> list[HomeReturnResult]:
    """The rate of each of ``count`` months up to ``last``, oldest first, from one read of the records.

    A discharge dated after today is a planned one: it counts like the others, so the
    month after this one shows where the rate is heading."""
    rules = rules or rules_at()
    months = [last.shift(n - count + 1) for n in range(count)]
    first_day = window(months[0])[0].first_day.isoformat()
    last_day = window(months[-1])[1].last_day.isoformat()
    discharges = [discharge_of(r) for r in records.discharges(first_day, last_day)]
    wards = counted_wards(rules, ward)
    return [evaluate(m, discharges, rules, wards, ward) for m in months]
