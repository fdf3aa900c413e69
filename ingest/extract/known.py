"""Values already on file, and what they say about a new document's readings.

A hospital's doctors, suppliers and patients recur on paper after paper. A reading
that OCR was unsure of but that spells exactly a doctor's name, a supplier, or the
name on file for the same patient id is far likelier right than a misread that
happens to spell it: such a reading is filled in (at ``known_value_quality``)
instead of waiting for review. A patient id that comes with a name other than the
one on file is flagged: one of the two documents is wrong.

Only values read with high confidence or confirmed by staff count as known, so an
unsure reading never vouches for another. Pure: the records build the values.
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
    """Doctors, suppliers and patients' names as stored documents have them."""

    shared: dict[str, set[str]] = field(default_factory=dict)  # field -> values
    patient_names: dict[str, set[str]] = field(default_factory=dict)  # patient id -> names

    def learn(self, fields: dict[str, object]) -> None:
        """Take in one document's sure values (field name -> value)."""
        for name in SHARED_FIELDS:
            if fields.get(name):
                self.shared.setdefault(name, set()).add(str(fields[name]))
        pid, patient = fields.get("patient_id"), fields.get("patient_name")
        if pid and patient:
            self.patient_names.setdefault(str(pid), set()).add(str(patient))

    def supports(self, name: str, value: object, patient_id: str | None) -> bool:
        """True when ``value`` is exactly what is on file for this field."""
        if name in SHARED_FIELDS:
            return str(value) in self.shared.get(name, set())
        if name == "patient_name" and patient_id:
            return str(value) in self.patient_names.get(patient_id, set())
        return False

    def other_names(self, patient_id: str, patient_name: str) -> set[str]:
        """Names on file for the patient id other than ``patient_name``."""
        return self.patient_names.get(patient_id, set()) - {patient_name}


def sure_values(extraction: Extraction, bar: float) -> dict[str, object]:
    """The fields of an extraction sure enough to become known (confidence >= bar)."""
    return {name: value.value for name, value in extraction.fields.items()
            if value.confidence >= bar}


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
    patient = result.fields.get("patient_name")
    if pid and patient:
        others = known.other_names(pid, str(patient.value))
        if others:
            result.flags.append(f"patient_name: patient {pid} is {', '.join(sorted(others))} "
                                f"on other documents, here {patient.value}")
