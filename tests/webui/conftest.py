"""Fixtures for the web UI tests: a real data directory, real accounts, real documents.

Every test gets its own copy of a data directory with an SQLite database, a
Whoosh index and a vault holding small PNG/PDF originals drawn with Pillow.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from shoko.services import Services
from shoko.settings import load_config
from webui import create_app
from webui_support import USERS, fill, sign_in


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: end-to-end test in a real Chromium (runs by default)")


@pytest.fixture(scope="session")
def filled_data_dir(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A data directory filled once per run; each test works on its own copy of it."""
    root = tmp_path_factory.mktemp("filled")
    services = Services(load_config(data_dir=str(root / "data")))
    ids = fill(services, root / "originals-in")
    services.records.engine.dispose()  # SQLite writes its WAL back before the copies are made
    return root / "data", ids


@pytest.fixture
def services(tmp_path, filled_data_dir) -> Services:
    """Services over this test's own copy of the filled data directory (real SQLite, index, vault)."""
    data = tmp_path / "data"
    shutil.copytree(filled_data_dir[0], data)
    return Services(load_config(data_dir=str(data)))


@pytest.fixture
def accounts(services) -> dict[str, str]:
    """username -> role; every account's password is PASSWORD."""
    return dict(USERS)


@pytest.fixture
def documents(services, filled_data_dir) -> dict[str, str]:
    """Name -> id of the stored documents (guidance, order, contract, removal, hostile)."""
    return dict(filled_data_dir[1])


@pytest.fixture
def app(services, accounts, documents):
    """The real app over the test's data directory."""
    return create_app(services, {"TESTING": True})


@pytest.fixture
def client(app):
    """Flask's test client (cookies kept between requests)."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Flask's CLI runner for the app."""
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    """``login("iji")`` signs the test client in as that account and returns the client."""

    def _login(username: str):
        response = sign_in(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login


