"""The real watcher as a separate process on a temporary data directory."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from fpdf import FPDF

from records import Records
from search import open_index
from shoko.settings import load_config
from tests.conftest import SHOKO, render_page


@pytest.fixture
def watch_env(tmp_path):
    data_dir = tmp_path / "data"
    config = tmp_path / "watch.toml"
    config.write_text("watch_settle_seconds = 1.0\nwatch_poll_seconds = 0.5\n", encoding="utf-8")
    env = {**os.environ, "SHOKO_DATA_DIR": str(data_dir)}

    def start() -> subprocess.Popen:
        return subprocess.Popen([SHOKO, "--config", str(config), "watch"], env=env,
                                stdout=subprocess.DEVNULL, stderr=open(tmp_path / "watch.log", "ab"))

    def shoko(*args):
        return subprocess.run([SHOKO, "--config", str(config), *args], env=env, capture_output=True, text=True,
                              check=True).stdout

    return {"data_dir": data_dir, "inbox": data_dir / "inbox", "start": start, "shoko": shoko,
            "log": tmp_path / "watch.log"}


def _text_pdf(path: Path, token: str) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=f"Home oxygen therapy record {token}")
    pdf.output(str(path))


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _inbox_empty(inbox: Path) -> bool:
    return not [p for p in inbox.rglob("*") if p.is_file() and not p.name.startswith(".")]


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=120) == 0


def test_watcher_takes_every_kind_of_drop(watch_env, tmp_path):
    inbox = watch_env["inbox"]
    process = watch_env["start"]()
    try:
        _wait_for(inbox.exists, 30, "the inbox to be created")
        (inbox / "総務課").mkdir()
        render_page(["在宅酸素療法機器賃貸借契約書", "患者ID 00424242"]).save(inbox / "総務課" / "contract.png")
        (inbox / "corrupt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<\n")  # a header and nothing else
        (inbox / "empty.jpg").write_bytes(b"")
        (inbox / "notes.txt").write_text("メモ", encoding="utf-8")
        (inbox / "~$draft.docx").write_bytes(b"lock file")  # office lock files are never taken
        (inbox / "scan.part").write_bytes(b"partial")
        scan = tmp_path / "scan.pdf"
        _text_pdf(scan, "TWICE0001")
        (inbox / "first.pdf").write_bytes(scan.read_bytes())

        # A slow writer: chunks every 0.3 s for about 3 s, longer than the settle time of 1 s overall.
        image_path = tmp_path / "slow.png"
        render_page(["在宅酸素療法指導記録", "患者ID 00131313"]).save(image_path)
        payload = image_path.read_bytes()
        with open(inbox / "slow.png", "wb") as f:
            for i in range(10):
                f.write(payload[i * len(payload) // 10:(i + 1) * len(payload) // 10])
                f.flush()
                time.sleep(0.3)

        _wait_for(lambda: not (inbox / "first.pdf").exists(), 120, "first.pdf to be taken")
        (inbox / "second.pdf").write_bytes(scan.read_bytes())
        _wait_for(lambda: {p.name for p in inbox.rglob("*") if p.is_file()} == {"~$draft.docx", "scan.part"},
                  300, "every finished file to be taken")
    finally:
        _stop(process)

    docs = [json.loads(line) for line in watch_env["shoko"]("list", "--json").splitlines()]
    by_name = {d["source_name"]: d for d in docs}
    assert set(by_name) == {"contract.png", "first.pdf", "slow.png"}  # second.pdf is a duplicate
    assert by_name["contract.png"]["department"] == "総務課"
    assert by_name["slow.png"]["department"] is None
    shown = json.loads(watch_env["shoko"]("show", by_name["slow.png"]["id"], "--json"))
    assert "00131313" in shown["text"]  # taken whole, not half-written

    status = json.loads(watch_env["shoko"]("status", "--json"))
    assert status["stored"] == 3 and status["duplicate"] == 1 and status["quarantined"] == 3
    assert status["queued"] == 0 and status["in_progress"] == 0
    quarantine = watch_env["data_dir"] / "quarantine"
    reasons = {q["file"]: q["reason"] for q in status["quarantine"]}
    assert set(reasons) == {"corrupt.pdf", "empty.jpg", "notes.txt"}
    for name in reasons:
        assert (quarantine / name).exists() and (quarantine / f"{name}.reason.txt").exists()
    log = watch_env["log"].read_text(encoding="utf-8")
    assert "second.pdf: duplicate" in log and "総務課/contract.png: ingested" in log


def test_kill_9_three_times_loses_and_doubles_nothing(watch_env, tmp_path):
    """200 files dropped while the watcher is killed with SIGKILL at three random moments."""
    rng = random.Random(20261123)
    inbox = watch_env["inbox"]
    source = tmp_path / "source"
    source.mkdir()
    files: list[Path] = []
    for i in range(200):
        path = source / f"scan_{i:03d}.pdf"
        kind = i % 20
        if kind == 0:
            path.write_bytes(b"%PDF-1.4 broken " + bytes([i]))  # corrupt: quarantined
        elif kind == 1 and i > 20:
            path.write_bytes(files[i - 20].read_bytes())  # same bytes as an earlier scan: duplicate
        elif kind == 2:
            path = path.with_suffix(".png")
            render_page([f"在宅酸素 K{i:05d}"], size=40, dpi=100).save(path, dpi=(100, 100))
        else:
            _text_pdf(path, f"K{i:05d}")
        files.append(path)

    def drop():
        for path in files:
            (inbox / path.name).write_bytes(path.read_bytes())
            time.sleep(rng.uniform(0.0, 0.08))

    process = watch_env["start"]()
    _wait_for(inbox.exists, 30, "the inbox")
    dropper = threading.Thread(target=drop)
    dropper.start()
    for _ in range(3):
        time.sleep(rng.uniform(2.0, 8.0))
        process.kill()
        process.wait()
        process = watch_env["start"]()
    dropper.join()
    try:
        _wait_for(lambda: _inbox_empty(inbox), 600, "the inbox to empty")
    finally:
        _stop(process)

    data_dir = watch_env["data_dir"]
    records = Records(f"sqlite:///{data_dir / 'shoko.sqlite3'}", data_dir / "originals", data_dir / "quarantine")
    stored = {d.sha256: d for d in records.all_documents()}
    quarantined = [q for q in records.quarantined()]
    expected_good = {hashlib.sha256(p.read_bytes()).hexdigest() for p in files if not p.read_bytes().startswith(b"%PDF-1.4 broken")}
    assert set(stored) == expected_good  # every good file stored, none twice (sha256 is unique)
    broken = [p.name for p in files if p.read_bytes().startswith(b"%PDF-1.4 broken")]
    assert sorted(q["source_path"] for q in quarantined) == sorted(broken)  # each exactly once
    for q in quarantined:
        assert (data_dir / "quarantine" / q["file_name"]).exists()
    assert records.verify() == []

    index = open_index(load_config().search_engine, data_dir / "index")
    assert index.doc_ids() == {d.id for d in stored.values()}
    for doc in stored.values():
        token = f"K{int(doc.source_name[5:8]):05d}"  # scan_042.pdf carries K00042
        assert doc.id in {h.doc_id for h in index.search(token, limit=5).hits}, (token, doc.text)


def test_status_counts_files_waiting_in_the_inbox(shoko_cli):
    inbox = shoko_cli.data_dir / "inbox" / "医事課"
    inbox.mkdir(parents=True)
    (inbox / "a.pdf").write_bytes(b"%PDF-1.4")
    (inbox / "b.png").write_bytes(b"png")
    (inbox / ".hidden.png").write_bytes(b"x")  # never taken, never counted
    status = json.loads(shoko_cli("status", "--json").stdout)
    assert status["queued"] == 2 and status["in_progress"] == 0 and status["quarantine"] == []
