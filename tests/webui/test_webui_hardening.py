"""Issue 12, sign-in and accounts: lock-out, audited attempts, bounded password checks,
sessions that end, Secure cookie and HSTS, the waitress server, account rules."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from shoko.services import Services
from shoko.settings import Config
from webui import create_app
from webui.accounts import SignInGuard, ensure_first_admin

from webui_support import PASSWORD, post, sign_in

SHOKO = str(Path(sys.executable).parent / "shoko")


def _audit(services, action: str) -> list:
    return [r for r in services.records.audit_rows() if r.action == action]


def _app_with(services, **settings):
    """The real app over the same data directory with some settings changed."""
    return create_app(Services(Config({**services.config.as_dict(), **settings})), {"TESTING": True})


def _copy_session(source, target) -> None:
    """Give ``target`` the session cookie of ``source`` (a cookie copied off a machine)."""
    target.set_cookie("session", source.get_cookie("session").value)


# -- lock-out ---------------------------------------------------------------------------


def test_eleventh_bad_password_within_a_minute_is_refused_even_with_the_right_one(client, services, accounts):
    for _ in range(10):
        assert sign_in(client, "iji", "wrong-password").status_code == 401
    refused = sign_in(client, "iji", PASSWORD)
    assert refused.status_code == 429
    assert "しばらくサインインできません" in refused.get_data(as_text=True)
    assert client.get("/search").status_code == 302  # not signed in
    failures = [r for r in _audit(services, "sign_in_failed") if r.actor == "iji"]
    assert len(failures) == 10
    assert failures[0].details == {"address": "127.0.0.1", "reason": "password"}
    locked = _audit(services, "sign_in_locked")
    assert [(r.actor, r.details["scope"]) for r in locked] == [("iji", "account")]
    # Another account from the same address is not locked by iji's failures.
    assert sign_in(client, "kango").status_code == 302


def test_one_address_trying_many_names_is_locked(services, accounts):
    client = _app_with(services, login_max_failures_per_address=5).test_client()
    for n in range(5):
        assert sign_in(client, f"guess{n}", "wrong-password").status_code == 401
    assert sign_in(client, "iji", PASSWORD).status_code == 429
    assert _audit(services, "sign_in_locked")[-1].details["scope"] == "address"


def test_lock_out_ends_after_its_time_and_failures_outside_the_window_do_not_count():
    now = [1000.0]
    guard = SignInGuard(max_failures=3, max_failures_per_address=100, window=60, lockout=300, clock=lambda: now[0])
    for _ in range(2):
        guard.failed("iji", "10.0.0.1")
    now[0] += 61  # the first two fall out of the window
    assert guard.failed("iji", "10.0.0.1") == []
    assert guard.failed("iji", "10.0.0.1") == []
    assert guard.failed("IJI", "10.0.0.2") == ["account"]  # names are counted case-insensitively
    assert guard.locked("iji", "10.0.0.9") == pytest.approx(300)
    now[0] += 299
    assert guard.locked("iji", "10.0.0.9") > 0
    now[0] += 2
    assert guard.locked("iji", "10.0.0.9") == 0


def test_successful_sign_in_is_audited_with_the_address(client, services, accounts):
    sign_in(client, "somu")
    rows = _audit(services, "sign_in_succeeded")
    assert [(r.actor, r.details) for r in rows] == [("somu", {"address": "127.0.0.1"})]


def test_parallel_password_checks_are_bounded(services, accounts, monkeypatch):
    """32 sign-ins at once: never more than login_parallel_checks hashes at a time."""
    from webui import auth
    from webui.accounts import authenticate

    app = _app_with(services, login_parallel_checks=2, login_max_failures=1000, login_max_failures_per_address=1000)
    running, peak, lock = [0], [0], threading.Lock()

    def counted(*args):  # the real check, counted
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            time.sleep(0.02)
            return authenticate(*args)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(auth, "authenticate", counted)
    statuses = []

    def attempt():
        statuses.append(sign_in(app.test_client(), "iji", "wrong-password").status_code)

    threads = [threading.Thread(target=attempt) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [401] * 32
    assert peak[0] == 2


# -- sessions end ------------------------------------------------------------------------


def test_copied_cookie_is_refused_after_sign_out(app, client, accounts):
    sign_in(client, "iji")
    copy = app.test_client()
    _copy_session(client, copy)
    assert copy.get("/search").status_code == 200  # the copy works while the session lives
    post(client, "/logout")
    response = copy.get("/search")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_copied_cookie_is_refused_after_a_password_change(app, login, services, accounts):
    iji = app.test_client()
    sign_in(iji, "iji")
    copy = app.test_client()
    _copy_session(iji, copy)
    admin = login("admin")
    post(admin, "/admin/users", {"username": "iji", "password": "a-new-password-7", "role": "医事課"})
    assert copy.get("/search").status_code == 302
    assert iji.get("/search").status_code == 302
    assert sign_in(app.test_client(), "iji", "a-new-password-7").status_code == 302
    assert admin.get("/admin/users").status_code == 200  # the admin who changed it is still signed in


def test_admin_changing_own_password_stays_signed_in(login):
    admin = login("admin")
    post(admin, "/admin/users", {"username": "admin", "password": "admins-new-pw-3", "role": "admin"})
    assert admin.get("/admin/users").status_code == 200


# -- disabled accounts -------------------------------------------------------------------


def test_disabled_account_cannot_sign_in_and_its_sessions_end(app, login, services, accounts):
    kango = app.test_client()
    sign_in(kango, "kango")
    admin = login("admin")
    assert post(admin, "/admin/users/kango/disabled", {"disabled": "1"}).status_code == 302
    assert services.records.get_user("kango")["disabled_at"]
    assert kango.get("/search").status_code == 302
    refused = sign_in(app.test_client(), "kango")
    assert refused.status_code == 401
    assert "ユーザー名またはパスワードが違います。" in refused.get_data(as_text=True)
    assert _audit(services, "sign_in_failed")[-1].details["reason"] == "disabled"
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "有効にする" in page and "<td>kango</td>" in page  # still listed: never deleted
    post(admin, "/admin/users/kango/disabled", {"disabled": "0"})
    assert sign_in(app.test_client(), "kango").status_code == 302
    assert [r.details["disabled"] for r in _audit(services, "user_disabled")] == [True, False]


def test_admin_cannot_disable_self_and_others_cannot_disable(login, services):
    admin = login("admin")
    post(admin, "/admin/users/admin/disabled", {"disabled": "1"})
    assert not services.records.get_user("admin")["disabled_at"]
    post(admin, "/logout")
    iji = login("iji")
    assert post(iji, "/admin/users/kango/disabled", {"disabled": "1"}).status_code == 403
    assert not services.records.get_user("kango")["disabled_at"]


# -- the users page ----------------------------------------------------------------------


def test_role_box_has_no_preselected_role(login):
    page = login("admin").get("/admin/users").get_data(as_text=True)
    assert '<option value="" selected disabled>選んでください</option>' in page
    assert '<option value="admin" selected' not in page
    assert "権限を変更します" in page


def test_changing_an_existing_role_needs_the_confirmation_box(login, services):
    admin = login("admin")
    page = post(admin, "/admin/users", {"username": "kango", "password": "", "role": "admin"},
                follow_redirects=True).get_data(as_text=True)
    assert services.records.get_user("kango")["role"] == "看護部"
    assert "権限を変更します" in page and "看護部" in page
    post(admin, "/admin/users", {"username": "kango", "password": "", "role": "admin", "confirm_role": "1"})
    assert services.records.get_user("kango")["role"] == "admin"


@pytest.mark.parametrize("name", ["", "   ", "a\nb", "a\rb", "x\x00y", "tab\there", "../x", "/", "..", "a\\b",
                                  "line\u2028sep"])
def test_bad_user_names_are_refused(login, services, name):
    before = services.records.user_count()
    post(login("admin"), "/admin/users", {"username": name, "password": "long-enough-1", "role": "看護部"})
    assert services.records.user_count() == before


@pytest.mark.parametrize("password", ["short-pw", "tanaka-san", "aaaaaaaaaaaa"])
def test_weak_passwords_are_refused(login, services, password):
    page = post(login("admin"), "/admin/users", {"username": "tanaka-san", "password": password, "role": "看護部"},
                follow_redirects=True).get_data(as_text=True)
    assert services.records.get_user("tanaka-san") is None
    assert "パスワード" in page


def test_ignored_admin_password_is_said_loudly(services, accounts, capsys, caplog):
    ensure_first_admin(services, {"SHOKO_ADMIN_PASSWORD": "some-other-password"})
    assert "SHOKO_ADMIN_PASSWORD is set but ignored" in capsys.readouterr().err
    assert "ignored" in caplog.text
    ensure_first_admin(services, {})
    assert capsys.readouterr().err == ""


# -- Secure cookie and HSTS --------------------------------------------------------------


def test_secure_cookie_and_hsts_when_behind_tls(services, accounts):
    client = _app_with(services, session_cookie_secure=True).test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "; Secure" in response.headers["Set-Cookie"]


def test_no_hsts_nor_secure_cookie_by_default(client, accounts):
    response = client.get("/login")
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers["Set-Cookie"]


# -- the real server ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def real_server(tmp_path):
    """``shoko serve`` as a separate process on a fresh data directory, with 2 server threads."""
    config = tmp_path / "shoko.toml"
    config.write_text("server_threads = 2\nserver_connection_limit = 100\n", encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "SHOKO_ADMIN_PASSWORD": "first-admin-pw", "SHOKO_ADMIN_USER": "chief"}
    process = subprocess.Popen([SHOKO, "serve", "--config", str(config), "--data-dir", str(tmp_path / "data"),
                                "--port", str(port), "--no-watch"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None:
                raise AssertionError(process.stderr.read())
            time.sleep(0.2)
    yield process, port
    if process.poll() is None:
        process.kill()
        process.wait()


def test_serve_runs_on_waitress_and_half_sent_requests_hold_no_thread(real_server):
    process, port = real_server
    response = urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10)
    assert response.status == 200
    assert response.headers["Server"] == "waitress"
    assert "サインイン" in response.read().decode("utf-8")
    # 30 clients that send half a request and wait: with 2 threads, Werkzeug's server would be stuck.
    stalled = []
    for _ in range(30):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nusername=")
        stalled.append(s)
    try:
        started = time.monotonic()
        response = urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10)
        assert response.status == 200 and time.monotonic() - started < 3
    finally:
        for s in stalled:
            s.close()
    process.send_signal(signal.SIGTERM)  # stops like Ctrl-C: the server closes, the command returns
    assert process.wait(timeout=30) == 0
