"""No silent deletion: the trash (with a reason, audited), restore, retention, and the admin's purge."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from records.store import NewDocument, NewField, NewPage
from shoko.claims import month_report
from shoko.cli import main
from kernel.errors import RecordsError
from shoko.intake import index_entry
from shoko.retention import RetentionPolicy, add_years, load_retention, retention_start


def store(services, tmp_path: Path, content: bytes, document_date: str, part: int = 1,
          doc_type: str = "hot_guidance_record") -> str:
    source = tmp_path / f"{hashlib.md5(content).hexdigest()}.pdf"
    source.write_bytes(content)
    doc = NewDocument(
        sha256=hashlib.sha256(content).hexdigest(), source_name="指導記録.pdf", file_format="pdf",
        department="総務課", doc_type=doc_type, type_score=3.0, title="在宅酸素療法指導記録",
        text="在宅酸素療法指導記録 鈴木一郎", raw_text="", flags=[], part=part,
        pages=[NewPage(1, "在宅酸素療法指導記録", "", "text_layer")],
        fields=[NewField("patient_id", "00555555", "filled", "text_layer", 1, 1.0),
                NewField("guidance_date", document_date, "filled", "text_layer", 1, 1.0),
                NewField("document_date", document_date, "filled", "text_layer", 1, 1.0)],
    )
    doc_id, _ = services.records.store_document(doc, source, actor="tester")
    services.index.add(index_entry(services.records.get(doc_id)))
    return doc_id


def hits(services, query: str) -> list[str]:
    return [h.doc_id for h in services.index.search(query).hits]


def test_trash_hides_a_document_everywhere_but_keeps_it_and_restore_brings_it_back(services, tmp_path):
    doc_id = store(services, tmp_path, b"record one", "2026-10-14")
    services.records.add_link(doc_id, "C103-2", "2026-10", actor="clerk", patient_id="00555555")
    assert hits(services, "指導記録") == [doc_id]

    with pytest.raises(RecordsError):
        services.trash_document(doc_id, "   ", actor="clerk")  # a reason is required
    services.trash_document(doc_id, "別患者の文書を誤って取り込み", actor="clerk")
    assert services.records.all_documents() == [] and services.records.document_numbers() == set()
    assert hits(services, "指導記録") == [] and services.records.all_links() == []
    report = month_report(services.records, "2026-10")
    assert all(doc_id not in item.evidence for p in report.patients for item in p.items)
    kept = services.records.get(doc_id)  # the row and the original stay
    assert kept.trash["reason"] == "別患者の文書を誤って取り込み" and kept.trash["actor"] == "clerk"
    assert services.records.vault.path_for(kept.sha256).exists()
    assert [d.id for d in services.records.trashed_documents()] == [doc_id]
    assert services.records.verify() == []
    with pytest.raises(RecordsError):
        services.trash_document(doc_id, "again", actor="clerk")

    services.restore_document(doc_id, actor="admin")
    assert hits(services, "指導記録") == [doc_id] and services.records.trashed_documents() == []
    assert [link["doc_id"] for link in services.records.all_links()] == [doc_id]
    actions = [(e["action"], e["details"]) for e in services.records.audit_for(doc_id)]
    assert ("document_trashed", {"reason": "別患者の文書を誤って取り込み", "sha256": kept.sha256}) in actions
    assert actions[-1] == ("document_restored", {"sha256": kept.sha256})


def test_purge_only_after_retention_and_the_audit_keeps_hash_and_reason(services, tmp_path):
    recent = store(services, tmp_path, b"recent", services.records.now()[:10])
    old = store(services, tmp_path, b"old", "2012-04-01")
    with pytest.raises(RecordsError, match="not in the trash"):
        services.purge_document(old, actor="admin")
    for doc_id in (recent, old):
        services.trash_document(doc_id, "重複して登録", actor="admin")
    with pytest.raises(RecordsError, match="kept until"):
        services.purge_document(recent, actor="admin")
    sha = services.records.get(old).sha256
    assert services.purge_document(old, actor="admin") is True
    assert not services.records.vault.path_for(sha).exists()
    assert services.records.purged_documents() == {int(old[1:]): sha}
    purged = [e for e in services.records.audit_for(old) if e["action"] == "document_purged"]
    assert purged[0]["details"]["sha256"] == sha and purged[0]["details"]["reason"] == "重複して登録"
    assert services.records.verify() == []
    assert [d.id for d in services.records.trashed_documents()] == [recent]


def test_purging_one_part_of_a_batch_scan_keeps_the_shared_original(services, tmp_path):
    source = tmp_path / "batch.pdf"
    source.write_bytes(b"two papers scanned together")
    sha = hashlib.sha256(source.read_bytes()).hexdigest()
    parts = [NewDocument(sha256=sha, source_name="batch.pdf", file_format="pdf", department=None,
                         doc_type="other", type_score=0.0, title=f"part {n}", text="", raw_text="", flags=[],
                         pages=[NewPage(1, "", "", "text_layer")], fields=[], part=n, first_page=n)
             for n in (1, 2)]
    (first, second), _ = services.records.store_documents(parts, source, actor="tester")
    with services.records.write() as conn:  # ingested long ago
        conn.exec_driver_sql("UPDATE documents SET ingested_at = '2001-01-01T09:00:00+09:00'")
    services.trash_document(first, "白紙", actor="admin")
    assert services.purge_document(first, actor="admin") is False  # the other part still needs it
    assert services.records.vault.path_for(sha).exists() and services.records.verify() == []
    services.trash_document(second, "白紙", actor="admin")
    assert services.purge_document(second, actor="admin") is True
    assert not services.records.vault.path_for(sha).exists() and services.records.verify() == []


def test_retention_policy_and_dates():
    policy = load_retention()
    assert policy.years_for("hot_contract") >= 5 and policy.years_for("unknown_type") == policy.default_years
    assert add_years(date(2024, 2, 29), 5) == date(2029, 2, 28)
    assert retention_start("2020-05-01", "2026-01-01T09:00:00+09:00") == date(2020, 5, 1)
    assert retention_start(None, "2026-01-01T09:00:00+09:00") == date(2026, 1, 1)
    assert RetentionPolicy(3, {}).years_for("other") == 3


def test_commands_trash_restore_purge(services, tmp_path, capsys):
    doc_id = store(services, tmp_path, b"cli", "2012-04-01")
    data = ["--data-dir", str(services.config.data_path)]
    assert main([*data, "purge", doc_id]) == 2
    assert main([*data, "trash", "D999999", "--reason", "x"]) == 1
    assert main([*data, "trash", doc_id, "--reason", "誤登録"]) == 0
    assert main([*data, "restore", doc_id]) == 0
    assert main([*data, "trash", doc_id, "--reason", "誤登録"]) == 0
    assert main([*data, "purge", doc_id]) == 0
    assert "purged" in capsys.readouterr().out
    assert main([*data, "verify"]) == 0
