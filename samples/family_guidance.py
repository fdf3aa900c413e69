"""Guidance-record layouts of the layout families (hot_guidance_record), beyond the demo's two.

- guidance_c: an outpatient chart page (外来診療録) printed by the records system in a
  monospaced face: a header with 患者ID / 氏名（カナ）/ 受診日(曜日) / 担当医, then a SOAP note
  where SpO2 and PaO2 (beside PaCO2) are in the O) lines and the flows in the P) line.
- guidance_d: a home-visit log (訪問指導記録表) in mincho: 利用者ID / 利用者名 / 主治医 in a
  header, then one row per visit (訪問日 | SpO2 | 脈拍 | 流量 安静/労作/睡眠 | …): the latest row
  holds the values; a colour JPEG at 200 dpi.
- guidance_e: a check sheet (指導管理チェック表): label-above-value boxes (カルテ番号, 患者様氏名,
  担当医師, 実施日, 検査日, 記入者), measurements and flows as header rows with values under
  them (mmHg, ℓ/分, 就寝時), ☑ check items, 記入日; faint toner, scanned upside down.
- guidance_f: a record in heavy gothic with Japanese measurement names (動脈血酸素分圧,
  経皮的動脈血酸素飽和度), 患者コード, 指導医, 指導年月日 and 採血日 as 2026年（令和8年）… dates,
  flows in L/min on one line; a soft photocopy-like TIFF.
"""

from __future__ import annotations

from datetime import timedelta

from samples.casebook import Casebook, Draft, add_months, print_date, print_flow
from samples.forms import Form
from samples.penwork import FORM_GREEN, Fill, boxes, circled, grid, key_values, put, rule, ticked, title

WEEKDAYS = "月火水木金土日"


def _fields(patient, doctor, given, measured, spo2, pao2, flows, written) -> dict:
    fields = {"patient_id": patient.id, "patient_name": patient.name, "doctor": doctor.name,
              "guidance_date": given.isoformat(), "measurement_date": measured.isoformat(), "spo2": spo2,
              "flow_rest": flows[0], "flow_exertion": flows[1], "flow_sleep": flows[2]}
    if pao2 is not None:
        fields["pao2"] = pao2
    if written is not None:
        fields["document_date"] = written.isoformat()
    return fields


def guidance_c(book: Casebook) -> Draft:
    """An outpatient chart page with a SOAP note (EMR print-out, monospaced)."""
    patient, hospital = book.patient(8), book.hospital()
    doctor = book.staff()
    given = book.day()
    flows, spo2, pao2 = book.flows(), book.spo2(), book.pao2()
    paco2 = round(float(book.rng.uniform(38.0, 55.0)), 1)
    nxt = given + timedelta(days=28)
    style = "slash"
    date = lambda d: print_date(d, style)

    form = Form("mono")
    sheet = form.sheet
    sheet.items.append(Fill(form.left, form.y, form.right, form.y + 70, (215, 215, 215)))
    put(sheet, form.left + 20, form.y + 50, f"外来診療録（経過記録）　{hospital.name}　{hospital.department}", 42,
        bold=True)
    form.gap(110)
    size = 42
    kana = patient.person.kana(" ")
    lines = [
        f"患者ID: {patient.id}    氏名: {patient.person.printed(' ')}（{kana}）  {patient.sex}  {patient.age(given)}歳",
        f"受診日: {date(given)}({WEEKDAYS[given.weekday()]})   診療科: {hospital.department}   担当医: "
        f"{doctor.printed(' ')}",
        f"保険: {book.pick(['後期高齢者', '国保', '社保（本人）', '社保（家族）'])}   病名: #1 "
        f"{book.pick(['慢性閉塞性肺疾患', '間質性肺炎', '肺結核後遺症'])}（在宅酸素療法中）",
    ]
    for text in lines:
        put(sheet, form.left, form.y + size, text, size)
        form.y += size * 1.8
    rule(sheet, form.left, form.y + 10, form.right, form.y + 10, 2)
    form.gap(40)
    pulse = int(book.rng.integers(68, 104))
    soap = [
        ("S)", [book.pick(["階段昇降で息切れあり。夜間の呼吸苦なし。", "最近は散歩の距離が延びた。痰は少量。",
                           "入浴後に息切れが強い。食欲はある。"]),
                "酸素は指示どおり使用している。"]),
        ("O)", [f"BP {int(book.rng.integers(110, 150))}/{int(book.rng.integers(60, 90))}  HR {pulse}  "
                f"BT 36.{int(book.rng.integers(2, 9))}",
                f"SpO2 {spo2}%（安静時・O2 {print_flow(flows[0], 'plain')}L/分）",
                f"動脈血ガス（{date(given)} 採血） PaO2 {pao2} Torr  PaCO2 {paco2} Torr  pH 7.{int(book.rng.integers(35, 45))}"]),
        ("A)", ["呼吸状態は概ね安定。増悪所見なし。"]),
        ("P)", [f"HOT継続。酸素流量 安静時{print_flow(flows[0], 'plain')}L 労作時{print_flow(flows[1], 'plain')}L "
                f"睡眠時{print_flow(flows[2], 'plain')}L（L/分）",
                "在宅酸素療法指導管理料 算定。機器の使用状況・火気の注意を確認した。",
                f"次回 {date(nxt)} 受診予定"]),
    ]
    for head, texts in soap:
        put(sheet, form.left, form.y + size, head, size, bold=True)
        for text in texts:
            put(sheet, form.left + 90, form.y + size, text, size)
            form.y += size * 1.8
        form.gap(14)
    rule(sheet, form.left, form.y + 10, form.right, form.y + 10, 2)
    form.gap(40)
    stamp = f"記載: {date(given)} {int(book.rng.integers(9, 17)):02d}:{int(book.rng.integers(0, 60)):02d}  " \
            f"{doctor.printed(' ')}"
    put(sheet, form.right - sheet.width_of(stamp, 38), form.y + 38, stamp, 38)
    fields = _fields(patient, doctor, given, given, spo2, pao2, flows, given)
    return Draft([sheet], fields, "SOAP chart note; PaCO2 beside PaO2; 受診日 with weekday")


def guidance_d(book: Casebook) -> Draft:
    """A home-visit log: one row per monthly visit, the latest row holds the values."""
    patient, hospital = book.patient(7), book.hospital()
    doctor = book.staff()
    nurses = [book.staff(), book.staff()]
    visits = int(book.rng.integers(3, 7))
    first = book.day()
    days = [add_months(first, i) + timedelta(days=int(book.rng.integers(-3, 4))) for i in range(visits)]
    flows = [book.flows()]
    for _ in range(visits - 1):
        last = flows[-1]
        flows.append(last if book.chance(0.7) else book.stepped_up(last))
    spo2s = [book.spo2() for _ in range(visits)]
    style = "era_letter"
    date = lambda d: print_date(d, style)
    fiscal = first.year - (1 if first.month < 4 else 0) - 2018

    form = Form("serif")
    sheet = form.sheet
    title(form, f"在宅酸素療法 訪問指導記録表（令和{fiscal}年度〜）", 60)
    put(sheet, form.right - sheet.width_of(hospital.full, 38), form.y + 10, hospital.full, 38)
    form.gap(60)
    current = flows[-1]
    grid(form, [["利用者ID", patient.id, "利用者名", patient.person.printed(), "主治医", doctor.printed()],
                ["住所", patient.address, None, None, "電話", f"0{book.digits(2)}-{book.digits(3)}-{book.digits(4)}"],
                ["使用機器", f"酸素濃縮器（{book.model('concentrator')}）", None, "処方流量",
                 f"安静{print_flow(current[0])}/労作{print_flow(current[1])}/睡眠{print_flow(current[2])}", None]],
         [0.13, 0.19, 0.14, 0.19, 0.12, 0.23], height=96, size=38, color=FORM_GREEN)
    form.gap(20)
    header = ["訪問日", "SpO2(%)", "脈拍", "酸素流量（L/分）", "指導内容", "担当"]
    rows = [header, ["", "", "", "安静/労作/睡眠", "", ""]]
    topics = ["機器点検・火気確認", "加湿水交換の確認", "呼吸リハビリ指導", "携帯ボンベ残量確認", "入浴時の流量確認",
              "停電時の対応説明"]
    for i in range(visits):
        f = flows[i]
        rows.append([date(days[i]), str(spo2s[i]), str(int(book.rng.integers(66, 100))),
                     f"{print_flow(f[0])}/{print_flow(f[1])}/{print_flow(f[2])}", book.pick(topics),
                     nurses[i % 2].family])
    for _ in range(8 - visits):
        rows.append(["", "", "", "", "", ""])
    grid(form, rows, [0.15, 0.12, 0.09, 0.22, 0.3, 0.12], height=92, size=38, header_shade=(222, 238, 228),
         color=FORM_GREEN, header_rows=2)
    form.gap(30)
    form.line("特記事項", size=40, bold=True)
    form.paragraph("訪問時はパルスオキシメータで安静時SpO2を測定し、指示流量の遵守を確認する。"
                   "SpO2が88%未満のときは主治医へ報告する。", size=38)
    given = days[-1]
    fields = _fields(patient, doctor, given, given, spo2s[-1], None, flows[-1], None)
    return Draft([sheet], fields, f"visit log, {visits} rows, latest row is the value; no PaO2",
                 ignore_fields=["document_date"])


def guidance_e(book: Casebook) -> Draft:
    """A check sheet: label-above boxes, measurement and flow rows under headers, ☑ items."""
    patient, hospital = book.patient(8), book.hospital()
    doctor, nurse = book.staff(), book.staff()
    given = book.day()
    measured = given - timedelta(days=int(book.rng.integers(0, 8)))
    written = given + timedelta(days=int(book.rng.integers(0, 2)))
    flows, spo2, pao2 = book.flows(), book.spo2(), book.pao2()
    paco2 = round(float(book.rng.uniform(38.0, 55.0)), 1)
    style = "era_letter"
    date = lambda d: print_date(d, style)

    form = Form("sans")
    sheet = form.sheet
    put(sheet, form.left, form.y + 38, f"{hospital.full}　看護部", 38)
    form.gap(50)
    title(form, "在宅酸素療法 指導管理チェック表", 66)
    boxes(form, [("カルテ番号", patient.id, 0.28), ("患者様氏名", f"{patient.person.printed()}　様", 0.4),
                 ("担当医師", doctor.printed(), 0.32)], height=140)
    boxes(form, [("実施日", date(given), 0.28), ("検査日", date(measured), 0.4), ("記入者", nurse.printed(), 0.32)],
          height=140)
    form.gap(40)
    form.line("■ 測定結果", size=44, bold=True)
    grid(form, [["SpO2", "PaO2", "PaCO2", "脈拍"],
                [f"{spo2} %", f"{pao2} mmHg", f"{paco2} mmHg", f"{int(book.rng.integers(66, 100))} /分"]],
         [0.25, 0.25, 0.25, 0.25], height=96, header_shade=(228, 228, 228), centre=True)
    form.line("■ 処方流量", size=44, bold=True)
    grid(form, [["安静時", "労作時", "就寝時", "使用時間"],
                [f"{print_flow(flows[0])} ℓ/分", f"{print_flow(flows[1])} ℓ/分", f"{print_flow(flows[2])} ℓ/分",
                 "24時間"]],
         [0.25, 0.25, 0.25, 0.25], height=96, header_shade=(228, 228, 228), centre=True)
    form.line("■ チェック項目", size=44, bold=True)
    items = ["機器の作動確認", "火気・喫煙の確認", "加湿水の交換", "カニューラの交換", "緊急時連絡先の確認",
             "携帯ボンベ残量の確認"]
    for start in (0, 3):
        row = items[start:start + 3]
        chosen_row = [item for item in row if book.chance(0.7)]
        x = form.left + 40
        for item in row:
            x = ticked(sheet, x, form.y + 44, [item], item if item in chosen_row else "", on="☑", size=42, gap=1.6)
        form.y += 44 * 1.9
    form.line("■ 指導内容", size=44, bold=True)
    form.paragraph(book.pick(["労作時の流量切替えを本人と確認した。口すぼめ呼吸を練習した。",
                              "外出時の携帯ボンベの使い方を家族へ再説明した。",
                              "加湿水の交換頻度と火気から2m離すことを再確認した。"]), size=42, indent=40)
    form.gap(30)
    form.right_line(f"記入日　{date(written)}", size=44)
    fields = _fields(patient, doctor, given, measured, spo2, pao2, flows, written)
    return Draft([sheet], fields, "check sheet; label-above boxes; values under header rows; mmHg; 就寝時")


def guidance_f(book: Casebook) -> Draft:
    """A record with Japanese measurement names and western+era dates, in heavy gothic."""
    patient, hospital = book.patient(6), book.hospital()
    doctor, nurse = book.staff(), book.staff()
    given = book.day()
    measured = given - timedelta(days=int(book.rng.integers(0, 10)))
    written = given
    flows, spo2, pao2 = book.flows(), book.spo2(), book.pao2()
    style = "western_era"
    date = lambda d: print_date(d, style)

    form = Form("sans_heavy")
    sheet = form.sheet
    put(sheet, form.left, form.y + 40, f"{hospital.full}　在宅療養指導室", 40)
    form.gap(50)
    title(form, "在宅酸素療法患者 指導記録", 68)
    top = form.y
    unit = "L/min"
    key_values(form, [
        ("患者コード", patient.id),
        ("患者名", f"{patient.person.printed()}（{patient.person.kana()}）"),
        ("指導医", doctor.printed()),
        ("指導年月日", date(given)),
        ("指導区分", ""),
        ("採血日", date(measured)),
        ("動脈血酸素分圧", f"{pao2} Torr"),
        ("経皮的動脈血酸素飽和度", f"{spo2} %（採血時）"),
        ("酸素流量", f"安静時 {print_flow(flows[0], 'plain')} {unit}、労作時 {print_flow(flows[1], 'plain')} {unit}、"
                    f"睡眠時 {print_flow(flows[2], 'plain')} {unit}"),
        ("次回指導予定", date(add_months(given, 1))),
    ], label_width=0.3, height=100, size=40, shade=(232, 232, 232))
    circled(sheet, form.left + 0.3 * form.width + 24, top + 4 * 100 + (100 + 40 * 0.72) / 2,
            ["外来", "訪問", "電話"], book.pick(["外来", "外来", "訪問"]), size=40, color=(40, 40, 40))
    form.line("指導内容", size=44)
    for text in book.pick([
        ["1) 酸素濃縮装置の取扱い、加湿水の交換を確認した。", "2) 労作時は流量を上げることを再指導した。",
         "3) 感冒症状があるときは早めに受診するよう説明した。"],
        ["1) 入浴時の酸素吸入とカニューラの扱いを説明した。", "2) 火気厳禁（2m以内）を再確認した。",
         "3) 体重・浮腫の自己観察を指導した。"],
    ]):
        form.line(text, size=40, indent=40)
    form.gap(30)
    key_values(form, [("記録者", f"看護師　{nurse.printed()}"), ("記録日", date(written))], label_width=0.3,
               height=100, size=40, shade=(232, 232, 232))
    fields = _fields(patient, doctor, given, measured, spo2, pao2, flows, written)
    return Draft([sheet], fields, "Japanese measurement names; 採血日; western+era dates; heavy gothic")
