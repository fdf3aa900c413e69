"""Shared fixtures: the project's own extraction rules."""

from __future__ import annotations

import pathlib

import pytest

from ingest.document import Page
from ingest.extract import ExtractionRules, load_rules

CONFIG = pathlib.Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(scope="session")
def rules() -> ExtractionRules:
    return load_rules(CONFIG)


def _text_pages(*texts: str) -> list[Page]:
    return [Page(i + 1, t, t, "text_layer") for i, t in enumerate(texts)]


@pytest.fixture(scope="session")
def text_pages():
    """Makes text-layer pages from plain texts (one per page)."""
    return _text_pages
