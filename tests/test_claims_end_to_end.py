"""Issue 6 acceptance: generated paperwork for three patients over three months goes through
``shoko ingest``, and ``shoko check`` for each month equals the table written below.

Everything is real: the sample files (samples.make_samples), Tesseract, the SQLite
records, the command as a subprocess. Ingesting the ~21 pages takes a minute or two.

The expected table follows the billing rules (config/billing.toml, billing/rules.py)
applied by hand to the story in samples/documents.py:

- A 00412087: concentrator contract from 2026-04-01 (open-ended), order 2026-03-25,
  guidance with SpO2/PaO2 on 08-06, 09-03, 10-01: C103-2, C158 and C171-2 ready each month.
- B 00730215: concentrator contract 2025-11-01..2026-10-31, order 2025-10-24, guidance
  08-19, 09-16, 10-14; the concentrator removed 2026-10-20: ready each month, and in
  October C158 is ready with a warning about the removal.
- C 01158342: concentrator contract 2025-09-01..2026-08-31, concentrator collected
  2026-07-31, order for liquid oxygen 2026-07-27, liquid oxygen contract from 2026-08-01,
  guidance 08-21 and 10-09 (measured 09-28), none in September.
  August: C158 and C159-1 both cover the month (two stationary devices) -> both conflict.
  September: no guidance -> C103-2 missing, and the add-ons that require it missing too;
  C158's contract ended in August -> missing.
  October: ready; C103-2 warns that the measurement is from September.
"""

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from samples import make_samples

SHOKO = Path(sys.executable).with_name("shoko")
INGEST_TIMEOUT = 900

A, B, C = "00412087", "00730215", "01158342"
READY, MISSING, CONFLICT = "ready", "missing", "conflict"

EXPECTED = {
    "2026-08": {
        (A, "C103-2"): READY, (A, "C158"): READY, (A, "C171-2"): READY,
        (B, "C103-2"): READY, (B, "C158"): READY, (B, "C171-2"): READY,
        (C, "C103-2"): READY, (C, "C158"): CONFLICT, (C, "C159-1"): CONFLICT, (C, "C171-2"): READY,
    },
    "2026-09": {
        (A, "C103-2"): READY, (A, "C158"): READY, (A, "C171-2"): READY,
        (B, "C103-2"): READY, (B, "C158"): READY, (B, "C171-2"): READY,
        (C, "C103-2"): MISSING, (C, "C158"): MISSING, (C, "C159-1"): MISSING, (C, "C171-2"): MISSING,
    },
    "2026-10": {
        (A, "C103-2"): READY, (A, "C158"): READY, (A, "C171-2"): READY,
        (B, "C103-2"): READY, (B, "C158"): READY, (B, "C171-2"): READY,
        (C, "C103-2"): READY, (C, "C159-1"): READY, (C, "C171-2"): READY,
    },
}

# Ready items that must carry a warning in `problems`, and what the warning is about.
WARNINGS = {
    ("2026-10", B, "C158"): "撤去",  # the concentrator was removed on 2026-10-20
    ("2026-10", C, "C103-2"): "測定",  # the latest measurement is from 2026-09-28
}


def shoko(data_dir: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run the installed command on ``data_dir``; fail the test with its stderr if it fails."""
    done = subprocess.run([str(SHOKO), "--data-dir", str(data_dir), *args], capture_output=True,
                          text=True, timeout=timeout, cwd=data_dir.parent)
    assert done.returncode == 0, f"shoko {' '.join(args)} exited {done.returncode}:\n{done.stderr}"
    return done


class Ingested:
    """The sample set after ``shoko ingest``: what went in, what came out."""

    def __init__(self, root: Path):
        self.data_dir = root / "data"
        inbox = root / "scans"
        self.samples = {doc.file_name: doc for doc in make_samples(inbox, seed=0)}
        done = shoko(self.data_dir, "ingest", str(inbox), "--json", timeout=INGEST_TIMEOUT)
        self.lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]

    def check(self, month: str) -> dict:
        return json.loads(shoko(self.data_dir, "check", "--month", month, "--json").stdout)

    @cache
    def show(self, doc_id: str) -> dict:
        return json.loads(shoko(self.data_dir, "show", doc_id, "--json").stdout)

    def misread(self) -> str:
        """Every document whose type or fields differ from what the sample printed, with its
        ``show --json``: the usual reason for a wrong check."""
        reports = []
        for line in self.lines:
            if line["status"] != "ingested":
                reports.append(f"{line['path']}: {line['status']} ({line['reason']})")
                continue
            expected = self.samples[Path(line["path"]).name]
            shown = self.show(line["id"])
            wrong = {name: {"expected": value, "extracted": shown["fields"].get(name)}
                     for name, value in expected.fields.items() if shown["fields"].get(name) != value}
            extra = {name: value for name, value in shown["fields"].items() if name not in expected.fields}
            if wrong or extra or shown["doc_type"] != expected.doc_type:
                reports.append(json.dumps({
                    "file": expected.file_name, "note": expected.note,
                    "doc_type": {"expected": expected.doc_type, "extracted": shown["doc_type"]},
                    "wrong_fields": wrong, "unexpected_fields": extra, "show": shown,
                }, ensure_ascii=False, indent=1))
        return "\n".join(reports) or "(every document's type and fields were read as printed)"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Ingested:
    return Ingested(tmp_path_factory.mktemp("claims_e2e"))


def statuses(report: dict) -> dict:
    return {(patient["patient_id"], item["item"]): item["status"]
            for patient in report["patients"] for item in patient["items"]}


def test_every_sample_file_is_ingested_once(ingested):
    paths = [Path(line["path"]).name for line in ingested.lines]
    assert sorted(paths) == sorted(ingested.samples)
    assert all(line["status"] == "ingested" and line["id"] for line in ingested.lines), ingested.lines


@pytest.mark.parametrize("month", sorted(EXPECTED))
def test_check_matches_the_expected_table(ingested, month):
    report = ingested.check(month)
    assert report["month"] == month
    actual = statuses(report)
    # The contract: an item left out of the report reads as missing.
    for key, status in EXPECTED[month].items():
        if status == MISSING:
            actual.setdefault(key, MISSING)
    assert actual == EXPECTED[month], (
        f"check --month {month} differs from the table.\n"
        f"report: {json.dumps(report, ensure_ascii=False, indent=1)}\n"
        f"documents read differently from what was printed:\n{ingested.misread()}")


def test_ready_items_carry_their_warnings(ingested):
    failures = []
    for month in sorted(EXPECTED):
        for patient in ingested.check(month)["patients"]:
            for item in patient["items"]:
                about = WARNINGS.get((month, patient["patient_id"], item["item"]))
                if about and not any(about in problem for problem in item["problems"]):
                    failures.append(f"{month} {patient['patient_id']} {item['item']}: no warning about "
                                    f"{about}: {item['problems']}")
                if patient["patient_id"] == A and item["problems"]:
                    failures.append(f"{month} {A} {item['item']}: unexpected problems {item['problems']}")
    assert not failures, "\n".join(failures) + f"\ndocuments read differently:\n{ingested.misread()}"


def test_readings_are_counted_again_in_the_background_after_a_change(services) -> None:
    """The web server's warmer: after a change, ``refresh`` recounts what people asked
    for before it, so the next request finds the month ready (no recount on its path)."""
    import threading

    from shoko.claims import CachedReadings, catalogue_at

    readings = CachedReadings(services.records)
    catalogue = catalogue_at()
    before = readings.report("2026-10", catalogue)
    services.records.mark_claimed("00123456", "C103-2", "2026-10", "test")  # a change
    stop = threading.Event()
    warmer = threading.Thread(target=readings.keep_warm, args=(stop, 0.05), daemon=True)
    warmer.start()
    try:
        for _ in range(100):
            if readings._mark == services.records.change_mark() and readings._readings:
                break
            threading.Event().wait(0.05)
    finally:
        stop.set()
        warmer.join(5)
    assert readings._mark == services.records.change_mark()
    after = readings.report("2026-10", catalogue)
    assert after is readings._readings[("report", "2026-10", id(catalogue))] and after is not before
