"""How fast the work-list pages answer with many documents (issue 14: ≤ 300 ms at 10,000).

Fills a fresh data directory with N documents (default 10,000: per patient a contract,
an order, monthly guidance records and for some a removal; one in five with a value
awaiting review), then asks each page through the real Flask app as an administrator
(who sees every section) and prints the median and worst of several runs.

    PYTHONPATH=. .venv/bin/python bench/worklists_speed.py [--documents 10000] [--runs 5]

Exit status 1 when a page's median is over the budget (``--budget-ms``, default 300).
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "webui"))

from werkzeug.security import generate_password_hash  # noqa: E402

from records.store import NewDocument, NewField, NewPage  # noqa: E402
from shoko.services import Services  # noqa: E402
from shoko.settings import load_config  # noqa: E402

PAGES = ["/", "/review", "/documents", "/documents?sort=date&dir=desc", "/documents?sort=patient&page=50",
         "/patients", "/patients?sort=last&dir=desc", "/contracts", "/contracts.csv", "/contracts/vendors?month=2026-10",
         "/claims?month=2026-10"]
TEXT = "在宅酸素療法指導記録 患者ID {pid} 氏名 {name} 指導日 {day} SpO2 {spo2}% " * 8  # ~1 KB of text a document


def fill(services: Services, documents: int) -> None:
    """``documents`` documents in one transaction (no originals: the lists never open them)."""
    records = services.records
    records.save_user("admin", generate_password_hash("bench-password-1", "pbkdf2:sha256:1000"), "admin", "bench")
    today = date.fromisoformat(records.now()[:10])
    made, patient = 0, 0
    at = records.now()
    with records.write() as conn:
        while made < documents:
            patient += 1
            pid, name = f"{patient:08d}", f"患者 {patient}号"
            start = date(2025, 1, 1) + timedelta(days=patient % 500)
            end = today + timedelta(days=(patient % 400) - 100)
            docs = [("hot_contract", {"contract_start": start.isoformat(), "contract_end": end.isoformat(),
                                      "vendor": f"業者{patient % 7}", "device_type": "concentrator",
                                      "monthly_fee": 5000 + patient % 5 * 1000, "document_date": start.isoformat()}),
                    ("hot_prescription", {"device_type": "concentrator", "flow_rest": 1.0,
                                          "document_date": start.isoformat()})]
            for month in range(4):
                day = (date(2026, 7 + month, 1) + timedelta(days=patient % 27)).isoformat()
                docs.append(("hot_guidance_record", {"guidance_date": day, "measurement_date": day,
                                                     "spo2": 90 + patient % 8, "document_date": day}))
            if patient % 6 == 0:
                docs.append(("hot_device_removal", {"device_type": "concentrator", "removal_date": end.isoformat()}))
            for doc_type, values in docs:
                if made >= documents:
                    break
                made += 1
                text = TEXT.format(pid=pid, name=name, day=values.get("document_date", ""), spo2=values.get("spo2", ""))
                fields = [NewField(k, v, "filled", "ocr", 1, 0.9) for k, v in
                          {"patient_id": pid, "patient_name": name, **values}.items()]
                if made % 5 == 0:
                    fields.append(NewField("doctor", "佐藤 一郎", "review", "ocr", 1, 0.4))
                doc = NewDocument(hashlib.sha256(f"{made}".encode()).hexdigest(), f"scan_{made:05d}.pdf", "pdf",
                                  "総務課" if doc_type == "hot_contract" else None, doc_type, 5.0, doc_type, text, text,
                                  [], [NewPage(1, text, text, "ocr")], fields)
                records._insert_document(conn, doc, at, "bench", audit=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--budget-ms", type=float, default=300.0)
    args = parser.parse_args()
    from webui import create_app
    from webui_support import sign_in

    with tempfile.TemporaryDirectory(prefix="shoko-bench-") as root:
        services = Services(load_config(data_dir=str(Path(root) / "data")))
        started = time.perf_counter()
        fill(services, args.documents)
        print(f"filled {args.documents} documents in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        app = create_app(services, {"TESTING": True})
        client = app.test_client()
        assert sign_in(client, "admin", "bench-password-1").status_code == 302
        over = []
        print(f"{'page':45} {'median ms':>10} {'max ms':>8}")
        for url in PAGES:
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            median = statistics.median(times)
            print(f"{url:45} {median:10.0f} {max(times):8.0f}")
            if median > args.budget_ms:
                over.append(url)
        if over:
            print(f"over {args.budget_ms:.0f} ms: {', '.join(over)}")
        return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
