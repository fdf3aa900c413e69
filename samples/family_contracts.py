"""Contract layouts of the layout families (hot_contract), beyond the demo's two.

- contract_c: a supplier's レンタル契約書, boxes with the label above the value, the device
  named (酸素濃縮器 …), レンタル期間 / レンタル料（月額）, 契約日 at the foot, a hanko.
- contract_d: an individual contract (個別契約書) in mincho: the patient named in an article
  (診察券番号 in brackets), a 別表 with the device circled by hand, 貸与期間 and 賃貸料 in
  full-width era dates and digits, the signing date alone above the signatures.
- contract_e: a records-system print-out in a monospaced face: ``label : value`` lines,
  half-width kana for the reading and the supplier, ● for the chosen device, ISO dates.
- contract_f: a contract with an items table (品名 | 型式 | 数量 | 月額), a stationary device and
  its accessories, 月額合計, カルテNo. and 患者様氏名, R8.10.1 dates, 作成日 in the corner.
"""

from __future__ import annotations

from datetime import timedelta

from samples.casebook import (
    Casebook,
    Draft,
    add_months,
    first_of_next_month,
    half_width_kana,
    print_birth,
    print_date,
    year_end,
    yen,
)
from samples.forms import SMALL, Form
from samples.penwork import (
    BLUE_INK,
    FORM_GREEN,
    boxes,
    circled,
    grid,
    key_values,
    put,
    receipt_stamp,
    rule,
    seal,
    title,
)

DEVICE_WORDS_C = {
    "concentrator": "酸素濃縮器", "liquid_stationary": "液化酸素装置（親器）",
    "cylinder_portable": "携帯用酸素ボンベ",
}


def _contract_fields(patient, vendor, device, start, end, fee, signed) -> dict:
    fields = {"patient_id": patient.id, "patient_name": patient.name, "document_date": signed.isoformat(),
              "vendor": vendor.name, "device_type": device, "contract_start": start.isoformat(),
              "monthly_fee": fee}
    if end is not None:
        fields["contract_end"] = end.isoformat()
    return fields


def contract_c(book: Casebook) -> Draft:
    """A supplier's rental contract: label-above-value boxes, the device named, a hanko."""
    patient, hospital, vendor = book.patient(7), book.hospital(), book.vendor(book.pick(["suffix", "prefix"]))
    device = book.device()
    signed = book.day()
    start = signed + timedelta(days=int(book.rng.integers(0, 6)))
    end = year_end(start) if book.chance(0.6) else None
    fee, model = book.fee(device), book.model(device)
    customer = f"C-{book.digits(6)}"
    style = "western"
    date = lambda d: print_date(d, style)

    form = Form("sans")
    sheet = form.sheet
    put(sheet, form.left, form.y + SMALL, vendor.printed(), SMALL, bold=True)
    put(sheet, form.left, form.y + SMALL * 2.4, f"{vendor.branch}　TEL {vendor.phone}　FAX {vendor.fax}", 34)
    right = f"お客様番号　{customer}"
    put(sheet, form.right - sheet.width_of(right, 36), form.y + SMALL, right, 36)
    form.gap(SMALL * 3)
    title(form, "在宅酸素療法用機器 レンタル契約書", 68)
    form.paragraph(f"ご依頼医療機関（以下「甲」という。）と{vendor.printed()}（以下「乙」という。）は、"
                   "下記利用者の在宅酸素療法に用いる機器のレンタルについて、裏面の約款に基づき次のとおり契約します。",
                   size=40)
    form.gap(20)
    top = form.y
    boxes(form, [("利用者ID", patient.id, 0.26), ("利用者名", f"{patient.person.printed()}　様", 0.44),
                 ("生年月日", print_birth(patient.birth, "era"), 0.30)], height=170)
    put(sheet, form.left + 0.26 * form.width + 260, top + 40, f"（フリガナ　{patient.person.kana()}）", 30)
    boxes(form, [("設置先住所", patient.address, 1.0)], height=150)
    boxes(form, [("医療機関名", hospital.full, 0.64), ("診療科", hospital.department, 0.36)], height=150)
    boxes(form, [("装置名", f"{DEVICE_WORDS_C[device]}　{model}", 0.64), ("台数", "1台", 0.36)], height=150)
    period = f"{date(start)} ～ {date(end)}" if end else f"{date(start)} ～ 解約のお申し出まで"
    boxes(form, [("レンタル期間", period, 0.64), ("レンタル料（月額）", f"¥{yen(fee)}（税込）", 0.36)],
          height=150)
    form.gap(40)
    put(sheet, form.left, form.y + 44, "特記事項", 44, bold=True)
    form.gap(80)
    form.paragraph("・レンタル料には定期点検、故障時の交換、消耗品（カニューラ・加湿水ボトル）の費用を含みます。", size=38)
    form.paragraph("・停電時や災害時は携帯用ボンベに切り替え、乙の24時間窓口へご連絡ください。", size=38)
    form.paragraph("・期間満了後も甲乙いずれからも申し出のない場合は、1年ごとに自動更新とします。", size=38)
    form.gap(50)
    form.line(f"契約日　{date(signed)}")
    form.gap(20)
    form.line(f"甲　{hospital.full}")
    form.line(f"　　{hospital.department}　TEL {hospital.phone}", size=40)
    form.line(f"乙　{vendor.printed()}　{vendor.branch}")
    manager = book.staff()
    y = form.y
    form.line(f"　　所長　{manager.printed()}")
    seal(sheet, form.left + sheet.width_of(f"　　所長　{manager.printed()}") + 90, y + 30, manager.family)
    fields = _contract_fields(patient, vendor, device, start, end, fee, signed)
    return Draft([sheet], fields, "label-above-value boxes; device named (濃縮器); お客様番号 distractor")


def contract_d(book: Casebook) -> Draft:
    """An individual contract in mincho: patient named in an article, 別表 with a circled device."""
    patient, hospital, vendor = book.patient(6), book.hospital(), book.vendor("prefix")
    device = book.device({"concentrator": 0.6, "liquid_stationary": 0.25, "cylinder_portable": 0.15})
    signed = book.day()
    start = first_of_next_month(signed)
    end = year_end(start)
    fee, model = book.fee(device), book.model(device)
    style = "era_wide"
    date = lambda d: print_date(d, style)
    wide = lambda t: t.translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))

    form = Form("serif")
    sheet = form.sheet
    title(form, "在宅酸素療法機器 個別契約書", 70)
    form.paragraph(f"{hospital.full}（以下「甲」という。）と{vendor.printed()}（以下「乙」という。）とは、"
                   "甲乙間で締結した在宅酸素療法機器賃貸借基本契約に基づき、次のとおり個別契約を締結する。", size=42)
    form.gap(10)
    articles = [
        f"第１条（対象患者）本契約の対象は、甲の患者 {patient.person.printed()}（診察券番号 {patient.id}）とする。",
        "第２条（貸与機器）乙は、別表に定める機器を前条の患者の居宅に設置し、これを甲に貸与する。",
        "第３条（貸与期間）貸与期間は別表のとおりとする。ただし、期間満了の１か月前までに甲乙いずれからも"
        "申出がないときは、さらに１年間延長するものとし、以後も同様とする。",
        "第４条（賃貸料）甲は、別表の賃貸料を毎月末日締めにより翌月末日までに乙の指定する口座に振り込む。",
        "第５条（保守）乙は、貸与機器の点検を３か月に１回以上行い、故障の連絡を受けたときは直ちに代替機を手配する。",
        "第６条（協議）本契約に定めのない事項は、基本契約によるほか、甲乙協議のうえ定める。",
    ]
    for article in articles:
        form.paragraph(article, size=42)
    form.gap(10)
    form.paragraph("本契約の成立を証するため、本書２通を作成し、甲乙記名押印のうえ各１通を保有する。", size=42)
    form.gap(20)
    form.line(date(signed), indent=120)
    form.gap(10)
    director = book.staff()
    manager = book.staff()
    form.line(f"甲　{hospital.full}", size=42, indent=700)
    y = form.y
    form.line(f"理事長　{director.printed()}", size=42, indent=780)
    seal(sheet, form.left + 780 + sheet.width_of(f"理事長　{director.printed()}", 42) + 80, y + 24, director.family)
    form.line(f"乙　{vendor.printed()}　{vendor.branch}", size=42, indent=700)
    y = form.y
    form.line(f"所長　{manager.printed()}", size=42, indent=780)
    seal(sheet, form.left + 780 + sheet.width_of(f"所長　{manager.printed()}", 42) + 80, y + 24, manager.family)
    form.gap(30)
    form.line("別表", size=44, bold=True)
    options = ["酸素濃縮装置", "液化酸素装置", "携帯用酸素ボンベ", "その他"]
    chosen = {"concentrator": "酸素濃縮装置", "liquid_stationary": "液化酸素装置",
              "cylinder_portable": "携帯用酸素ボンベ"}[device]
    rows_top = form.y
    key_values(form, [("患者氏名", f"{patient.person.printed()}（{print_birth(patient.birth, 'era')}生）"),
                      ("貸与機器", ""),
                      ("機種", model),
                      ("貸与期間", f"{date(start)}から{date(end)}まで"),
                      ("賃貸料", f"月額　金{wide(yen(fee))}円（消費税込み）"),
                      ("設置場所", patient.address)], label_width=0.2, height=96, size=42)
    circled(sheet, form.left + 0.2 * form.width + 24, rows_top + 96 + (96 + 42 * 0.72) / 2, options, chosen,
            size=42, color=BLUE_INK)
    fields = _contract_fields(patient, vendor, device, start, end, fee, signed)
    return Draft([sheet], fields, "mincho individual contract; id in an article; device circled; seals")


def contract_e(book: Casebook) -> Draft:
    """A records-system print-out: monospaced ``label : value`` lines, half-width kana, ● marks."""
    patient, hospital, vendor = book.patient(10), book.hospital(), book.vendor(book.pick(["suffix", "kabu"]))
    device = book.device({"concentrator": 0.75, "liquid_stationary": 0.25})
    signed = book.day()
    start = signed + timedelta(days=int(book.rng.integers(1, 10)))
    end = year_end(start, 2) if book.chance(0.5) else None
    fee, model = book.fee(device), book.model(device)
    style = "iso"
    date = lambda d: print_date(d, style)
    clerk = book.staff()

    form = Form("mono")
    sheet = form.sheet
    size = 42
    put(sheet, form.left, form.y + 34, f"出力日時: {date(signed)} {int(book.rng.integers(9, 17)):02d}:"
        f"{int(book.rng.integers(0, 60)):02d}    帳票ID: HOT-K03    頁: 1/1", 34)
    form.gap(60)
    title(form, "機器設置契約書（在宅酸素療法）", 64)
    rule(sheet, form.left, form.y, form.right, form.y, 3)
    form.gap(30)
    pad = 12  # label column in half-width cells

    def line(label: str, value: str) -> None:
        room = pad - sum(2 if ord(c) > 0xff else 1 for c in label)
        put(sheet, form.left, form.y + size, label + " " * room + ": " + value, size)
        form.y += size * 1.75

    kana = half_width_kana(patient.person.kana(" "))
    printed_vendor = vendor.printed().replace(vendor.name, half_width_kana(vendor.name))
    line("患者番号", patient.id)
    line("患者氏名", f"{patient.person.printed(' ')} ({kana})")
    line("生年月日", f"{print_birth(patient.birth, 'slash')} ({patient.age(signed)}歳)  性別: {patient.sex}")
    line("設置場所", patient.address)
    line("医療機関", f"{hospital.full} {hospital.department}")
    line("供給業者", f"{printed_vendor} {half_width_kana(vendor.branch)}")
    marks = [("concentrator", "酸素濃縮装置"), ("liquid_stationary", "液化酸素(設置型)"),
             ("liquid_portable", "液化酸素(携帯型)"), ("cylinder", "酸素ボンベ")]
    x = form.left + sheet.width_of(" " * pad + ": ", size)
    put(sheet, form.left, form.y + size, "装置区分" + " " * (pad - 8) + ":", size)
    for kind, word in marks:
        put(sheet, x, form.y + size, "●" if kind == device else "○", size, mark=True)
        x += sheet.width_of("● ", size)
        put(sheet, x, form.y + size, word, size)
        x += sheet.width_of(word + "  ", size)
    form.y += size * 1.75
    line("型式", model)
    line("契約締結日", date(signed))
    line("契約開始日", date(start))
    line("契約終了日", date(end) if end else "(定めなし・自動継続)")
    line("月額賃貸料", f"{yen(fee)}円(税抜)")
    line("支払条件", "月末締め 翌月末 口座振込")
    rule(sheet, form.left, form.y + 10, form.right, form.y + 10, 2)
    form.gap(40)
    put(sheet, form.left, form.y + size, "特約事項", size)
    form.y += size * 1.75
    for text in ["1. 機器の保守点検は供給業者が年4回以上実施する。",
                 "2. 入院等で使用を中断する場合も月額賃貸料は日割りしない。",
                 "3. 契約終了後、供給業者は7日以内に機器を撤去する。"]:
        put(sheet, form.left + 40, form.y + 38, text, 38)
        form.y += 38 * 1.8
    form.gap(60)
    line("医療機関確認", f"医事課 {clerk.printed(' ')}")
    line("供給業者確認", "________________  印")
    fields = _contract_fields(patient, vendor, device, start, end, fee, signed)
    return Draft([sheet], fields, "monospaced EMR print-out; half-width kana; ● marks; ISO dates")


def contract_f(book: Casebook) -> Draft:
    """A contract with an items table: stationary device, accessories, 月額合計."""
    patient, hospital, vendor = book.patient(8), book.hospital(), book.vendor(book.pick(["maru", "kabu_after"]))
    device = book.device({"concentrator": 0.65, "liquid_stationary": 0.35})
    made = book.day()
    start = first_of_next_month(made) if book.chance(0.7) else made + timedelta(days=3)
    end = add_months(start, int(book.pick([6, 12]))) - timedelta(days=1)
    fee, model = book.fee(device), book.model(device)
    style = "era_letter"
    date = lambda d: print_date(d, style)

    form = Form("serif")
    sheet = form.sheet
    number = f"No. {made.year}-{book.digits(4)}"
    put(sheet, form.right - sheet.width_of(number, 36), form.y + 36, number, 36)
    made_text = f"作成日　{date(made)}"
    put(sheet, form.right - sheet.width_of(made_text, 40), form.y + 36 + 60, made_text, 40)
    form.gap(110)
    title(form, "在宅酸素機器 賃貸借契約書", 72, underline=True)
    form.gap(10)
    half = form.width / 2
    top = form.y
    put(sheet, form.left, top + 40, "【貸主】", 40, bold=True)
    put(sheet, form.left + 30, top + 100, vendor.printed(), 42)
    put(sheet, form.left + 30, top + 160, vendor.branch, 40)
    put(sheet, form.left + 30, top + 215, f"TEL {vendor.phone}", 36)
    put(sheet, form.left + half, top + 40, "【借主】", 40, bold=True)
    put(sheet, form.left + half + 30, top + 100, hospital.full, 40)
    put(sheet, form.left + half + 30, top + 160, hospital.department, 40)
    put(sheet, form.left + half + 30, top + 215, f"TEL {hospital.phone}", 36)
    form.y = top + 270
    grid(form, [["カルテNo.", patient.id, "患者様氏名", f"{patient.person.printed()} 様"],
                ["ご住所", patient.address, None, None]], [0.17, 0.3, 0.18, 0.35], height=92, size=42)
    form.line(f"レンタル期間　{date(start)} ～ {date(end)}（以後1年ごとの自動更新）", size=44)
    stationary = {"concentrator": "酸素濃縮装置", "liquid_stationary": "設置型液化酸素装置"}[device]
    rows = [["品名", "型式", "数量", "月額（税込）"],
            [stationary, model, "1台", f"{yen(fee)}円"]]
    if device == "liquid_stationary":
        rows.append(["携帯型液化酸素装置", book.model("liquid_portable"), "1台", "（込）"])
    else:
        rows.append(["携帯用酸素ボンベ", book.model("cylinder_portable"), f"{int(book.rng.integers(2, 6))}本", "（込）"])
    rows.append(["加湿器・カニューラ", "—", "一式", "（込）"])
    rows.append(["月額合計", "", "", f"{yen(fee)}円"])
    grid(form, rows, [0.34, 0.3, 0.12, 0.24], height=92, size=42, header_shade=(230, 236, 228), color=FORM_GREEN)
    form.gap(10)
    for text in ["1. 貸主は機器を患者宅に設置し、取扱いを説明する。",
                 "2. 借主は月額合計を毎月末日締め、翌月20日までに支払う。",
                 "3. 機器の故障・消耗品の交換は貸主の負担とする。",
                 "4. 契約を終了するときは、借主は14日前までに貸主へ連絡する。"]:
        form.line(text, size=40)
    form.gap(40)
    form.line("上記のとおり契約します。", size=42)
    form.gap(30)
    form.line(f"貸主　{vendor.printed()}　{vendor.branch}", size=42, indent=600)
    form.line(f"借主　{hospital.full}", size=42, indent=600)
    receipt_stamp(sheet, form.left + 300, form.y - 40, ("契約", date(made), "確認済"))
    fields = _contract_fields(patient, vendor, device, start, end, fee, made)
    return Draft([sheet], fields, "items table with accessories and 月額合計; カルテNo.; R8.10.1 dates; stamp")

