"""Backup and restore (``shoko export DIR`` / ``shoko import DIR``) and one patient's export."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import pytest

from shoko.services import Services
from shoko.settings import load_config
from tests.conftest import SHOKO, text_layer_pdf


def run(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "SHOKO_DATA_DIR": str(data_dir)}
    result = subprocess.run([SHOKO, *args], capture_output=True, text=True, env=env, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"shoko {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result


def lines(result: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """A data directory with three documents (two patients), a correction, a link and a claim mark."""
    root = tmp_path_factory.mktemp("archive")
    data = root / "data"
    scans = root / "scans"
    scans.mkdir()
    text_layer_pdf(scans / "a_指示書.pdf", ["在宅酸素療法指示書", "患者ID 00555555 患者氏名 鈴木 一郎",
                                             "記載日 2026年10月3日", "酸素流量 安静時 2.0L/分"])
    text_layer_pdf(scans / "b_撤去.pdf", ["機器撤去報告書", "患者ID 00555555 患者氏名 鈴木 一郎",
                                        "撤去日 2026年10月20日", "作成日 2026年10月21日"])
    text_layer_pdf(scans / "c_契約.pdf", ["酸素濃縮装置 賃貸借契約書", "患者ID 00777777 患者氏名 山田 花子",
                                        "契約締結日 2026年9月1日", "月額賃貸料 30,000円"])
    ingested = lines(run(data, "ingest", "--json", str(scans)))
    assert [i["status"] for i in ingested] == ["ingested"] * 3, ingested
    services = Services(load_config(data_dir=str(data)))
    first = ingested[0]["id"]
    services.records.correct_field(first, "doctor", "佐藤 健", actor="clerk")
    services.records.add_link(first, "C103-2", "2026-10", actor="clerk", patient_id="00555555", reason="指示書")
    services.records.mark_claimed("00555555", "C103-2", "2026-10", actor="clerk")
    # The audit key and checkpoints (made by the records) and timestamp tokens travel with the export.
    assert (data / "keys" / "audit.key").exists() and (data / "audit-checkpoints").exists()
    (data / "timestamps").mkdir()
    (data / "timestamps" / "checkpoint-1.tsr").write_bytes(b"token of a checkpoint")
    return data


def snapshot(data: Path) -> dict:
    listed = lines(run(data, "list", "--json"))
    shown = {d["id"]: json.loads(run(data, "show", d["id"], "--json").stdout) for d in listed}
    services = Services(load_config(data_dir=str(data)))
    claims = sorted((c["patient_id"], c["item"], c["month"]) for c in services.records.all_claims())
    # Hits of equal score may come in either order: the same hits, not the same order.
    searches = {q: sorted(h["id"] for h in json.loads(run(data, "search", q, "--json").stdout)["hits"])
                for q in ("鈴木 一郎", "賃貸借契約書", "撤去")}
    return {"list": listed, "show": shown, "claims": claims, "search": searches,
            "check": json.loads(run(data, "check", "--month", "2026-10", "--json").stdout)}


def test_export_then_import_restores_everything_and_verifies(archive, tmp_path):
    before = snapshot(archive)
    export = tmp_path / "backup"
    run(archive, "export", str(export))
    key = (archive / "keys" / "audit.key").read_bytes()
    checkpoints = (export / "audit-checkpoints").read_bytes()
    manifest = json.loads((export / "manifest.json").read_text())
    paths = {f["path"] for f in manifest["files"]}
    assert {"shoko.sqlite3", "keys/audit.key", "audit-checkpoints", "timestamps/checkpoint-1.tsr"} <= paths
    assert sum(p.startswith("originals/") for p in paths) == 3
    assert manifest["format_version"] == 1 and manifest["shoko_version"]

    restored = tmp_path / "restored"
    (restored / "inbox").mkdir(parents=True)  # empty folders made by a start do not count
    result = run(restored, "import", str(export))
    assert "intact" in result.stdout
    after = snapshot(restored)
    assert after == before
    assert run(restored, "verify").returncode == 0
    assert (restored / "keys" / "audit.key").read_bytes() == key
    assert (restored / "audit-checkpoints").read_bytes().startswith(checkpoints)  # the reads since added lines
    original = next((restored / "originals").rglob("*"), None)
    assert original is not None


def test_export_refuses_a_folder_that_is_not_empty_or_cannot_be_written(archive, tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "other.txt").write_text("x")
    result = run(archive, "export", str(full), check=False)
    assert result.returncode != 0 and "not empty" in result.stderr
    # A folder that cannot be made (its parent is a file) cannot be written.
    result = run(archive, "export", str(full / "other.txt" / "inside"), check=False)
    assert result.returncode != 0 and "cannot" in result.stderr


def test_import_refuses_a_data_directory_that_is_not_empty(archive, tmp_path):
    export = tmp_path / "backup"
    run(archive, "export", str(export))
    result = run(archive, "import", str(export), check=False)
    assert result.returncode != 0 and "not empty" in result.stderr


def test_import_refuses_a_tampered_export_naming_the_file(archive, tmp_path):
    export = tmp_path / "backup"
    run(archive, "export", str(export))
    original = sorted((export / "originals").rglob("*"))[-1]
    original.chmod(0o600)
    original.write_bytes(original.read_bytes() + b"x")
    restored = tmp_path / "restored"
    result = run(restored, "import", str(export), check=False)
    assert result.returncode != 0
    assert original.relative_to(export).as_posix() in result.stderr
    assert not any(p.is_file() for p in restored.rglob("*")) if restored.exists() else True

    planted = tmp_path / "planted"
    run(archive, "export", str(planted))
    (planted / "originals" / "00").mkdir(exist_ok=True)
    (planted / "originals" / "00" / "stray").write_bytes(b"not listed")
    result = run(tmp_path / "restored2", "import", str(planted), check=False)
    assert result.returncode != 0 and "originals/00/stray" in result.stderr

    result = run(tmp_path / "restored3", "import", str(tmp_path / "nothing-here"), check=False)
    assert result.returncode != 0


def test_patient_export_has_the_originals_and_a_manifest(archive, tmp_path):
    out = tmp_path / "開示"
    run(archive, "export", str(out), "--patient", "00555555")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["patient_id"] == "00555555" and len(manifest["documents"]) == 2
    with open(out / "manifest.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == [d["id"] for d in manifest["documents"]]
    for row in rows:
        assert row["file"].startswith(row["id"] + "_") and row["file"].endswith(".pdf")
        assert (out / row["file"]).is_file()
    assert not (out / "shoko.sqlite3").exists()
    assert {r["document_date"] for r in rows} == {"2026-10-03", "2026-10-21"}
    assert run(archive, "export", str(tmp_path / "none"), "--patient", "00000001", check=False).returncode != 0
