"""The records layer on a real SQLite file: documents, history, links, audit chain, one writer."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from ingest.extract import load_rules
from records import Records
from records.store import NewDocument, NewField, NewPage
from search.index import WhooshIndex
from kernel.errors import UnknownDocument
from shoko.intake import confirm_known_values
from shoko.settings import CONFIG_DIR


@pytest.fixture
def records(tmp_path) -> Records:
    return Records(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "vault", tmp_path / "quarantine")


def new_document(tmp_path: Path, content: bytes, patient: str = "00123456") -> tuple[NewDocument, Path]:
    source = tmp_path / f"{hashlib.md5(content).hexdigest()}.png"
    source.write_bytes(content)
    doc = NewDocument(
        sha256=hashlib.sha256(content).hexdigest(), source_name="scan.png", file_format="png",
        department="医事課", doc_type="hot_guidance_record", type_score=0.9, title="在宅酸素療法指導記録",
        text="指導記録", raw_text="指導 記録", flags=[],
        pages=[NewPage(1, "指導記録", "指導 記録", "ocr", 0, 0.5, 91.0, [["指導記録", 91.0, 1, 2, 3, 4, 0]])],
        fields=[NewField("patient_id", patient, "filled", "ocr", 1, 0.95, "患者ID " + patient),
                NewField("spo2", 94, "review", "ocr", 1, 0.4, "SpO2 94")],
    )
    return doc, source


def test_store_get_and_the_vault_copy_is_read_only(records, tmp_path):
    doc, source = new_document(tmp_path, b"first scan")
    doc_id, created = records.store_document(doc, source, actor="tester")
    assert created and doc_id == "D000001"
    stored = records.get(doc_id)
    assert stored.filled_fields == {"patient_id": "00123456"}
    assert stored.review_fields["spo2"]["value"] == 94
    original = records.vault.path_for(doc.sha256)
    assert original.read_bytes() == b"first scan" and not original.stat().st_mode & 0o222
    assert records.store_document(doc, source, actor="tester") == (doc_id, False)  # same bytes: duplicate
    with pytest.raises(UnknownDocument):
        records.get("D000404")
    with pytest.raises(UnknownDocument):
        records.get("../etc/passwd")


def test_corrections_keep_history_and_every_change_is_audited(records, tmp_path):
    doc_id, _ = records.store_document(*new_document(tmp_path, b"scan"), actor="tester")
    records.correct_field(doc_id, "spo2", 95, actor="nurse")
    records.correct_field(doc_id, "spo2", 96, actor="clerk")
    records.correct_field(doc_id, "patient_id", None, actor="clerk")
    records.add_link(doc_id, "C103-2", "2026-10", actor="clerk", reason="指導記録あり")
    assert records.remove_link(doc_id, "C103-2", "2026-10", actor="clerk") is True
    assert records.remove_link(doc_id, "C103-2", "2026-10", actor="clerk") is False
    stored = records.get(doc_id)
    assert stored.filled_fields == {"spo2": 96} and stored.fields["spo2"]["source"] == "staff"
    history = [(h["name"], h["old_value"], h["new_value"], h["actor"]) for h in records.field_history(doc_id)]
    assert history == [("spo2", None, 95, "nurse"), ("spo2", 95, 96, "clerk"), ("patient_id", "00123456", None, "clerk")]
    actions = [e["action"] for e in records.audit_for(doc_id)]
    assert actions == ["document_ingested", "field_corrected", "field_corrected", "field_corrected",
                       "link_added", "link_removed"]
    assert records.verify() == []


def test_concurrent_writers_never_meet_a_locked_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    first = Records(url, tmp_path / "vault", tmp_path / "q")
    second = Records(url, tmp_path / "vault", tmp_path / "q")  # a second connection pool, as another process would
    doc_id, _ = first.store_document(*new_document(tmp_path, b"shared"), actor="tester")
    errors = []

    def write(records: Records, actor: str):
        try:
            for i in range(40):
                records.correct_field(doc_id, "spo2", i, actor=actor)
        except Exception as e:  # noqa: BLE001 - the test reports any failure
            errors.append(e)

    threads = [threading.Thread(target=write, args=(r, name)) for r, name in
               ((first, "ui"), (second, "watcher"), (first, "ui2"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(first.field_history(doc_id)) == 120
    assert first.verify() == []  # the audit chain stayed linear under concurrency


def _doctor_document(tmp_path: Path, content: bytes, state: str, confidence: float,
                     doctor: str = "宮本 亮") -> tuple[NewDocument, Path]:
    doc, source = new_document(tmp_path, content)
    doc.fields.append(NewField("doctor", doctor, state, "ocr", 1, confidence, doctor))
    return doc, source


def test_values_awaiting_review_are_confirmed_by_values_on_file(records, tmp_path):
    rules = load_rules(CONFIG_DIR)
    index = WhooshIndex.in_memory()
    unsure, _ = records.store_document(*_doctor_document(tmp_path, b"a", "review", 0.3), actor="shoko")
    other, _ = records.store_document(*_doctor_document(tmp_path, b"b", "review", 0.3, "宮本 宮"), actor="shoko")
    records.store_document(*_doctor_document(tmp_path, b"c", "filled", 0.7), actor="shoko")
    assert records.filled_values(("doctor",)) == {3: {"doctor": ("宮本 亮", 0.7, "ocr")}}
    assert confirm_known_values(records, index, rules) == 0  # one less sure reading vouches for nothing

    records.store_document(*_doctor_document(tmp_path, b"d", "filled", 0.95), actor="shoko")
    assert confirm_known_values(records, index, rules) == 1
    confirmed = records.get(unsure).fields["doctor"]
    assert (confirmed["state"], confirmed["value"]) == ("filled", "宮本 亮")
    assert confirmed["confidence"] == pytest.approx(rules.setting("known_value_quality"))
    assert records.get(other).review_fields["doctor"]["value"] == "宮本 宮"
    assert [e["action"] for e in records.audit_for(unsure)][-1] == "field_confirmed"
    assert index.search("宮本").total == 1  # the confirmed document was indexed again
    assert confirm_known_values(records, index, rules) == 0  # idempotent
    assert records.verify() == []


def test_a_staff_correction_makes_a_value_known(records, tmp_path):
    doc_id, _ = records.store_document(*_doctor_document(tmp_path, b"a", "review", 0.3, "大塚 留子"),
                                       actor="shoko")
    records.correct_field(doc_id, "doctor", "大塚 智子", actor="clerk")
    assert records.filled_values(("doctor",)) == {1: {"doctor": ("大塚 智子", 1.0, "staff")}}
    rows = records.review_values()
    assert [(r["name"], r["patient_id"]) for r in rows] == [("spo2", "00123456")]


def test_two_documents_agreeing_make_a_less_sure_value_known(records, tmp_path):
    rules = load_rules(CONFIG_DIR)
    index = WhooshIndex.in_memory()
    waiting, _ = records.store_document(*_doctor_document(tmp_path, b"a", "review", 0.3), actor="shoko")
    records.store_document(*_doctor_document(tmp_path, b"b", "filled", 0.7), actor="shoko")
    assert confirm_known_values(records, index, rules) == 0
    records.store_document(*_doctor_document(tmp_path, b"c", "filled", 0.65), actor="shoko")
    assert confirm_known_values(records, index, rules) == 1
    assert records.get(waiting).filled_fields["doctor"] == "宮本 亮"


def test_a_database_from_before_batch_parts_is_migrated_with_its_rows(tmp_path):
    """A documents table with sha256 UNIQUE and no part columns (as shoko made it
    before batch scans were split) is rebuilt on opening: ids, pages and audit kept,
    and a second part of the same original can then be stored."""
    import sqlite3

    from records.store import NewDocument, NewPage, Records

    db = tmp_path / "shoko.sqlite3"
    con = sqlite3.connect(db)
    con.executescript("""
        CREATE TABLE documents (id INTEGER PRIMARY KEY AUTOINCREMENT, sha256 VARCHAR(64) NOT NULL UNIQUE,
            source_name TEXT NOT NULL, file_format VARCHAR(16) NOT NULL, department TEXT,
            doc_type VARCHAR(40) NOT NULL, type_score FLOAT NOT NULL, title TEXT NOT NULL, pages INTEGER NOT NULL,
            text TEXT NOT NULL, raw_text TEXT NOT NULL, flags TEXT NOT NULL, ingested_at VARCHAR(32) NOT NULL,
            ingested_by TEXT NOT NULL);
        CREATE TABLE pages (document_id INTEGER NOT NULL REFERENCES documents (id), number INTEGER NOT NULL,
            text TEXT NOT NULL, raw_text TEXT NOT NULL, source VARCHAR(16) NOT NULL, rotation INTEGER NOT NULL,
            skew FLOAT NOT NULL, mean_confidence FLOAT, words TEXT NOT NULL, PRIMARY KEY (document_id, number));
        INSERT INTO documents VALUES (7, '{sha}', 'old.png', 'png', NULL, 'other', 0, 'old', 1, 'old text', 'old text',
            '[]', '2026-01-01T00:00:00+09:00', 'test');
        INSERT INTO pages VALUES (7, 1, 'old text', 'old text', 'ocr', 0, 0, 90, '[]');
    """.replace("{sha}", "a" * 64))
    con.commit()
    con.close()
    records = Records(f"sqlite:///{db}", tmp_path / "vault", tmp_path / "quarantine")
    old = records.get("D000007")
    assert (old.text, old.part, old.first_page, old.pages[0]["reader"]) == ("old text", 1, 1, {})
    original = tmp_path / "batch.tif"
    original.write_bytes(b"two papers")
    import hashlib

    sha = hashlib.sha256(b"two papers").hexdigest()
    parts = [NewDocument(sha, "batch.tif", "tiff", None, "other", 0.0, f"part {k}", "t", "t", [],
                         [NewPage(1, "t", "t", "ocr")], [], part=k, first_page=k) for k in (1, 2)]
    ids, created = records.store_documents(parts, original, "test")
    assert created and len(ids) == 2 and records.find_by_sha(sha) == ids[0]
    assert records.get(ids[1]).first_page == 2
    # Only the old row's original is missing (the test never put it in the vault).
    assert all(problem.startswith("D000007") for problem in records.verify())
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
