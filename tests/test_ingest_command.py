"""``shoko ingest / show / search / list / status / verify`` end to end, on files
generated here: real Tesseract, real PDFs and images, a real SQLite file."""

from __future__ import annotations

import io
import json
import sqlite3
import struct
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from tests.conftest import SERIF, render_page, text_layer_pdf

LINES = ["在宅酸素療法指導記録", "患者ID 00123456", "患者氏名 山田 太郎", "地域包括ケア病棟", "SpO2 94% 安静時 1.5L/分"]


def squeeze(text: str) -> str:
    return "".join(text.split())


def _png_with_size(path: Path, width: int, height: int) -> None:
    """A tiny PNG whose header claims ``width`` x ``height`` (a decompression bomb's shape)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("inputs")
    page = render_page(LINES)
    files = {}

    def add(name: str) -> Path:
        files[name] = d / name
        return files[name]

    page.save(add("upright.png"), dpi=(300, 300))
    for angle in (90, 180, 270):
        page.rotate(angle, expand=True).save(add(f"rotated_{angle}.png"), dpi=(300, 300))
    page.rotate(2.0, expand=True, fillcolor=255).save(add("skewed.png"), dpi=(300, 300))
    render_page(["酸素濃縮装置 賃貸借契約書", "患者ID 00777777"], font=SERIF).convert("RGB").save(
        add("serif.jpg"), quality=85, dpi=(300, 300))
    # A record that runs on to a second page, and a batch of two papers in one file.
    cont = render_page(["特記事項", "機器の撤去は予定していない。", "火気から2m以上離して使用すること。"])
    page.save(add("two_pages.tif"), save_all=True, append_images=[cont], compression="tiff_lzw", dpi=(300, 300))
    second = render_page(["機器撤去報告書", "患者ID 00123456", "撤去日 2026/10/31"])
    page.save(add("two_papers.tif"), save_all=True, append_images=[second], compression="tiff_lzw", dpi=(300, 300))
    page.convert("RGB").save(add("image_only.pdf"), resolution=300)
    text_layer_pdf(add("text_layer.pdf"), ["在宅酸素療法指示書", "患者ID 00555555 患者氏名 鈴木 一郎", "酸素流量 安静時 2.0L/分"])
    # Bad input of every kind.
    add("empty.pdf").write_bytes(b"")
    add("letter.docx").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    add("truncated.png").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 3])
    writer = PdfWriter(clone_from=PdfReader(files["image_only.pdf"]))
    writer.encrypt(user_password="secret", owner_password="owner")
    with open(add("encrypted.pdf"), "wb") as f:
        writer.write(f)
    _png_with_size(add("bomb.png"), 30000, 30000)
    add("copy_of_upright.png").write_bytes(files["upright.png"].read_bytes())
    return files


@pytest.fixture(scope="module")
def ingested(inputs, tmp_path_factory):
    import os
    import subprocess

    from tests.conftest import SHOKO

    data_dir = tmp_path_factory.mktemp("data")
    env = {**os.environ, "SHOKO_DATA_DIR": str(data_dir)}
    names = list(inputs)
    result = subprocess.run([SHOKO, "ingest", *[str(inputs[n]) for n in names], "--json"],
                            capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    # One line per document: a file holding several papers gives several, with the same path.
    by_path: dict[str, list[dict]] = {}
    for line in lines:
        by_path.setdefault(line["path"], []).append(line)
    assert list(by_path) == [str(inputs[n]) for n in names]
    outcomes = {n: by_path[str(inputs[n])][0] for n in names}

    def shoko(*args: str, check: bool = True):
        r = subprocess.run([SHOKO, *args], capture_output=True, text=True, env=env, timeout=300)
        if check:
            assert r.returncode == 0, r.stderr
        return r

    return {"outcomes": outcomes, "stderr": result.stderr, "shoko": shoko, "data_dir": data_dir, "inputs": inputs,
            "documents": {n: by_path[str(inputs[n])] for n in names}}


def show(ingested, name: str) -> dict:
    doc_id = ingested["outcomes"][name]["id"]
    return json.loads(ingested["shoko"]("show", doc_id, "--json").stdout)


def test_every_input_is_accounted_for_in_order(ingested, inputs):
    outcomes = ingested["outcomes"]
    assert [o["path"] for o in outcomes.values()] == [str(p) for p in inputs.values()]
    for name, o in outcomes.items():
        assert o["status"] in {"ingested", "duplicate", "quarantined"}, name
    assert "ページ" in ingested["stderr"]  # progress went to stderr, stdout stayed JSON


@pytest.mark.parametrize("name", ["upright.png", "rotated_90.png", "rotated_180.png", "rotated_270.png",
                                  "skewed.png", "image_only.pdf", "two_pages.tif"])
def test_scans_in_any_orientation_read_the_same(ingested, name):
    assert ingested["outcomes"][name]["status"] == "ingested"
    text = squeeze(show(ingested, name)["text"])
    for expected in ("在宅酸素療法指導記録", "00123456", "山田太郎", "地域包括ケア病棟", "SpO2"):
        assert expected in text, (name, text)


def test_multi_page_tiff_keeps_both_pages(ingested):
    assert len(ingested["documents"]["two_pages.tif"]) == 1
    doc = show(ingested, "two_pages.tif")
    assert doc["pages"] == 2
    first, second = doc["text"].split("\n\n", 1)
    assert "00123456" in first and "撤去" in second


def test_two_papers_in_one_file_are_two_documents(ingested):
    guidance, removal = ingested["documents"]["two_papers.tif"]
    assert (guidance["doc_type"], removal["doc_type"]) == ("hot_guidance_record", "hot_device_removal")
    shown = json.loads(ingested["shoko"]("show", removal["id"], "--json").stdout)
    assert shown["pages"] == 1 and shown["fields"]["removal_date"] == "2026-10-31"
    assert any(f.startswith("batch: part 2 of 2 (pages 2-2") for f in shown["flags"])


def test_text_layer_pdf_is_read_without_ocr(ingested):
    doc = show(ingested, "text_layer.pdf")
    assert doc["provenance"] == {} or all(p["source"] != "ocr" for p in doc["provenance"].values())
    assert "在宅酸素療法指示書" in doc["text"] and "鈴木一郎" in squeeze(doc["text"])


def test_serif_jpeg_is_read(ingested):
    assert "酸素濃縮装置" in show(ingested, "serif.jpg")["text"]


@pytest.mark.parametrize("name, words", [
    ("empty.pdf", "空のファイル"),
    ("letter.docx", "対応していない種類"),
    ("truncated.png", "壊れている"),
    ("encrypted.pdf", "暗号化"),
    ("bomb.png", "大きすぎます"),
])
def test_bad_files_are_quarantined_with_a_reason_and_the_input_kept(ingested, name, words):
    outcome = ingested["outcomes"][name]
    assert outcome["status"] == "quarantined" and outcome["id"] is None
    assert words in outcome["reason"]
    quarantine = ingested["data_dir"] / "quarantine"
    assert (quarantine / name).read_bytes() == ingested["inputs"][name].read_bytes()
    assert words in (quarantine / f"{name}.reason.txt").read_text(encoding="utf-8")
    assert ingested["inputs"][name].exists()  # ingest copies, never deletes its input


def test_same_bytes_twice_is_a_duplicate_of_the_first(ingested):
    first, again = ingested["outcomes"]["upright.png"], ingested["outcomes"]["copy_of_upright.png"]
    assert again == {**again, "status": "duplicate", "id": first["id"]}
    ids = [json.loads(line)["id"] for line in ingested["shoko"]("list", "--json").stdout.splitlines()]
    assert ids.count(first["id"]) == 1


def test_show_json_has_the_contract_shape(ingested):
    doc = show(ingested, "upright.png")
    for key in ("id", "doc_type", "title", "pages", "text", "fields", "sha256", "source_name", "ingested_at",
                "department", "links"):
        assert key in doc
    assert doc["source_name"] == "upright.png" and doc["department"] is None and doc["links"] == []
    assert all(v not in ("", None) for v in doc["fields"].values())
    assert ingested["shoko"]("show", "D999999", "--json", check=False).returncode == 1


def test_search_finds_generated_documents(ingested):
    found = json.loads(ingested["shoko"]("search", "山田 太郎", "--json").stdout)
    assert found["query"] == "山田 太郎" and found["total"] >= 1
    hit_ids = {h["id"] for h in found["hits"]}
    assert ingested["outcomes"]["upright.png"]["id"] in hit_ids
    assert all({"id", "score", "doc_type", "title", "snippet"} <= set(h) for h in found["hits"])
    none = json.loads(ingested["shoko"]("search", "存在しない語句", "--json").stdout)
    assert none["total"] == 0 and none["hits"] == []


def test_status_counts_and_lists_quarantine(ingested):
    status = json.loads(ingested["shoko"]("status", "--json").stdout)
    assert status["quarantined"] == 5 and status["duplicate"] >= 1 and status["stored"] >= 8
    assert {q["file"] for q in status["quarantine"]} >= {"empty.pdf", "encrypted.pdf"}


def test_verify_detects_a_changed_original_and_a_changed_audit_row(ingested):
    shoko = ingested["shoko"]
    assert json.loads(shoko("verify", "--json").stdout)["ok"] is True
    db = sqlite3.connect(ingested["data_dir"] / "shoko.sqlite3")
    try:
        db.execute("UPDATE audit SET actor = 'intruder' WHERE seq = 1")
        db.commit()
        broken = shoko("verify", "--json", check=False)
        assert broken.returncode == 1 and any("audit #1" in p for p in json.loads(broken.stdout)["problems"])
        db.execute("UPDATE audit SET actor = 'cli' WHERE seq = 1")
        db.commit()
    finally:
        db.close()
    sha = show(ingested, "serif.jpg")["sha256"]
    original = ingested["data_dir"] / "originals" / sha[:2] / sha
    original.chmod(0o644)
    original.write_bytes(original.read_bytes() + b"tampered")
    broken = shoko("verify", "--json", check=False)
    assert broken.returncode == 1 and any(sha[:12] in p for p in json.loads(broken.stdout)["problems"])


def test_user_add_reads_the_password_from_stdin_and_checks_the_role(shoko_cli):
    assert shoko_cli("user", "add", "suzuki", "--role", "医事課", stdin="correct horse battery\n").returncode == 0
    assert shoko_cli("user", "add", "x", "--role", "経理課", stdin="correct horse battery\n", check=False).returncode != 0
