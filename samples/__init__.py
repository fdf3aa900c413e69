"""Sample documents that shoko makes itself, for ``shoko demo`` and the end-to-end tests.

A clone of the project has no corpus of scans, so this package draws its own: three
invented patients' home-oxygen paperwork for three months (contracts, orders,
guidance records, removals) and two unrelated letters, as scans (PNG, JPEG, TIFF,
image-only PDF) and one born-digital PDF with a text layer. Entry point::

    documents = make_samples(Path("demo-inbox"), seed=0)
    documents[0].file_name, documents[0].doc_type, documents[0].fields

The facts (patients, dates, values) are the same for every seed; the seed only
changes the scanner's skew and dust. See ``samples.documents`` for the story the
documents tell and what the claim check should make of it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from samples.documents import MONTHS, PATIENTS, Plan, plans
from samples.render import draw, save, save_born_digital, scan

__all__ = ["MONTHS", "PATIENTS", "SampleDocument", "make_samples"]

SKEW_JITTER = 0.15  # degrees the seed may add to or take from a page's planned skew
MAX_SKEW = 1.0


@dataclass(frozen=True)
class SampleDocument:
    """One generated file: its name, what it is, the fields it carries (contract form), its pages."""

    file_name: str
    doc_type: str
    fields: dict
    pages: int
    note: str
    born_digital: bool = False


def make_samples(target: Path, seed: int = 0) -> list[SampleDocument]:
    """Write the sample files into ``target`` (created if needed) and describe each.

    The same seed writes the same bytes.
    """
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    return [_make(plan, target, np.random.default_rng([seed, index])) for index, plan in enumerate(plans())]


def _make(plan: Plan, target: Path, rng: np.random.Generator) -> SampleDocument:
    sheets = plan.sheets()
    path = target / plan.file_name
    if plan.born_digital:
        save_born_digital(sheets, path)
    else:
        if len(plan.scans) != len(sheets):
            raise ValueError(f"{plan.file_name}: {len(sheets)} pages but {len(plan.scans)} scans")
        pages = []
        for sheet, how in zip(sheets, plan.scans):
            skew = how.skew + rng.uniform(-SKEW_JITTER, SKEW_JITTER)
            pages.append(scan(draw(sheet), replace(how, skew=max(-MAX_SKEW, min(MAX_SKEW, skew))), rng))
        save(pages, path)
    return SampleDocument(plan.file_name, plan.doc_type, dict(plan.fields), len(sheets), plan.note,
                          plan.born_digital)
