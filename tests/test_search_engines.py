"""The ``search_engine`` setting: which index the services open, how a data
directory from before Tantivy gets one, reconciliation, ``reindex`` and a
streamed ``list`` (real SQLite, real index folders, the real command)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from kernel.text import normalise_text
from records.store import NewDocument, NewField, NewPage
from search import IndexEntry, TantivyIndex, WhooshIndex
from kernel.errors import ConfigError
from shoko.intake import Intake, index_entry
from shoko.services import Services
from shoko.settings import load_config


def _services(tmp_path, engine: str | None = None) -> Services:
    config = tmp_path / f"{engine or 'default'}.toml"
    config.write_text(f'search_engine = "{engine}"\n' if engine else "", encoding="utf-8")
    return Services(load_config(config, data_dir=str(tmp_path / "data")))


def _store(services: Services, tmp_path, count: int, index: bool = True) -> list[str]:
    """``count`` documents stored through the records layer (and indexed, unless told not to)."""
    ids = []
    for n in range(count):
        source = tmp_path / f"scan_{n:03d}.txt"
        source.write_bytes(f"scan {n}".encode())
        text = normalise_text(f"在宅酸素療法指導記録 患者氏名 山田 太郎 記録番号 K{n:05d}")
        fields = {"patient_id": f"{n + 1:08d}", "guidance_date": f"2026-{1 + n % 12:02d}-14"}
        doc = NewDocument(
            sha256=hashlib.sha256(source.read_bytes()).hexdigest(), source_name=source.name, file_format="png",
            department=None, doc_type="hot_guidance_record", type_score=5.0, title="在宅酸素療法指導記録",
            text=text, raw_text=text, flags=[], pages=[NewPage(1, text, text, "ocr")],
            fields=[NewField(k, v, "filled", "ocr", 1, 0.9) for k, v in fields.items()],
        )
        doc_id, _ = services.records.store_document(doc, source, actor="test")
        if index:
            services.index.add(index_entry(services.records.get(doc_id)))
        ids.append(doc_id)
    return ids


def test_the_setting_chooses_the_engine_and_its_folder(tmp_path):
    default = _services(tmp_path)
    assert isinstance(default.index, TantivyIndex)
    assert TantivyIndex.exists(tmp_path / "data" / "index" / "tantivy")
    whoosh = _services(tmp_path, "whoosh")
    assert isinstance(whoosh.index, WhooshIndex)
    assert any((tmp_path / "data" / "index").glob("*.toc"))
    with pytest.raises(ConfigError, match="search_engine"):
        _ = _services(tmp_path, "lucene").index


def test_a_data_dir_from_before_tantivy_gets_its_index_built_at_start(tmp_path):
    old = _services(tmp_path, "whoosh")
    ids = _store(old, tmp_path, 5)
    assert old.index.doc_ids() == set(ids)
    new = _services(tmp_path)  # the default, Tantivy, has no index yet
    assert new.index.doc_ids() == set(ids)
    assert {h.doc_id for h in new.index.search("K00003").hits} == {ids[3]}
    assert _services(tmp_path, "whoosh").index.doc_ids() == set(ids)  # Whoosh's files are left as they were


def test_reconciliation_compares_ids_and_adds_many_in_one_go(tmp_path):
    services = _services(tmp_path)
    assert services.index.doc_ids() == set()  # opened (and created) before the documents come
    ids = _store(services, tmp_path, 130, index=False)  # more than are fetched one by one
    services.index.add(index_entry(services.records.get(ids[0])))
    services.index.add(IndexEntry("D999999", "other", "", "もう記録にない文書"))
    intake = Intake(services.records, services.index, rules=None, limits=None, engine=None, workers=1)
    assert intake.reconcile_index() == (129, 1)
    assert services.index.doc_ids() == set(ids)
    assert intake.reconcile_index() == (0, 0)


def test_records_stream_in_batches_in_id_order(tmp_path):
    services = _services(tmp_path)
    ids = _store(services, tmp_path, 7, index=False)
    streamed = list(services.records.iter_documents(with_fields=True, batch=3))
    assert [d.id for d in streamed] == ids
    assert streamed[6].filled_fields["patient_id"] == "00000007"


def _shoko(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SHOKO_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run([sys.executable, "-m", "shoko", *args], capture_output=True, text=True, env=env,
                          timeout=300, check=True)


def test_reindex_reports_progress_and_list_and_search_answer(tmp_path):
    ids = _store(_services(tmp_path), tmp_path, 12, index=False)
    done = _shoko(tmp_path, "reindex")
    assert "索引の作成を完了: 12 件" in done.stderr and done.stdout == ""
    found = json.loads(_shoko(tmp_path, "search", "--json", "--limit", "20", "山田太郎").stdout)
    assert found["total"] == 12
    newest = json.loads(_shoko(tmp_path, "search", "--json", "--sort", "date", "--limit", "1", "山田太郎").stdout)
    assert newest["hits"][0]["date"] == "2026-12-14"
    assert json.loads(_shoko(tmp_path, "search", "--json", "12").stdout)["hits"][0]["id"] == ids[11]  # 00000012
    listed = [json.loads(line)["id"] for line in _shoko(tmp_path, "list", "--json").stdout.splitlines()]
    assert listed == ids
