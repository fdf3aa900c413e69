"""Values already on file, and what they say about a new document's readings.

A hospital's doctors, suppliers and patients recur on paper after paper. A reading
that OCR was unsure of but that spells exactly a doctor's name, a supplier, or the
name on file for the same patient id is far likelier right than a misread that
happens to spell it: such a reading is filled in (at ``known_value_quality``)
instead of waiting for review. A sure reading one character away from a doctor or
supplier on file (官本 for 宮本) goes to review instead, flagged. A patient id that comes with a name other than the
one on file is flagged: one of the two documents is wrong.

Values read with high confidence or confirmed by staff count as known at once; a
value filled in with less confidence counts once two documents have it. A reading
left for review never vouches for another. Pure: the records build the values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.document import Extraction, FieldValue

# Fields whose values recur across patients (a doctor, a supplier).
SHARED_FIELDS = ("doctor", "vendor")
# Every field known values are made of.
KNOWN_FIELDS = (*SHARED_FIELDS, "patient_id", "patient_name")


@dataclass
class KnownValues:
    """Doctors, suppliers and patients' names as stored documents have them.

    A value read surely (or typed by staff) is known at once. A value filled in
    but less sure becomes known when a second document has it too: two scans of
    two papers do not share their misreads.
    """

    shared: dict[str, set[str]] = field(default_factory=dict)  # field -> values
    patient_names: dict[str, set[str]] = field(default_factory=dict)  # patient id -> names
    _seen: dict[tuple, int] = field(default_factory=dict)  # unsure value -> documents with it
    _documents: dict[tuple, int] = field(default_factory=dict)  # filled value -> documents with it

    def learn(self, sure: dict[str, object], filled: dict[str, object] | None = None) -> None:
        """Take in one document's ``sure`` values and its other ``filled`` ones
        (field name -> value)."""
        for key in _keys(sure) | _keys(filled or {}):
            self._documents[key] = self._documents.get(key, 0) + 1
        for key in _keys(sure):
            self._know(key)
        for key in _keys(filled or {}) - _keys(sure):
            self._seen[key] = self._seen.get(key, 0) + 1
            if self._seen[key] >= 2:
                self._know(key)

    def _know(self, key: tuple) -> None:
        if key[0] == "patient":
            self.patient_names.setdefault(key[1], set()).add(key[2])
        else:
            self.shared.setdefault(key[0], set()).add(key[1])

    def supports(self, name: str, value: object, patient_id: str | None) -> bool:
        """True when ``value`` is exactly what is on file for this field."""
        if name in SHARED_FIELDS:
            return str(value) in self.shared.get(name, set())
        if name == "patient_name" and patient_id:
            return str(value) in self.patient_names.get(patient_id, set())
        return False

    def near_miss(self, name: str, value: object) -> str | None:
        """A value on file for a shared field that ``value`` differs from in exactly
        one character (官本 大輔 for 宮本 大輔: one misread stroke), else None. Only a
        value on at least two documents counts: the first could be the misread one."""
        text = str(value)
        for known in sorted(self.shared.get(name, set())):
            if self._documents.get((name, known), 0) >= 2 and len(known) == len(text) \
                    and sum(a != b for a, b in zip(known, text)) == 1:
                return known
        return None

    def other_names(self, patient_id: str, patient_name: str) -> set[str]:
        """Names on file for the patient id other than ``patient_name``."""
        return self.patient_names.get(patient_id, set()) - {patient_name}


def _keys(values: dict[str, object]) -> set[tuple]:
    keys = {(name, str(values[name])) for name in SHARED_FIELDS if values.get(name)}
    if values.get("patient_id") and values.get("patient_name"):
        keys.add(("patient", str(values["patient_id"]), str(values["patient_name"])))
    return keys


def values_to_learn(extraction: Extraction, bar: float) -> tuple[dict[str, object], dict[str, object]]:
    """An extraction's values sure enough to be known at once (confidence >= bar),
    and all its filled values."""
    filled = {name: value.value for name, value in extraction.fields.items()}
    sure = {name: value.value for name, value in extraction.fields.items()
            if value.confidence >= bar}
    return sure, filled


def apply_known(result: Extraction, known: KnownValues, quality: float) -> None:
    """Fill review readings that match a value on file; flag a patient id whose name
    differs from the one on file."""
    pid_value = result.fields.get("patient_id")
    pid = str(pid_value.value) if pid_value else None
    kept: list[FieldValue] = []
    for value in result.review:
        if value.name not in result.fields and known.supports(value.name, value.value, pid):
            result.fields[value.name] = FieldValue(value.name, value.value, value.source,
                                                   value.page, max(value.confidence, quality),
                                                   value.raw)
        else:
            kept.append(value)
    result.review = kept
    for name in SHARED_FIELDS:
        value = result.fields.get(name)
        near = known.near_miss(name, value.value) if value and not known.supports(name, value.value, pid) \
            else None
        if near:
            # One character from a name on file: more likely a misread of it than
            # another person or company; staff decide.
            del result.fields[name]
            result.review.append(value)
            result.flags.append(f"near_known: {name} {value.value} differs by one character from {near} on file")
    patient = result.fields.get("patient_name")
    if pid and patient:
        others = known.other_names(pid, str(patient.value))
        if others:
            result.flags.append(f"patient_name: patient {pid} is {', '.join(sorted(others))} "
                                f"on other documents, here {patient.value}")
