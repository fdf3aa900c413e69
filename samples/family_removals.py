"""End-of-supply layouts of the layout families (hot_device_removal), beyond the demo's two.

- removal_c: a cancellation notice (レンタル解約届) in mincho, sent by the family through the
  hospital: 届出日, addressee 御中, 診察券番号 / お名前 / 解約機器 / 解約日 / 引取希望日 in a ruled
  table, the reason circled, the notifier (a relative) named; pink paper, colour JPEG.
- removal_d: a supplier's work slip (作業完了報告書) in a monospaced face: 伝票No. and 発行日,
  作業区分 with ■ at 引上, a header row 作業日 | 患者番号 | 患者名 | 医療機関 with its values under
  it, an items table with the stationary device and its portable unit; a bilevel 200 dpi TIFF.
- removal_e: a letter (撤去完了のお知らせ) whose running text carries the patient, the id and the
  removal date (…に撤去を完了いたしました), a 記 list names the device; image-only PDF.
- removal_f: the hospital's stop notice to the supplier (在宅酸素療法 中止連絡票) on a blue form:
  連絡日, 患者ID / 氏名, ☑ device, 使用終了日 and 回収希望日, ☑ reason, the supplier's red receipt stamp.
"""

from __future__ import annotations

from datetime import timedelta

from samples.casebook import YOUNGER, Casebook, Draft, Person, print_birth, print_date
from samples.forms import Form
from samples.penwork import BLUE_INK, FORM_BLUE, circled, grid, key_values, put, receipt_stamp, rule, ticked, title

REASONS = ["入院", "施設入所", "転居", "死亡", "症状改善", "その他"]


def _fields(patient, vendor, device, removed, written) -> dict:
    return {"patient_id": patient.id, "patient_name": patient.name, "document_date": written.isoformat(),
            "vendor": vendor.name, "device_type": device, "removal_date": removed.isoformat()}


def removal_c(book: Casebook) -> Draft:
    """A cancellation notice (解約届): 解約日 is the removal date; 引取希望日 is not."""
    patient, hospital, vendor = book.patient(7), book.hospital(), book.vendor(book.pick(["prefix", "suffix"]))
    device = book.device({"concentrator": 0.7, "liquid_stationary": 0.2, "cylinder_portable": 0.1})
    written = book.day()
    ended = written + timedelta(days=int(book.rng.integers(0, 10)))
    pickup = ended + timedelta(days=int(book.rng.integers(1, 5)))
    relative = Person(patient.person.family, book.pick(YOUNGER))  # a son or daughter signs for the patient
    style = "era"
    date = lambda d: print_date(d, style)

    form = Form("serif")
    sheet = form.sheet
    form.right_line(f"届出日　{date(written)}", size=44)
    form.line(f"{vendor.printed()}　御中", size=50)
    form.gap(30)
    title(form, "在宅酸素療法機器 レンタル解約届", 70)
    form.paragraph("下記のとおり、機器の利用を終了（解約）いたしますので届け出ます。", size=44)
    title(form, "記", 46)
    words = {"concentrator": "酸素濃縮器", "liquid_stationary": "液化酸素（親器）",
             "cylinder_portable": "携帯用酸素ボンベ"}
    top = form.y
    key_values(form, [
        ("診察券番号", patient.id),
        ("お名前", f"{patient.person.printed()}　様"),
        ("ご住所", patient.address),
        ("解約機器", f"{words[device]}（{book.model(device)}）"),
        ("解約日", date(ended)),
        ("引取希望日", f"{date(pickup)}　{book.pick(['午前', '午後', '終日可'])}"),
        ("解約理由", ""),
    ], label_width=0.24, height=104, size=44)
    circled(sheet, form.left + 0.24 * form.width + 30, top + 6 * 104 + (104 + 44 * 0.72) / 2, REASONS,
            book.pick(["入院", "施設入所", "死亡", "症状改善"]), size=42, color=BLUE_INK)
    form.gap(30)
    form.line("届出者", size=44, bold=True)
    form.line(f"氏名　{relative.printed()}　（続柄　{book.pick(['長男', '長女', '妻', '夫', '次男'])}）", size=44,
              indent=60)
    form.line(f"連絡先　090-{book.digits(4)}-{book.digits(4)}", size=44, indent=60)
    form.gap(30)
    form.line("医療機関確認欄", size=44, bold=True)
    form.line(f"{hospital.full}　{hospital.department}", size=42, indent=60)
    form.line("確認者　____________________", size=42, indent=60)
    fields = _fields(patient, vendor, device, ended, written)
    return Draft([sheet], fields, "解約届: 解約日 vs 引取希望日; relative with the same surname; circled reason")


def removal_d(book: Casebook) -> Draft:
    """A supplier's work slip: ■ 引上, a header row with values under it, an items table."""
    patient, hospital, vendor = book.patient(8), book.hospital(), book.vendor("kabu")
    device = book.device({"concentrator": 0.55, "liquid_stationary": 0.45})
    removed = book.day()
    issued = removed + timedelta(days=int(book.rng.integers(0, 3)))
    worker = book.staff()
    style = "slash"
    date = lambda d: print_date(d, style)

    form = Form("mono")
    sheet = form.sheet
    put(sheet, form.left, form.y + 40, f"{vendor.printed()} {vendor.branch}", 40, bold=True)
    slip = f"伝票No. {book.digits(8, 2)}"
    put(sheet, form.right - sheet.width_of(slip, 38), form.y + 40, slip, 38)
    put(sheet, form.left, form.y + 92, f"TEL {vendor.phone}  FAX {vendor.fax}", 34)
    issued_text = f"発行日 {date(issued)}"
    put(sheet, form.right - sheet.width_of(issued_text, 38), form.y + 92, issued_text, 38)
    form.gap(130)
    title(form, "作業完了報告書（引上げ）", 64)
    put(sheet, form.left, form.y + 44, "作業区分", 44)
    ticked(sheet, form.left + 260, form.y + 44, ["設置", "交換", "引上", "点検"], "引上", on="■", size=44)
    form.gap(100)
    grid(form, [["作業日", "患者番号", "患者名", "医療機関"],
                [date(removed), patient.id, patient.person.printed(" "), hospital.name]],
         [0.2, 0.2, 0.24, 0.36], height=96, size=40, header_shade=(225, 225, 225))
    if device == "liquid_stationary":
        items = [["液化酸素 親器", book.model("liquid_stationary"), f"L{book.digits(6)}", "1", "回収済"],
                 ["液化酸素 子器", book.model("liquid_portable"), f"P{book.digits(6)}", "2", "回収済"]]
    else:
        items = [["酸素濃縮装置", book.model("concentrator"), f"C{book.digits(6)}", "1", "回収済"],
                 ["携帯用酸素ボンベ", book.model("cylinder_portable"), "—", str(int(book.rng.integers(2, 7))),
                  "回収済"]]
    grid(form, [["品名", "型式", "製造番号", "数量", "状態"], *items, ["", "", "", "", ""]],
         [0.26, 0.3, 0.2, 0.1, 0.14], height=96, size=40, header_shade=(225, 225, 225))
    key_values(form, [("引上理由", book.pick(["入院のため", "ご逝去のため", "施設入所のため", "医師の指示により中止"])),
                      ("作業場所", patient.address),
                      ("作業担当", worker.printed(" ")),
                      ("備考", "機器は営業所にて点検・消毒後に保管")], label_width=0.2, height=96, size=40)
    form.gap(40)
    form.line("上記のとおり作業を完了しましたので報告いたします。", size=40)
    form.line("お客様確認欄　__________________", size=40)
    fields = _fields(patient, vendor, device, removed, issued)
    return Draft([sheet], fields, "work slip: ■ 引上; 作業日 in a header row; 伝票No. distractor")


def removal_e(book: Casebook) -> Draft:
    """A letter: the removal date and the patient are in the running text."""
    patient, hospital, vendor = book.patient(6), book.hospital(), book.vendor(book.pick(["maru", "kabu_after"]))
    device = book.device({"concentrator": 0.6, "cylinder_portable": 0.25, "liquid_stationary": 0.15})
    removed = book.day()
    written = removed + timedelta(days=int(book.rng.integers(1, 6)))
    manager = book.staff()
    style = "era"
    date = lambda d: print_date(d, style)

    form = Form("sans")
    sheet = form.sheet
    form.right_line(date(written), size=44)
    form.line(f"{hospital.full}", size=46)
    form.line(f"{hospital.department}　ご担当者様", size=46, indent=40)
    form.gap(20)
    for text in (vendor.printed(), vendor.branch, f"所長　{manager.printed()}", f"TEL {vendor.phone}"):
        put(sheet, form.left + form.width * 0.58, form.y + 42, text, 42)
        form.y += 42 * 1.8
    form.gap(30)
    title(form, "在宅酸素機器 撤去完了のお知らせ", 64)
    form.paragraph("拝啓　時下ますますご清祥のこととお慶び申し上げます。平素は格別のお引き立てを賜り、"
                   "誠にありがとうございます。", size=44)
    form.paragraph(f"さて、ご依頼をいただきました{patient.person.printed()}様（患者番号 {patient.id}）の在宅酸素療法機器に"
                   f"つきまして、{date(removed)}に撤去を完了いたしましたので、ご報告申し上げます。", size=44)
    form.paragraph("なお、撤去した機器は当社にて点検・消毒のうえ保管いたします。今後とも何卒よろしくお願い申し上げます。",
                   size=44)
    form.right_line("敬具", size=44)
    title(form, "記", 46)
    words = {"concentrator": "酸素濃縮装置", "cylinder_portable": "携帯用酸素ボンベ",
             "liquid_stationary": "設置型液化酸素装置"}
    count = "1台" if device != "cylinder_portable" else f"{int(book.rng.integers(3, 8))}本"
    for text in [f"1. 撤去機器　{words[device]}　{book.model(device)}　{count}",
                 f"2. 撤去理由　{book.pick(['ご逝去のため', '長期入院のため', '症状改善により医師の指示で中止'])}",
                 f"3. 立会い　ご家族（{patient.person.family}様）",
                 "4. 請求　撤去日までの日割りにて請求いたします"]:
        form.line(text, size=44, indent=60)
    form.right_line("以上", size=44)
    fields = _fields(patient, vendor, device, removed, written)
    return Draft([sheet], fields, "letter: removal date and id only in the running text")


def removal_f(book: Casebook) -> Draft:
    """The hospital's stop notice: 使用終了日 is the value, 回収希望日 a distractor, a red stamp."""
    patient, hospital, vendor = book.patient(8), book.hospital(), book.vendor(book.pick(["prefix", "kabu"]))
    device = book.device({"concentrator": 0.6, "liquid_stationary": 0.25, "cylinder_portable": 0.15})
    ended = book.day()
    written = ended + timedelta(days=int(book.rng.integers(0, 3)))
    pickup = written + timedelta(days=int(book.rng.integers(1, 4)))
    clerk, contact = book.staff(), book.staff()
    style = "dot"
    date = lambda d: print_date(d, style)

    form = Form("sans_heavy")
    sheet = form.sheet
    form.line(f"{vendor.printed()}　御中", size=48)
    form.line(f"（ご担当　{contact.family} 様）", size=40, indent=40)
    title(form, "在宅酸素療法 中止連絡票", 68)
    form.right_line(f"連絡日：{date(written)}", size=44)
    top = form.y
    grid(form, [["患者ID", patient.id, "氏名", patient.person.printed()],
                ["生年月日", print_birth(patient.birth, "era"), "性別", patient.sex],
                ["使用機器", "", None, None],
                ["使用終了日", date(ended), "回収希望日", date(pickup)],
                ["中止理由", "", None, None],
                ["連絡者", f"{hospital.name}　医事課　{clerk.printed()}", None, None]],
         [0.18, 0.32, 0.18, 0.32], height=110, size=42, color=FORM_BLUE)
    words = {"concentrator": "酸素濃縮装置", "liquid_stationary": "液化酸素装置", "cylinder_portable": "携帯ボンベ"}
    ticked(sheet, form.left + 0.18 * form.width + 24, top + 2 * 110 + (110 + 42 * 0.72) / 2, list(words.values()),
           words[device], on="☑", size=42)
    ticked(sheet, form.left + 0.18 * form.width + 24, top + 4 * 110 + (110 + 42 * 0.72) / 2,
           ["死亡", "入院", "転院", "改善", "その他"], book.pick(["死亡", "入院", "転院", "改善"]), on="☑", size=42)
    form.gap(20)
    form.paragraph("※使用終了日までの日割りでご請求ください。回収日が決まりましたら医事課までご連絡ください。", size=38)
    form.line(f"{hospital.full}　TEL {hospital.phone}", size=40)
    form.gap(40)
    form.line("業者記入欄", size=40)
    rule(sheet, form.left, form.y, form.right, form.y, 2)
    rule(sheet, form.left, form.y + 200, form.right, form.y + 200, 2)
    received = written
    receipt_stamp(sheet, form.left + 380, form.y + 100,
                  ("受付", f"{received.year}.{received.month}.{received.day}", contact.family))
    fields = _fields(patient, vendor, device, ended, written)
    return Draft([sheet], fields, "stop notice: 使用終了日 vs 回収希望日; ☑ device and reason; receipt stamp")
