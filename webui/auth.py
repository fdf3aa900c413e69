"""Sign-in, sign-out, the signed-in user and permission checks."""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for

from webui.accounts import authenticate
from webui.security import services

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
    if g.user is None and username:
        session.clear()  # the account was removed or renamed
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


@bp.route("/login", methods=("GET", "POST"))
def login():
    """The sign-in form; a failure never says whether the name or the password was wrong."""
    target = _safe_next(request.values.get("next"))
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        user = authenticate(services(), username, request.form.get("password", ""))
        if user is not None:
            session.clear()  # a fresh session (and CSRF token) for the signed-in user
            session.permanent = True
            session["user"] = user["username"]
            return redirect(target)
        flash("ユーザー名またはパスワードが違います。", "error")
        return render_template("login.html", next=target, username=username), 401
    if g.user is not None:
        return redirect(target)
    return render_template("login.html", next=target, username="")


@bp.route("/logout", methods=("POST",))
def logout():
    """Sign out (POST with the CSRF token, so no other site can sign a user out)."""
    session.clear()
    flash("サインアウトしました。", "info")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only a path on this site; anything else (another host, ``//host``) goes to the search page."""
    if not target:
        return url_for("search.search")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("search.search")
    return target
