"""The layout families (samples.families) that bench/layout_families.py measures the extractor
on: at least six per document type, each one renders and scans, its truth is in the contract's
field names and value formats and is what the page prints, and a seed always writes the same
bytes. No OCR here: how well the extractor reads them is the bench's business."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from datetime import date

import numpy as np
import pypdfium2
import pytest
from PIL import Image

from samples.casebook import print_date as family_date
from samples.families import DOC_TYPES, FAMILIES, family_rng, make_document, make_family_corpus
from samples.scanner import draw_sheet
from samples.text import print_date as demo_date

COMMON = {"patient_id", "patient_name", "document_date"}
ALLOWED = {
    "hot_contract": COMMON | {"vendor", "device_type", "contract_start", "contract_end", "monthly_fee"},
    "hot_prescription": COMMON | {"vendor", "device_type", "doctor", "flow_rest", "flow_exertion", "flow_sleep"},
    "hot_guidance_record": COMMON | {"doctor", "flow_rest", "flow_exertion", "flow_sleep", "guidance_date", "spo2",
                                     "pao2", "measurement_date"},
    "hot_device_removal": COMMON | {"vendor", "device_type", "removal_date"},
}
REQUIRED = {
    "hot_contract": {"patient_id", "patient_name", "document_date", "vendor", "device_type", "contract_start",
                     "monthly_fee"},
    "hot_prescription": {"patient_id", "patient_name", "document_date", "device_type", "doctor", "flow_rest"},
    "hot_guidance_record": {"patient_id", "patient_name", "guidance_date", "spo2"},
    "hot_device_removal": {"patient_id", "patient_name", "document_date", "vendor", "device_type", "removal_date"},
}
DATES = {"document_date", "contract_start", "contract_end", "guidance_date", "measurement_date", "removal_date"}
NUMBERS = {"monthly_fee", "flow_rest", "flow_exertion", "flow_sleep", "spo2", "pao2"}
DEVICES = {"concentrator", "liquid_stationary", "liquid_portable", "cylinder_portable", "cylinder", "demand_valve"}
DATE_STYLES = ["era", "era_spaced", "era_wide", "era_letter", "era_letter_pad", "era_slash", "slash", "slash_short",
               "iso", "dot", "western", "western_pad", "western_wide", "western_era"]
DEMO_DATE_STYLES = ["era", "era_letter", "slash", "slash_short", "western", "era_full_width"]
SEEDS = (0, 1, 2)


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def drafts():
    """Three documents of every family, drawn from different seeds."""
    for name, family in FAMILIES.items():
        for seed in SEEDS:
            yield name, family, family(family_rng(seed, name, 0))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """One scanned document of every family, as the bench makes them."""
    target = tmp_path_factory.mktemp("families")
    truth = make_family_corpus(target, None, per_family=1, seed=0)
    return target, truth


def test_every_type_has_six_families_two_of_them_seen():
    kinds = Counter(f.doc_type for f in FAMILIES.values())
    assert set(kinds) == set(DOC_TYPES)
    assert all(n >= 6 for n in kinds.values()), kinds
    seen = Counter(f.doc_type for f in FAMILIES.values() if f.seen)
    assert seen == {t: 2 for t in DOC_TYPES}
    for name, family in FAMILIES.items():
        assert family.name == name and family.description


def test_unseen_families_differ_in_font_scan_and_format():
    unseen = [f for f in FAMILIES.values() if not f.seen]
    assert len({f.scanner for f in unseen}) == len(unseen)  # each its own scan conditions
    for doc_type in DOC_TYPES:
        mine = [f for f in unseen if f.doc_type == doc_type]
        fonts = {f(family_rng(0, f.name, 0)).sheets[0].family for f in mine}
        assert len(fonts) >= 3, (doc_type, fonts)
        assert len({f.suffix for f in mine}) >= 3, doc_type
    assert any(f.scanner.bilevel for f in unseen) and any(f.scanner.color for f in unseen)
    assert {f.scanner.dpi for f in unseen} >= {200, 300}
    assert any(f.scanner.orientation == 180 for f in unseen)


def test_every_family_draws_inked_pages():
    for name, family in FAMILIES.items():
        draft = family(family_rng(0, name, 0))
        assert draft.sheets, name
        for sheet in draft.sheets:
            image = np.asarray(draw_sheet(sheet).convert("L"))
            assert (image < 128).mean() > 0.005, name


def test_truth_uses_contract_field_names_and_formats():
    for name, family, draft in drafts():
        fields = draft.fields
        assert set(fields) <= ALLOWED[family.doc_type], (name, set(fields) - ALLOWED[family.doc_type])
        assert REQUIRED[family.doc_type] <= set(fields), (name, REQUIRED[family.doc_type] - set(fields))
        assert re.fullmatch(r"[0-9]+", fields["patient_id"]), name
        for key in ("patient_name", "doctor"):
            if key in fields:
                assert re.fullmatch(r"[^\s]+ [^\s]+", fields[key]), (name, key, fields[key])
        for key in DATES & set(fields):
            assert date.fromisoformat(fields[key]).isoformat() == fields[key], (name, key)
        for key in NUMBERS & set(fields):
            assert isinstance(fields[key], (int, float)) and not isinstance(fields[key], bool), (name, key)
        if "monthly_fee" in fields:
            assert isinstance(fields["monthly_fee"], int)
        if "device_type" in fields:
            assert fields["device_type"] in DEVICES, name
        if "vendor" in fields:
            assert not re.search(r"株式会社|\(株\)|（株）|㈱|営業所|支店", fields["vendor"]), name
        if "contract_end" in fields:
            assert fields["contract_end"] > fields["contract_start"], name
        for ignored in draft.ignore_fields:
            assert ignored not in fields, name


def _printed_dates(day: date) -> set[str]:
    texts = {family_date(day, style) for style in DATE_STYLES} | {demo_date(day, style) for style in DEMO_DATE_STYLES}
    return {squeeze(t) for t in texts}


def test_truth_values_are_printed_on_the_page():
    """Every field value is on the page in some printed form (the truth is not made up)."""
    from samples.scanner import sheet_text
    for name, family, draft in drafts():
        printed = unicodedata.normalize("NFKC", "\n".join(sheet_text(s) for s in draft.sheets))
        text = squeeze(printed)
        fields = draft.fields
        assert fields["patient_id"] in text, name
        for key in ("patient_name", "doctor"):
            if key in fields:
                for part in fields[key].split(" "):
                    assert part in text, (name, key, part)
        if "vendor" in fields:
            assert squeeze(fields["vendor"]) in text, name
        for key in DATES & set(fields):
            day = date.fromisoformat(fields[key])
            assert any(t in text for t in _printed_dates(day)), (name, key, fields[key])
        if "monthly_fee" in fields:
            assert f"{fields['monthly_fee']:,}" in text, name
        for key in ("spo2", "pao2", "flow_rest", "flow_exertion", "flow_sleep"):
            if key in fields:
                assert _number_printed(fields[key], printed), (name, key, fields[key])


def _number_printed(value: float, text: str) -> bool:
    """``value`` printed whole, not as part of a longer number nor rounded (0.25 is not 0.2)."""
    forms = {f"{value:g}"} | ({f"{value:.1f}"} if round(value, 1) == value else set())
    return any(re.search(rf"(?<![0-9.]){re.escape(form)}(?![0-9])", text) for form in forms)


def test_corpus_files_and_truth_in_the_corpus_format(corpus):
    target, truth = corpus
    assert json.loads((target / "truth.json").read_text(encoding="utf-8")) == truth
    assert sorted(p.name for p in (target / "docs").iterdir()) == sorted(truth)
    assert {r["family"] for r in truth.values()} == set(FAMILIES)
    for file_name, record in truth.items():
        assert {"doc_type", "fields", "format", "pages", "scan", "text", "notes", "born_digital"} <= set(record)
        assert record["doc_type"] == FAMILIES[record["family"]].doc_type
        assert record["seen"] == FAMILIES[record["family"]].seen
        assert len(record["scan"]) == record["pages"] and record["text"].count("\n\n") == record["pages"] - 1
        for scan in record["scan"]:
            assert {"dpi", "orientation", "skew", "preset", "bilevel", "color"} <= set(scan)
        path = target / "docs" / file_name
        if path.suffix == ".pdf":
            pdf = pypdfium2.PdfDocument(path)
            try:
                assert len(pdf) == record["pages"], file_name
                assert not pdf[0].get_textpage().get_text_range().strip(), file_name  # image only
                width, height = pdf[0].get_size()
                assert (round(width), round(height)) == (595, 842), file_name
            finally:
                pdf.close()
        else:
            with Image.open(path) as image:
                assert getattr(image, "n_frames", 1) == record["pages"], file_name
                dpi = record["scan"][0]["dpi"]
                assert round(image.info["dpi"][0]) == dpi, file_name
                expected = (round(2480 * dpi / 300), round(3508 * dpi / 300))
                assert image.size == expected, file_name
                assert (image.mode == "1") == record["scan"][0]["bilevel"], file_name
                image.load()


def test_same_seed_writes_the_same_bytes(corpus, tmp_path):
    target, truth = corpus
    chosen = ["contract_d", "order_c", "guidance_d", "removal_e"]  # bilevel TIFF, fax pages, colour JPEG, PDF
    again = make_family_corpus(tmp_path / "again", chosen, per_family=1, seed=0)
    for file_name in again:
        assert (tmp_path / "again" / "docs" / file_name).read_bytes() == (target / "docs" / file_name).read_bytes()
        assert again[file_name] == truth[file_name]
    other = make_family_corpus(tmp_path / "other", chosen[:1], per_family=1, seed=1)
    (name,) = other
    assert other[name]["fields"] != truth[name]["fields"]
    assert (tmp_path / "other" / "docs" / name).read_bytes() != (target / "docs" / name).read_bytes()


def test_born_digital_versions_go_through_the_extractor(tmp_path):
    """A sanity check of the text-layer path, one document per family: read and extracted
    without a fault. Whether the fields are right is measured by bench/layout_families.py."""
    from ingest.extract import load_rules
    from ingest.formats import Limits
    from ingest.ocr import TesseractEngine
    from ingest.pipeline import read_document
    from shoko.settings import CONFIG_DIR

    rules = load_rules(CONFIG_DIR)
    engine = TesseractEngine()
    for name, family in FAMILIES.items():
        file_name, record = make_document(family, 0, tmp_path, seed=0, born_digital=True)
        assert record["format"] == "pdf_digital" and "scan" not in record
        document = read_document(tmp_path / file_name, Limits(), engine, rules)
        assert len(document.pages) == record["pages"], name
        assert all(page.source == "text_layer" for page in document.pages), name
        assert not [f for f in document.extraction.flags if f.startswith("extraction_failed")], name
        assert document.extraction.doc_type, name
