"""Order layouts of the layout families (hot_prescription), beyond the demo's two.

- order_c: a FAX: a cover sheet (送信日, 宛先 … 御中) and a 在宅酸素供給指示書 whose flows are
  written on one line (安静 1.0 / 運動 2.0 / 就寝 1.0 ℓ/min), device and sex circled by hand,
  お名前 with ふりがな, 診察券番号, 指示医 with a hanko; sent as a bilevel 200 dpi fax.
- order_d: a 処方箋-shaped order in mincho: 保険者番号 and 記号・番号 distractors, 交付年月日, Rp.
  lines (安静時 / 入浴・歩行時 / 夜間睡眠時), the device named, a cylinder for outings besides,
  保険医氏名, full-width era dates; a JPEG with visible compression.
- order_e: a supplier's change order in heavy gothic on a blue form: boxes with the label above,
  ☑ device, a 変更前 / 変更後 flow table (the order is the 変更後 column), a red receipt stamp.
- order_f: an EMR-printed request letter in a monospaced face: date, addressee 御中, sender
  with 担当医, 拝啓 …, the device named in the running text, a 記 list with 処方 on one line.
"""

from __future__ import annotations

from datetime import timedelta

from samples.casebook import Casebook, Draft, add_months, hiragana, print_birth, print_date, print_flow
from samples.forms import Form
from samples.penwork import (
    BLUE_INK,
    FORM_BLUE,
    boxes,
    circled,
    frame,
    grid,
    key_values,
    put,
    receipt_stamp,
    ring,
    rule,
    seal,
    ticked,
    title,
)


def _order_fields(patient, vendor, device, flows, doctor, written) -> dict:
    fields = {"patient_id": patient.id, "patient_name": patient.name, "document_date": written.isoformat(),
              "device_type": device, "doctor": doctor.name,
              "flow_rest": flows[0], "flow_exertion": flows[1], "flow_sleep": flows[2]}
    if vendor is not None:
        fields["vendor"] = vendor.name
    return fields


def order_c(book: Casebook) -> Draft:
    """A FAX cover sheet and the order form, as a two-page bilevel fax."""
    patient, hospital, vendor = book.patient(8), book.hospital(), book.vendor(book.pick(["prefix", "maru"]))
    device = book.device({"concentrator": 0.7, "liquid_stationary": 0.3})
    doctor, clerk = book.staff(), book.staff()
    flows = book.flows()
    written = book.day()
    sent_at = f"{written.year}/{written.month:02d}/{written.day:02d} {int(book.rng.integers(9, 18)):02d}:" \
              f"{int(book.rng.integers(0, 60)):02d}"
    style = "western"
    date = lambda d: print_date(d, style)

    def fax_line(form: Form, page: int) -> None:
        text = f"{sent_at}  FROM:{hospital.name}  FAX {hospital.fax}        P.{page:03d}/002"
        put(form.sheet, form.left - 60, 120, text, 30)

    cover = Form("sans")
    fax_line(cover, 1)
    title(cover, "FAX送信票", 84, spaced=True)
    cover.gap(20)
    sheet = cover.sheet
    put(sheet, cover.left, cover.y + 52, f"{vendor.printed()}　{vendor.branch}　御中", 52)
    rule(sheet, cover.left, cover.y + 72, cover.left + 1500, cover.y + 72, 3)
    cover.gap(110)
    put(sheet, cover.left, cover.y + 44, f"FAX　{vendor.fax}", 44)
    cover.gap(110)
    key_values(cover, [("送信日", date(written)), ("送信枚数", "2枚（本票を含む）"),
                       ("発信元", f"{hospital.full}　地域医療連携室"), ("担当", clerk.printed()),
                       ("TEL／FAX", f"{hospital.phone}／{hospital.fax}"),
                       ("件名", "在宅酸素療法 導入のお願い")], label_width=0.22, height=110)
    cover.gap(30)
    cover.paragraph("いつも大変お世話になっております。下記患者様の在宅酸素療法について指示書を送付いたします。"
                    "機器の設置をお願いいたします。設置日が決まりましたら、当室までご連絡ください。", size=44)
    cover.gap(40)
    cover.paragraph("※本FAXには個人情報が含まれています。誤って受信された場合は、お手数ですが破棄のうえ"
                    "ご連絡ください。", size=38)

    form = Form("sans")
    fax_line(form, 2)
    sheet = form.sheet
    title(form, "在宅酸素供給指示書", 72)
    issued = f"指示日　令和{written.year - 2018}年{written.month}月{written.day}日"
    put(sheet, form.right - sheet.width_of(issued), form.y + 46, issued)
    form.gap(100)
    left = form.left
    rows_top = form.y
    height = 120
    labels = ["診察券番号", "ふりがな", "お名前", "生年月日", "病名", "酸素流量", "使用機器", "携帯用ボンベ",
              "使用時間", "指示期間"]
    values = {
        "診察券番号": patient.id,
        "ふりがな": hiragana(patient.person.kana()),
        "お名前": f"{patient.person.printed()}　様",
        "生年月日": f"{print_birth(patient.birth, 'era')}（{patient.age(written)}歳）",
        "病名": book.pick(["慢性閉塞性肺疾患", "間質性肺炎", "肺結核後遺症", "慢性心不全"]),
        "酸素流量": f"安静 {print_flow(flows[0])} / 運動 {print_flow(flows[1])} / 就寝 {print_flow(flows[2])} ℓ/min",
        "使用機器": "",
        "携帯用ボンベ": "",
        "使用時間": book.pick(["24時間", "夜間および労作時"]),
        "指示期間": f"R{written.year - 2018}.{written.month}.{written.day} ～ "
                    f"R{add_months(written, 6).year - 2018}.{add_months(written, 6).month}.{add_months(written, 6).day}",
    }
    for i, label in enumerate(labels):
        y = rows_top + i * height
        put(sheet, left + 24, y + (height + 46 * 0.72) / 2, label)
        value = values[label]
        if value:
            put(sheet, left + 460, y + (height + 46 * 0.72) / 2, value)
        rule(sheet, left, y + height, form.right, y + height, 2)
    frame(sheet, left, rows_top, form.right, rows_top + len(labels) * height, 3)
    rule(sheet, left + 430, rows_top, left + 430, rows_top + len(labels) * height, 2)
    base = lambda i: rows_top + i * height + (height + 46 * 0.72) / 2
    put(sheet, left + 1450, base(2), "性別")
    circled(sheet, left + 1580, base(2), ["男", "女"], patient.sex, color=(30, 30, 30))
    chosen = {"concentrator": "酸素濃縮器", "liquid_stationary": "液化酸素（設置型）"}[device]
    circled(sheet, left + 460, base(6), ["酸素濃縮器", "液化酸素（設置型）", "その他（　　　）"], chosen,
            color=(30, 30, 30))
    circled(sheet, left + 460, base(7), ["要", "不要"], book.pick(["要", "不要"]), color=(30, 30, 30))
    form.y = rows_top + len(labels) * height + 60
    form.line(f"医療機関名　{hospital.full}　{hospital.department}")
    y = form.y
    form.line(f"指示医　{doctor.printed()}")
    seal(sheet, form.left + sheet.width_of(f"指示医　{doctor.printed()}") + 80, y + 26, doctor.family)
    form.line(f"連絡先　TEL {hospital.phone}", size=40)
    fields = _order_fields(patient, vendor, device, flows, doctor, written)
    return Draft([cover.sheet, sheet], fields, "FAX cover + order; flows on one line; circled device and sex")


def order_d(book: Casebook) -> Draft:
    """A prescription-shaped order (処方箋): insurer numbers, 交付年月日, Rp. lines."""
    patient, hospital, vendor = book.patient(7), book.hospital(), book.vendor("maru")
    device = book.device({"concentrator": 0.8, "liquid_stationary": 0.2})
    doctor = book.staff()
    flows = book.flows()
    written = book.day()
    style = "era_wide"
    date = lambda d: print_date(d, style)

    form = Form("serif")
    sheet = form.sheet
    title(form, "処方箋", 80, spaced=True)
    put(sheet, form.left + (form.width - sheet.width_of("（在宅酸素療法）", 40)) / 2, form.y + 10,
        "（在宅酸素療法）", 40)
    form.gap(60)
    insurer = book.digits(8)
    grid(form, [["公費負担者番号", "", "保険者番号", insurer],
                ["公費負担医療の受給者番号", "", "被保険者証の記号・番号", f"{book.digits(3)}・{book.digits(5)}"]],
         [0.27, 0.2, 0.25, 0.28], height=90, size=36)
    top = form.y
    grid(form, [["患者番号", patient.id, None, "区分", "被保険者・被扶養者"],
                ["患者氏名", f"{patient.person.printed()}", None, "性別", ""],
                ["生年月日", "", None, None, None]],
         [0.18, 0.22, 0.2, 0.12, 0.28], height=100, size=42)
    circled(sheet, form.left + 0.72 * form.width + 40, top + 100 + (100 + 42 * 0.72) / 2, ["男", "女"],
            patient.sex, size=42, color=(30, 30, 30))
    era_y = top + 200 + (100 + 42 * 0.72) / 2
    birth_x = circled(sheet, form.left + 0.18 * form.width + 40, era_y, ["明治", "大正", "昭和", "平成"], "昭和",
                      size=42, sep="　", color=(30, 30, 30))
    put(sheet, birth_x + 60, era_y, f"{patient.birth.year - 1925}年{patient.birth.month}月{patient.birth.day}日", 42)
    grid(form, [["交付年月日", date(written), "処方箋の使用期間", date(written + timedelta(days=3))]],
         [0.18, 0.32, 0.22, 0.28], height=100, size=40)
    stationary = {"concentrator": "酸素濃縮装置", "liquid_stationary": "設置型液化酸素装置"}[device]
    lines = [
        "Rp.",
        f"　在宅酸素療法（{stationary}）",
        f"　酸素吸入　安静時　{print_flow(flows[0], 'plain')}L/分",
        f"　　　　　　入浴・歩行時　{print_flow(flows[1], 'plain')}L/分",
        f"　　　　　　夜間睡眠時　{print_flow(flows[2], 'plain')}L/分",
        "　鼻カニュラにて吸入　１日２４時間",
        "　外出時　携帯用酸素ボンベ併用",
        "　　　　　　　　　　　　　　　　　　　　以下余白",
    ]
    top = form.y
    height = 120 + len(lines) * 78
    frame(sheet, form.left, top, form.right, top + height, 3)
    rule(sheet, form.left + 0.12 * form.width, top, form.left + 0.12 * form.width, top + height, 2)
    put(sheet, form.left + 50, top + height / 2, "処方", 46)
    for i, text in enumerate(lines):
        put(sheet, form.left + 0.12 * form.width + 40, top + 90 + i * 78, text, 44)
    form.y = top + height
    grid(form, [["備考", f"供給業者　{vendor.printed()}　{vendor.branch}（TEL {vendor.phone}）"]],
         [0.12, 0.88], height=100, size=40)
    top = form.y
    grid(form, [["保険医療機関の", f"{hospital.address}　{hospital.full}"],
                ["所在地及び名称", f"電話　{hospital.phone}"],
                ["保険医氏名", f"{doctor.printed()}"]], [0.24, 0.76], height=100, size=40)
    seal(sheet, form.left + 0.24 * form.width + 60 + sheet.width_of(doctor.printed(), 40) + 80,
         top + 250, doctor.family)
    form.gap(20)
    form.paragraph("調剤済年月日／保険薬局の所在地及び名称／保険薬剤師氏名（在宅酸素療法のため記載不要）", size=34)
    fields = _order_fields(patient, vendor, device, flows, doctor, written)
    return Draft([sheet], fields, "処方箋 shape; insurer number distractor; Rp. flows; 交付年月日")


def order_e(book: Casebook) -> Draft:
    """A supplier's change order: heavy gothic, label-above boxes, 変更前 / 変更後 flows."""
    patient, hospital, vendor = book.patient(9), book.hospital(), book.vendor(book.pick(["prefix", "suffix"]))
    device = book.device({"concentrator": 0.55, "liquid_stationary": 0.3, "cylinder_portable": 0.15})
    doctor = book.staff()
    after = book.flows()
    before = tuple(max(0.25, f - 0.5) for f in after)
    written = book.day()
    style = "slash"
    date = lambda d: print_date(d, style)

    form = Form("sans_heavy")
    sheet = form.sheet
    put(sheet, form.left, form.y + 40, vendor.printed(), 40)
    put(sheet, form.left, form.y + 92, f"{vendor.branch}　TEL {vendor.phone}　FAX {vendor.fax}", 32)
    form.gap(120)
    title(form, "在宅酸素療法 指示書（新規・変更）", 64)
    heading = "在宅酸素療法 指示書（新規・変更）"
    ring(sheet, form.left + (form.width - sheet.width_of(heading, 64, True)) / 2
         + sheet.width_of("在宅酸素療法 指示書（新規・", 64, True), form.y - 64 * 1.9 + 64 * 0.8,
         sheet.width_of("変更", 64, True), 50, BLUE_INK)
    boxes(form, [("依頼日", date(written), 0.3), ("医療機関名", hospital.full, 0.7)], height=140, color=FORM_BLUE,
          shade=(226, 236, 250))
    boxes(form, [("患者番号", patient.id, 0.3), ("患者様氏名", f"{patient.person.printed()}　様", 0.5),
                 ("性別", patient.sex, 0.2)], height=140, color=FORM_BLUE, shade=(226, 236, 250))
    boxes(form, [("担当医師", doctor.printed(), 0.5), ("診療科", hospital.department, 0.5)], height=140,
          color=FORM_BLUE, shade=(226, 236, 250))
    form.gap(40)
    put(sheet, form.left, form.y + 44, "使用機器", 44)
    words = {"concentrator": "酸素濃縮装置", "liquid_stationary": "液化酸素（親器）",
             "cylinder_portable": "携帯用酸素ボンベ", "demand_valve": "呼吸同調器"}
    ticked(sheet, form.left + 260, form.y + 44, list(words.values()), words[device], on="☑", size=42)
    form.gap(100)
    unit = " L/min"
    grid(form, [["区分", "変更前", "変更後"],
                ["安静時", print_flow(before[0]) + unit, print_flow(after[0]) + unit],
                ["労作時", print_flow(before[1]) + unit, print_flow(after[1]) + unit],
                ["睡眠時", print_flow(before[2]) + unit, print_flow(after[2]) + unit]],
         [0.24, 0.38, 0.38], height=100, header_shade=(226, 236, 250), color=FORM_BLUE)
    start = written + timedelta(days=int(book.rng.integers(1, 5)))
    key_values(form, [("変更理由", "労作時の低酸素血症が進行したため"),
                      ("変更開始日", date(start)),
                      ("備考", "携帯用ボンベの本数は現状のまま")], label_width=0.24, height=100, color=FORM_BLUE)
    form.gap(40)
    put(sheet, form.left, form.y + 36, "※以下は業者記入欄", 36)
    form.gap(60)
    key_values(form, [("受付日", ""), ("受付者", ""), ("対応日", "")], label_width=0.24, height=90,
               color=FORM_BLUE)
    received = written + timedelta(days=int(book.rng.integers(0, 2)))
    receipt_stamp(sheet, form.right - 260, form.y - 170,
                  ("受付", f"{received.year}.{received.month:02d}.{received.day:02d}", vendor.name[:4]))
    fields = _order_fields(patient, vendor, device, after, doctor, written)
    return Draft([sheet], fields, "change order: 変更前/変更後 flows; ☑ device; heavy gothic; receipt stamp")


def order_f(book: Casebook) -> Draft:
    """An EMR-printed request letter: running text names the device, a 記 list gives the flows."""
    patient, hospital, vendor = book.patient(8), book.hospital(), book.vendor(book.pick(["prefix", "kabu"]))
    device = book.device({"concentrator": 0.8, "liquid_stationary": 0.2})
    doctor = book.staff()
    flows = book.flows()
    written = book.day()
    style = "western"
    date = lambda d: print_date(d, style)

    form = Form("mono")
    sheet = form.sheet
    form.right_line(date(written), size=44)
    form.line(f"{vendor.printed()}　{vendor.branch}　御中", size=46)
    form.gap(20)
    for text in (hospital.full, hospital.department, f"担当医　{doctor.printed()}", f"TEL {hospital.phone}"):
        put(sheet, form.left + form.width * 0.55, form.y + 42, text, 42)
        form.y += 42 * 1.8
    seal(sheet, form.right - 60, form.y - 42 * 1.8 * 2 + 10, doctor.family)
    form.gap(40)
    title(form, "在宅酸素療法 導入依頼書", 64)
    device_words = {"concentrator": "酸素濃縮装置", "liquid_stationary": "液化酸素装置（設置型）"}[device]
    form.paragraph("拝啓　時下ますますご清栄のこととお慶び申し上げます。平素より格別のご高配を賜り、厚く御礼申し上げます。",
                   size=44)
    form.paragraph(f"さて、当院通院中の下記患者様につきまして、在宅酸素療法を開始いたします。つきましては、"
                   f"{device_words}の設置と使用方法のご説明をお願い申し上げます。", size=44)
    form.right_line("敬具", size=44)
    title(form, "記", 48)
    age = patient.age(written)
    wish = written + timedelta(days=int(book.rng.integers(2, 8)))
    items = [
        f"1. 患者　　ID {patient.id}　{patient.person.printed()} 様（{age}歳・{patient.sex}）",
        f"2. 住所　　{patient.address}",
        f"3. 病名　　{book.pick(['慢性閉塞性肺疾患', '間質性肺炎', '肺癌', '肺線維症'])}",
        f"4. 処方　　安静時 {print_flow(flows[0], 'plain')}L/分、労作時 {print_flow(flows[1], 'plain')}L/分、"
        f"睡眠時 {print_flow(flows[2], 'plain')}L/分（鼻カニュラ）",
        f"5. 設置希望日　{date(wish)}　午後",
        "6. 連絡先　ご家族（長女）携帯 090-" + book.digits(4) + "-" + book.digits(4),
    ]
    for text in items:
        form.paragraph(text, size=44)
    form.right_line("以上", size=44)
    fields = _order_fields(patient, vendor, device, flows, doctor, written)
    return Draft([sheet], fields, "EMR letter in mono; device in running text; 記 list with flows")
