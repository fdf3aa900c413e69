"""Monthly guidance records (hot_guidance_record): a chart-note layout and a ruled-table layout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from samples.forms import Cell, Form, Sheet
from samples.orders import Flows
from samples.paper import HOSPITAL, Patient, Style
from samples.text import full_width, print_flow


@dataclass(frozen=True)
class GuidanceFacts:
    """One month's guidance: the visit, the measurement (maybe on another day), who wrote it."""

    patient: Patient
    doctor: str
    nurse: str
    given: date
    measured: date
    spo2: int
    pao2: float
    flows: Flows
    next_visit: date  # 次回予定: printed, but not a field
    note: str

    def fields(self) -> dict:
        """The record's fields in the contract form (document_date is the day it was written)."""
        return {
            "patient_id": self.patient.id,
            "patient_name": self.patient.name,
            "document_date": self.given.isoformat(),
            "doctor": self.doctor,
            "guidance_date": self.given.isoformat(),
            "measurement_date": self.measured.isoformat(),
            "spo2": self.spo2,
            "pao2": self.pao2,
            **self.flows.fields(),
        }


def _number(value: float | int, style: Style) -> str:
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    return full_width(text) if style.wide_digits else text


def guidance_note(facts: GuidanceFacts, style: Style) -> list[Sheet]:
    """The record as a chart note: label/value lines, measurements on their own lines."""
    p, f = facts.patient, facts.flows
    form = Form(style.family)
    form.line(f"{HOSPITAL}　在宅療養支援室")
    form.title("在宅酸素療法指導記録")
    form.right_line(f"記録日　{style.date_text(facts.given)}")
    form.pairs([(style.id_label, style.patient_id(p)), ("氏名", style.name(p.name))], [0, 0.45])
    form.labelled("指導日", style.date_text(facts.given), 330)
    form.labelled("担当医", style.name(facts.doctor), 330)
    wide = style.wide_digits
    form.line(f"酸素流量　安静時 {print_flow(f.rest, wide)}　労作時 {print_flow(f.exertion, wide)}"
              f"　睡眠時 {print_flow(f.sleep, wide)}")
    form.gap(20)
    form.line("測定値", bold=True)
    form.labelled("SpO2", f"{_number(facts.spo2, style)} %（室内気）", 330)
    form.labelled("PaO2", f"{_number(facts.pao2, style)} Torr", 330)
    form.labelled("測定日", style.date_text(facts.measured), 330)
    form.gap(20)
    form.line("指導内容", bold=True)
    form.paragraph(facts.note, indent=40)
    form.gap(20)
    form.labelled("次回予定", style.date_text(facts.next_visit), 330)
    form.labelled("記載者", f"看護師　{style.name(facts.nurse)}", 330)
    return [form.sheet]


def guidance_table(facts: GuidanceFacts, style: Style) -> list[Sheet]:
    """The record as a ruled form: one fact per cell, label beside value."""
    p, f = facts.patient, facts.flows
    form = Form(style.family)
    form.line(HOSPITAL)
    form.title("在宅酸素療法 指導管理記録")
    wide = style.wide_digits
    rows = [
        [Cell(style.id_label), Cell(style.patient_id(p)), Cell("患者氏名"), Cell(style.name(p.name))],
        [Cell("指導日"), Cell(style.date_text(facts.given)), Cell("医師"), Cell(style.name(facts.doctor))],
        [Cell("SpO2"), Cell(f"{_number(facts.spo2, style)} %"),
         Cell("PaO2"), Cell(f"{_number(facts.pao2, style)} Torr")],
        [Cell("測定日"), Cell(style.date_text(facts.measured)), Cell("測定条件"), Cell("安静・室内気")],
        [Cell("安静時"), Cell(print_flow(f.rest, wide)), Cell("労作時"), Cell(print_flow(f.exertion, wide))],
        [Cell("睡眠時"), Cell(print_flow(f.sleep, wide)), Cell("使用時間"), Cell("24 時間／日")],
    ]
    form.table(rows, [0.19, 0.31, 0.19, 0.31])
    form.line("指導内容", bold=True)
    form.paragraph(facts.note, indent=40)
    form.gap(30)
    form.table([
        [Cell("次回予定"), Cell(style.date_text(facts.next_visit)), Cell("記録日"), Cell(style.date_text(facts.given))],
        [Cell("記載者"), Cell(f"看護師 {style.name(facts.nurse)}", span=3)],
    ], [0.19, 0.31, 0.19, 0.31])
    return [form.sheet]
