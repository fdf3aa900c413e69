"""Sign-in, sign-out, the signed-in user and permission checks."""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for

from records.audit import SignInFailed, SignInLocked, SignInSucceeded
from webui.accounts import MAX_USERNAME_LENGTH, authenticate
from webui.security import services

log = logging.getLogger("shoko.webui.auth")

bp = Blueprint("auth", __name__)

# Endpoints a signed-out browser may reach.
PUBLIC_ENDPOINTS = {"auth.login", "static"}
# Endpoints that return files, not pages: a signed-out request gets 401, not a redirect.
FILE_ENDPOINTS = {"documents.page_image", "documents.download", "month.export"}


@bp.before_app_request
def load_user() -> None:
    """Put the signed-in account on ``g.user``; send everyone else to the sign-in page."""
    username = session.get("user")
    g.user = services().records.get_user(username) if username else None
    if g.user is not None and (g.user["disabled_at"] or session.get("generation") != g.user["session_generation"]):
        # Signed out elsewhere, password changed or account disabled since this session began:
        # the cookie may be a copy, so it is worth nothing now.
        g.user = None
    if g.user is None and username:
        session.clear()  # the account was removed, renamed, disabled or its sessions ended
    if g.user is not None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.endpoint in FILE_ENDPOINTS:
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path if request.args else request.path))


@bp.app_context_processor
def user_context() -> dict:
    """``current_user`` and ``can(permission)`` for templates."""
    return {"current_user": g.get("user"), "can": can}


def can(permission: str) -> bool:
    """Whether the signed-in user holds ``permission`` in the permission table."""
    user = g.get("user")
    return bool(user) and services().permissions.allows(user["role"], permission)


def requires(permission: str):
    """View decorator: 403 unless the signed-in user holds ``permission``."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if g.get("user") is None:
                abort(401)
            if not can(permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def actor() -> str:
    """The name recorded in the audit log for the signed-in user's changes."""
    return g.user["username"]


def log_read(event_class, document: int | None = None, **details) -> None:
    """Record that the signed-in user read something (``records.audit`` read events),
    with the time and the client's address."""
    records = services().records
    records.record_read(event_class(actor(), records.now(), document, address=request.remote_addr or "", **details))


@bp.route("/login", methods=("GET", "POST"))
def login():
    """The sign-in form; a failure never says whether the name or the password was wrong."""
    target = _safe_next(request.values.get("next"))
    if request.method == "POST":
        username = request.form.get("username", "").strip()[:MAX_USERNAME_LENGTH * 2]
        user, status = _sign_in(username, request.form.get("password", ""))
        if user is not None:
            session.clear()  # a fresh session (and CSRF token) for the signed-in user
            session.permanent = True
            session["user"] = user["username"]
            session["generation"] = user["session_generation"]
            return redirect(target)
        if status == 429:
            flash("サインインの失敗が続いたため、しばらくサインインできません。時間をおいてからやり直してください。", "error")
        elif status == 503:
            flash("サインインが混み合っています。少し待ってからやり直してください。", "error")
        else:
            flash("ユーザー名またはパスワードが違います。", "error")
        return render_template("login.html", next=target, username=username), status
    if g.user is not None:
        return redirect(target)
    return render_template("login.html", next=target, username="")


def _sign_in(username: str, password: str) -> tuple[dict | None, int]:
    """The account when the sign-in may go ahead, else None and the HTTP status to answer.

    The lock-out is checked first and the password check waits for a free slot of the
    guard's semaphore, so a flood of attempts costs neither hashing time nor memory."""
    guard = current_app.extensions["shoko_signin"]
    records = services().records
    address = request.remote_addr or "-"
    actor = username[:MAX_USERNAME_LENGTH] or "-"
    if guard.locked(username, address):
        return None, 429  # not audited each time: a flood must not fill the audit log
    if not guard.checks.acquire(timeout=30):
        return None, 503
    try:
        user = authenticate(services(), username, password)
    finally:
        guard.checks.release()
    if user is not None and not user["disabled_at"]:
        guard.succeeded(username)
        records.record_account_event(SignInSucceeded(user["username"], records.now(), None, address))
        return user, 302
    reason = "disabled" if user is not None else "password"
    log.warning("failed sign-in for %r from %s (%s)", actor, address, reason)
    records.record_account_event(SignInFailed(actor, records.now(), None, address, reason))
    for scope in guard.failed(username, address):
        until_text = _later(records.now(), guard.lockout)
        log.warning("sign-in locked for %s %r from %s until %s", scope, actor, address, until_text)
        records.record_account_event(SignInLocked(actor, records.now(), None, address, scope, until_text))
    return None, 401


def _later(iso_now: str, seconds: float) -> str:
    return (datetime.fromisoformat(iso_now) + timedelta(seconds=seconds)).isoformat(timespec="seconds")


@bp.route("/logout", methods=("POST",))
def logout():
    """Sign out (POST with the CSRF token, so no other site can sign a user out).

    Every session of the account ends, a copied cookie included."""
    if g.get("user") is not None:
        services().records.end_sessions(g.user["username"], g.user["username"])
    session.clear()
    flash("サインアウトしました。", "info")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only a path on this site; anything else (another host, ``//host``) goes to the work list."""
    if not target:
        return url_for("worklists.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("worklists.home")
    return target
