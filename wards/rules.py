"""The 在宅復帰率 rule: revisions, thresholds, ward tiers and the classification of a discharge.

The rule is data (``config/homereturn.toml``); this module reads it and applies it.
Pure functions over plain values: nothing here reads the database or the clock.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType

from billing.months import Month
from kernel.errors import ConfigError
from wards.destinations import HOME, NOT_HOME, Vocabulary, match_destination

EXCLUDED = "excluded"
CLASSES = (HOME, NOT_HOME, EXCLUDED)
DISCHARGE = "discharge"  # 退院: the patient leaves the hospital
TRANSFER = "transfer"  # 転棟: to another ward of the same hospital
KINDS = (DISCHARGE, TRANSFER)
TIERS = (1, 2, 3, 4)
WINDOW_MONTHS = 6
# The CSV columns shoko reads, by the name the code gives them.
COLUMNS = ("patient_id", "ward", "exit_date", "kind", "destination", "death", "readmission",
           "short_stay_surgery", "holds_addition")
FLAGS = ("death", "readmission", "short_stay_surgery", "holds_addition")


@dataclass(frozen=True)
class Discharge:
    """One patient leaving a ward, as the hospital system reports it.

    ``holds_addition``: the receiving ward, clinic or 老健 holds the 加算 that makes it
    count as home (在宅復帰機能強化加算, or 在宅復帰・在宅療養支援機能加算 for a 老健)."""

    patient_id: str
    ward: str
    exit_date: date
    kind: str
    destination: str = ""
    death: bool = False
    readmission: bool = False
    short_stay_surgery: bool = False
    holds_addition: bool = False


@dataclass(frozen=True)
class Classification:
    """How one discharge counts: ``cls`` is home, not_home or excluded, ``reason`` says why.

    ``unknown`` marks a destination the vocabulary does not name: counted as not
    home until a person corrects it."""

    cls: str
    reason: str
    concept: str | None = None
    unknown: bool = False


@dataclass(frozen=True)
class Revision:
    """One revision of the rule: its thresholds (percent, by tier) and what it leaves out."""

    label: str
    start: date
    thresholds: Mapping[int, Fraction]
    exclude_short_stay_surgery: bool
    exclude_same_hospital_transfer: bool


@dataclass(frozen=True)
class CsvLayout:
    """Header names of the hospital system's CSV (``columns``: name in code → header)
    and the 区分 values (``kinds``: value as written → discharge or transfer)."""

    columns: Mapping[str, str]
    kinds: Mapping[str, str]


@dataclass(frozen=True)
class HomeReturnRules:
    """Everything in ``config/homereturn.toml``."""

    revisions: tuple[Revision, ...]
    vocabulary: Vocabulary
    csv: CsvLayout
    wards: Mapping[str, int] = field(default_factory=dict)
    default_tier: int = 1

    def revision_on(self, day: date) -> Revision:
        """The revision in force on ``day``; the oldest one for any day before it (the
        ward type began with it, so an earlier month has nothing to count but still
        shows on a twelve-month chart)."""
        in_force = [r for r in self.revisions if r.start <= day]
        return in_force[-1] if in_force else self.revisions[0]

    def tier_of(self, ward: str) -> int:
        """The ward's tier (入院料/管理料 1 to 4); ``default_tier`` for a ward not listed."""
        return self.wards.get(ward, self.default_tier)

    def threshold(self, month: Month, wards: Collection[str]) -> Fraction:
        """Minimum rate (0–1) of ``month`` for these wards: the strictest of their tiers,
        since every ward counted together must meet its own."""
        revision = self.revision_on(month.first_day)
        tiers = {self.tier_of(w) for w in wards} or {self.default_tier}
        return max(revision.thresholds[tier] for tier in tiers) / 100


@dataclass(frozen=True)
class PatientLine:
    """One discharge of the window with its classification."""

    discharge: Discharge
    classification: Classification

    def to_dict(self) -> dict:
        """The contract's entry of ``patients``."""
        return {"patient_id": self.discharge.patient_id, "exit_date": self.discharge.exit_date.isoformat(),
                "destination": self.discharge.destination, "class": self.classification.cls,
                "reason": self.classification.reason}


@dataclass(frozen=True)
class HomeReturnResult:
    """The 在宅復帰率 of one month (over the six months before it)."""

    month: Month
    ward: str | None
    window: tuple[Month, Month]
    numerator: int
    denominator: int
    threshold: Fraction
    patients: tuple[PatientLine, ...]

    @property
    def rate(self) -> Fraction | None:
        """home / (home + not home); None when nobody counts (not computable)."""
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @property
    def passed(self) -> bool | None:
        """True at or above the threshold, False below it, None when not computable (never a pass)."""
        return None if self.rate is None else self.rate >= self.threshold

    @property
    def unknown_destinations(self) -> tuple[PatientLine, ...]:
        """Discharges whose destination must be checked by a person."""
        return tuple(p for p in self.patients if p.classification.unknown)

    def to_dict(self) -> dict:
        """The contract's ``homereturn --json`` object."""
        return {"month": str(self.month), "ward": self.ward, "window": [str(m) for m in self.window],
                "numerator": self.numerator, "denominator": self.denominator,
                "rate": None if self.rate is None else float(self.rate), "threshold": float(self.threshold),
                "pass": self.passed, "patients": [p.to_dict() for p in self.patients]}


def window(month: Month) -> tuple[Month, Month]:
    """The months counted for ``month``: the six calendar months before it (M-6 … M-1)."""
    return month.shift(-WINDOW_MONTHS), month.shift(-1)


def classify(discharge: Discharge, rules: HomeReturnRules) -> Classification:
    """How one discharge counts, by the revision in force on its discharge day."""
    revision = rules.revision_on(discharge.exit_date)
    if discharge.death:
        return Classification(EXCLUDED, "死亡退院のため対象外")
    if discharge.readmission:
        return Classification(EXCLUDED, "再入院（通算対象）のため対象外")
    if discharge.short_stay_surgery and revision.exclude_short_stay_surgery:
        return Classification(EXCLUDED, f"短期滞在手術等の患者のため対象外（{revision.label}から）")
    if discharge.kind == TRANSFER:
        return _transfer(discharge, revision)
    destination = match_destination(discharge.destination, rules.vocabulary)
    if not destination.known:
        return Classification(NOT_HOME, _unknown_reason(discharge.destination, destination.candidates), unknown=True)
    if destination.side == HOME:
        return Classification(HOME, f"在宅等（{destination.concept}）", destination.concept)
    addition = rules.vocabulary.home_with_addition.get(destination.concept)
    if addition and discharge.holds_addition:
        return Classification(HOME, f"在宅等（{destination.concept}・{addition}あり）", destination.concept)
    if addition:
        return Classification(NOT_HOME, f"在宅等に当たらない（{destination.concept}・{addition}なし）",
                              destination.concept)
    return Classification(NOT_HOME, f"在宅等に当たらない（{destination.concept}）", destination.concept)


def _transfer(discharge: Discharge, revision: Revision) -> Classification:
    if revision.exclude_same_hospital_transfer:
        return Classification(EXCLUDED, f"同一医療機関内の転棟のため対象外（{revision.label}から）")
    if discharge.holds_addition:
        return Classification(HOME, "在宅等（在宅復帰機能強化加算の届出病棟への転棟）")
    return Classification(NOT_HOME, "在宅等に当たらない（同一医療機関内の他病棟への転棟・在宅復帰機能強化加算なし）")


def _unknown_reason(text: str, candidates: tuple[str, ...]) -> str:
    if not text.strip():
        return "退院先が空欄です（在宅等に数えていません。退院先を入力してください）"
    if candidates:
        return (f"退院先「{text}」は {'・'.join(candidates)} のどれか判別できません"
                "（在宅等に数えていません。退院先を確認してください）")
    return f"退院先「{text}」を判別できません（在宅等に数えていません。退院先を確認してください）"


def evaluate(month: Month, discharges: Iterable[Discharge], rules: HomeReturnRules,
             wards: Collection[str] | None = None, ward: str | None = None) -> HomeReturnResult:
    """The 在宅復帰率 of ``month`` from the discharges of its window.

    ``wards`` limits the count to those wards (None: every ward in ``discharges``);
    ``ward`` is the name reported (None when several are counted together)."""
    first, last = window(month)
    chosen = [d for d in discharges
              if first.first_day <= d.exit_date <= last.last_day and (wards is None or d.ward in wards)]
    chosen.sort(key=lambda d: (d.exit_date, d.patient_id, d.ward))
    lines = tuple(PatientLine(d, classify(d, rules)) for d in chosen)
    home = sum(1 for p in lines if p.classification.cls == HOME)
    not_home = sum(1 for p in lines if p.classification.cls == NOT_HOME)
    counted_wards = set(wards) if wards is not None else {d.ward for d in chosen}
    return HomeReturnResult(month, ward, (first, last), home, home + not_home,
                            rules.threshold(month, counted_wards), lines)


def load_rules(path: str | Path) -> HomeReturnRules:
    """The rule from its TOML file; ``ConfigError`` naming what is wrong."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{path}: {e}") from e
    try:
        return _rules(data)
    except (KeyError, TypeError, ValueError) as e:
        raise ConfigError(f"{path}: {e!r}") from e


def _rules(data: dict) -> HomeReturnRules:
    revisions = []
    for entry in data["revisions"]:
        thresholds = {int(tier): Fraction(str(value)) for tier, value in entry["thresholds"].items()}
        if set(thresholds) != set(TIERS):
            raise ValueError(f"revision {entry['label']}: thresholds for tiers {TIERS} needed")
        revisions.append(Revision(str(entry["label"]), entry["start"], MappingProxyType(thresholds),
                                  bool(entry["exclude_short_stay_surgery"]),
                                  bool(entry["exclude_same_hospital_transfer"])))
    if not revisions:
        raise ValueError("no revisions")
    revisions.sort(key=lambda r: r.start)
    destinations = data["destinations"]
    vocabulary = Vocabulary(
        MappingProxyType({k: tuple(v) for k, v in destinations["home"].items()}),
        MappingProxyType({k: tuple(v) for k, v in destinations["not_home"].items()}),
        MappingProxyType(dict(destinations.get("home_with_addition", {}))),
    )
    unknown = set(vocabulary.home_with_addition) - set(vocabulary.not_home)
    if unknown:
        raise ValueError(f"home_with_addition names concepts not in not_home: {sorted(unknown)}")
    columns = {name: str(data["csv"][name]) for name in COLUMNS}
    kinds = {value: kind for kind in KINDS for value in data["csv"]["kinds"][kind]}
    wards = {str(name): int(tier) for name, tier in data.get("wards", {}).items()}
    default_tier = int(data.get("default_tier", 1))
    bad = {t for t in [*wards.values(), default_tier] if t not in TIERS}
    if bad:
        raise ValueError(f"ward tiers must be one of {TIERS}: {sorted(bad)}")
    return HomeReturnRules(tuple(revisions), vocabulary, CsvLayout(MappingProxyType(columns), MappingProxyType(kinds)),
                           MappingProxyType(wards), default_tier)
