"""What the sample forms print about: the hospital, patients, suppliers, devices, print styles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from samples.text import SLASH, full_width, print_date, print_name

HOSPITAL = "医療法人 清流会 川辺中央病院"
DIRECTOR = "院長　大橋　正和"

# The contract's device_type values with the option words printed on the forms, in form order.
DEVICES = {
    "concentrator": "酸素濃縮装置",
    "liquid_stationary": "設置型液化酸素装置",
    "liquid_portable": "携帯型液化酸素装置",
    "cylinder_portable": "携帯用酸素ボンベ",
    "cylinder": "その他の酸素ボンベ",
    "demand_valve": "呼吸同調式デマンドバルブ",
}
DEVICE_OPTIONS = list(DEVICES.values())


@dataclass(frozen=True)
class Patient:
    """An invented patient; ``id_label`` is what this hospital's forms call the id."""

    id: str
    name: str  # "family given"
    birth: str  # printed as is (昭和22年5月3日)
    sex: str
    address: str


@dataclass(frozen=True)
class Supplier:
    """An invented home-oxygen supplier: ``name`` without its legal form, as the contract's vendor field."""

    name: str
    printed: str  # with its legal form, as on its letterhead: 株式会社みなと酸素サービス
    branch: str
    phone: str


@dataclass(frozen=True)
class Style:
    """How one document prints its values."""

    family: str = "sans"
    dates: str = SLASH
    id_label: str = "患者ID"
    wide_digits: bool = False  # patient id and amounts in full-width digits
    name_spacing: str = "　"
    tick: str = "レ"  # a check mark in the box, as staff tick a form by hand

    def date_text(self, day: date) -> str:
        """A date in this document's style."""
        return print_date(day, self.dates)

    def patient_id(self, patient: Patient) -> str:
        """The patient id as printed."""
        return full_width(patient.id) if self.wide_digits else patient.id

    def name(self, name: str) -> str:
        """A person's name with this document's spacing."""
        return print_name(name, self.name_spacing)
