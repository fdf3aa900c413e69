"""Administration: accounts and their roles (admin only)."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for

from webui.accounts import MIN_PASSWORD_LENGTH, list_users, save_account
from webui.auth import actor, requires
from webui.security import services

bp = Blueprint("admin", __name__, url_prefix="/admin")

USERNAME = re.compile(r"[^\s\x00-\x1f\x7f/\\]{1,64}")


@bp.route("/users")
@requires("manage_users")
def users():
    """Every account with its role, and the form to create or update one."""
    return render_template("users.html", users=list_users(services()), roles=services().permissions.roles,
                           min_length=MIN_PASSWORD_LENGTH)


@bp.route("/users", methods=("POST",))
@requires("manage_users")
def save_user():
    """Create an account, or change an existing one's role and (optionally) password."""
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    role = request.form.get("role", "")
    problem = _problem(username, password, role)
    if problem is None:
        try:
            save_account(services(), username, password or None, role, actor())
        except ValueError as e:
            problem = str(e)
    if problem:
        flash(problem, "error")
    else:
        flash(f"アカウント {username} を保存しました。", "info")
    return redirect(url_for(".users"))


def _problem(username: str, password: str, role: str) -> str | None:
    if not USERNAME.fullmatch(username):
        return "ユーザー名は空白や / を含めず64文字までにしてください。"
    if role not in services().permissions.roles:
        return "役割を一覧から選んでください。"
    if password and len(password) < MIN_PASSWORD_LENGTH:
        return f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください。"
    admins = [u for u in list_users(services()) if u["role"] == "admin"]
    if role != "admin" and [u["username"] for u in admins] == [username]:
        return "最後の管理者の役割は変えられません。先に別の管理者を作ってください。"
    return None
