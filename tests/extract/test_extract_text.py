"""Classification and fields on text (no OCR): every rule shown on a small form."""

from __future__ import annotations

import pathlib

from ingest.document import Barcode, Page, Word
from ingest.extract import extract, load_rules

CONTRACT = """在宅酸素療法機器 個別契約書
患者番号 ０００１２３４５ 氏名 山田 太郎 様
機器の種類 ☐酸素濃縮装置 ☑設置型液化酸素装置 ☐携帯型液化酸素装置 ☐携帯用酸素ボンベ
契約期間 R8.4.1 ～ R9.3.31
月額料金 ￥３２，０００（税込）
供給業者 株式会社ミナト酸素 横浜支店
契約締結日 令和8年3月25日"""

PRESCRIPTION = """酸素処方箋
作成日 2026/10/02
カルテNo. 7654321
患者名 佐々木 一郎
使用機器 酸素濃縮装置（ハイサンソ）、携帯用酸素ボンベ
安静時 労作時 睡眠時
1.0 L/分 2.0 L/分 1.5 L/分
供給者 ㈱ミナト酸素
処方医 高橋 誠 先生"""

GUIDANCE = """外来診療記録（HOT）
ID: 0042 患者氏名 小林 花子
受診日 2026年9月3日 担当医 中村 直樹
SpO2 93 % PaO2 71.5 mmHg 測定日 2026年9月1日
酸素流量 安静時 1 L/min 労作時 2 L/min 睡眠時 1 L/min
受診日 2026年10月1日 担当医 中村 直樹
SpO2 95 % PaO2 74 mmHg 測定日 2026年9月30日
次回受診日 2026年11月5日
記録日 2026年10月2日"""

REMOVAL = """解約届
届出日 令和8年12月1日
患者ID 31415926
患者氏名 斎藤 一
解約日 令和8年11月30日
撤去機器 酸素濃縮装置
(株)ミナト酸素 湘南営業所"""

LETTER = """2026年8月9日
ご利用者様各位
株式会社ミナト酸素
酸素濃縮装置 定期点検のお知らせ
下記の日程にて酸素濃縮装置と携帯用酸素ボンベの点検に伺います。点検期間 2026/08/27 ～ 2026/09/27"""

MAGAZINE = """月刊 在宅医療ジャーナル 2026年5月号
特集 在宅酸素療法の今
在宅酸素療法では酸素濃縮装置が広く使われ、患者の生活の質を支えている。液化酸素装置や携帯用酸素ボンベ
との使い分け、指導記録の書き方、診療報酬の算定についても解説する。"""


def test_contract(rules, text_pages) -> None:
    result = extract(text_pages(CONTRACT), rules)
    values = {k: v.value for k, v in result.fields.items()}
    assert result.doc_type == "hot_contract"
    assert result.title == "在宅酸素療法機器 個別契約書"
    assert values == {
        "patient_id": "00012345", "patient_name": "山田 太郎", "device_type": "liquid_stationary",
        "contract_start": "2026-04-01", "contract_end": "2027-03-31", "monthly_fee": 32000,
        "vendor": "ミナト酸素", "document_date": "2026-03-25"}


def test_prescription_with_flow_table_and_two_devices(rules, text_pages) -> None:
    result = extract(text_pages(PRESCRIPTION), rules)
    values = {k: v.value for k, v in result.fields.items()}
    assert result.doc_type == "hot_prescription"
    assert values["patient_id"] == "7654321"
    assert values["patient_name"] == "佐々木 一郎"
    assert values["document_date"] == "2026-10-02"
    assert values["device_type"] == "concentrator"  # the stationary one of the two
    assert (values["flow_rest"], values["flow_exertion"], values["flow_sleep"]) == (1.0, 2.0, 1.5)
    assert values["vendor"] == "ミナト酸素"
    assert values["doctor"] == "高橋 誠"


def test_guidance_record_keeps_the_latest_visit(rules, text_pages) -> None:
    result = extract(text_pages(GUIDANCE), rules)
    values = {k: v.value for k, v in result.fields.items()}
    assert result.doc_type == "hot_guidance_record"
    assert values["patient_id"] == "0042"
    assert values["guidance_date"] == "2026-10-01"
    assert values["measurement_date"] == "2026-09-30"
    assert values["spo2"] == 95 and values["pao2"] == 74
    assert values["doctor"] == "中村 直樹"
    assert values["document_date"] == "2026-10-02"
    assert "vendor" not in values and "device_type" not in values  # not guidance fields


def test_removal(rules, text_pages) -> None:
    result = extract(text_pages(REMOVAL), rules)
    values = {k: v.value for k, v in result.fields.items()}
    assert result.doc_type == "hot_device_removal"
    assert values == {"document_date": "2026-12-01", "patient_id": "31415926",
                      "patient_name": "斎藤 一", "removal_date": "2026-11-30",
                      "device_type": "concentrator", "vendor": "ミナト酸素"}


def test_letters_and_magazines_that_mention_devices_stay_other(rules, text_pages) -> None:
    letter = extract(text_pages(LETTER), rules)
    assert letter.doc_type == "other"
    assert {k: v.value for k, v in letter.fields.items()} == {"document_date": "2026-08-09"}
    magazine = extract(text_pages(MAGAZINE), rules)
    assert magazine.doc_type == "other"
    assert "document_date" not in magazine.fields


def test_compound_file_is_flagged_and_read_as_its_first_document(rules, text_pages) -> None:
    result = extract(text_pages(REMOVAL, PRESCRIPTION), rules)
    assert result.doc_type == "hot_device_removal"
    assert any(f.startswith("compound") for f in result.flags)
    assert result.fields["patient_id"].value == "31415926"
    multi_page = extract(text_pages(GUIDANCE, "在宅酸素療法指導記録（続き）\n家族への指導：特になし"), rules)
    assert not multi_page.flags


def test_near_miss_label_is_read_but_trusted_less(rules, text_pages) -> None:
    exact = extract(text_pages(REMOVAL), rules).fields["patient_id"]
    misread = extract(text_pages(REMOVAL.replace("患者ID", "愚者ID")), rules)
    assert misread.fields["patient_id"].value == "31415926"
    assert misread.fields["patient_id"].confidence < exact.confidence


def test_a_label_inside_another_word_is_not_a_label(rules, text_pages) -> None:
    text = "解約届\n届出日 令和8年12月1日\n記載者氏名 斎藤 一\n解約日 令和8年11月30日"
    result = extract(text_pages(text), rules)
    assert "patient_name" not in result.fields


def test_unclear_ticks_go_to_review(rules, text_pages) -> None:
    text = CONTRACT.replace("☑設置型", "☐設置型")  # nothing ticked
    result = extract(text_pages(text), rules)
    assert "device_type" not in result.fields
    two = CONTRACT.replace("☐酸素濃縮装置", "☑酸素濃縮装置")  # two ticked
    result = extract(text_pages(two), rules)
    assert "device_type" not in result.fields
    assert any(r.name == "device_type" for r in result.review)


def test_barcode_wins_and_disagreement_is_flagged(rules, text_pages) -> None:
    page = Page(1, REMOVAL, REMOVAL, "text_layer", barcodes=[Barcode("qrcode", "31415926")])
    same = extract([page], rules)
    assert same.fields["patient_id"].source == "barcode" and not same.flags
    page = Page(1, REMOVAL, REMOVAL, "text_layer", barcodes=[Barcode("code128", "ID:27182818")])
    other = extract([page], rules)
    assert other.fields["patient_id"].value == "27182818"
    assert any("patient_id" in f for f in other.flags)


def test_low_ocr_confidence_sends_a_value_to_review(rules, text_pages) -> None:
    text = "解約届\n患者ID 31415926"
    words = [Word("解約届", 95, (100, 100, 300, 60), 0), Word("患者ID", 95, (100, 200, 200, 50), 1),
             Word("31415926", 12, (400, 200, 300, 50), 1)]
    result = extract([Page(1, text, text, "ocr", words)], rules)
    assert "patient_id" not in result.fields
    assert [r.value for r in result.review if r.name == "patient_id"] == ["31415926"]


def test_name_space_comes_from_raw_text_when_normalised_text_lost_it(rules, text_pages) -> None:
    raw = "解約届\n患者氏名 中山 美穂子\n解約日 令和8年11月30日"
    text = "解約届\n患者氏名中山美穂子\n解約日令和8年11月30日"
    result = extract([Page(1, text, raw, "text_layer")], rules)
    assert result.fields["patient_name"].value == "中山 美穂子"


def test_impossible_dates_are_not_filled(rules, text_pages) -> None:
    text = "解約届\n患者ID 31415926\n解約日 平成32年1月10日"
    result = extract(text_pages(text), rules)
    assert "removal_date" not in result.fields


def _device(rules, text_pages, options: str):
    result = extract(text_pages("解約届\n患者ID 31415926\n撤去機器\n" + options), rules)
    filled = result.fields.get("device_type")
    return filled.value if filled else None


def test_ticks_as_ocr_renders_them(rules, text_pages) -> None:
    # a filled square read as 園, empty boxes as brackets
    assert _device(rules, text_pages, "[ ] 酸素濃縮装置 [ ] 設置型液化酸素装置 園 携帯型液化酸素装置\n"
                   "[] 携帯用酸素ボンベ [ ] その他の酸素ボンベ [ ] 呼吸同調式デマンドバルブ") == "liquid_portable"
    # the tick vanished, every other box reads empty: that option is the ticked one
    assert _device(rules, text_pages, "酸素濃縮装置 [ ] 設置型液化酸素装置 [ ] 携帯型液化酸素装置\n"
                   "[ ] 携帯用酸素ボンベ [ ] その他の酸素ボンベ [ ] 呼吸同調式デマンドバルブ") == "concentrator"
    # two options without a box: cannot tell
    assert _device(rules, text_pages, "酸素濃縮装置 [ ] 設置型液化酸素装置 携帯型液化酸素装置\n"
                   "[ ] 携帯用酸素ボンベ [ ] その他の酸素ボンベ [ ] 呼吸同調式デマンドバルブ") is None
    # the tick stands before an option OCR garbled: it is not given to the next option
    assert _device(rules, text_pages, "[M/琶来漠縮装置 [ 設置型液化酸素装置 [ ] 携帯型液化酸素装置\n"
                   "[ ] 携帯用酸素ボンベ [ ] その他の酸素ボンベ [ ] 呼吸同調式デマンドバルブ") is None


def test_header_row_with_values_below(rules, text_pages) -> None:
    text = "機器回収報告書\n患者番号 回収日 報告日\n00777001 2026/9/30 2026/10/01"
    values = {k: v.value for k, v in extract(text_pages(text), rules).fields.items()}
    assert values == {"patient_id": "00777001", "removal_date": "2026-09-30",
                      "document_date": "2026-10-01"}


def test_a_date_far_from_the_others_goes_to_review(rules, text_pages) -> None:
    text = "在宅酸素療法指導記録\n作成日 令和8年11月5日\n指導日 令和8年1月5日\n患者ID 00073330"
    result = extract(text_pages(text), rules)
    assert "guidance_date" not in result.fields and "document_date" not in result.fields
    assert {r.name for r in result.review} >= {"guidance_date", "document_date"}
    assert any(f.startswith("dates far apart") for f in result.flags)


def test_a_clerk_adds_a_label_synonym_in_the_config(tmp_path, text_pages) -> None:
    config = pathlib.Path(__file__).resolve().parents[2] / "config"
    text = "解約届\n受給者番号 55501234\n解約日 令和8年11月30日"
    before = load_rules(config)
    assert "patient_id" not in extract(text_pages(text), before).fields
    for name in ("document_types.toml", "fields.toml"):
        content = (config / name).read_text(encoding="utf-8")
        if name == "fields.toml":
            # A word added to one part list: 受給者 × 番号, ID, コード … become labels.
            assert '"本人", "病院の患者"]' in content
            content = content.replace('"本人", "病院の患者"]', '"本人", "病院の患者", "受給者"]')
        (tmp_path / name).write_text(content, encoding="utf-8")
    after = load_rules(tmp_path)
    assert extract(text_pages(text), after).fields["patient_id"].value == "55501234"


def test_radio_buttons(rules, text_pages) -> None:
    text = "酸素処方箋\n患者ID 4321\n使用機器 ○酸素濃縮装置 ●設置型液化酸素装置 ○携帯用酸素ボンベ"
    assert extract(text_pages(text), rules).fields["device_type"].value == "liquid_stationary"
