"""Sign-in, sign-out, roles, CSRF, the first admin and the secret key."""

from __future__ import annotations

import os
import stat

import pytest

from kernel.errors import ConfigError
from shoko.services import Services
from shoko.settings import load_config
from webui import create_app
from webui.accounts import authenticate

from webui_support import PASSWORD, csrf_of, post, sign_in

PAGES = ["/", "/search", "/search?q=酸素", "/documents/D000001", "/patients/00123456", "/inbox",
         "/claims", "/claims?month=2026-10", "/admin/users", "/documents/D999999", "/no/such/page"]
FILES = ["/documents/D000001/pages/1.png", "/documents/D000001/original", "/claims.csv?month=2026-10"]


@pytest.mark.parametrize("url", PAGES)
def test_signed_out_browser_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert "山田" not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", FILES)
def test_signed_out_file_requests_get_401(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert b"PNG" not in response.data and "山田".encode() not in response.data


@pytest.mark.parametrize("url", ["/documents/D000001/fields", "/documents/D000001/links", "/claims/mark",
                                 "/inbox/upload", "/admin/users"])
def test_signed_out_posts_change_nothing(client, services, url):
    before = services.records.audit_rows()
    response = post(client, url, {"name": "spo2", "value": "90", "item": "C103-2", "month": "2026-10",
                                  "patient_id": "00123456", "claimed": "1", "username": "x", "role": "admin"})
    assert response.status_code in (302, 401)
    assert services.records.audit_rows() == before


def test_sign_in_form_has_the_contract_fields(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="username"' in page and 'name="password"' in page and 'name="csrf_token"' in page


def test_sign_in_then_search_and_sign_out(client, accounts):
    response = sign_in(client, "kango")
    assert response.status_code == 302 and response.headers["Location"] == "/"  # the work list
    assert client.get("/search?q=酸素").status_code == 200
    assert "kango" in client.get("/search").get_data(as_text=True)
    response = post(client, "/logout")
    assert response.status_code == 302
    assert client.get("/search").status_code == 302


def test_sign_in_returns_to_the_page_asked_for(client, accounts):
    target = client.get("/documents/D000001").headers["Location"]
    response = client.post(target, data={"username": "iji", "password": PASSWORD, "csrf_token": csrf_of(client),
                                         "next": "/documents/D000001"})
    assert response.headers["Location"] == "/documents/D000001"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_sign_in_never_redirects_off_site(client, accounts, target):
    response = client.post("/login", data={"username": "iji", "password": PASSWORD,
                                           "csrf_token": csrf_of(client), "next": target})
    assert response.headers["Location"] == "/"


def test_failed_sign_in_does_not_say_which_part_was_wrong(client, accounts):
    wrong_password = sign_in(client, "iji", "not-the-password")
    unknown_user = sign_in(client, "nobody", PASSWORD)
    assert wrong_password.status_code == unknown_user.status_code == 401
    message = "ユーザー名またはパスワードが違います。"
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_user.get_data(as_text=True)
    assert client.get("/search").status_code == 302


def test_session_is_permanent_for_the_configured_hours(app, client, accounts):
    sign_in(client, "iji")
    with client.session_transaction() as session:
        assert session.permanent
    assert app.permanent_session_lifetime.total_seconds() == 10 * 3600


def test_post_without_csrf_token_is_refused(client, accounts, services):
    sign_in(client, "iji")
    before = services.records.field_history("D000001")
    response = client.post("/documents/D000001/fields", data={"name": "spo2", "value": "90"})
    assert response.status_code == 400
    response = client.post("/documents/D000001/fields", data={"name": "spo2", "value": "90", "csrf_token": "forged"})
    assert response.status_code == 400
    assert services.records.field_history("D000001") == before


def test_sign_in_without_csrf_token_is_refused(client, accounts):
    response = client.post("/login", data={"username": "iji", "password": PASSWORD})
    assert response.status_code == 400


def test_logout_needs_csrf_token(client, accounts):
    sign_in(client, "iji")
    assert client.post("/logout").status_code == 400
    assert client.get("/search").status_code == 200


def test_passwords_are_stored_hashed(services, accounts):
    stored = services.records.get_user("iji")["password_hash"]
    assert PASSWORD not in stored and stored.startswith("pbkdf2:")
    assert authenticate(services, "iji", PASSWORD)["role"] == "医事課"
    assert authenticate(services, "iji", "wrong") is None


def test_first_admin_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOKO_ADMIN_USER", "chief")
    monkeypatch.setenv("SHOKO_ADMIN_PASSWORD", "first-admin-pw")
    services = Services(load_config(data_dir=str(tmp_path / "fresh")))
    client = create_app(services).test_client()
    assert services.records.get_user("chief")["role"] == "admin"
    assert sign_in(client, "chief", "first-admin-pw").status_code == 302


def test_first_admin_name_defaults_to_admin(tmp_path, monkeypatch):
    monkeypatch.delenv("SHOKO_ADMIN_USER", raising=False)
    monkeypatch.setenv("SHOKO_ADMIN_PASSWORD", "first-admin-pw")
    services = Services(load_config(data_dir=str(tmp_path / "fresh")))
    create_app(services)
    assert services.records.get_user("admin")["role"] == "admin"


def test_refuses_to_start_without_account_or_admin_password(tmp_path, monkeypatch):
    monkeypatch.delenv("SHOKO_ADMIN_PASSWORD", raising=False)
    services = Services(load_config(data_dir=str(tmp_path / "fresh")))
    with pytest.raises(ConfigError, match="SHOKO_ADMIN_PASSWORD"):
        create_app(services)


def test_existing_account_is_enough(services, accounts, monkeypatch):
    monkeypatch.delenv("SHOKO_ADMIN_PASSWORD", raising=False)
    create_app(services)
    assert services.records.user_count() == len(accounts)


def test_secret_key_is_generated_once_with_mode_0600(services, accounts):
    first = create_app(services).secret_key
    second = create_app(services).secret_key
    path = services.config.data_path / "secret_key"
    assert first == second == path.read_text().strip()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_configured_secret_key_wins(tmp_path, accounts, services):
    from shoko.settings import Config

    values = {**services.config.as_dict(), "secret_key": "configured-key"}
    configured = Services(Config(values))
    assert create_app(configured).secret_key == "configured-key"


def test_pages_carry_security_headers(client, accounts):
    sign_in(client, "iji")
    response = client.get("/search")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
