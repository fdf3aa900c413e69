"""Helpers for the web UI tests: accounts, documents with real originals, signing in.

A module of its own (not conftest) so that test modules can import it by a name
no other test folder uses.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from werkzeug.security import generate_password_hash

from records.store import NewDocument, NewField, NewPage
from shoko.intake import index_entry
from shoko.services import Services

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
PASSWORD = "correct-horse-1"
# One account per role; the user name is the role in romaji.
USERS = {"admin": "admin", "somu": "総務課", "iji": "医事課", "kango": "看護部"}
PATIENT = "00123456"
OTHER_PATIENT = "00234567"  # has a contract but no guidance record: items are missing
XSS = "<script>alert(1)</script>"
EVIL_NAME = '<img src=x onerror=alert(2)>"scan".png'
# What read each stored page, as the intake records it for PP-OCR.
READER = {"engine": "rapidocr", "version": "3.10.0", "threads": 1, "device": "cpu", "steps": ["background"],
          "rotation": 0, "skew": 0.4,
          "models": {"rec": {"file": "PP-OCRv6_rec_small.onnx", "sha256": "6f327246b50388f3"}}}


def draw_page(lines: list[str], size=(620, 877)) -> Image.Image:
    """A white A4-ish page with the lines written in a Japanese font."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 24) if FONT.exists() else ImageFont.load_default()
    for n, line in enumerate(lines):
        draw.text((40, 50 + n * 40), line, fill="black", font=font)
    return image


def write_original(folder: Path, name: str, pages: list[list[str]]) -> Path:
    """An original file: PNG for one page, PDF for several (Pillow writes both)."""
    images = [draw_page(lines) for lines in pages]
    path = folder / name
    if path.suffix == ".pdf":
        images[0].save(path, "PDF", resolution=72, save_all=True, append_images=images[1:])
    else:
        images[0].save(path, "PNG")
    return path


def store(services: Services, folder: Path, name: str, doc_type: str, title: str, pages: list[list[str]],
          fields: dict, review: dict | None = None, department: str | None = None,
          flags: list[str] | None = None) -> str:
    """Store one document through the records layer and index it; returns its id."""
    path = write_original(folder, f"{len(list(folder.iterdir()))}{Path(name).suffix}", pages)
    texts = ["\n".join(lines) for lines in pages]
    new = NewDocument(
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(), source_name=name,
        file_format="pdf" if path.suffix == ".pdf" else "png", department=department, doc_type=doc_type,
        type_score=5.0, title=title, text="\n".join(texts), raw_text="\n".join(texts), flags=flags or [],
        pages=[NewPage(n, text, text, "ocr", mean_confidence=90.0, reader=READER)
               for n, text in enumerate(texts, start=1)],
        fields=[NewField(k, v, "filled", "ocr", 1, 0.93) for k, v in fields.items()]
        + [NewField(k, v, "review", "ocr", 1, 0.41) for k, v in (review or {}).items()],
    )
    doc_id, created = services.records.store_document(new, path, actor="test")
    assert created
    services.index.add(index_entry(services.records.get(doc_id)))
    return doc_id


def fill(services: Services, folder: Path) -> dict[str, str]:
    """Accounts for every role, then a patient's guidance record, order, contract and removal,
    plus a hostile 'other' document (HTML in its text and file name); returns the documents' ids."""
    for username, role in USERS.items():
        # A cheap hash keeps the tests fast; the check is the real werkzeug one.
        services.records.save_user(username, generate_password_hash(PASSWORD, "pbkdf2:sha256:1000"), role, "test")
    folder.mkdir()
    ids = {}
    ids["guidance"] = store(
        services, folder, "指導記録_山田.png", "hot_guidance_record", "在宅酸素療法指導記録",
        [["在宅酸素療法指導記録", "患者ID 00123456  氏名 山田 太郎", "指導日 令和8年10月14日",
          "SpO2 96%  測定日 2026-10-14", "酸素濃縮装置 安静時 1.0 L/分"]],
        {"patient_id": PATIENT, "patient_name": "山田 太郎", "guidance_date": "2026-10-14", "spo2": 96,
         "measurement_date": "2026-10-14", "doctor": "佐藤 一郎", "document_date": "2026-10-14"},
        review={"pao2": 65}, department="看護部",
    )
    ids["order"] = store(
        services, folder, "指示書.png", "hot_prescription", "在宅酸素療法指示書",
        [["在宅酸素療法指示書", "患者ID 00123456 山田 太郎", "酸素濃縮装置 安静時 1.0 L/分"]],
        {"patient_id": PATIENT, "patient_name": "山田 太郎", "document_date": "2026-04-01",
         "device_type": "concentrator", "flow_rest": 1.0, "doctor": "佐藤 一郎"},
    )
    ids["contract"] = store(
        services, folder, "賃貸借契約書 山田様.pdf", "hot_contract", "酸素濃縮装置賃貸借契約書",
        [["酸素濃縮装置賃貸借契約書", "患者ID 00123456 山田 太郎", "契約期間 2026-04-01 〜 2027-03-31"],
         ["月額賃貸料 8,000円", "サンプル酸素"]],
        {"patient_id": PATIENT, "patient_name": "山田 太郎", "device_type": "concentrator",
         "contract_start": "2026-04-01", "contract_end": "2027-03-31", "vendor": "サンプル酸素",
         "monthly_fee": 8000, "document_date": "2026-03-25"},
        department="総務課",
    )
    ids["removal"] = store(
        services, folder, "撤去報告書.png", "hot_device_removal", "機器撤去報告書",
        [["機器撤去報告書", "患者ID 00123456", "撤去日 2027-04-02"]],
        {"patient_id": PATIENT, "device_type": "concentrator", "removal_date": "2027-04-02"},
    )
    ids["other_contract"] = store(
        services, folder, "契約書_佐藤.png", "hot_contract", "液化酸素装置賃貸借契約書",
        [["液化酸素装置賃貸借契約書", "患者ID 00234567 佐藤 花子", "契約期間 2026-09-01 〜"]],
        {"patient_id": OTHER_PATIENT, "patient_name": "佐藤 花子", "device_type": "liquid_stationary",
         "contract_start": "2026-09-01"},
    )
    ids["hostile"] = store(
        services, folder, EVIL_NAME, "other", f"お知らせ {XSS}",
        [["お知らせ", f"院内掲示 {XSS}"]], {"document_date": "2026-10-01"},
    )
    return ids


def csrf_of(client) -> str:
    """The CSRF token of the client's session (creating the session by visiting the sign-in page)."""
    with client.session_transaction() as session:
        token = session.get("csrf_token")
    if token:
        return token
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)  # signed in: the search page
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, username: str, password: str = PASSWORD):
    """Sign in through the real form; returns the response."""
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(client)})


def post(client, url: str, data: dict | None = None, **kwargs):
    """POST with the session's CSRF token added."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_of(client)}, **kwargs)
