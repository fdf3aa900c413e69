"""Shared fixtures for the billing tests: the catalogue as shipped in config/."""

from pathlib import Path

import pytest

from billing import load_catalogue

CATALOGUE_PATH = Path(__file__).resolve().parents[2] / "config" / "billing.toml"


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue(CATALOGUE_PATH)
