"""The sample set: three invented patients' home-oxygen paperwork for 2026-08 to 2026-10.

The story the documents tell (what ``shoko check`` should make of it):

- A (患者ID 00412087): a concentrator on an open-ended contract, an order, a
  guidance record with SpO2/PaO2 every month: every claim ready.
- B (カルテ番号 00730215): a concentrator contract ending 2026-10-31, guidance every
  month, and the device removed on 2026-10-20: October ready, with a warning.
- C (患者番号 01158342): switched from a concentrator to liquid oxygen on 2026-08-01
  while the old contract still ran to 2026-08-31 (conflict in August), no guidance
  record in September (missing), and in October a measurement from September.
- Two ``other`` documents: a supplier's letter and an internal notice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from samples.contracts import ContractFacts, contract_letter, contract_table
from samples.forms import Sheet
from samples.guidance import GuidanceFacts, guidance_note, guidance_table
from samples.letters import internal_notice, supplier_letter
from samples.orders import Flows, OrderFacts, order_chart, order_request
from samples.paper import Patient, Style, Supplier
from samples.removals import RemovalFacts, removal_letter, removal_slip
from samples.render import Scan
from samples.text import ERA, ERA_FULL_WIDTH, ERA_LETTER, SLASH, SLASH_SHORT, WESTERN

MONTHS = ("2026-08", "2026-09", "2026-10")

PATIENT_A = Patient("00412087", "高橋 正雄", "昭和22年5月3日", "男", "東京都足立区花畑三丁目8番5号")
PATIENT_B = Patient("00730215", "中村 和子", "昭和15年1月20日", "女", "東京都葛飾区水元二丁目11番2号")
PATIENT_C = Patient("01158342", "岡田 武夫", "昭和27年9月8日", "男", "埼玉県八潮市大瀬一丁目4番16号")
PATIENTS = (PATIENT_A, PATIENT_B, PATIENT_C)

MINATO = Supplier("みなと酸素サービス", "株式会社みなと酸素サービス", "城北営業所", "03-5812-4470")
HIKARI = Supplier("ひかりメディカル", "（株）ひかりメディカル", "東部支店", "03-3690-2281")

DOCTOR_HASEGAWA = "長谷川 彩"
DOCTOR_FUJII = "藤井 誠一"
NURSE_YAMAGUCHI = "山口 美香"
NURSE_ONO = "小野 真理"

# A page laid straight on the scanner; the seed still turns it a little (samples.SKEW_JITTER).
STRAIGHT = Scan(noise=0.0003)


@dataclass(frozen=True)
class Plan:
    """One file of the set: what it is, how it looks, how it was scanned."""

    file_name: str
    doc_type: str
    sheets: Callable[[], list[Sheet]]
    fields: dict
    note: str
    scans: tuple[Scan, ...] = field(default=(STRAIGHT,))
    born_digital: bool = False


def _guidance(patient: Patient, doctor: str, nurse: str, given: date, measured: date,
              spo2: int, pao2: float, flows: Flows, note: str) -> GuidanceFacts:
    next_visit = date(given.year + given.month // 12, given.month % 12 + 1, min(given.day, 28))
    return GuidanceFacts(patient, doctor, nurse, given, measured, spo2, pao2, flows, next_visit, note)


def plans() -> list[Plan]:
    """Every file of the set, in order."""
    return [*_patient_a(), *_patient_b(), *_patient_c(), *_others()]


def _plan(file_name: str, doc_type: str, template, facts, style: Style, note: str, **kwargs) -> Plan:
    return Plan(file_name, doc_type, lambda: template(facts, style), facts.fields(), note, **kwargs)


def _patient_a() -> list[Plan]:
    a, flows = PATIENT_A, Flows(1.0, 2.0, 1.0)
    contract = ContractFacts(a, MINATO, "concentrator", "サンソメイト5", date(2026, 4, 1), None, 27500,
                             date(2026, 3, 27))
    order = OrderFacts(a, MINATO, "concentrator", flows, DOCTOR_HASEGAWA, date(2026, 3, 25),
                       (date(2026, 4, 1), date(2027, 3, 31)), "慢性閉塞性肺疾患")
    note = "機器の取り扱いと火気の注意を再確認した。労作時の息切れは前回と変わらない。"
    records = [
        _guidance(a, DOCTOR_HASEGAWA, NURSE_YAMAGUCHI, day, day, spo2, pao2, flows, note)
        for day, spo2, pao2 in ((date(2026, 8, 6), 93, 64.2), (date(2026, 9, 3), 92, 61.8),
                                (date(2026, 10, 1), 94, 65.7))
    ]
    return [
        _plan("s01_contract_a.pdf", "hot_contract", contract_letter, contract,
              Style("mono", ERA, tick="■"), "A: open-ended concentrator contract, born-digital PDF with a text layer",
              scans=(), born_digital=True),
        _plan("s02_order_a.png", "hot_prescription", order_chart, order,
              Style("serif", ERA_LETTER, tick="☑"), "A: order, R8.3.25 dates, scan skewed +0.6°",
              scans=(Scan(0.6, noise=0.0003),)),
        _plan("s03_guidance_a_08.png", "hot_guidance_record", guidance_table, records[0],
              Style("sans", SLASH), "A: August guidance, ruled table", scans=(Scan(0.0, noise=0.0004),)),
        _plan("s04_guidance_a_09.jpg", "hot_guidance_record", guidance_note, records[1],
              Style("serif", ERA, name_spacing=""), "A: September guidance, chart note, JPEG",
              scans=(Scan(0.0),)),
        _plan("s05_guidance_a_10.png", "hot_guidance_record", guidance_table, records[2],
              Style("sans", WESTERN), "A: October guidance, scanned upside down",
              scans=(Scan(0.0, upside_down=True, noise=0.0003),)),
    ]


def _patient_b() -> list[Plan]:
    b, flows = PATIENT_B, Flows(0.5, 1.5, 1.0)
    card = Style("sans", WESTERN, id_label="カルテ番号", wide_digits=True)
    contract = ContractFacts(b, HIKARI, "concentrator", "エアロス3", date(2025, 11, 1), date(2026, 10, 31), 30800,
                             date(2025, 10, 27), renewal=True)
    order = OrderFacts(b, HIKARI, "concentrator", flows, DOCTOR_HASEGAWA, date(2025, 10, 24),
                       (date(2025, 11, 1), date(2026, 10, 31)), "間質性肺炎")
    note = "在宅での酸素使用状況を確認した。夜間の流量を守れている。家族へ転倒予防を説明した。"
    records = [
        _guidance(b, DOCTOR_HASEGAWA, NURSE_ONO, day, day, spo2, pao2, flows, note)
        for day, spo2, pao2 in ((date(2026, 8, 19), 91, 60.3), (date(2026, 9, 16), 92, 62.0),
                                (date(2026, 10, 14), 90, 58.9))
    ]
    removal = RemovalFacts(b, HIKARI, "concentrator", "エアロス3", "HK-70218", date(2026, 10, 20),
                           date(2026, 10, 21), "入院のため使用中止", "松井 健太")
    return [
        _plan("s06_contract_b.tif", "hot_contract", contract_table, contract, card,
              "B: one-year concentrator contract, ruled table, two-page TIFF, full-width id and fee",
              scans=(Scan(0.0, noise=0.0003), Scan(0.0, noise=0.0003))),
        _plan("s07_order_b.jpg", "hot_prescription", order_request, order,
              Style("serif", WESTERN, id_label="カルテ番号", tick="■"), "B: order on the supplier's request form, JPEG",
              scans=(Scan(0.0),)),
        _plan("s08_guidance_b_08.png", "hot_guidance_record", guidance_note, records[0],
              Style("sans", ERA_LETTER, id_label="カルテ番号"), "B: August guidance, chart note",
              scans=(Scan(-0.7, noise=0.0003),)),
        _plan("s09_guidance_b_09.png", "hot_guidance_record", guidance_table, records[1],
              Style("serif", SLASH_SHORT, id_label="カルテ番号"), "B: September guidance, ruled table",
              scans=(Scan(0.0, noise=0.0003),)),
        _plan("s10_guidance_b_10.png", "hot_guidance_record", guidance_note, records[2],
              Style("serif", ERA, id_label="カルテ番号"),
              "B: October guidance, chart note in serif", scans=(Scan(0.0, noise=0.0004),)),
        _plan("s11_removal_b.png", "hot_device_removal", removal_letter, removal,
              Style("sans", ERA, id_label="カルテ番号", wide_digits=True),
              "B: concentrator removed 2026-10-20, inside October", scans=(Scan(0.9, noise=0.0003),)),
    ]


def _patient_c() -> list[Plan]:
    c = PATIENT_C
    number = Style("sans", SLASH_SHORT, id_label="患者番号")
    old = ContractFacts(c, MINATO, "concentrator", "サンソメイト3", date(2025, 9, 1), date(2026, 8, 31), 25300,
                        date(2025, 8, 28))
    removal = RemovalFacts(c, MINATO, "concentrator", "サンソメイト3", "MS-31877", date(2026, 7, 31),
                           date(2026, 8, 3), "液化酸素へ切替", "坂本 亮")
    flows = Flows(2.0, 3.0, 2.0)
    order = OrderFacts(c, MINATO, "liquid_stationary", flows, DOCTOR_FUJII, date(2026, 7, 27),
                       (date(2026, 8, 1), date(2027, 1, 31)), "肺結核後遺症")
    new = ContractFacts(c, MINATO, "liquid_stationary", "リキッドベース LS-31", date(2026, 8, 1),
                        date(2027, 7, 31), 42000, date(2026, 7, 29), renewal=True)
    note = "液化酸素の充填方法と凍傷の注意を説明した。子機への移し替えは家族が行える。"
    august = _guidance(c, DOCTOR_FUJII, NURSE_ONO, date(2026, 8, 21), date(2026, 8, 21), 91, 58.5, flows, note)
    october = _guidance(c, DOCTOR_FUJII, NURSE_YAMAGUCHI, date(2026, 10, 9), date(2026, 9, 28), 90, 57.2, flows,
                        "訪問看護で9月28日に測定した値を確認した。労作時の流量を守るよう再度説明した。")
    return [
        _plan("s12_contract_c_old.jpg", "hot_contract", contract_letter, old, number,
              "C: old concentrator contract, still running to 2026-08-31", scans=(Scan(0.0, noise=0.0003),)),
        _plan("s13_removal_c.png", "hot_device_removal", removal_slip, removal,
              Style("sans", SLASH, id_label="患者番号"), "C: concentrator collected 2026-07-31, ruled slip",
              scans=(Scan(0.5, noise=0.0003),)),
        _plan("s14_order_c.png", "hot_prescription", order_chart, order,
              Style("sans", ERA, id_label="患者番号"), "C: order for liquid oxygen", scans=(Scan(0.0),)),
        _plan("s15_contract_c.pdf", "hot_contract", contract_table, new,
              Style("sans", ERA, id_label="患者番号", wide_digits=True),
              "C: liquid oxygen contract from 2026-08-01, scanned two-page PDF (image only)",
              scans=(Scan(0.0, noise=0.0002), Scan(0.0, noise=0.0002))),
        _plan("s16_guidance_c_08.tif", "hot_guidance_record", guidance_note, august,
              Style("sans", SLASH, id_label="患者番号"), "C: August guidance, single-page TIFF",
              scans=(Scan(0.0, noise=0.0003),)),
        _plan("s17_guidance_c_10.png", "hot_guidance_record", guidance_table, october,
              Style("serif", ERA_LETTER, id_label="患者番号"),
              "C: October guidance, measured 2026-09-28 (no record for September)",
              scans=(Scan(0.4, noise=0.0003),)),
    ]


def _others() -> list[Plan]:
    letter_day, notice_day = date(2026, 9, 1), date(2026, 10, 2)
    return [
        Plan("s18_letter.png", "other",
             lambda: supplier_letter(MINATO, letter_day, Style("serif", ERA_FULL_WIDTH)),
             {"document_date": letter_day.isoformat()},
             "a supplier's letter announcing inspections, full-width era date",
             scans=(Scan(1.0, noise=0.0003),)),
        Plan("s19_notice.jpg", "other", lambda: internal_notice(notice_day, Style("sans", WESTERN)),
             {"document_date": notice_day.isoformat()}, "an internal notice from 医事課",
             scans=(Scan(-0.6),)),
    ]
