"""Issue 12, item 9 on the command line: account names and passwords, disabling accounts,
one line per file in the plain output of ``ingest`` and ``list`` (the real ``shoko`` command)."""

from __future__ import annotations

import hashlib
import os

import pytest

from records.store import NewDocument, NewPage
from shoko.services import Services
from shoko.settings import load_config

GOOD = "correct horse battery\n"


@pytest.mark.parametrize("name", ["", " ", "a\nb", "../x", "/", "..", "x/y", "bell\x07"])
def test_user_add_refuses_bad_names(shoko_cli, name):
    result = shoko_cli("user", "add", name, "--role", "医事課", stdin=GOOD, check=False)
    assert result.returncode == 2
    assert "invalid user name" in result.stderr
    assert "\n" not in result.stderr.rstrip("\n")  # the refused name is shown escaped, on one line


@pytest.mark.parametrize("password", ["short-pw9", "suzuki-san", "xxxxxxxxxxxxxx", ""])
def test_user_add_refuses_weak_passwords(shoko_cli, password):
    result = shoko_cli("user", "add", "suzuki-san", "--role", "医事課", stdin=password + "\n", check=False)
    assert result.returncode == 2 and "too weak" in result.stderr


def test_disable_and_enable_an_account(shoko_cli):
    shoko_cli("user", "add", "chief", "--role", "admin", stdin=GOOD)
    shoko_cli("user", "add", "suzuki", "--role", "医事課", stdin=GOOD)
    assert shoko_cli("user", "disable", "chief", check=False).returncode == 2  # the last admin stays
    shoko_cli("user", "disable", "suzuki")
    records = Services(load_config(data_dir=str(shoko_cli.data_dir))).records
    assert records.get_user("suzuki")["disabled_at"]
    shoko_cli("user", "enable", "suzuki")
    assert records.get_user("suzuki")["disabled_at"] is None
    assert shoko_cli("user", "disable", "nobody", check=False).returncode == 1
    assert [r.action for r in records.audit_rows()].count("user_disabled") == 2


def test_plain_ingest_and_list_print_one_line_per_file(shoko_cli, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "bad\nname\tx.pdf").write_bytes(b"")  # unreadable: quarantined without OCR
    lines = shoko_cli("ingest", str(inbox / "bad\nname\tx.pdf")).stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].split("\t")[0].endswith("bad\\nname\\tx.pdf")

    # A stored document whose file name holds a line break.
    services = Services(load_config(data_dir=str(shoko_cli.data_dir)))
    original = tmp_path / "original.txt"
    original.write_bytes(b"scan")
    doc = NewDocument(sha256=hashlib.sha256(b"scan").hexdigest(), source_name="指示書\n2枚目\x1b.png", file_format="png",
                      department="医事課", doc_type="other", type_score=1.0, title="t", text="t", raw_text="t",
                      flags=[], pages=[NewPage(1, "t", "t", "ocr")], fields=[])
    services.records.store_document(doc, original, actor="test")
    services.records.engine.dispose()
    listed = [line for line in shoko_cli("list").stdout.splitlines() if "指示書" in line]
    assert len(listed) == 1 and listed[0].endswith("\t指示書\\n2枚目\\x1b.png")
    assert os.linesep not in listed[0]
