"""Paperwork that is not evidence for a claim (doc_type ``other``): a supplier's letter, an internal notice."""

from __future__ import annotations

from datetime import date

from samples.forms import Form, Sheet
from samples.paper import HOSPITAL, Style, Supplier


def supplier_letter(supplier: Supplier, issued: date, style: Style) -> list[Sheet]:
    """A supplier announcing its yearly inspection visits."""
    form = Form(style.family)
    form.right_line(style.date_text(issued))
    form.line(f"{HOSPITAL}")
    form.line("在宅酸素療法ご担当者様", indent=60)
    form.signature([supplier.printed, f"{supplier.branch}　TEL {supplier.phone}"])
    form.title("定期点検訪問のお知らせ", size=64)
    for paragraph in (
        "拝啓　時下ますますご清栄のこととお慶び申し上げます。平素は格別のお引き立てを賜り、厚く御礼申し上げます。",
        "さて、当社ではご利用者様の安全のため、ご自宅に設置している機器の定期点検を年2回実施しております。"
        "本年秋の点検訪問を下記の日程で予定しておりますので、ご案内申し上げます。",
        "点検はおよそ30分で終わり、その間も機器はご使用いただけます。日程の変更をご希望の方は、"
        "お手数ですが担当営業所までご連絡ください。",
    ):
        form.paragraph(paragraph, size=42)
        form.gap(20)
    form.line("記", indent=form.width / 2 - 21)
    form.line("1. 訪問期間　10月上旬から11月下旬まで（土日祝日を除く）", indent=60)
    form.line("2. 点検内容　流量の確認、フィルターの交換、警報の動作確認", indent=60)
    form.line("3. 訪問時間　午前9時から午後5時まで", indent=60)
    form.right_line("敬具")
    return [form.sheet]


def internal_notice(issued: date, style: Style) -> list[Sheet]:
    """An internal notice from 医事課 to the wards about the month-end paperwork."""
    form = Form(style.family)
    form.right_line(f"医事課　{style.date_text(issued)}")
    form.line("各病棟・外来　看護師長　各位")
    form.title("月末の書類提出についてのお知らせ", size=64)
    for paragraph in (
        "毎月の請求事務を円滑に進めるため、在宅療養に関する書類は月末の3日前までに医事課へ提出してください。",
        "原本はスキャナで読み取った後、各部署へ返却します。読み取りできなかった書類は、理由を添えて"
        "医事課からご連絡します。",
        "提出の際は、書類の向きをそろえ、ホチキスを外してください。付箋は読み取りの妨げになるため、"
        "はがしてからお持ちください。",
        "ご不明な点は医事課（内線 2135）までお問い合わせください。",
    ):
        form.paragraph(paragraph, size=42)
        form.gap(20)
    form.signature(["以上"])
    return [form.sheet]
