"""Reads leave a trace: views, page images, downloads, searches, CSV exports and sign-ins
are in the audit log with user, time and address, shown by ``shoko audit`` and on the
document page; the log still verifies."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import SHOKO
from webui_support import sign_in


def audit(services, *args: str) -> list[dict]:
    result = subprocess.run([SHOKO, "--data-dir", str(services.config.data_path), "audit", "--json", *args],
                            capture_output=True, text=True, check=True, timeout=120)
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_a_view_shows_in_shoko_audit_with_the_user(login, services, documents):
    doc = documents["guidance"]
    client = login("kango")
    assert client.get(f"/documents/{doc}").status_code == 200
    assert client.get(f"/documents/{doc}/pages/1.png").status_code == 200
    assert client.get(f"/documents/{doc}/original").status_code == 200
    events = audit(services, "--doc", doc)
    reads = [(e["action"], e["actor"]) for e in events if e["action"] != "document_ingested"]
    assert ("document_viewed", "kango") in reads
    assert ("page_viewed", "kango") in reads
    assert ("original_downloaded", "kango") in reads
    viewed = next(e for e in events if e["action"] == "document_viewed")
    assert viewed["document"] == doc and viewed["at"] and viewed["address"] == "127.0.0.1"
    # The document page shows who viewed it; the change history keeps to changes.
    page = client.get(f"/documents/{doc}").get_data(as_text=True)
    reads_section = page.split('id="reads"')[1].split("</section>")[0]
    assert "閲覧" in reads_section and "kango" in reads_section
    assert "document_viewed" not in page.split('id="audit"')[1]
    assert services.records.verify() == []


def test_searches_exports_and_sign_ins_are_logged(login, client, services):
    assert sign_in(client, "iji", "wrong-password").status_code == 401
    iji = login("iji")
    assert iji.get("/search?q=酸素&type=hot_contract").status_code == 200
    assert iji.get("/claims.csv?month=2026-10").status_code == 200
    events = audit(services, "--user", "iji")
    actions = [e["action"] for e in events]
    assert "sign_in_failed" in actions and "sign_in_succeeded" in actions
    search = next(e for e in events if e["action"] == "searched")
    assert search["query"] == "酸素" and search["filters"] == {"type": "hot_contract"}
    export = next(e for e in events if e["action"] == "exported")
    assert export["what"] == "claims_csv" and export["detail"] == "2026-10"
    # --since keeps to the day given and after.
    assert audit(services, "--user", "iji", "--since", "2999-01-01") == []
    assert services.records.verify() == []


def test_the_audit_page_is_for_admins_and_filters(login, documents):
    doc = documents["guidance"]
    kango = login("kango")
    kango.get(f"/documents/{doc}")
    assert kango.get("/admin/audit").status_code == 403
    admin = login("admin")
    page = admin.get(f"/admin/audit?doc={doc}&user=kango").get_data(as_text=True)
    assert "閲覧" in page and "kango" in page and doc in page
    assert "文書IDは" in admin.get("/admin/audit?doc=../../x").get_data(as_text=True)
    assert "<script>" not in admin.get("/admin/audit?user=<script>").get_data(as_text=True)
