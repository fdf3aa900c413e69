"""A batch scan: several papers in one file are several documents (issue 11, point 4).

Five monthly guidance records of one patient, printed by the project's own sample
templates and scanned into one multi-page TIFF, go through the real ``shoko ingest``:
five ``ingest --json`` lines with the same path, five documents, and ``check`` finds
C103-2 evidence in each of the five months. A two-page record stays one document.
"""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from samples.documents import DOCTOR_HASEGAWA, MINATO, NURSE_YAMAGUCHI, PATIENT_A, _guidance
from samples.guidance import guidance_note, guidance_table
from samples.orders import Flows, OrderFacts, order_chart
from samples.paper import Style
from samples.text import SLASH
from samples.render import Scan, draw, scan

MONTHS = [date(2026, 6, 11), date(2026, 7, 9), date(2026, 8, 6), date(2026, 9, 3), date(2026, 10, 1)]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    rng = np.random.default_rng(5)
    pages = []
    for k, day in enumerate(MONTHS):
        facts = _guidance(PATIENT_A, DOCTOR_HASEGAWA, NURSE_YAMAGUCHI, day, day, 90 + k, 60.5 + k,
                          Flows(1.0, 2.0, 1.0), "機器の取り扱いと火気の注意を再確認した。")
        template = guidance_table if k % 2 else guidance_note
        sheets = template(facts, Style("sans", SLASH))
        pages.extend(scan(draw(sheet), Scan(0.3 * (k - 2), noise=0.0003), rng) for sheet in sheets)
    path = folder / "guidance_batch.tif"
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="tiff_lzw", dpi=(300, 300))
    # The doctor's order the guidance fee rests on, scanned on its own.
    order = OrderFacts(PATIENT_A, MINATO, "concentrator", Flows(1.0, 2.0, 1.0), DOCTOR_HASEGAWA,
                       date(2026, 5, 20), (date(2026, 6, 1), date(2027, 5, 31)), "慢性閉塞性肺疾患")
    draw(order_chart(order, Style("sans", SLASH))[0]).save(folder / "order.png", dpi=(300, 300))
    return path


def test_five_monthly_records_in_one_tiff_are_five_documents(batch, shoko_cli):
    shoko_cli("ingest", str(batch.with_name("order.png")), "--json")
    lines = [json.loads(line) for line in shoko_cli("ingest", str(batch), "--json").stdout.splitlines()]
    assert len(lines) == 5
    assert {line["path"] for line in lines} == {str(batch)}
    assert all(line["status"] == "ingested" and line["doc_type"] == "hot_guidance_record" for line in lines)
    assert len({line["id"] for line in lines}) == 5
    shown = [json.loads(shoko_cli("show", line["id"], "--json").stdout) for line in lines]
    assert [doc["fields"].get("guidance_date") for doc in shown] == [d.isoformat() for d in MONTHS]
    assert all(doc["pages"] == 1 and doc["sha256"] == shown[0]["sha256"] for doc in shown)
    assert any(flag.startswith("batch: part 3 of 5") for flag in shown[2]["flags"])
    listed = [json.loads(line) for line in shoko_cli("list", "--json").stdout.splitlines()]
    assert len(listed) == 6 and sum(d["sha256"] == shown[0]["sha256"] for d in listed) == 5
    for day in MONTHS:
        report = json.loads(shoko_cli("check", "--month", day.strftime("%Y-%m"), "--json").stdout)
        items = {(p["patient_id"], i["item"]): i for p in report["patients"] for i in p["items"]}
        assert items[(PATIENT_A.id, "C103-2")]["status"] == "ready", day
    assert shoko_cli("verify").returncode == 0
    again = json.loads(shoko_cli("ingest", str(batch), "--json").stdout.splitlines()[0])
    assert again["status"] == "duplicate" and again["id"] == lines[0]["id"]
