"""Classification and field extraction: from a document's page texts to an Extraction.

Pure: no I/O and no OCR here. The rules (label synonyms, type keywords, vendor and
device words, thresholds) come from config/*.toml through :func:`load_rules`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata

from ingest.document import Barcode, Extraction, FieldValue, Page
from ingest.extract.classify import classify_page, part_verdict, split_parts
from ingest.extract.devices import read_device
from ingest.extract import dates
from ingest.extract.fields import (Candidate, choose, is_partial_date, read_view, to_field_value,
                                   vendor_candidates, weigh_ocr)
from ingest.extract.known import KnownValues, apply_known, values_to_learn
from ingest.extract.rules import ExtractionRules, load_rules
from ingest.extract.text import ConfidenceIndex, page_views

__all__ = ["ExtractionRules", "KnownValues", "load_rules", "extract", "learn_from",
           "patient_id_from_barcode", "split_document"]

# Fields whose values tell one paper from the next of the same kind in a batch scan.
_PAPER_DATES = ("guidance_date", "document_date", "removal_date", "contract_start", "measurement_date")

_BARCODE_ID = re.compile(r"^\s*(?:(?:PID|ID|患者ID|No\.?)\s*[:：=]?\s*)?(\d{4,12})\s*$", re.IGNORECASE)


def patient_id_from_barcode(barcode: Barcode) -> str | None:
    """The patient id a barcode carries (digits, an ID:/PID: prefix allowed), else None."""
    match = _BARCODE_ID.match(barcode.data)
    return match.group(1) if match else None


def extract(pages: list[Page], rules: ExtractionRules, known: KnownValues | None = None) -> Extraction:
    """Classify a document and read its fields.

    A file holding two documents is flagged "compound" and read as its first one.
    Values below the review threshold go to ``review`` instead of ``fields``, unless
    they spell exactly a value ``known`` from other documents (see ``known.py``).
    """
    result = Extraction()
    if not pages:
        return result
    unreadable = [str(p.number) for p in pages if p.unreadable]
    if unreadable:
        result.flags.append("unreadable_page: " + ", ".join(unreadable))
    views = {p.number: page_views(p) for p in pages}
    # The second reading only replaces a few rows: it is weighed against the first
    # for labelled values, and would merely repeat the rows view anywhere else.
    first_views = {n: [v for v in vs if v.name != "second"] for n, vs in views.items()}
    classes = [classify_page(first_views[p.number], rules, p.number) for p in pages]
    parts = split_parts(classes, rules)
    first = parts[0]
    result.doc_type, result.type_score = part_verdict(first, rules)
    result.type_score = round(result.type_score, 3)
    if len(parts) > 1:
        kinds = ", ".join(
            f"pages {part[0].page}-{part[-1].page}: {part_verdict(part, rules)[0]}" for part in parts)
        result.flags.append(f"compound: {len(parts)} documents in one file ({kinds})")
    result.title = next((pc.title for pc in first if pc.title_type == result.doc_type), "") or \
        (first[0].other_title if result.doc_type == "other" else "")

    wanted = rules.fields_by_type.get(result.doc_type, ())
    part_pages = [p for p in pages if p.number in {pc.page for pc in first}]
    part_views = [v for p in part_pages for v in views[p.number]]
    candidates: list[Candidate] = []
    labelled_dates: dict[int, set[str]] = {}
    labels_seen: set[str] = set()
    for view in part_views:
        reading = read_view(view, rules)
        candidates.extend(reading.candidates)
        labelled_dates.setdefault(view.page, set()).update(reading.labelled_dates)
        labels_seen |= reading.labels_seen
        if "vendor" in wanted:
            candidates.extend(vendor_candidates(view, rules))
    # A header date without a label is the document date only on a paper that prints
    # no document-date label at all (a letter); and never a date that follows some
    # other label (設置希望日, 生年月日 …) in a view where OCR kept them together.
    candidates = [c for c in candidates if c.labelled or c.field != "document_date" or (
        "document_date" not in labels_seen
        and str(c.value) not in labelled_dates.get(c.page, set()))]
    if "device_type" in wanted:
        for reading in read_device([v for v in part_views if v.name != "second"], rules):
            candidates.append(Candidate(
                "device_type", reading.device, reading.quality, reading.page,
                next(p.source for p in part_pages if p.number == reading.page), reading.raw,
                "device", (reading.page, "device"), (reading.page, 0.0)))
    indexes = {p.number: ConfidenceIndex(views[p.number]) for p in part_pages}
    for c in candidates:
        if c.field != "device_type":
            weigh_ocr(c, indexes[c.page])

    threshold = rules.setting("review_threshold")
    candidates = _complete_dates(candidates, part_pages, rules, threshold)
    by_field: dict[str, list[Candidate]] = {}
    for c in candidates:
        if c.field in wanted:
            by_field.setdefault(c.field, []).append(c)
    for name in wanted:
        chosen = choose(name, by_field.get(name, []), rules)
        if chosen is None:
            continue
        value = to_field_value(chosen)
        if value.confidence >= threshold:
            result.fields[name] = value
        else:
            result.review.append(value)
    _far_apart_dates(result, rules)
    if "patient_id" in wanted:
        _barcode_patient_id(part_pages, result)
    if known is not None:
        apply_known(result, known, rules.setting("known_value_quality"))
    return result


def _complete_dates(candidates: list[Candidate], pages: list[Page], rules: ExtractionRules,
                    threshold: float) -> list[Candidate]:
    """Dates printed without a year (a checklist's 8/24 under 令和8年度) get the year
    of the document: the date it was written, the fiscal year it names, or both
    (agreeing). A month and day with neither, or on which they disagree, is dropped."""
    if not any(is_partial_date(c.value) for c in candidates):
        return candidates
    written = choose("document_date", [c for c in candidates if c.field == "document_date"
                                       and not is_partial_date(c.value)], rules)
    anchor = dt.date.fromisoformat(str(written.value)) if written and written.quality >= threshold else None
    years = dates.fiscal_years("\n".join(p.text for p in pages))
    fiscal = years.pop() if len(years) == 1 else None
    out = []
    for c in candidates:
        if not is_partial_date(c.value):
            out.append(c)
            continue
        month, day = (int(n) for n in str(c.value)[2:].split("-"))
        value, agreed = dates.complete_month_day(month, day, anchor, fiscal,
                                                 int(rules.setting("fiscal_year_start_month")))
        if value is not None and c.field != "document_date":
            factor = 1.0 if agreed else rules.setting("one_anchor_year_quality")
            out.append(dataclasses.replace(c, value=value.isoformat(), quality=round(c.quality * factor, 3)))
    return out


def split_document(pages: list[Page], rules: ExtractionRules) -> list[list[Page]]:
    """The documents a file holds, as groups of its pages in order.

    A page starts a new document when its own title says it is another kind than
    the document so far (see ``split_parts``), or when it carries its own title of
    the same kind together with another patient or only dates the document so far
    does not have: five monthly guidance records of one patient scanned as one
    TIFF are five records. A record's second page repeats neither, or repeats both
    (an EMR print's header), and stays with its first.
    """
    if len(pages) < 2:
        return [pages]
    views = {p.number: [v for v in page_views(p) if v.name != "second"] for p in pages}
    classes = [classify_page(views[p.number], rules, p.number) for p in pages]
    by_number = {p.number: p for p in pages}
    groups: list[list[Page]] = []
    after_separator = False
    for part in split_parts(classes, rules):
        current: list[Page] = []
        ids: set[str] = set()
        paper_dates: set[str] = set()
        kind = part_verdict(part, rules)[0]
        for pc in part:
            page = by_number[pc.page]
            if is_separator(page, rules):
                # Kept with the paper before it (nothing is dropped), and the next page
                # starts a paper anew.
                (current if current or not groups else groups[-1]).append(page)
                after_separator = True
                continue
            page_ids, page_dates = _paper_keys(views[pc.page], rules)
            page_ids |= {pid for bc in page.barcodes if (pid := patient_id_from_barcode(bc))}
            another = current and (after_separator or kind != "other" and pc.title_type == kind and (
                (page_ids and ids and not page_ids & ids)
                or (page_dates and paper_dates and not page_dates & paper_dates)))
            after_separator = False
            if another:
                groups.append(current)
                current, ids, paper_dates = [], set(), set()
            current.append(page)
            ids |= page_ids
            paper_dates |= page_dates
        if current:
            groups.append(current)
    # Separator sheets before any paper go with the paper after them.
    while len(groups) > 1 and all(is_separator(p, rules) for p in groups[0]):
        groups[1:2] = [groups[0] + groups[1]]
        del groups[0]
    return groups


def is_separator(page: Page, rules: ExtractionRules) -> bool:
    """A sheet put between papers of a batch scan: only a barcode (or QR code), or
    little more than a separator word."""
    text = "".join(page.text.split())
    if len(text) > rules.separator_max_chars or page.unreadable:
        return False
    if page.barcodes and len(text) <= 10:
        return True
    key = unicodedata.normalize("NFKC", text)
    return any(word in key for word in rules.separator_words)


def _paper_keys(views: list, rules: ExtractionRules) -> tuple[set[str], set[str]]:
    """The patient ids and the dates of the paper (guidance, issue …) a page prints."""
    ids: set[str] = set()
    found: set[str] = set()
    for view in views:
        for c in read_view(view, rules).candidates:
            if c.field == "patient_id" and c.labelled:
                ids.add(str(c.value))
            elif c.field in _PAPER_DATES and c.labelled:
                found.add(str(c.value))
    return ids, found


def learn_from(extraction: Extraction, known: KnownValues, rules: ExtractionRules) -> None:
    """Add a stored document's filled values to ``known``."""
    known.learn(*values_to_learn(extraction, rules.setting("known_value_bar")))


def _far_apart_dates(result: Extraction, rules: ExtractionRules) -> None:
    """Dates of one document that should lie close together but do not (11月 read as
    1月) cannot all be right: the ones far from the others go to review."""
    limit = dt.timedelta(days=rules.max_days_apart)
    for group in rules.date_groups:
        present = {n: dt.date.fromisoformat(str(result.fields[n].value))
                   for n in group if n in result.fields}
        if len(present) < 2:
            continue
        ordered = sorted(present.values())
        middle = ordered[len(ordered) // 2]
        lower = ordered[(len(ordered) - 1) // 2]
        doubtful = [n for n, d in present.items()
                    if abs(d - middle) > limit or abs(d - lower) > limit]
        for name in doubtful:
            value = result.fields.pop(name)
            result.review.append(FieldValue(value.name, value.value, value.source, value.page,
                                            round(value.confidence * 0.5, 3), value.raw))
        if doubtful:
            result.flags.append("dates far apart: " + ", ".join(sorted(doubtful)))


def _barcode_patient_id(pages: list[Page], result: Extraction) -> None:
    """A barcode's patient id wins over the printed one; a disagreement is flagged."""
    found = [(p.number, bc, pid) for p in pages for bc in p.barcodes
             if (pid := patient_id_from_barcode(bc))]
    ids = {pid for _, _, pid in found}
    if not ids:
        return
    printed = result.fields.get("patient_id") or next(
        (r for r in result.review if r.name == "patient_id"), None)
    if len(ids) > 1:
        result.flags.append("patient_id: barcodes disagree (" + ", ".join(sorted(ids)) + ")")
        return
    page, barcode, pid = found[0]
    if printed is not None and printed.value != pid:
        result.flags.append(
            f"patient_id: barcode {pid} differs from printed {printed.value} (page {printed.page})")
    result.review = [r for r in result.review if r.name != "patient_id"]
    if printed is not None and printed.value != pid:
        result.review.append(printed)
    result.fields["patient_id"] = FieldValue("patient_id", pid, "barcode", page, 0.99, barcode.data)
