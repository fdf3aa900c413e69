"""Doctors' orders to the supplier (hot_prescription): a chart-printed layout and a ruled request form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from samples.forms import SMALL, Cell, Form, Sheet, option_cell
from samples.paper import DEVICE_OPTIONS, DEVICES, HOSPITAL, Patient, Style, Supplier
from samples.text import print_flow


@dataclass(frozen=True)
class Flows:
    """Oxygen flow rates in L/min at rest, on exertion and asleep."""

    rest: float
    exertion: float
    sleep: float

    def fields(self) -> dict:
        return {"flow_rest": self.rest, "flow_exertion": self.exertion, "flow_sleep": self.sleep}


@dataclass(frozen=True)
class OrderFacts:
    """What an order says."""

    patient: Patient
    supplier: Supplier
    device: str
    flows: Flows
    doctor: str
    written: date
    period: tuple[date, date]  # 指示期間: printed, but not a field
    diagnosis: str
    hours: int = 24

    def fields(self) -> dict:
        """The order's fields in the contract form."""
        return {
            "patient_id": self.patient.id,
            "patient_name": self.patient.name,
            "document_date": self.written.isoformat(),
            "vendor": self.supplier.name,
            "device_type": self.device,
            "doctor": self.doctor,
            **self.flows.fields(),
        }


NOTES = "火気から2m以上離して使用すること。息切れが強いときや発熱時は速やかに連絡すること。"


def order_chart(facts: OrderFacts, style: Style) -> list[Sheet]:
    """The order as the chart system prints it: label/value lines, flows on one line."""
    p, f = facts.patient, facts.flows
    form = Form(style.family)
    form.line(f"{HOSPITAL}　呼吸器内科")
    form.title("在宅酸素療法指示書")
    form.right_line(f"作成日　{style.date_text(facts.written)}")
    form.pairs([(style.id_label, style.patient_id(p)), ("患者氏名", style.name(p.name))], [0, 0.45])
    form.pairs([("生年月日", p.birth), ("性別", p.sex)], [0, 0.45])
    form.labelled("診断名", facts.diagnosis, 330)
    form.line("使用機器")
    form.options(DEVICE_OPTIONS, DEVICES[facts.device], on=style.tick)
    wide = style.wide_digits
    form.line(f"酸素流量　安静時 {print_flow(f.rest, wide)}　労作時 {print_flow(f.exertion, wide)}"
              f"　睡眠時 {print_flow(f.sleep, wide)}")
    form.labelled("使用時間", f"{facts.hours}時間／日", 330)
    form.labelled("指示期間", f"{style.date_text(facts.period[0])} ～ {style.date_text(facts.period[1])}", 330)
    form.labelled("供給業者", f"{facts.supplier.printed}　{facts.supplier.branch}", 330)
    form.line("留意事項")
    form.paragraph(NOTES, indent=40)
    form.gap(60)
    form.signature([f"主治医　{style.name(facts.doctor)}　印"])
    return [form.sheet]


def order_request(facts: OrderFacts, style: Style) -> list[Sheet]:
    """A ruled request form sent to the supplier, flows as a header row and a value row."""
    p, f, s = facts.patient, facts.flows, facts.supplier
    form = Form(style.family)
    form.line(f"{s.printed} {s.branch} 行", bold=True)
    form.line(f"FAX {s.phone}", size=SMALL)
    form.title("酸素供給依頼書（在宅酸素療法指示書）", size=64)
    ticked = DEVICES[facts.device]
    rows = [
        [Cell(style.id_label), Cell(style.patient_id(p)), Cell("氏名"), Cell(style.name(p.name))],
        [Cell("生年月日"), Cell(p.birth), Cell("性別"), Cell(p.sex)],
        [Cell("病名"), Cell(facts.diagnosis, span=3)],
        [Cell("使用機器"), option_cell(DEVICE_OPTIONS[:3], ticked, style.tick, span=3)],
        [Cell(""), option_cell(DEVICE_OPTIONS[3:], ticked, style.tick, span=3)],
    ]
    form.table(rows, [0.2, 0.3, 0.14, 0.36])
    wide = style.wide_digits
    form.table([
        [Cell("酸素流量"), Cell("安静時"), Cell("労作時"), Cell("睡眠時")],
        [Cell(""), Cell(print_flow(f.rest, wide)), Cell(print_flow(f.exertion, wide)), Cell(print_flow(f.sleep, wide))],
    ], [0.2, 0.26, 0.27, 0.27])
    form.table([
        [Cell("使用時間"), Cell(f"1日 {facts.hours} 時間")],
        [Cell("指示期間"), Cell(f"{style.date_text(facts.period[0])} ～ {style.date_text(facts.period[1])}")],
        [Cell("留意事項"), Cell("火気から2m以上離して使用すること")],
    ], [0.2, 0.8])
    form.gap(40)
    form.table([
        [Cell("指示日"), Cell(style.date_text(facts.written)), Cell("指示医師"), Cell(style.name(facts.doctor))],
        [Cell("医療機関名"), Cell(HOSPITAL, span=3)],
    ], [0.2, 0.3, 0.16, 0.34])
    form.gap(40)
    form.line("業者記入欄　受付日：　　　　　設置予定日：　　　　　担当：", size=SMALL)
    return [form.sheet]
