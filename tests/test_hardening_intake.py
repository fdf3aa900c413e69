"""Issue 12, the intake never stops: long names, storage faults, links, partial uploads.

The real watcher runs as a separate process (``shoko watch``) over a temporary data
directory; the real ``shoko ingest`` command; real files, links and FIFOs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from fpdf import FPDF

from records.quarantine import shorten_name
from tests.conftest import SHOKO
from webui.uploads import recover_staged, safe_name

LONG_STEM = "書" * 82  # 246 bytes of UTF-8: with ".pdf", a 250-byte name


@pytest.fixture
def watch_env(tmp_path):
    data_dir = tmp_path / "data"
    config = tmp_path / "watch.toml"
    config.write_text('ocr_engine = "tesseract"\nwatch_settle_seconds = 0.5\nwatch_poll_seconds = 0.5\n'
                      "watch_retry_max_seconds = 2.0\nocr_workers = 1\n", encoding="utf-8")
    env = {**os.environ, "SHOKO_DATA_DIR": str(data_dir)}
    log = tmp_path / "watch.log"
    processes = []

    def start() -> subprocess.Popen:
        process = subprocess.Popen([SHOKO, "--config", str(config), "watch"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=open(log, "ab"))
        processes.append(process)
        return process

    def shoko(*args) -> str:
        return subprocess.run([SHOKO, "--config", str(config), *args], env=env, capture_output=True, text=True,
                              check=True, timeout=120).stdout

    yield {"data_dir": data_dir, "inbox": data_dir / "inbox", "start": start, "shoko": shoko, "log": log,
           "config": config, "env": env}
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def _text_pdf(path: Path, token: str) -> Path:
    """A born-digital PDF: read from its text layer, no OCR, so the tests stay quick."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=f"Home oxygen therapy record {token}")
    pdf.output(str(path))
    return path


def _wait_for(condition, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    detail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{detail}")


def _status(env) -> dict:
    return json.loads(env["shoko"]("status", "--json"))


def _documents(env) -> list[dict]:
    return [json.loads(line) for line in env["shoko"]("list", "--json").splitlines() if line.strip()]


def _watcher_up(env) -> bool:
    return (_status(env).get("watcher") or {}).get("alive") is True


# -- 1. long names ---------------------------------------------------------------


def test_quarantine_names_are_cut_by_bytes_keeping_extension_and_unique():
    first, second = LONG_STEM + "A.pdf", LONG_STEM + "B.pdf"
    a, b = shorten_name(first), shorten_name(second)
    assert a != b
    for name in (a, b):
        assert len(name.encode("utf-8")) <= 200 and name.endswith(".pdf")
        assert len(f"{name}.reason.txt".encode("utf-8")) <= 255
        assert name.startswith("書")
    assert shorten_name("scan.pdf") == "scan.pdf"


def test_web_upload_names_are_cut_by_bytes():
    name = safe_name("あ" * 200 + ".PDF")
    assert name.endswith(".pdf")
    assert len(name.encode("utf-8")) <= 140
    name.encode("utf-8").decode("utf-8")  # cut at a character boundary


def test_long_named_corrupt_file_is_quarantined_and_the_next_file_stored(watch_env, tmp_path):
    inbox = watch_env["inbox"]
    process = watch_env["start"]()
    _wait_for(lambda: inbox.is_dir() and _watcher_up(watch_env), 60, "the watcher", watch_env["log"])
    long_name = LONG_STEM + ".pdf"
    assert len(long_name.encode("utf-8")) == 250
    (inbox / long_name).write_bytes(b"%PDF-1.7\n1 0 obj <<\n")  # a header and nothing else
    # A name that is not UTF-8 (old scanners) cannot go into the database as it is.
    with open(os.path.join(os.fsencode(inbox), b"latin1-\xe9t\xe9.pdf"), "wb") as f:
        f.write(b"%PDF-1.7\n2 0 obj <<\n")
    time.sleep(1.5)  # the bad files first
    good = _text_pdf(tmp_path / "good.pdf", "after-long-name")
    shutil.copy(good, inbox / "good.pdf")

    _wait_for(lambda: len(_documents(watch_env)) == 1 and _status(watch_env)["quarantined"] == 2, 120,
              "the good file stored and the bad ones quarantined", watch_env["log"])
    assert process.poll() is None, "the watcher died"
    status = _status(watch_env)
    assert status["watcher"]["alive"] is True and status["watcher"]["paused"] is False
    assert status["watcher"]["state"] == "running"  # the contract's shape
    assert not os.listdir(inbox), os.listdir(inbox)
    quarantine = watch_env["data_dir"] / "quarantine"
    names = sorted(p.name for p in quarantine.iterdir())
    assert len(names) == 4, names  # two files, each with its reason
    for name in names:
        assert len(name.encode("utf-8")) <= 255
    reasons = [p.read_text(encoding="utf-8") for p in quarantine.iterdir() if p.name.endswith(".reason.txt")]
    assert any(long_name in text for text in reasons)  # the full name is kept

    from records import Records

    records = Records(f"sqlite:///{watch_env['data_dir'] / 'shoko.sqlite3'}", watch_env["data_dir"] / "originals",
                      quarantine)
    assert sorted(q["source_path"] for q in records.quarantined()) == sorted([long_name, "latin1-\ufffdt\ufffd.pdf"])


# -- 2. storage faults pause and resume ------------------------------------------


def test_unwritable_vault_pauses_intake_and_it_resumes_when_fixed(watch_env, tmp_path):
    inbox = watch_env["inbox"]
    vault = watch_env["data_dir"] / "originals"
    process = watch_env["start"]()
    _wait_for(lambda: inbox.is_dir() and _watcher_up(watch_env), 60, "the watcher", watch_env["log"])
    # A real fault: the vault folder replaced by a regular file, so every write into it
    # fails with an OSError (chmod would not stop root, under which tests may run).
    shutil.rmtree(vault, ignore_errors=True)
    vault.write_bytes(b"not a folder")
    shutil.copy(_text_pdf(tmp_path / "scan.pdf", "vault-fault"), inbox / "scan.pdf")

    _wait_for(lambda: _status(watch_env)["watcher"].get("paused") is True, 120, "intake to pause",
              watch_env["log"])
    status = _status(watch_env)
    assert status["watcher"]["alive"] is True and status["watcher"]["reason"]
    assert status["watcher"]["since"] and status["watcher"]["state"] == "paused"
    assert (inbox / "scan.pdf").exists(), "the file must stay in the inbox"
    assert status["quarantined"] == 0 and _documents(watch_env) == []
    _wait_for(lambda: _status(watch_env)["in_progress"] == 0, 30, "no file left in progress", watch_env["log"])
    assert process.poll() is None

    vault.unlink()  # the fault clears: intake resumes by itself
    _wait_for(lambda: len(_documents(watch_env)) == 1, 120, "the file stored after the fault", watch_env["log"])
    _wait_for(lambda: _status(watch_env)["watcher"]["paused"] is False, 30, "the alarm to clear", watch_env["log"])
    status = _status(watch_env)
    assert status["in_progress"] == 0 and status["quarantined"] == 0
    assert not (inbox / "scan.pdf").exists()
    assert process.poll() is None

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    assert _status(watch_env)["watcher"]["alive"] is False
    assert _status(watch_env)["watcher"]["state"] == "stopped"


def test_a_full_disk_pauses_intake_and_it_resumes_when_space_is_freed(watch_env, tmp_path):
    """The vault on a real 1 MB tmpfs, filled up: writing the original fails with ENOSPC."""
    vault = watch_env["data_dir"] / "originals"
    vault.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(vault)],
                             capture_output=True, text=True)
    if mounted.returncode:
        pytest.skip(f"a tmpfs cannot be mounted here ({mounted.stderr.strip()}): needs root with CAP_SYS_ADMIN")
    try:
        filler = vault / "filler"
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass  # the disk is full
        inbox = watch_env["inbox"]
        process = watch_env["start"]()
        _wait_for(lambda: inbox.is_dir() and _watcher_up(watch_env), 60, "the watcher", watch_env["log"])
        shutil.copy(_text_pdf(tmp_path / "scan.pdf", "disk-full"), inbox / "scan.pdf")
        _wait_for(lambda: _status(watch_env)["watcher"].get("paused") is True, 120, "intake to pause",
                  watch_env["log"])
        assert (inbox / "scan.pdf").exists() and _documents(watch_env) == []
        assert _status(watch_env)["quarantined"] == 0

        filler.unlink()  # space is freed: intake resumes by itself, nothing lost
        _wait_for(lambda: len(_documents(watch_env)) == 1, 120, "the file stored after space was freed",
                  watch_env["log"])
        assert not (inbox / "scan.pdf").exists() and process.poll() is None
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        subprocess.run(["umount", "-l", str(vault)], capture_output=True)


# -- 3. links and special files ----------------------------------------------------


def test_watcher_never_follows_links_or_opens_special_files(watch_env, tmp_path):
    inbox = watch_env["inbox"]
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = _text_pdf(outside / "secret.pdf", "secret-outside-the-inbox")
    _text_pdf(outside / "also-secret.pdf", "secret-in-a-linked-folder")
    process = watch_env["start"]()
    _wait_for(lambda: inbox.is_dir() and _watcher_up(watch_env), 60, "the watcher", watch_env["log"])
    (inbox / "link.pdf").symlink_to(secret)
    (inbox / "folder-link").symlink_to(outside, target_is_directory=True)
    (inbox / "dangling.pdf").symlink_to(tmp_path / "nowhere.pdf")
    os.mkfifo(inbox / "pipe.pdf")
    time.sleep(1.5)
    shutil.copy(_text_pdf(tmp_path / "good.pdf", "a-real-file"), inbox / "good.pdf")

    _wait_for(lambda: len(_documents(watch_env)) == 1 and _status(watch_env)["quarantined"] >= 4, 120,
              "the real file stored and the links refused", watch_env["log"])
    assert process.poll() is None
    assert [d["source_name"] for d in _documents(watch_env)] == ["good.pdf"]
    assert "secret" not in watch_env["shoko"]("search", "secret", "--json").lower().split('"hits"')[1]
    # Nothing was copied: the quarantine holds reasons only, and the originals are untouched.
    quarantine = watch_env["data_dir"] / "quarantine"
    assert all(p.name.endswith(".reason.txt") for p in quarantine.iterdir()), list(quarantine.iterdir())
    assert secret.exists() and (outside / "also-secret.pdf").exists()
    assert not [p for p in inbox.iterdir() if not p.name.startswith(".")]  # links removed, targets kept
    reasons = {q["file"]: q["reason"] for q in _status(watch_env)["quarantine"]}
    assert "シンボリックリンク" in reasons["link.pdf"]


def test_ingest_command_never_copies_what_a_link_points_to(shoko_cli, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    _text_pdf(folder / "real.pdf", "real-one")
    (folder / "passwd.pdf").symlink_to("/etc/passwd")
    (folder / "etc").symlink_to("/etc", target_is_directory=True)
    link = tmp_path / "passwd-link"
    link.symlink_to("/etc/passwd")

    result = shoko_cli("ingest", "--json", str(link), str(folder))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    by_path = {Path(line["path"]).name: line for line in lines}
    assert by_path["real.pdf"]["status"] == "ingested"
    for name in ("passwd-link", "passwd.pdf", "etc"):
        assert by_path[name]["status"] == "quarantined", by_path[name]
        assert "シンボリックリンク" in by_path[name]["reason"]
    assert len(lines) == 4  # /etc was not entered
    quarantine = shoko_cli.data_dir / "quarantine"
    passwd = Path("/etc/passwd").read_bytes()
    for path in quarantine.iterdir():
        assert path.name.endswith(".reason.txt"), path
        assert passwd not in path.read_bytes()
    assert link.is_symlink() and (folder / "passwd.pdf").is_symlink()  # ingest leaves inputs alone


# -- 4. partial uploads --------------------------------------------------------------


def test_partial_uploads_are_cleaned_at_start(services):
    inbox = services.config.inbox_paths[0]
    (inbox / "看護部").mkdir(parents=True)
    partial = [inbox / ".upload-0123456789abcdef", inbox / "看護部" / ".upload-fedcba9876543210"]
    for path in partial:
        path.write_bytes(b"%PDF-1.7 half of it")
    keep = inbox / ".keep"
    keep.write_bytes(b"")
    scan = inbox / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4")
    recover_staged(services)  # what the web app does when it starts
    assert not any(path.exists() for path in partial)
    assert keep.exists() and scan.exists()


# -- the alarm on the inbox page -------------------------------------------------------


def test_inbox_page_shows_the_watchers_alarm_to_admins_only(services):
    import sys

    from werkzeug.security import generate_password_hash

    sys.path.insert(0, str(Path(__file__).parent / "webui"))
    from webui_support import PASSWORD, sign_in
    from shoko.watch import WatcherHealth
    from webui import create_app

    for username, role in (("admin", "admin"), ("kango", "看護部")):
        services.records.save_user(username, generate_password_hash(PASSWORD, "pbkdf2:sha256:1000"), role, "test")
    health = WatcherHealth(services.config.data_path)  # as the watcher keeps it, this process alive
    health.running()
    health.paused("保存先に書き込めないため取り込みを一時停止しています: No space left on device")
    app = create_app(services, {"TESTING": True})

    admin = app.test_client()
    assert sign_in(admin, "admin").status_code == 302
    page = admin.get("/inbox").get_data(as_text=True)
    assert "取り込みを一時停止しています" in page and "No space left on device" in page

    clerk = app.test_client()
    assert sign_in(clerk, "kango").status_code == 302
    assert "受信箱の監視" not in clerk.get("/inbox").get_data(as_text=True)
    # The alarm stands on every page an admin opens, and on none of the clerk's.
    assert "intake-alarm" in admin.get("/search").get_data(as_text=True)
    assert "intake-alarm" not in clerk.get("/search").get_data(as_text=True)

    health.stopped()
    assert "intake-alarm" not in admin.get("/search").get_data(as_text=True)  # stopped on purpose
    assert "受信箱の監視が止まっています" in admin.get("/inbox").get_data(as_text=True)
