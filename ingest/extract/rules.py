"""Extraction rules read from config/*.toml and compiled once."""

from __future__ import annotations

import pathlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ingest.extract.text import fold_kana, is_letter


def label_key(text: str) -> str:
    """How labels and phrases are compared: NFKC, no spaces, Latin lower-cased, small kana full size."""
    return fold_kana("".join(unicodedata.normalize("NFKC", text).split()).lower())


@dataclass(frozen=True)
class TypeRule:
    """How one document type is recognised."""

    name: str
    titles: tuple[str, ...]  # label keys
    keywords: tuple[str, ...]
    near_titles: re.Pattern[str] | None = None  # a title (5+ letters) with one wrong
    # A title built from parts: what the paper is about, then the kind of paper
    # (撤去 … 報告書, 利用終了 … 届), so that a title never seen is still recognised.
    title_concept: re.Pattern[str] | None = None


def _concept_pattern(subjects: list[str], forms: list[str], gap: int) -> re.Pattern[str] | None:
    """A subject, at most ``gap`` characters, then a form; or a form with its subject
    in brackets after it (作業完了報告書（引上げ）); compared as label keys."""
    subjects = sorted({label_key(s) for s in subjects if s.strip()}, key=len, reverse=True)
    forms = sorted({label_key(f) for f in forms if f.strip()}, key=len, reverse=True)
    if not subjects or not forms:
        return None
    subject = "(?:" + "|".join(map(re.escape, subjects)) + ")"
    form = "(?:" + "|".join(map(re.escape, forms)) + ")"
    return re.compile(f"{subject}.{{0,{gap}}}?{form}|{form}[(\\[【〔<]{subject}")


def _near_miss_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    variants = [re.escape(p[:i]) + "." + re.escape(p[i + 1:])
                for p in phrases if len(p) >= 5 for i in range(len(p))]
    return re.compile("|".join(variants)) if variants else None


@dataclass(frozen=True)
class LabelRule:
    """A printed label and the field it announces (None for a stop label)."""

    key: str
    field: str | None
    kind: str
    fuzzy: bool  # may match with one character wrong


@dataclass
class ExtractionRules:
    """Everything classification and field extraction need, compiled from config."""

    types: dict[str, TypeRule]
    type_settings: dict[str, float]
    other_title_markers: tuple[str, ...]
    cover_markers: tuple[str, ...]
    fields_by_type: dict[str, tuple[str, ...]]
    labels: list[LabelRule]
    settings: dict[str, float]
    name_titles: tuple[str, ...]
    surnames: frozenset[str]
    name_honorifics: frozenset[str]  # titles that end no name: they come off a one-letter given name too
    contract_parties: frozenset[str]  # 甲, 乙 …: never a person's name
    legal_forms: tuple[str, ...]
    legal_form_patterns: tuple[re.Pattern[str], ...]  # OCR may space out 株 式 会 社
    branch_suffixes: tuple[str, ...]
    address_suffixes: tuple[str, ...]
    seal_words: tuple[str, ...]
    addressed_to_suffixes: tuple[str, ...]
    vendor_exclude: tuple[str, ...]
    device_words: dict[str, tuple[str, ...]]  # device type -> label keys
    device_priority: tuple[str, ...]
    ticked_marks: frozenset[str]
    empty_marks: frozenset[str]
    date_groups: tuple[tuple[str, ...], ...] = ()
    max_days_apart: int = 92
    separator_words: tuple[str, ...] = ()
    separator_max_chars: int = 30
    # Column headings of a before/after table (変更前 | 変更後): label keys
    previous_columns: tuple[str, ...] = ()
    current_columns: tuple[str, ...] = ()
    # field -> event words that make the date just before them that field's (2025/11/25 採血)
    events_after_date: dict[str, tuple[str, ...]] = field(default_factory=dict)
    label_index: dict[str, list[LabelRule]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Index by first character, and by second for fuzzy matches whose first
        # character was misread, so matching does not try every label at every place.
        for rule in self.labels:
            self.label_index.setdefault(rule.key[0], []).append(rule)
            if rule.fuzzy:
                self.label_index.setdefault("\0" + rule.key[1], []).append(rule)
        for rules in self.label_index.values():
            rules.sort(key=lambda r: -len(r.key))

    def setting(self, name: str) -> float:
        """A number from the [settings] tables."""
        return float(self.settings[name])


def _load(path: pathlib.Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def composed_labels(groups: list[list[list[str]]]) -> list[str]:
    """Labels built from parts: each group is a list of part lists, and every
    combination of one part from each list is a label (患者|利用者 × 番号|ID|コード)."""
    import itertools

    return ["".join(parts) for group in groups for parts in itertools.product(*group) if "".join(parts)]


def load_rules(config_dir: pathlib.Path) -> ExtractionRules:
    """Read config/document_types.toml and config/fields.toml into compiled rules."""
    config_dir = pathlib.Path(config_dir)
    types_cfg = _load(config_dir / "document_types.toml")
    fields_cfg = _load(config_dir / "fields.toml")

    types = {}
    for name, spec in types_cfg.get("types", {}).items():
        titles = tuple(label_key(t) for t in spec.get("titles", []))
        concept = spec.get("title_concept", {})
        types[name] = TypeRule(name, titles, tuple(label_key(k) for k in spec.get("keywords", [])),
                               _near_miss_pattern(titles),
                               _concept_pattern(concept.get("subjects", []), concept.get("forms", []),
                                                int(concept.get("gap", 6))))
    settings = dict(fields_cfg.get("settings", {}))
    min_fuzzy = int(settings.get("fuzzy_min_length", 3))

    labels: list[LabelRule] = []
    seen: set[tuple[str, str | None]] = set()

    def add(text: str, field_name: str | None, kind: str) -> None:
        key = label_key(text)
        if not key or (key, field_name) in seen:
            return
        seen.add((key, field_name))
        # Near misses only where enough letters carry the label: (乙) is not (男).
        letters = sum(1 for ch in key if is_letter(ch))
        labels.append(LabelRule(key, field_name, kind, letters >= min_fuzzy))

    for name, spec in fields_cfg.get("fields", {}).items():
        for text in [*spec.get("labels", []), *composed_labels(spec.get("compose", []))]:
            add(text, name, spec.get("kind", "text"))
    for text in fields_cfg.get("stop", {}).get("labels", []):
        add(text, None, "stop")
    # Titles are printed text too: they must never be read as a near-miss label.
    for rule in types.values():
        for title in rule.titles:
            add(title, None, "title")

    devices_cfg = fields_cfg.get("devices", {})
    device_words = {name: tuple(label_key(w) for w in words)
                    for name, words in devices_cfg.items()
                    if name not in ("priority", "ticked_marks", "empty_marks")}
    vendor_cfg = fields_cfg.get("vendor", {})
    names_cfg = fields_cfg.get("names", {})

    def norm_all(items: list[str]) -> tuple[str, ...]:
        return tuple(unicodedata.normalize("NFKC", i) for i in items)

    legal_forms = tuple(sorted(set(norm_all(vendor_cfg.get("legal_forms", []))), key=len,
                               reverse=True))
    return ExtractionRules(
        types=types,
        type_settings=dict(types_cfg.get("settings", {})),
        other_title_markers=tuple(label_key(m) for m in
                                  types_cfg.get("other", {}).get("title_markers", [])),
        cover_markers=tuple(label_key(m) for m in types_cfg.get("other", {}).get("cover_markers", [])),
        fields_by_type={k: tuple(v) for k, v in fields_cfg.get("types", {}).items()},
        labels=labels,
        settings=settings,
        name_titles=tuple(sorted(norm_all(names_cfg.get("titles", [])), key=len, reverse=True)),
        surnames=frozenset(norm_all(names_cfg.get("surnames", []))),
        name_honorifics=frozenset(norm_all(names_cfg.get("honorifics", []))),
        contract_parties=frozenset(norm_all(names_cfg.get("contract_parties", []))),
        legal_forms=legal_forms,
        legal_form_patterns=tuple(re.compile(r"\s*".join(re.escape(ch) for ch in form))
                                  for form in legal_forms),
        branch_suffixes=norm_all(vendor_cfg.get("branch_suffixes", [])),
        address_suffixes=norm_all(vendor_cfg.get("address_suffixes", [])),
        seal_words=norm_all(vendor_cfg.get("seal_words", [])),
        addressed_to_suffixes=norm_all(vendor_cfg.get("addressed_to_suffixes", [])),
        vendor_exclude=norm_all(vendor_cfg.get("exclude_words", [])),
        device_words=device_words,
        device_priority=tuple(devices_cfg.get("priority", [])),
        ticked_marks=frozenset(norm_all(devices_cfg.get("ticked_marks", []))),
        empty_marks=frozenset(norm_all(devices_cfg.get("empty_marks", []))),
        date_groups=tuple(tuple(g) for g in fields_cfg.get("consistency", {}).get("groups", [])),
        max_days_apart=int(fields_cfg.get("consistency", {}).get("max_days_apart", 92)),
        separator_words=norm_all(fields_cfg.get("separator", {}).get("words", [])),
        events_after_date={name: tuple(label_key(w) for w in spec["events_after_date"])
                           for name, spec in fields_cfg.get("fields", {}).items() if spec.get("events_after_date")},
        previous_columns=tuple(label_key(w) for w in fields_cfg.get("columns", {}).get("previous", [])),
        current_columns=tuple(label_key(w) for w in fields_cfg.get("columns", {}).get("current", [])),
        separator_max_chars=int(fields_cfg.get("separator", {}).get("max_chars", 30)),
    )
