"""Layout families: six or more layouts per document type, for measuring the extractor on
layouts no rule was written against (leave-one-layout-family-out).

A family is one way a hospital or a supplier prints a kind of paper: its own label words,
order, font and scan conditions. Two families per type are the demo's layouts
(``contract_a``/``contract_b`` … from samples.contracts, orders, guidance, removals): the
extractor's rules were written against them, so they are *seen*. The others (``contract_c``
…) are *unseen*: made up from the variety of real Japanese forms, without looking at the rules.

    truth = make_family_corpus(Path("/tmp/families"), families=None, per_family=2, seed=0)
    # -> /tmp/families/docs/contract_c_01.jpg …, /tmp/families/truth.json

truth.json has the format of ../shared/corpus-dev (doc_type, fields, format, pages, scan, text,
notes, born_digital), plus ``family`` and ``seen``. Every document draws its own invented
patient, dates and values from (seed, family, index): the same seed writes the same bytes,
and a family's documents do not depend on which other families are made.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np

from samples import family_contracts, family_guidance, family_orders, family_removals
from samples.casebook import Casebook, Draft, first_of_next_month, year_end
from samples.contracts import ContractFacts, contract_letter, contract_table
from samples.guidance import GuidanceFacts, guidance_note, guidance_table
from samples.orders import Flows, OrderFacts, order_chart, order_request
from samples.paper import Patient, Style, Supplier
from samples.removals import RemovalFacts, removal_letter, removal_slip
from samples.render import save_born_digital
from samples.scanner import Scanner, draw_sheet, save_pages, scan_page, sheet_text
from samples.text import ERA, ERA_LETTER, SLASH, SLASH_SHORT, WESTERN

DOC_TYPES = ("hot_contract", "hot_prescription", "hot_guidance_record", "hot_device_removal")


@dataclass(frozen=True)
class Family:
    """One layout family: what it is, how it draws a document, how its pages are scanned."""

    name: str
    doc_type: str
    seen: bool  # the demo's layouts, which the extractor's rules were written against
    make: Callable[[Casebook], Draft]
    scanner: Scanner
    suffix: str  # file format of its scans: .png .jpg .tif .pdf
    description: str

    def __call__(self, rng: np.random.Generator) -> Draft:
        """Draw one document of the family with facts from ``rng``."""
        return self.make(Casebook(rng))


# --- the demo's layouts (seen), with facts drawn like the new families' -------------------

def _style(book: Casebook) -> Style:
    return Style(family=book.pick(["sans", "serif"]), dates=book.pick([ERA, ERA_LETTER, SLASH, SLASH_SHORT, WESTERN]),
                 id_label=book.pick(["患者ID", "カルテ番号", "患者番号"]), wide_digits=book.chance(0.25),
                 name_spacing=book.pick(["　", "　", ""]), tick=book.pick(["レ", "■", "☑"]))


def _paper_patient(book: Casebook) -> Patient:
    p = book.patient(8)
    birth = f"昭和{p.birth.year - 1925}年{p.birth.month}月{p.birth.day}日"
    return Patient(p.id, p.name, birth, p.sex, p.address)


def _paper_supplier(book: Casebook) -> Supplier:
    v = book.vendor()
    return Supplier(v.name, v.printed(), v.branch, v.phone)


def _device(book: Casebook) -> str:
    return book.device({"concentrator": 0.7, "liquid_stationary": 0.2, "cylinder_portable": 0.1})


def _seen_contract(layout):
    def make(book: Casebook) -> Draft:
        patient, supplier, device = _paper_patient(book), _paper_supplier(book), _device(book)
        signed = book.day()
        start = first_of_next_month(signed)
        end = year_end(start) if book.chance(0.6) else None
        facts = ContractFacts(patient, supplier, device, book.model(device), start, end, book.fee(device), signed,
                              renewal=end is not None and book.chance(0.5))
        return Draft(layout(facts, _style(book)), facts.fields(), f"demo layout {layout.__name__}")
    return make


def _seen_order(layout):
    def make(book: Casebook) -> Draft:
        patient, supplier, device = _paper_patient(book), _paper_supplier(book), _device(book)
        written = book.day()
        start = written + timedelta(days=5)
        facts = OrderFacts(patient, supplier, device, Flows(*book.flows(quarters=False)), book.staff().name, written,
                           (start, year_end(start)), book.pick(["慢性閉塞性肺疾患", "間質性肺炎", "肺結核後遺症"]))
        return Draft(layout(facts, _style(book)), facts.fields(), f"demo layout {layout.__name__}")
    return make


def _seen_guidance(layout):
    def make(book: Casebook) -> Draft:
        patient = _paper_patient(book)
        given = book.day()
        measured = given - timedelta(days=int(book.pick([0, 0, 0, 3, 7])))
        note = book.pick(["機器の取り扱いと火気の注意を再確認した。労作時の息切れは前回と変わらない。",
                          "在宅での酸素使用状況を確認した。夜間の流量を守れている。",
                          "加湿水の交換と携帯ボンベの残量確認を家族に説明した。"])
        facts = GuidanceFacts(patient, book.staff().name, book.staff().name, given, measured, book.spo2(),
                              book.pao2(), Flows(*book.flows(quarters=False)), given + timedelta(days=28), note)
        return Draft(layout(facts, _style(book)), facts.fields(), f"demo layout {layout.__name__}")
    return make


def _seen_removal(layout):
    def make(book: Casebook) -> Draft:
        patient, supplier, device = _paper_patient(book), _paper_supplier(book), _device(book)
        removed = book.day()
        facts = RemovalFacts(patient, supplier, device, book.model(device), f"SN-{book.digits(5)}", removed,
                             removed + timedelta(days=int(book.rng.integers(0, 4))),
                             book.pick(["入院のため使用中止", "液化酸素へ切替", "ご逝去のため"]), book.staff().name)
        return Draft(layout(facts, _style(book)), facts.fields(), f"demo layout {layout.__name__}")
    return make


DEMO_SCAN = Scanner(noise=0.0003, jitter=0.6)


def _family(name, doc_type, make, scanner, suffix, description, seen=False) -> tuple[str, Family]:
    return name, Family(name, doc_type, seen, make, scanner, suffix, description)


FAMILIES: dict[str, Family] = dict([
    # hot_contract
    _family("contract_a", "hot_contract", _seen_contract(contract_letter), DEMO_SCAN, ".png",
            "demo: letter-style contract, particulars as label/value lines, ticked device", seen=True),
    _family("contract_b", "hot_contract", _seen_contract(contract_table), DEMO_SCAN, ".tif",
            "demo: supplier's two-page contract with a ruled particulars table", seen=True),
    _family("contract_c", "hot_contract", family_contracts.contract_c,
            Scanner(dpi=200, color=True, paper=(250, 246, 232), noise=0.0004, jitter=0.5, jpeg_quality=80),
            ".jpg", "supplier's レンタル契約書: label-above-value boxes, 利用者ID/利用者名, device named "
                    "(酸素濃縮器), レンタル期間/レンタル料（月額）, 契約日, hanko; colour JPEG 200 dpi, cream paper"),
    _family("contract_d", "hot_contract", family_contracts.contract_d,
            Scanner(bilevel=True, threshold=160, noise=0.0002, jitter=0.6), ".tif",
            "個別契約書 in mincho: patient and 診察券番号 in an article, 別表 with the device circled, "
            "貸与期間/賃貸料 in full-width era dates, signing date alone; bilevel G4 TIFF 300 dpi"),
    _family("contract_e", "hot_contract", family_contracts.contract_e, Scanner(noise=0.0001, jitter=0.2), ".png",
            "EMR print-out in a monospaced face: 'label : value' lines, half-width kana reading and supplier, "
            "● device, 契約締結日/契約開始日/契約終了日 ISO dates, 月額賃貸料(税抜); grey PNG 300 dpi"),
    _family("contract_f", "hot_contract", family_contracts.contract_f,
            Scanner(preset="medium", dpi=200, orientation=180, noise=0.0006, blur=0.6, grain=4.0, jitter=0.5),
            ".pdf", "contract with an items table (品名|型式|数量|月額) and 月額合計, カルテNo./患者様氏名, "
                    "R8.10.1 dates, 作成日 in the corner, red stamp; image PDF 200 dpi, upside down"),
    # hot_prescription
    _family("order_a", "hot_prescription", _seen_order(order_chart), DEMO_SCAN, ".png",
            "demo: chart-printed 在宅酸素療法指示書, flows on one line", seen=True),
    _family("order_b", "hot_prescription", _seen_order(order_request), DEMO_SCAN, ".jpg",
            "demo: 酸素供給依頼書, ruled request form, flows as a header row and a value row", seen=True),
    _family("order_c", "hot_prescription", family_orders.order_c,
            Scanner(dpi=200, bilevel=True, threshold=150, noise=0.0008, jitter=0.8), ".tif",
            "FAX: cover sheet (送信日, 宛先 御中) + 在宅酸素供給指示書, 診察券番号/お名前/ふりがな, flows on one "
            "line 安静/運動/就寝 ℓ/min, device and sex circled, 指示医 + hanko; bilevel fax TIFF 200 dpi, 2 pages"),
    _family("order_d", "hot_prescription", family_orders.order_d,
            Scanner(preset="medium", noise=0.0006, grain=5.0, jitter=1.0, jpeg_quality=55), ".jpg",
            "処方箋-shaped order in mincho: 保険者番号 distractor, 交付年月日, Rp. lines 安静時/入浴・歩行時/"
            "夜間睡眠時, device named + cylinder for outings, 保険医氏名; grey JPEG q55 300 dpi"),
    _family("order_e", "hot_prescription", family_orders.order_e,
            Scanner(dpi=250, color=True, paper=(248, 250, 252), noise=0.0003, jitter=0.4), ".png",
            "supplier's change order in heavy gothic on a blue form: label-above boxes, ☑ device, "
            "変更前/変更後 flow table, 担当医師, receipt stamp; colour PNG 250 dpi"),
    _family("order_f", "hot_prescription", family_orders.order_f,
            Scanner(preset="medium", dpi=200, skew=1.0, jitter=0.3, uneven=0.6, blur=0.4, noise=0.0003), ".pdf",
            "EMR request letter in a monospaced face: 御中, 担当医, device in the running text, 記 list with "
            "処方 on one line; image PDF 200 dpi, skewed, shaded"),
    # hot_guidance_record
    _family("guidance_a", "hot_guidance_record", _seen_guidance(guidance_note), DEMO_SCAN, ".jpg",
            "demo: chart-note guidance record, label/value lines", seen=True),
    _family("guidance_b", "hot_guidance_record", _seen_guidance(guidance_table), DEMO_SCAN, ".png",
            "demo: ruled-table guidance record, label beside value", seen=True),
    _family("guidance_c", "hot_guidance_record", family_guidance.guidance_c, Scanner(noise=0.0002, jitter=0.2),
            ".png", "EMR outpatient chart page (外来診療録) with a SOAP note in a monospaced face: 受診日(曜日), "
                    "SpO2/PaO2 beside PaCO2 in O), flows in P); grey PNG 300 dpi"),
    _family("guidance_d", "hot_guidance_record", family_guidance.guidance_d,
            Scanner(dpi=200, color=True, paper=(252, 249, 238), noise=0.0004, jitter=0.6, jpeg_quality=75), ".jpg",
            "home-visit log (訪問指導記録表) in mincho: 利用者ID/利用者名/主治医, one row per visit "
            "(訪問日|SpO2|脈拍|流量), latest row is the value, no PaO2; colour JPEG 200 dpi"),
    _family("guidance_e", "hot_guidance_record", family_guidance.guidance_e,
            Scanner(orientation=180, faint=0.35, noise=0.0004, jitter=0.4), ".png",
            "指導管理チェック表: label-above boxes (カルテ番号, 担当医師, 実施日, 検査日), values under header "
            "rows (mmHg, ℓ/分, 就寝時), ☑ items, 記入日; faint toner, grey PNG, upside down"),
    _family("guidance_f", "hot_guidance_record", family_guidance.guidance_f,
            Scanner(preset="medium", blur=0.9, uneven=0.3, grain=3.0, noise=0.0003, jitter=0.5), ".tif",
            "record in heavy gothic: 患者コード/指導医/指導年月日/採血日, 動脈血酸素分圧 and 経皮的動脈血酸素"
            "飽和度, 2026年（令和8年）… dates, flows in L/min; soft photocopy-like grey TIFF 300 dpi"),
    # hot_device_removal
    _family("removal_a", "hot_device_removal", _seen_removal(removal_letter), DEMO_SCAN, ".png",
            "demo: supplier's 機器撤去報告書 letter, particulars as lines", seen=True),
    _family("removal_b", "hot_device_removal", _seen_removal(removal_slip), DEMO_SCAN, ".jpg",
            "demo: 機器回収報告書, everything in one ruled table", seen=True),
    _family("removal_c", "hot_device_removal", family_removals.removal_c,
            Scanner(dpi=200, color=True, paper=(252, 238, 240), noise=0.0004, jitter=0.5, jpeg_quality=82), ".jpg",
            "レンタル解約届 in mincho: 届出日, 御中, 診察券番号/お名前, 解約日 vs 引取希望日, circled reason, "
            "relative as notifier; colour JPEG 200 dpi, pink paper"),
    _family("removal_d", "hot_device_removal", family_removals.removal_d,
            Scanner(dpi=200, bilevel=True, threshold=155, noise=0.0006, jitter=0.7), ".tif",
            "supplier's 作業完了報告書（引上げ） in a monospaced face: ■ 引上, header row 作業日|患者番号|患者名 "
            "with values under it, items table, 伝票No.; bilevel TIFF 200 dpi"),
    _family("removal_e", "hot_device_removal", family_removals.removal_e, Scanner(noise=0.0003, jitter=0.4), ".pdf",
            "撤去完了のお知らせ letter: patient, 患者番号 and removal date only in the running text, 記 names "
            "the device; image PDF 300 dpi"),
    _family("removal_f", "hot_device_removal", family_removals.removal_f,
            Scanner(dpi=240, color=True, faint=0.2, noise=0.0003, jitter=0.5), ".png",
            "hospital's 中止連絡票 in heavy gothic on a blue form: 連絡日, 患者ID/氏名, ☑ device, 使用終了日 vs "
            "回収希望日, ☑ reason, red receipt stamp; colour PNG 240 dpi"),
])


def family_rng(seed: int, family: str, index: int) -> np.random.Generator:
    """The random stream of one document: fixed by the seed, the family's name and the index."""
    return np.random.default_rng([seed, zlib.crc32(family.encode()), index])


def make_document(family: Family, index: int, target: Path, seed: int = 0,
                  born_digital: bool = False) -> tuple[str, dict]:
    """Write document ``index`` (0-based) of ``family`` into ``target``; returns its name and truth."""
    rng = family_rng(seed, family.name, index)
    draft = family(rng)
    suffix = ".pdf" if born_digital else family.suffix
    name = f"{family.name}_{index + 1:02d}{suffix}"
    path = Path(target) / name
    record = {"doc_type": family.doc_type, "fields": dict(draft.fields), "pages": len(draft.sheets),
              "text": "\n\n".join(sheet_text(sheet) for sheet in draft.sheets),
              "notes": f"template family:{family.name} ({'seen' if family.seen else 'unseen'}); {draft.notes}",
              "family": family.name, "seen": family.seen, "born_digital": born_digital}
    if draft.ignore_fields:
        record["ignore_fields"] = list(draft.ignore_fields)
    if born_digital:
        save_born_digital(draft.sheets, path)
        record["format"] = "pdf_digital"
    else:
        pages, scans = [], []
        for sheet in draft.sheets:
            page, skew = scan_page(draw_sheet(sheet), family.scanner, rng)
            pages.append(page)
            scans.append(family.scanner.truth(skew))
        record["format"] = save_pages(pages, path, family.scanner)
        record["scan"] = scans
    return name, record


def make_family_corpus(target: Path, families: list[str] | None = None, per_family: int = 2, seed: int = 0,
                       born_digital: bool = False) -> dict:
    """Write ``per_family`` documents of each family into ``target/docs`` and their truth into
    ``target/truth.json``; returns the truth. ``families`` None means all of them."""
    names = list(FAMILIES) if families is None else list(families)
    unknown = [n for n in names if n not in FAMILIES]
    if unknown:
        raise ValueError(f"unknown families: {', '.join(unknown)} (known: {', '.join(FAMILIES)})")
    docs = Path(target) / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    truth = {}
    for name in names:
        for index in range(per_family):
            file_name, record = make_document(FAMILIES[name], index, docs, seed, born_digital)
            truth[file_name] = record
    (Path(target) / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True),
                                             encoding="utf-8")
    return truth
