"""Device rental contracts (hot_contract): a letter-style layout and a ruled-table layout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from samples.forms import SMALL, Cell, Form, Sheet, option_cell
from samples.paper import DEVICE_OPTIONS, DEVICES, DIRECTOR, HOSPITAL, Patient, Style, Supplier
from samples.text import print_yen


@dataclass(frozen=True)
class ContractFacts:
    """What a contract says; ``end`` None for an open-ended contract."""

    patient: Patient
    supplier: Supplier
    device: str  # a device_type value
    model: str
    start: date
    end: date | None
    monthly_fee: int
    signed: date
    renewal: bool = False

    def fields(self) -> dict:
        """The contract's fields in the contract (shared/contract.md) form."""
        fields = {
            "patient_id": self.patient.id,
            "patient_name": self.patient.name,
            "document_date": self.signed.isoformat(),
            "vendor": self.supplier.name,
            "device_type": self.device,
            "contract_start": self.start.isoformat(),
            "monthly_fee": self.monthly_fee,
        }
        if self.end is not None:
            fields["contract_end"] = self.end.isoformat()
        return fields


CLAUSES = [
    "第1条（目的）乙は甲に対し、上記機器を甲の指示する患者の居宅に設置し、賃貸する。",
    "第2条（保守）乙は機器の点検を定期的に行い、故障の連絡を受けたときは速やかに対応する。",
    "第3条（賃貸料）甲は乙に対し、毎月末日締めで賃貸料を翌月末日までに支払う。",
    "第4条（解約）甲は30日前までに書面で通知することにより、本契約を解約することができる。",
    "第5条（協議）本契約に定めのない事項は、甲乙誠意をもって協議のうえ決定する。",
]
RENEWAL = ("※期間満了の1か月前までに甲乙いずれからも申し出がないときは、同一条件で1年間更新し、"
           "以後も同様とする。")


def _period(facts: ContractFacts, style: Style, dash: bool = False) -> str:
    """The contract period: "X から Y まで", "X ～ Y", or open-ended."""
    if facts.end is None:
        return f"{style.date_text(facts.start)} から（期間の定めなし）"
    if dash:
        return f"{style.date_text(facts.start)} ～ {style.date_text(facts.end)}"
    return f"{style.date_text(facts.start)} から {style.date_text(facts.end)} まで"


def contract_letter(facts: ContractFacts, style: Style) -> list[Sheet]:
    """One page: preamble, particulars as label/value lines, clauses, signatures."""
    p, s = facts.patient, facts.supplier
    form = Form(style.family)
    form.title("在宅酸素療法機器 賃貸借契約書")
    form.paragraph(f"{HOSPITAL}（以下「甲」という。）と{s.printed}（以下「乙」という。）は、"
                   "在宅酸素療法に用いる機器の賃貸借について、次のとおり契約を締結する。")
    form.gap(30)
    form.pairs([(style.id_label, style.patient_id(p)), ("患者氏名", style.name(p.name))], [0, 0.45])
    form.pairs([("生年月日", p.birth), ("性別", p.sex)], [0, 0.45])
    form.line("機器の種類")
    form.options(DEVICE_OPTIONS, DEVICES[facts.device], on=style.tick)
    form.labelled("機種名", facts.model, 330)
    form.labelled("契約期間", _period(facts, style), 330)
    form.labelled("月額賃貸料", f"{print_yen(facts.monthly_fee, style.wide_digits)}円（税込）", 330)
    form.labelled("設置場所", f"患者居宅（{p.address}）", 330)
    form.gap(30)
    for clause in CLAUSES:
        form.paragraph(clause)
    if facts.renewal:
        form.paragraph(RENEWAL)
    form.gap(40)
    form.line(f"契約締結日　{style.date_text(facts.signed)}")
    form.gap(20)
    form.line(f"（甲）{HOSPITAL}")
    form.line(DIRECTOR, indent=90)
    form.line(f"（乙）{s.printed}　{s.branch}")
    form.line(f"TEL {s.phone}", indent=90)
    return [form.sheet]


def contract_table(facts: ContractFacts, style: Style) -> list[Sheet]:
    """Two pages: the supplier's form with a ruled particulars table, then terms and signatures."""
    p, s = facts.patient, facts.supplier
    first = Form(style.family)
    first.line(f"{s.printed}　{s.branch}", bold=True)
    first.line(f"TEL {s.phone}", size=SMALL)
    first.title("酸素供給装置 賃貸借契約書")
    ticked = DEVICES[facts.device]
    rows = [
        [Cell(style.id_label), Cell(style.patient_id(p), span=3)],
        [Cell("氏名"), Cell(f"{style.name(p.name)}　様", span=3)],
        [Cell("生年月日"), Cell(p.birth), Cell("性別"), Cell(p.sex)],
        [Cell("住所"), Cell(p.address, span=3)],
        [Cell("医療機関"), Cell(HOSPITAL, span=3)],
        [Cell("機器の種類"), option_cell(DEVICE_OPTIONS[:3], ticked, style.tick, span=3)],
        [Cell(""), option_cell(DEVICE_OPTIONS[3:], ticked, style.tick, span=3)],
        [Cell("機種"), Cell(facts.model, span=3)],
        [Cell("契約期間"), Cell(_period(facts, style, dash=True), span=3)],
        [Cell("月額料金"), Cell(f"{print_yen(facts.monthly_fee, style.wide_digits)}円（税込）", span=3)],
        [Cell("支払方法"), Cell("医療機関より月末締め翌月末払い", span=3)],
    ]
    first.table(rows, [0.2, 0.38, 0.14, 0.28])
    first.paragraph("上記の機器について、裏面（次頁）の条項により賃貸借契約を締結します。")

    second = Form(style.family)
    second.line("契約条項", bold=True)
    for clause in CLAUSES:
        second.paragraph(clause)
    if facts.renewal:
        second.paragraph(RENEWAL)
    second.gap(60)
    second.line(f"契約締結日　{style.date_text(facts.signed)}")
    second.gap(30)
    second.line("医療機関（甲）")
    second.line(HOSPITAL, indent=90)
    second.line(DIRECTOR, indent=90)
    second.line("供給者（乙）")
    second.line(f"{s.printed}　{s.branch}", indent=90)
    return [first.sheet, second.sheet]
