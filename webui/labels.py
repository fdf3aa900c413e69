"""Japanese labels for codes shown in the UI, and the template filters that use them."""

from __future__ import annotations

from datetime import date

from flask import Flask

from billing.summary import era_date

DOC_TYPES = {
    "hot_contract": "契約書",
    "hot_prescription": "指示書",
    "hot_guidance_record": "指導記録",
    "hot_device_removal": "撤去・解約",
    "other": "その他",
}

DEVICES = {
    "concentrator": "酸素濃縮装置",
    "liquid_stationary": "設置型液化酸素装置",
    "liquid_portable": "携帯型液化酸素装置",
    "cylinder_portable": "携帯用酸素ボンベ",
    "cylinder": "酸素ボンベ（携帯用以外）",
    "demand_valve": "呼吸同調式デマンドバルブ",
}

FIELDS = {
    "patient_id": "患者ID",
    "patient_name": "患者氏名",
    "document_date": "作成日",
    "vendor": "業者",
    "device_type": "機器",
    "contract_start": "契約開始日",
    "contract_end": "契約終了日",
    "monthly_fee": "月額（円）",
    "doctor": "医師",
    "flow_rest": "安静時流量（L/分）",
    "flow_exertion": "労作時流量（L/分）",
    "flow_sleep": "睡眠時流量（L/分）",
    "guidance_date": "指導日",
    "spo2": "SpO2（%）",
    "pao2": "PaO2（Torr）",
    "measurement_date": "測定日",
    "removal_date": "撤去日",
}

DATE_FIELDS = frozenset({"document_date", "contract_start", "contract_end", "guidance_date", "measurement_date",
                         "removal_date"})

STATUSES = {"ready": "算定可", "missing": "不足", "conflict": "矛盾"}

SOURCES = {"ocr": "OCR", "text_layer": "PDF文字", "barcode": "バーコード", "staff": "職員入力"}

AUDIT_ACTIONS = {
    "document_trashed": "ゴミ箱へ移動",
    "document_restored": "ゴミ箱から戻す",
    "document_purged": "完全に削除（保存期間経過後）",
    "backup_exported": "バックアップの書き出し",
    "backup_imported": "バックアップからの復元",
    "patient_records_exported": "患者の文書の書き出し（開示請求）",
    "document_ingested": "取り込み",
    "document_split": "文書の分割",
    "upload_queued": "アップロード（取り込み待ち）",
    "duplicate_found": "同じファイルの再取り込み",
    "file_quarantined": "隔離",
    "quarantine_resolved": "隔離の処理",
    "field_corrected": "項目の修正",
    "field_confirmed": "登録済みの値と一致したため確定",
    "link_added": "請求項目との紐付け",
    "link_removed": "紐付けの解除",
    "claim_marked": "請求済みの記録",
    "user_saved": "アカウントの保存",
    "discharges_imported": "退院記録の取り込み",
    "discharge_saved": "退院記録の追加・修正",
    "discharge_removed": "退院記録の削除",
    "title_corrected": "表題の修正",
    "user_disabled": "アカウントの停止・再開",
    "sign_in_succeeded": "サインイン",
    "sign_in_failed": "サインイン失敗",
    "sign_in_locked": "サインインの一時停止",
    "signed_out": "サインアウト",
    "chain_sealed": "監査記録の封印（鍵の作成）",
    "document_viewed": "閲覧",
    "page_viewed": "ページ画像の表示",
    "original_downloaded": "原本のダウンロード",
    "searched": "検索",
    "exported": "書き出し",
}


# What each kind of extraction flag asks a person to check (the flag's detail follows).
FLAGS = {
    "compound": "1つのファイルに複数の文書が含まれています。「文書を分ける」で書類ごとに分けてください",
    "patient_id": "患者IDの読み取り（バーコードと印字など）が食い違っています",
    "patient_name": "同じ患者IDで、別の氏名の文書が登録されています",
    "dates far apart": "日付が互いに離れすぎています（読み違いの可能性）",
    "extraction_failed": "項目の読み取りに失敗しました",
    "batch": "一括スキャンされたファイルを書類ごとに分けて取り込みました。分け方が正しいか確認してください",
    "near_known": "登録済みの医師名・業者名と1文字だけ違う名前です（読み違いの可能性）。確認してください",
    "late_scan": "スキャン遅延: 文書日付から基準の営業日数を過ぎて取り込まれました（紙の保管・取り込みの流れを確認してください）",
    "unreadable_page": "読み取れないページがあります（文字が認識できませんでした）。原本の画像を確認してください",
}


# Preprocessing steps kept for a scanned page, as staff read them.
READER_STEPS = {"level": "傾き補正", "background": "背景補正", "erase_rules": "罫線除去", "upscale": "拡大",
                "crop": "余白除去"}


def reader_label(reader: dict | None) -> str:
    """How a page was read, in Japanese: the engine with its version and model, the steps kept."""
    if not reader:
        return ""
    engine = reader.get("engine", "")
    if engine == "rapidocr":
        name = f"OCR PP-OCRv6 small（rapidocr {reader.get('version', '')}）"
    elif engine == "tesseract":
        name = f"OCR Tesseract {reader.get('version', '')}（{reader.get('languages', '')}）"
    elif engine in ("pdfplumber", "pdfium"):
        return f"PDFの文字データ（{engine}）"
    else:
        name = engine
    steps = [READER_STEPS.get(s, s) for s in reader.get("steps", [])]
    if reader.get("rotation"):
        steps.insert(0, f"{reader['rotation']}°回転")
    return name + (f"・{'・'.join(steps)}" if steps else "")


def reader_title(reader: dict | None) -> str:
    """The model files and their SHA-256, for the tooltip of a page's reader."""
    models = (reader or {}).get("models") or {}
    return " / ".join(f"{m.get('file')} SHA-256 {m.get('sha256')}" for m in models.values())


def flag_label(flag: str) -> str:
    """The Japanese explanation of an extraction flag ("kind: detail")."""
    kind = flag.split(":", 1)[0].strip()
    return FLAGS.get(kind, "確認が必要です")


def format_value(name: str, value) -> str:
    """A field value as staff read it (device names in Japanese, yen with separators)."""
    if value is None or value == "":
        return "—"
    if name == "device_type":
        return DEVICES.get(str(value), str(value))
    if name == "monthly_fee" and isinstance(value, int | float):
        return f"{value:,.0f}"
    if name in DATE_FIELDS:
        return with_era(value)
    return str(value)


def format_time(at: str | None) -> str:
    """ISO 8601 time as ``YYYY-MM-DD HH:MM`` (the hospital's own zone is implied)."""
    if not at:
        return ""
    return at[:16].replace("T", " ")


def with_era(value) -> str:
    """An ISO date as clerks read it: 西暦 with 和暦 beside it, ``2026-10-14（R8.10.14）``;
    anything that is not a date comes back as it was (``—`` when empty)."""
    if value is None or value == "":
        return "—"
    text = str(value)
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return text
    try:
        return f"{day.isoformat()}（{era_date(day)}）"
    except ValueError:
        return day.isoformat()


def era_month(month: str) -> str:
    """``2026-10`` → ``令和8年10月`` (empty for anything else)."""
    try:
        day = date.fromisoformat(f"{month}-01")
    except (TypeError, ValueError):
        return ""
    short = era_date(day)  # R8.10.1
    names = {"R": "令和", "H": "平成", "S": "昭和"}
    year = short[1:].split(".")[0]
    return f"{names.get(short[0], short[0])}{'元' if year == '1' else year}年{day.month}月"


def register_filters(app: Flask) -> None:
    """Filters and lookups for templates; every one returns plain text (escaped by Jinja)."""
    app.jinja_env.filters.update(
        doc_type=lambda code: DOC_TYPES.get(code or "", code or ""),
        field_label=lambda name: FIELDS.get(name, name),
        status_label=lambda code: STATUSES.get(code, code),
        source_label=lambda code: SOURCES.get(code, code or ""),
        action_label=lambda code: AUDIT_ACTIONS.get(code, code),
        device_label=lambda code: DEVICES.get(code or "", code or ""),
        when=format_time,
        flag_label=flag_label,
        reader_label=reader_label,
        reader_title=reader_title,
        era=with_era,
        era_month=era_month,
    )
    app.jinja_env.globals.update(format_value=format_value, DOC_TYPES=DOC_TYPES, DEVICES=DEVICES, FIELDS=FIELDS)
