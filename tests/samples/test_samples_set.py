"""The generated sample documents are what they say they are: real files of the stated
types, formats and pages, three patients over three months, fields in the contract's form."""

import hashlib
import re
from collections import Counter
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest
from PIL import Image

from samples import MONTHS, PATIENTS, make_samples

A4 = (2480, 3508)
DOC_TYPES = {"hot_contract", "hot_prescription", "hot_guidance_record", "hot_device_removal", "other"}
DEVICE_TYPES = {"concentrator", "liquid_stationary", "liquid_portable", "cylinder_portable", "cylinder",
                "demand_valve"}
DATE_FIELDS = {"document_date", "contract_start", "contract_end", "guidance_date", "measurement_date",
               "removal_date"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    target = tmp_path_factory.mktemp("samples")
    return target, make_samples(target, seed=0)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_described_file_exists_and_nothing_else(generated):
    target, documents = generated
    names = [d.file_name for d in documents]
    assert len(names) == len(set(names)) == 19
    assert sorted(p.name for p in target.iterdir()) == sorted(names)


def test_every_doc_type_is_present(generated):
    _, documents = generated
    counts = Counter(d.doc_type for d in documents)
    assert set(counts) == DOC_TYPES
    assert counts["hot_contract"] >= 3 and counts["hot_guidance_record"] >= 6 and counts["other"] >= 1


def test_formats_cover_what_a_scanner_writes(generated):
    _, documents = generated
    suffixes = {Path(d.file_name).suffix for d in documents}
    assert {".png", ".jpg", ".tif", ".pdf"} <= suffixes
    assert any(d.file_name.endswith(".tif") and d.pages > 1 for d in documents)
    assert sum(d.born_digital for d in documents) == 1


def test_images_open_with_their_page_count_at_300_dpi(generated):
    target, documents = generated
    for doc in documents:
        if doc.file_name.endswith(".pdf"):
            continue
        with Image.open(target / doc.file_name) as image:
            assert getattr(image, "n_frames", 1) == doc.pages, doc.file_name
            assert image.size == A4, doc.file_name
            assert round(image.info["dpi"][0]) == 300, doc.file_name
            image.load()


def test_pdfs_open_and_only_the_born_digital_one_has_text(generated):
    target, documents = generated
    pdfs = [d for d in documents if d.file_name.endswith(".pdf")]
    assert len(pdfs) >= 2
    for doc in pdfs:
        pdf = pypdfium2.PdfDocument(target / doc.file_name)
        try:
            assert len(pdf) == doc.pages
            width, height = pdf[0].get_size()
            assert (round(width), round(height)) == (595, 842)  # A4 in points
        finally:
            pdf.close()
        with pdfplumber.open(target / doc.file_name) as plumber:
            text = "".join(page.extract_text() or "" for page in plumber.pages)
        if doc.born_digital:
            assert "賃貸借契約書" in text
            assert doc.fields["patient_id"] in text
            assert "令和8年3月27日" in text
        else:
            assert text.strip() == ""


def test_three_patients_each_with_contract_order_and_guidance(generated):
    _, documents = generated
    hot = [d for d in documents if d.doc_type.startswith("hot_")]
    ids = {d.fields["patient_id"] for d in hot}
    assert ids == {p.id for p in PATIENTS}
    for patient_id in ids:
        kinds = {d.doc_type for d in hot if d.fields["patient_id"] == patient_id}
        assert {"hot_contract", "hot_prescription", "hot_guidance_record"} <= kinds, patient_id


def test_guidance_spans_three_consecutive_months_with_one_gap(generated):
    _, documents = generated
    months = {}
    for doc in documents:
        if doc.doc_type == "hot_guidance_record":
            months.setdefault(doc.fields["patient_id"], set()).add(doc.fields["guidance_date"][:7])
    assert set().union(*months.values()) == set(MONTHS) == {"2026-08", "2026-09", "2026-10"}
    assert sorted(len(m) for m in months.values()) == [2, 3, 3]


def test_one_removal_inside_the_last_month(generated):
    _, documents = generated
    removals = [d.fields["removal_date"] for d in documents if d.doc_type == "hot_device_removal"]
    assert sum(day.startswith(MONTHS[-1]) for day in removals) == 1


def test_fields_are_in_the_contract_form(generated):
    _, documents = generated
    for doc in documents:
        for name, value in doc.fields.items():
            if name in DATE_FIELDS:
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), (doc.file_name, name, value)
            elif name == "patient_id":
                assert re.fullmatch(r"\d{8}", value), (doc.file_name, value)
            elif name in ("patient_name", "doctor"):
                assert re.fullmatch(r"\S+ \S+", value), (doc.file_name, name, value)
            elif name == "device_type":
                assert value in DEVICE_TYPES, (doc.file_name, value)
            elif name == "vendor":
                assert "株" not in value and "(" not in value, (doc.file_name, value)
            elif name in ("monthly_fee", "spo2"):
                assert isinstance(value, int), (doc.file_name, name, value)
            else:
                assert isinstance(value, float), (doc.file_name, name, value)
        if doc.doc_type == "other":
            assert set(doc.fields) <= {"document_date"}


def test_the_same_seed_writes_the_same_bytes(generated, tmp_path):
    target, documents = generated
    again = make_samples(tmp_path, seed=0)
    assert again == documents
    for doc in documents:
        assert sha256(tmp_path / doc.file_name) == sha256(target / doc.file_name), doc.file_name
