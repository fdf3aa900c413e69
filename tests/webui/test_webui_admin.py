"""Accounts (admin only)."""

from __future__ import annotations

from webui_support import PASSWORD, post, sign_in


def test_admin_sees_users(login):
    page = login("admin").get("/admin/users").get_data(as_text=True)
    for name in ("admin", "somu", "iji", "kango"):
        assert f"<td>{name}</td>" in page
    assert "password_hash" not in page and "pbkdf2" not in page


def test_admin_creates_an_account_that_can_sign_in(app, login, services):
    client = login("admin")
    response = post(client, "/admin/users", {"username": "suzuki", "password": "new-password-9", "role": "看護部"})
    assert response.status_code == 302
    assert services.records.get_user("suzuki")["role"] == "看護部"
    other = app.test_client()
    assert sign_in(other, "suzuki", "new-password-9").status_code == 302


def test_admin_changes_a_role_keeping_the_password(app, login, services):
    post(login("admin"), "/admin/users", {"username": "kango", "password": "", "role": "医事課", "confirm_role": "1"})
    assert services.records.get_user("kango")["role"] == "医事課"
    other = app.test_client()
    assert sign_in(other, "kango", PASSWORD).status_code == 302
    assert other.get("/claims?month=2026-10").status_code == 200  # the new role applies at once


def test_refusals(login, services):
    client = login("admin")
    post(client, "/admin/users", {"username": "short", "password": "1234", "role": "看護部"})
    post(client, "/admin/users", {"username": "norole", "password": "long-enough-1", "role": "院長"})
    post(client, "/admin/users", {"username": "nopw", "password": "", "role": "看護部"})
    post(client, "/admin/users", {"username": "a b", "password": "long-enough-1", "role": "看護部"})
    for name in ("short", "norole", "nopw", "a b"):
        assert services.records.get_user(name) is None


def test_last_admin_keeps_the_role(login, services):
    post(login("admin"), "/admin/users", {"username": "admin", "password": "", "role": "看護部"})
    assert services.records.get_user("admin")["role"] == "admin"


def test_japanese_user_name(login, services):
    post(login("admin"), "/admin/users", {"username": "山本", "password": "long-enough-1", "role": "総務課"})
    assert services.records.get_user("山本")["role"] == "総務課"


def test_only_admin_manages_users(login, services):
    for user in ("iji", "somu", "kango"):
        client = login(user)
        assert client.get("/admin/users").status_code == 403
        response = post(client, "/admin/users", {"username": "x", "password": "long-enough-1", "role": "admin"})
        assert response.status_code == 403
        post(client, "/logout")
    assert services.records.get_user("x") is None
