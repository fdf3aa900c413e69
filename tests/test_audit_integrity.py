"""Tampering an auditor would try: each case makes the real ``shoko verify`` exit 1 and
name what is off; an untouched data directory verifies clean.

Every case starts from its own copy of one data directory filled through the real
command and the real records (a text-layer PDF and a PNG ingested, a field corrected,
a billing link, a claim mark, accounts, reads), then edits the SQLite file, the vault,
the key or the checkpoint file directly, as someone with access to the disk could.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import os
from pathlib import Path

import pytest

from records.audit import chain_hash
from shoko.services import Services
from shoko.settings import load_config
from tests.conftest import SHOKO, text_layer_pdf


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    """A data directory with documents, a correction, a link, a claim mark, accounts and reads."""
    root = tmp_path_factory.mktemp("audit")
    data = root / "data"
    pdf = text_layer_pdf(root / "guidance.pdf", ["在宅酸素療法指導記録", "患者ID 00123456", "患者氏名 山田 太郎",
                                                 "指導日 令和8年10月14日", "SpO2 93%"])
    contract = text_layer_pdf(root / "contract.pdf", ["酸素濃縮装置 賃貸借契約書", "患者ID 00123456",
                                                      "契約期間 2026年4月1日から2027年3月31日まで", "月額 ¥38,500"])
    env = {**os.environ, "SHOKO_DATA_DIR": str(data)}
    subprocess.run([SHOKO, "ingest", str(pdf), str(contract), "--json"], check=True, env=env, capture_output=True)
    subprocess.run([SHOKO, "user", "add", "iji", "--role", "医事課"], input="a-long-password-1\n", text=True,
                   check=True, env=env, capture_output=True)
    services = Services(load_config(data_dir=str(data)))
    records = services.records
    records.correct_field("D000001", "spo2", 94, "iji")
    records.add_link("D000001", "C103-2", "2026-10", "iji", patient_id="00123456")
    records.mark_claimed("00123456", "C103-2", "2026-10", "iji")
    subprocess.run([SHOKO, "show", "D000001", "--json"], check=True, env=env, capture_output=True)
    services.records.engine.dispose()
    return data


@pytest.fixture
def data(filled, tmp_path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(filled, copy)
    return copy


def verify(data: Path) -> tuple[int, list[str]]:
    result = subprocess.run([SHOKO, "--data-dir", str(data), "verify", "--json"], capture_output=True, text=True,
                            timeout=300)
    report = json.loads(result.stdout)
    return result.returncode, report["problems"]


def sql(data: Path, *statements: str, params: tuple = ()) -> None:
    conn = sqlite3.connect(data / "shoko.sqlite3")
    conn.execute("PRAGMA foreign_keys=OFF")
    for statement in statements:
        conn.execute(statement, params if statement == statements[-1] else ())
    conn.commit()
    conn.close()


def rows(data: Path, query: str) -> list[tuple]:
    conn = sqlite3.connect(data / "shoko.sqlite3")
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def assert_named(problems: list[str], *words: str) -> None:
    assert any(all(w in p for w in words) for p in problems), problems


def test_an_untouched_data_directory_verifies_clean(data) -> None:
    assert verify(data) == (0, [])
    key = data / "keys" / "audit.key"
    assert key.exists() and oct(key.stat().st_mode & 0o777) == "0o600"
    assert (data / "audit-checkpoints").read_text().count("\n") == rows(data, "SELECT count(*) FROM audit")[0][0]


def test_cutting_off_the_end_of_the_chain_is_found(data) -> None:
    last = rows(data, "SELECT max(seq) FROM audit")[0][0]
    sql(data, f"DELETE FROM audit WHERE seq > {last - 2}")
    code, problems = verify(data)
    assert code == 1
    assert_named(problems, "cut off", f"#{last}")


def test_an_edited_row_with_the_chain_recomputed_is_found(data) -> None:
    chain = rows(data, "SELECT seq, at, actor, action, document_id, details FROM audit ORDER BY seq")
    prev = "0" * 64
    conn = sqlite3.connect(data / "shoko.sqlite3")
    for seq, at, actor, action, document_id, details in chain:
        loaded = json.loads(details)
        if action == "field_corrected":
            loaded["new_value"] = 99  # as if the correction had said 99
            actor = "someone-else"
        digest = chain_hash(prev, at, actor, action, document_id, loaded)
        conn.execute("UPDATE audit SET actor=?, details=?, prev_hash=?, hash=? WHERE seq=?",
                     (actor, json.dumps(loaded, ensure_ascii=False, sort_keys=True), prev, digest, seq))
        prev = digest
    conn.commit()
    conn.close()
    code, problems = verify(data)
    assert code == 1
    assert_named(problems, "seal does not match")


def test_a_forged_row_appended_is_found(data) -> None:
    seq, prev = rows(data, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")[0]
    details = {"name": "spo2", "old_value": 94, "new_value": 80}
    at = "2026-12-01T09:00:00+09:00"
    digest = chain_hash(prev, at, "iji", "field_corrected", 1, details)
    sql(data, "INSERT INTO audit (at, actor, action, document_id, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?)",
        params=(at, "iji", "field_corrected", 1, json.dumps(details, sort_keys=True), prev, digest))
    code, problems = verify(data)
    assert code == 1
    assert_named(problems, f"audit #{seq + 1}", "not sealed")


@pytest.mark.parametrize("statement, named", [
    ("UPDATE fields SET value='\"99999999\"' WHERE document_id=1 AND name='patient_id'", ("D000001", "field patient_id")),
    ("UPDATE fields SET value='80' WHERE document_id=1 AND name='spo2'", ("D000001", "field spo2")),
    ("UPDATE documents SET text='書き換えた本文' WHERE id=1", ("D000001", "text")),
    ("UPDATE documents SET title='別の表題' WHERE id=2", ("D000002", "title")),
    ("UPDATE documents SET doc_type='other' WHERE id=2", ("D000002", "document")),
    ("UPDATE field_history SET new_value='80' WHERE document_id=1", ("D000001", "history")),
    ("DELETE FROM links WHERE document_id=1", ("D000001", "links")),
    ("UPDATE links SET month='2026-11' WHERE document_id=1", ("D000001", "links")),
    ("DELETE FROM claims", ("claim mark", "00123456", "removed outside")),
    ("INSERT INTO claims (patient_id, item, month, actor, at) VALUES ('00123456', 'C158', '2026-10', 'x', 'y')",
     ("claim mark", "C158", "added directly")),
    ("UPDATE users SET role='admin' WHERE username='iji'", ("account iji",)),
    ("INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES ('mallory', 'x', 'admin', 'a', 'b')",
     ("account mallory", "added to the database directly")),
])
def test_a_direct_database_edit_is_found_and_named(data, statement, named) -> None:
    sql(data, statement)
    code, problems = verify(data)
    assert code == 1
    assert_named(problems, *named)


def test_a_deleted_document_row_is_found(data) -> None:
    sql(data, "DELETE FROM pages WHERE document_id=2", "DELETE FROM fields WHERE document_id=2",
        "DELETE FROM documents WHERE id=2")
    code, problems = verify(data)
    assert code == 1
    assert_named(problems, "D000002", "missing from the database")


def test_an_original_swapped_together_with_its_hash_is_found(data) -> None:
    forged = b"%PDF-1.4 forged original"
    sha = hashlib.sha256(forged).hexdigest()
    target = data / "originals" / sha[:2] / sha
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(forged)
    old = rows(data, "SELECT sha256 FROM documents WHERE id=1")[0][0]
    sql(data, "UPDATE documents SET sha256=? WHERE id=1", params=(sha,))
    (data / "originals" / old[:2] / old).chmod(0o644)
    (data / "originals" / old[:2] / old).unlink()
    code, problems = verify(data)
    assert code == 1
    assert_named(problems, "D000001", "document")


def test_a_stray_file_in_the_vault_is_found(data) -> None:
    (data / "originals" / "ab").mkdir(exist_ok=True)
    (data / "originals" / "ab" / ("ab" + "0" * 62)).write_bytes(b"not an original of any document")
    code, problems = verify(data)
    assert code == 1
    assert_named(problems, "vault", "ab" + "0" * 62)


def test_a_missing_key_or_an_edited_checkpoint_is_found(data, tmp_path) -> None:
    lines = (data / "audit-checkpoints").read_text().splitlines()
    edited = json.loads(lines[1])
    edited["hash"] = "f" * 64
    (data / "audit-checkpoints").write_text("\n".join([lines[0], json.dumps(edited), *lines[2:]]) + "\n")
    code, problems = verify(data)
    assert code == 1
    assert_named(problems, "checkpoint line 2")
    (data / "keys" / "audit.key").unlink()
    code, problems = verify(data)
    assert code == 1
    assert_named(problems, "audit key", "missing")


def test_a_log_kept_before_the_key_is_sealed_once_at_first_start(data) -> None:
    """An older data directory (rows without seals, no key) is sealed as it stands when
    the key is made; a row added afterwards without the key is still found."""
    (data / "keys" / "audit.key").unlink()
    (data / "audit-checkpoints").unlink()
    sql(data, "UPDATE audit SET mac=NULL")
    assert verify(data) == (0, [])
    assert rows(data, "SELECT action FROM audit ORDER BY seq DESC LIMIT 1") == [("chain_sealed",)]
    sql(data, "UPDATE audit SET mac=NULL WHERE seq=1")
    code, problems = verify(data)
    assert code == 1 and any("audit #1" in p for p in problems)
