"""The billing catalogue: items, points and rules for each fee-schedule revision.

The catalogue is data (``config/billing.toml``); this module reads and checks it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType

from kernel.errors import ConfigError

from billing.months import Month

RULES = ("management", "device", "companion", "staff")


@dataclass(frozen=True)
class Frequency:
    """At most ``claims`` claims of a group in ``months`` consecutive months."""

    claims: int
    months: int


@dataclass(frozen=True)
class BillingItem:
    """One billable item of one revision (see the comments in billing.toml)."""

    code: str
    name: str
    points: int
    group: str
    frequency: Frequency
    rule: str
    requires: str | None = None
    excluded_with: tuple[str, ...] = ()
    device_type: str | None = None
    default: bool = False
    needs_measurement: bool = False
    max_months: int | None = None


@dataclass(frozen=True)
class Revision:
    """A fee-schedule revision: its items and the day it takes effect."""

    key: str
    label: str
    start: date
    items: tuple[BillingItem, ...]

    def item(self, code: str) -> BillingItem | None:
        """The item with that code, None when this revision has no such item."""
        return next((item for item in self.items if item.code == code), None)


@dataclass(frozen=True)
class Catalogue:
    """All revisions (oldest first) and the Japanese labels used in messages."""

    revisions: tuple[Revision, ...]
    device_labels: Mapping[str, str]
    group_labels: Mapping[str, str]

    def revision_for(self, month: Month | str) -> Revision:
        """The revision in force on the first day of the month."""
        month = Month.parse(month) if isinstance(month, str) else month
        in_force = [r for r in self.revisions if r.start <= month.first_day]
        if not in_force:
            raise ConfigError(f"{month} に適用される点数表が billing の設定にありません")
        return in_force[-1]

    def items_for(self, month: Month | str) -> tuple[BillingItem, ...]:
        """The items that can be claimed for the month, with that month's points."""
        return self.revision_for(month).items

    def device_label(self, device_type: str) -> str:
        return self.device_labels.get(device_type, device_type)

    def group_label(self, group: str) -> str:
        return self.group_labels.get(group, group)


def load_catalogue(path: str | Path) -> Catalogue:
    """Read and check the catalogue TOML; raise ConfigError when it is invalid."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from error
    return parse_catalogue(data, source=str(path))


def parse_catalogue(data: Mapping, source: str = "billing catalogue") -> Catalogue:
    """Build a Catalogue from already parsed TOML data."""
    revisions_table = _get(data, "revisions", dict, source)
    revisions = sorted(
        (_parse_revision(key, table, f"{source}: revisions.{key}") for key, table in revisions_table.items()),
        key=lambda revision: revision.start,
    )
    if not revisions:
        raise ConfigError(f"{source}: no revisions")
    starts = [revision.start for revision in revisions]
    if len(set(starts)) != len(starts):
        raise ConfigError(f"{source}: two revisions start on the same day")
    return Catalogue(
        revisions=tuple(revisions),
        device_labels=MappingProxyType(dict(_get(data, "device_labels", dict, source))),
        group_labels=MappingProxyType(dict(_get(data, "group_labels", dict, source))),
    )


def _parse_revision(key: str, table: Mapping, where: str) -> Revision:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: expected a table")
    start = _get(table, "start", date, where)
    items = tuple(_parse_item(item, f"{where}.items[{n}]") for n, item in enumerate(_get(table, "items", list, where)))
    codes = [item.code for item in items]
    if len(set(codes)) != len(codes):
        raise ConfigError(f"{where}: an item code is listed twice")
    return Revision(key=key, label=_get(table, "label", str, where), start=start, items=items)


def _parse_item(table: Mapping, where: str) -> BillingItem:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: expected a table")
    where = f"{where} ({table.get('code', '?')})"
    frequency = _get(table, "frequency", dict, where)
    rule = _get(table, "rule", str, where)
    if rule not in RULES:
        raise ConfigError(f"{where}: rule must be one of {', '.join(RULES)}")
    item = BillingItem(
        code=_get(table, "code", str, where),
        name=_get(table, "name", str, where),
        points=_get(table, "points", int, where),
        group=_get(table, "group", str, where),
        frequency=Frequency(_get(frequency, "claims", int, where), _get(frequency, "months", int, where)),
        rule=rule,
        requires=_get(table, "requires", str, where, required=False),
        excluded_with=tuple(_get(table, "excluded_with", list, where, required=False) or ()),
        device_type=_get(table, "device_type", str, where, required=False),
        default=bool(_get(table, "default", bool, where, required=False)),
        needs_measurement=bool(_get(table, "needs_measurement", bool, where, required=False)),
        max_months=_get(table, "max_months", int, where, required=False),
    )
    if rule == "device" and item.device_type is None:
        raise ConfigError(f"{where}: a device item needs device_type")
    if rule in ("companion", "staff") and item.requires is None:
        raise ConfigError(f"{where}: a {rule} item needs requires")
    return item


def _get(table: Mapping, key: str, kind: type, where: str, required: bool = True):
    value = table.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{where}: {key} is missing")
        return None
    # TOML integers must not pass for booleans or the other way round.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{where}: {key} must be {kind.__name__}")
    return value
