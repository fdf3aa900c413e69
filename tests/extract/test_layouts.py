"""Layouts the extractor reads by concept and position, not by a form's own words:
rows of visits, dates without a year, devices named or listed under a label."""

from __future__ import annotations

from ingest.document import Page, Word
from ingest.extract import extract

CHAR = 30  # px per character of the laid-out test pages
ROW = 60


def laid_out(*rows: list[tuple[str, int]]) -> Page:
    """An OCR page whose words stand where given: each row a list of (text, left x)."""
    words = [Word(text, 96.0, (x, 100 + ROW * n, CHAR * len(text), 40), n, tuple([96.0] * len(text)))
             for n, row in enumerate(rows) for text, x in row]
    text = "\n".join(" ".join(t for t, _ in row) for row in rows)
    return Page(1, text, text, "ocr", words=words)


def values(pages: list[Page], rules) -> dict:
    return {k: v.value for k, v in extract(pages, rules).fields.items()}


def test_rows_of_visits_give_the_latest_visit_and_never_the_paco2_beside_pao2(rules) -> None:
    page = laid_out(
        [("在宅酸素療法指導記録", 400)],
        [("患者ID", 100), ("00381724", 400)],
        [("採血日", 280), ("SpO2(%)", 600), ("PaO2(Torr)", 900), ("PaCO2(Torr)", 1300)],
        [("前回", 100), ("2026/06/14", 250), ("89", 650), ("55.2", 980), ("46.5", 1400)],
        [("今回", 100), ("2026/07/14", 250), ("95", 650), ("60.2", 980), ("45.9", 1400)],
    )
    got = values([page], rules)
    assert got["measurement_date"] == "2026-07-14"
    assert got["spo2"] == 95 and got["pao2"] == 60.2


def test_a_month_and_day_take_the_year_of_the_document(rules, text_pages) -> None:
    text = ("在宅酸素療法指導記録(令和8年度)\n患者ID 00112200\n"
            "指導年月日 5/25 6/18 7/7 8/24\n作成年月日 2026/08/24")
    assert values(text_pages(text), rules)["guidance_date"] == "2026-08-24"


def test_january_of_a_fiscal_year_is_in_the_next_calendar_year(rules, text_pages) -> None:
    text = ("在宅酸素療法指導記録(令和8年度)\n患者ID 00112200\n"
            "指導年月日 11/20 12/18 1/22\n作成年月日 2027/01/25")
    assert values(text_pages(text), rules)["guidance_date"] == "2027-01-22"
    without_date = "在宅酸素療法指導記録(令和8年度)\n患者ID 00112200\n指導年月日 11/20 12/18 1/22"
    assert values(text_pages(without_date), rules)["guidance_date"] == "2027-01-22"  # the 年度 alone


def test_a_month_and_day_whose_year_the_document_contradicts_is_not_filled(rules, text_pages) -> None:
    # The title's 年度 (2025-04 .. 2026-03) and the document's date (2026-08-24) disagree on 8/24.
    text = ("在宅酸素療法指導記録(令和7年度)\n患者ID 00112200\n"
            "指導年月日 5/25 6/18 7/7 8/24\n作成年月日 2026/08/24")
    result = extract(text_pages(text), rules)
    assert "guidance_date" not in result.fields
    assert not any(r.name == "guidance_date" for r in result.review)


def test_a_month_and_day_with_no_year_anywhere_is_not_filled(rules, text_pages) -> None:
    text = "在宅酸素療法指導記録\n患者ID 00112200\n指導年月日 5/25 6/18 7/7 8/24"
    result = extract(text_pages(text), rules)
    assert "guidance_date" not in result.fields


def test_devices_listed_in_a_table_under_a_device_label(rules, text_pages) -> None:
    text = ("機器引上報告書\n患者ID 00123456\n引上日 2026/08/11\n引上機器\n"
            "品名 型式 製造番号 数量 状態\n酸素濃縮装置 ライトサンソ3 HS162384 1 良好\n"
            "携帯用酸素ボンベ B-280 3 良好\n作業担当 和田一郎")
    assert values(text_pages(text), rules)["device_type"] == "concentrator"


def test_a_device_named_after_a_composed_label(rules, text_pages) -> None:
    for label in ("装置名", "機種", "ご利用機器", "設置機器名"):
        text = (f"在宅酸素療法機器 賃貸借契約書\n患者ID 00123456\n{label} その他の酸素ボンベ(大型ボンベB-47)\n"
                "契約期間 令和8年4月1日 から 令和9年3月31日 まで")
        assert values(text_pages(text), rules).get("device_type") == "cylinder", label


def test_a_date_and_time_run_together_is_read_only_when_unambiguous(rules, text_pages) -> None:
    text = "在宅酸素療法指導記録\n患者ID 00123456\n作成日時 2026/07/1412:55"
    assert values(text_pages(text), rules)["document_date"] == "2026-07-14"
    ambiguous = "在宅酸素療法指導記録\n患者ID 00123456\n作成日時 2026/07/112:55"
    assert "document_date" not in extract(text_pages(ambiguous), rules).fields


def test_flows_under_their_headings_with_the_unit_said_once(rules, text_pages) -> None:
    for row in ("(L/min) 1 1.5 2.5", "1 1.5 2.5 ℓ/分"):
        text = f"在宅酸素療法指示書\n患者ID 00123456\n酸素流量 日中安静時 歩行時 就寝時\n{row}"
        got = values(text_pages(text), rules)
        assert (got["flow_rest"], got["flow_exertion"], got["flow_sleep"]) == (1.0, 1.5, 2.5), row
    # Two numbers for three headings: which is which cannot be told.
    text = "在宅酸素療法指示書\n患者ID 00123456\n酸素流量 日中安静時 歩行時 就寝時\n(L/min) 1 1.5"
    assert not {"flow_rest", "flow_exertion", "flow_sleep"} & set(values(text_pages(text), rules))


def test_a_supplier_with_its_seal_read_into_its_name_is_not_filled_wrong(rules, text_pages) -> None:
    head = "在宅酸素療法機器 賃貸借契約書\n患者ID 00123456\n"
    for letterhead in ("株式会社さくら在宅ケアサービス ビケ\nスア\n多摩北出張所",
                       "(株)フクダライフテック 之テラフ\n印ッイク\n多摩北出張所 TEL 0120-7620-9644"):
        vendor = extract(text_pages(head + letterhead), rules).fields.get("vendor")
        assert vendor is None or vendor.value in ("さくら在宅ケアサービス", "フクダライフテック"), letterhead


def test_a_name_with_a_small_kana_no_word_has_goes_to_review(rules, text_pages) -> None:
    text = "在宅酸素療法機器 賃貸借契約書\n患者ID 00123456\n供給会社 フクダラィフテック"
    result = extract(text_pages(text), rules)
    assert "vendor" not in result.fields
    assert [r.value for r in result.review if r.name == "vendor"] == ["フクダラィフテック"]


def test_a_supplier_addressed_with_onchu_run_into_it(rules, text_pages) -> None:
    text = "HOT開始・変更連絡票\n依頼先 ひまわりメディカルサービス御中\n患者ID 00123456\n作成年月日 R7/8/17"
    assert values(text_pages(text), rules).get("vendor") == "ひまわりメディカルサービス"


def test_the_one_option_without_an_empty_box_is_chosen_though_the_plain_text_shows_no_boxes(rules) -> None:
    # A hand tick over a box hides the box; the text without marks shows no boxes at all.
    raw = ("在宅酸素療法指示書\n患者ID 00123456\n使用機器\n"
           "☐酸素濃縮器 ☐液化酸素親器(設置型) ☐液化酸素子器(携帯型)\n"
           "☐携帯用酸素ボンベ 酸素ボンベ(据置用) ☐呼吸同調器")
    page = Page(1, raw.replace("☐", ""), raw, "ocr")
    assert values([page], rules)["device_type"] == "cylinder"


def test_separator_sheets_part_a_batch_scan_and_stay_with_the_paper_before(rules) -> None:
    from ingest.document import Barcode
    from ingest.extract import split_document

    record = "在宅酸素療法指導記録\n患者ID 00123456\n指導日 令和8年10月14日\nSpO2 95%"
    pages = [Page(1, record, record, "ocr"), Page(2, "区切りシート", "区切りシート", "ocr"),
             Page(3, record, record, "ocr"), Page(4, "", "", "ocr", barcodes=[Barcode("qrcode", "SEPARATOR")]),
             Page(5, record, record, "ocr")]
    assert [[p.number for p in g] for g in split_document(pages, rules)] == [[1, 2], [3, 4], [5]]
    # The same papers without separators: one patient, one date, one record.
    plain = [Page(1, record, record, "ocr"), Page(2, record, record, "ocr")]
    assert [[p.number for p in g] for g in split_document(plain, rules)] == [[1, 2]]
    # A sheet that leads the scan goes with the paper after it.
    lead = [Page(1, "区切り", "区切り", "ocr"), Page(2, record, record, "ocr")]
    assert [[p.number for p in g] for g in split_document(lead, rules)] == [[1, 2]]


def test_labels_set_in_heading_brackets(rules, text_pages) -> None:
    text = "在宅酸素療法指示書\n【患者ID】00123456\n【指示日】2025/10/26 【医師名】河野健太郎"
    got = values(text_pages(text), rules)
    assert got["doctor"] == "河野 健太郎" and got["document_date"] == "2025-10-26"


def test_a_clause_after_a_supplier_label_is_no_supplier(rules, text_pages) -> None:
    text = ("在宅酸素療法機器 賃貸借契約書\n患者ID 00123456\n"
            "保守点検 供給会社が年4回以上実施する。\n契約期間 令和8年4月1日 から 令和9年3月31日 まで")
    assert "vendor" not in values(text_pages(text), rules)
    text = "在宅酸素療法機器 賃貸借契約書\n患者ID 00123456\n供給会社 はなまる医療"
    assert values(text_pages(text), rules).get("vendor") == "はなまる医療"


def test_a_fax_cover_sheet_goes_with_the_paper_after_it(rules) -> None:
    from ingest.extract import split_document

    cover = "FAX送信票\n宛先 北辰ホームケア 御中\n送信日 2026/10/01\n送信枚数 本紙を含め2枚"
    order = "在宅酸素療法指示書\n患者ID 00123456\n患者氏名 山田 太郎\n指示日 2026/10/01\n酸素流量 安静時 1.0L/分"
    pages = [Page(1, cover, cover, "ocr"), Page(2, order, order, "ocr")]
    assert [[p.number for p in g] for g in split_document(pages, rules)] == [[1, 2]]
    result = extract(pages, rules)
    assert result.doc_type == "hot_prescription" and result.fields["patient_id"].value == "00123456"
    # A cover alone stays what it is.
    assert extract(pages[:1], rules).doc_type == "other"


def test_titles_never_seen_are_recognised_by_their_concept(rules, text_pages) -> None:
    for title, kind in (("在宅酸素 中止連絡票", "hot_device_removal"), ("酸素療法 導入依頼書", "hot_prescription")):
        text = f"{title}\n患者ID 00123456\n患者氏名 山田 太郎"
        assert extract(text_pages(text), rules).doc_type == kind, title


def test_a_title_whose_subject_follows_in_brackets(rules, text_pages) -> None:
    for title in ("作業完了報告書（引上げ）", "完了報告書【撤去】"):
        text = f"{title}\n患者番号 04534019\n品名 酸素濃縮装置 回収済"
        assert extract(text_pages(text), rules).doc_type == "hot_device_removal", title
    # Brackets that say something else are no subject.
    text = "作業完了報告書（点検）\n患者番号 04534019"
    assert extract(text_pages(text), rules).doc_type == "other"


def test_two_flows_in_a_row_take_the_column_its_heading_calls_current(rules, text_pages) -> None:
    head = "在宅酸素療法指示書\n患者ID 00123456\n"
    rows = "安静時 1.5 L/min 2.0 L/min\n労作時 2.5 L/min 3.0 L/min\n睡眠時 1.5 L/min 2.0 L/min"
    for heading, expected in (("区分 変更前 変更後", (2.0, 3.0, 2.0)), ("区分 今回 前回", (1.5, 2.5, 1.5))):
        got = values(text_pages(head + heading + "\n" + rows), rules)
        assert (got["flow_rest"], got["flow_exertion"], got["flow_sleep"]) == expected, heading
    # No heading says which column is current: nothing is filled; the last goes to review.
    found = extract(text_pages(head + "流量\n" + rows), rules)
    assert not {"flow_rest", "flow_exertion", "flow_sleep"} & set(found.fields)
    assert {(v.name, v.value) for v in found.review} >= {("flow_rest", 2.0), ("flow_exertion", 3.0)}


def test_the_date_a_paper_was_requested_on_is_its_date(rules, text_pages) -> None:
    text = "在宅酸素療法指示書\n依頼日 2026/03/22\n患者番号 00123456"
    assert values(text_pages(text), rules)["document_date"] == "2026-03-22"


def test_a_visit_log_with_a_second_heading_row_gives_its_latest_visit(rules) -> None:
    page = laid_out(
        [("在宅酸素療法", 60), ("訪問指導記録表", 300)],
        [("利用者ID", 60), ("0035171", 240)],
        [("訪問日", 60), ("SpO2(%)", 400), ("脈拍", 700), ("酸素流量(L/分)", 900), ("指導内容", 1400)],
        [("安静/労作/睡眠", 900)],
        [("R7.9.29", 60), ("93", 400), ("70", 700), ("1.0/2.5/1.0", 900), ("呼吸リハビリ指導", 1400)],
        # 入浴時 in the free text is no label here: the row opens with its date.
        [("R7.10.29", 60), ("89", 400), ("82", 700), ("1.5/3.0/1.5", 900), ("入浴時の流量確認", 1400)],
        [("特記事項", 60)],
    )
    got = values([page], rules)
    assert got["guidance_date"] == "2025-10-29" and got["spo2"] == 89
    assert (got["flow_rest"], got["flow_exertion"], got["flow_sleep"]) == (1.5, 3.0, 1.5)
    assert got["measurement_date"] == "2025-10-29"  # SpO2 in its visit's row


def test_a_reading_in_brackets_belongs_to_the_heading_before_it(rules) -> None:
    page = laid_out(
        [("在宅酸素療法用機器", 60), ("レンタル契約書", 600)],
        [("利用者ID", 60), ("利用者名", 400), ("(フリガナ", 640), ("チバ", 880), ("カツオ)", 1000), ("生年月日", 1400)],
        [("0001856", 60), ("千葉", 400), ("勝男", 520), ("様", 640), ("昭和11年7月27日", 1400)],
    )
    got = values([page], rules)
    assert got["patient_id"] == "0001856" and got["patient_name"] == "千葉 勝男"


def test_dates_in_running_text_with_their_event_after_them(rules, text_pages) -> None:
    text = ("在宅酸素療法指導記録\n患者ID 19223252\n動脈血ガス（2025/11/25 採血） PaO2 71.2 Torr PaCO2 46.3 Torr\n"
            "次回 2025/12/23 採血予定")
    assert values(text_pages(text), rules)["measurement_date"] == "2025-11-25"
    letter = ("機器撤去完了のお知らせ\nさて、丸山義明様（患者番号000101）の在宅酸素療法機器につきまして、令\n"
              "和8年5月8日に撤去を完了いたしましたので、ご報告申し上げます。")
    assert values(text_pages(letter), rules)["removal_date"] == "2026-05-08"


def test_a_name_with_its_honorific_right_after_the_patient_id(rules, text_pages) -> None:
    text = "在宅酸素療法導入依頼書\n1. 患者 ID 78964568 内田信子様(87歳・女)"
    assert values(text_pages(text), rules)["patient_name"] == "内田 信子"
    # Without the honorific the words after an id are not taken for a name.
    text = "在宅酸素療法導入依頼書\n1. 患者 ID 78964568 内田信子 87歳"
    assert "patient_name" not in values(text_pages(text), rules)


def test_chart_shorthand_and_formal_amounts(rules, text_pages) -> None:
    text = ("在宅酸素療法指導記録\n患者ID 19223252\nP) HOT継続。酸素流量 安静時3L 労作時4L 睡眠時4L（L/分）\n"
            "記載: 2025/11/25 16:51 服部 雅人")
    got = values(text_pages(text), rules)
    assert (got["flow_rest"], got["flow_exertion"], got["flow_sleep"]) == (3.0, 4.0, 4.0)
    assert got["document_date"] == "2025-11-25"
    contract = "在宅酸素療法機器個別契約書\n患者ID 007410\n賃貸料 月額金30,800円（消費税込み）\n保険医氏名 上野康介"
    got = values(text_pages(contract), rules)
    assert got["monthly_fee"] == 30800


def test_latin_headings_parted_by_spaces_head_their_columns(rules) -> None:
    page = laid_out(
        [("在宅酸素療法指導管理チェック表", 60)],
        [("カルテ番号", 60), ("05375457", 400)],
        [("SpO2", 60), ("PaO2", 400), ("PaCO2", 700), ("脈拍", 1000)],
        [("88", 60), ("%", 130), ("62.0", 400), ("mmHg", 540), ("40.4", 700), ("mmHg", 840), ("76/分", 1000)],
    )
    got = values([page], rules)
    assert got["spo2"] == 88 and got["pao2"] == 62.0


def test_a_year_is_no_amount_of_money(rules, text_pages) -> None:
    text = "在宅酸素療法機器 賃貸借契約書\n患者ID 00123456\nレンタル料(月額)\n2026年1月10日から"
    assert "monthly_fee" not in values(text_pages(text), rules)


def test_the_date_above_the_signing_parties_is_the_contract_date(rules, text_pages) -> None:
    text = ("在宅酸素療法機器個別契約書\n患者ID 007410\n本契約の成立を証するため、本書2通を作成する。\n"
            "令和8年5月20日\n甲 医療法人光輝会たちばな病院\n乙 株式会社いろは医療器")
    assert values(text_pages(text), rules)["document_date"] == "2026-05-20"
    # A date alone elsewhere in the body is not taken for it.
    text = "在宅酸素療法機器個別契約書\n患者ID 007410\n本契約について\n特記事項\n\n\n\n令和8年5月20日\n以上"
    assert "document_date" not in values(text_pages(text), rules)


def test_a_western_date_with_its_era_year_in_brackets(rules, text_pages) -> None:
    text = "在宅酸素療法患者指導記録\n患者コード 092323\n指導医 秋山理恵\n指導年月日 2025年(令和7年)4月9日"
    got = values(text_pages(text), rules)
    assert got["guidance_date"] == "2025-04-09" and got["doctor"] == "秋山 理恵"
    text = "在宅酸素療法患者指導記録\n患者コード 092323\n指導年月日 2025年(令和8年)4月9日"
    assert "guidance_date" not in values(text_pages(text), rules)  # the two years disagree


def test_flows_with_the_unit_once_at_the_end_of_the_row(rules, text_pages) -> None:
    text = "在宅酸素供給指示書\n診察券番号 00006592\n酸素流量 安静 1.0/運動 2.5 /就寝 1.0 l/min"
    got = values(text_pages(text), rules)
    assert (got["flow_rest"], got["flow_exertion"], got["flow_sleep"]) == (1.0, 2.5, 1.0)
    # Without a unit the numbers after the words may be anything.
    text = "在宅酸素供給指示書\n診察券番号 00006592\n回数 安静 1/運動 2/就寝 1"
    assert not {"flow_rest", "flow_exertion", "flow_sleep"} & set(values(text_pages(text), rules))


def test_a_label_never_takes_the_first_letter_of_the_name_after_it(rules) -> None:
    page = laid_out([("在宅酸素療法指導記録", 60)], [("利用者ID", 60), ("0035171", 400)],
                    [("利用者名", 60), ("前田久美子", 400)])
    assert values([page], rules)["patient_name"] == "前田 久美子"


def test_two_names_under_one_field_go_to_review(rules, text_pages) -> None:
    text = ("在宅酸素療法機器レンタル解約届\n診察券番号 0027716\nお名前 川口恵美子様\n解約日 令和7年9月3日\n"
            "届出者\n氏名 川口翔太 (続柄長女)")
    found = extract(text_pages(text), rules)
    assert "patient_name" not in found.fields
    assert any(v.name == "patient_name" for v in found.review)


def test_two_stationary_devices_named_without_a_mark_are_a_choice_for_review(rules, text_pages) -> None:
    text = ("在宅酸素療法機器個別契約書\n患者ID 007410\n貸与機器 酸素濃縮装置 液化酸素装置\n"
            "貸与期間 令和8年6月1日から令和9年5月31日まで")
    found = extract(text_pages(text), rules)
    assert "device_type" not in found.fields
    assert any(v.name == "device_type" for v in found.review)
    # A stationary device and a portable one in use together: the stationary one.
    text = "酸素処方箋\nカルテNo. 7654321\n使用機器 酸素濃縮装置（ハイサンソ）、携帯用酸素ボンベ"
    assert values(text_pages(text), rules)["device_type"] == "concentrator"
