"""End of supply (hot_device_removal): a supplier's report letter and a ruled collection slip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from samples.forms import SMALL, Cell, Form, Sheet, option_cell
from samples.paper import DEVICE_OPTIONS, DEVICES, HOSPITAL, Patient, Style, Supplier


@dataclass(frozen=True)
class RemovalFacts:
    """A device taken back from a patient's home."""

    patient: Patient
    supplier: Supplier
    device: str
    model: str
    serial: str
    removed: date
    reported: date
    reason: str
    worker: str

    def fields(self) -> dict:
        """The report's fields in the contract form."""
        return {
            "patient_id": self.patient.id,
            "patient_name": self.patient.name,
            "document_date": self.reported.isoformat(),
            "vendor": self.supplier.name,
            "device_type": self.device,
            "removal_date": self.removed.isoformat(),
        }


def removal_letter(facts: RemovalFacts, style: Style) -> list[Sheet]:
    """The supplier's report: letterhead, addressee, particulars as lines."""
    p, s = facts.patient, facts.supplier
    form = Form(style.family)
    form.right_line(f"報告日　{style.date_text(facts.reported)}")
    form.line(f"{HOSPITAL}　御中")
    form.signature([f"{s.printed}", f"{s.branch}　TEL {s.phone}"])
    form.title("機器撤去報告書")
    form.paragraph("下記のとおり在宅酸素療法機器の撤去が完了しましたので、ご報告いたします。", size=42)
    form.gap(30)
    form.labelled(style.id_label, style.patient_id(p), 360)
    form.labelled("患者氏名", f"{style.name(p.name)}　様", 360)
    form.line("撤去機器")
    form.options(DEVICE_OPTIONS, DEVICES[facts.device], on=style.tick)
    form.labelled("機種名", f"{facts.model}　製造番号 {facts.serial}", 360)
    form.labelled("撤去日", style.date_text(facts.removed), 360)
    form.labelled("撤去理由", facts.reason, 360)
    form.labelled("作業担当", style.name(facts.worker), 360)
    form.gap(30)
    form.paragraph("撤去した機器は当社にて点検・消毒のうえ保管いたします。ご不明な点は担当までお問い合わせください。")
    return [form.sheet]


def removal_slip(facts: RemovalFacts, style: Style) -> list[Sheet]:
    """A collection slip: everything in one ruled table, the device ticked in a cell."""
    p, s = facts.patient, facts.supplier
    form = Form(style.family)
    form.line(f"{s.printed}　{s.branch}", bold=True)
    form.line(f"TEL {s.phone}", size=SMALL)
    form.title("機器回収報告書")
    ticked = DEVICES[facts.device]
    rows = [
        [Cell("報告日"), Cell(style.date_text(facts.reported), span=3)],
        [Cell("医療機関"), Cell(HOSPITAL, span=3)],
        [Cell(style.id_label), Cell(style.patient_id(p)), Cell("氏名"), Cell(style.name(p.name))],
        [Cell("回収機器"), option_cell(DEVICE_OPTIONS[:3], ticked, style.tick, span=3)],
        [Cell(""), option_cell(DEVICE_OPTIONS[3:], ticked, style.tick, span=3)],
        [Cell("機種"), Cell(facts.model), Cell("製造番号"), Cell(facts.serial)],
        [Cell("回収日"), Cell(style.date_text(facts.removed)), Cell("理由"), Cell(facts.reason)],
        [Cell("作業担当"), Cell(style.name(facts.worker), span=3)],
    ]
    form.table(rows, [0.2, 0.32, 0.16, 0.32])
    form.paragraph("上記機器を回収いたしましたのでご報告します。")
    return [form.sheet]
