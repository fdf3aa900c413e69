"""Administration: accounts and their roles (admin only)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from records import parse_doc_id
from kernel.errors import UnknownDocument

from webui.accounts import MIN_PASSWORD_LENGTH, list_users, password_problem, save_account, username_problem
from webui.auth import actor, requires
from webui.security import services

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The box an admin ticks to change an existing account's role (never changed by accident).
CONFIRM_ROLE = "confirm_role"


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
    if problem is None and username == actor() and password:
        # A new password ends every session of the account; the admin who set it stays signed in here.
        session["generation"] = services().records.get_user(username)["session_generation"]
    if problem:
        flash(problem, "error")
    else:
        flash(f"アカウント {username} を保存しました。", "info")
    return redirect(url_for(".users"))


@bp.route("/users/<username>/disabled", methods=("POST",))
@requires("manage_users")
def set_disabled(username: str):
    """Disable an account (it may not sign in; its sessions end at once) or enable it again.

    Accounts are never deleted: their names stay in the audit history."""
    disable = request.form.get("disabled") == "1"
    user = services().records.get_user(username)
    if user is None:
        flash("そのアカウントはありません。", "error")
    elif disable and username == actor():
        flash("自分のアカウントは無効にできません。", "error")
    elif disable and user["role"] == "admin" and _enabled_admins() == [username]:
        flash("最後の管理者は無効にできません。", "error")
    else:
        services().records.set_user_disabled(username, disable, actor())
        flash(f"アカウント {username} を{'無効' if disable else '有効'}にしました。", "info")
    return redirect(url_for(".users"))


def _enabled_admins() -> list[str]:
    return [u["username"] for u in list_users(services()) if u["role"] == "admin" and not u["disabled_at"]]


def _problem(username: str, password: str, role: str) -> str | None:
    problem = username_problem(username)
    if problem:
        return problem
    if role not in services().permissions.roles:
        return "役割を一覧から選んでください。"
    if password:
        problem = password_problem(password, username)
        if problem:
            return problem
    existing = services().records.get_user(username)
    if existing and existing["role"] != role:
        if existing["role"] == "admin" and _enabled_admins() == [username]:
            return "最後の管理者の役割は変えられません。先に別の管理者を作ってください。"
        if request.form.get(CONFIRM_ROLE) != "1":
            roles = services().permissions.roles
            return (f"{username} は既にあり、役割は「{roles.get(existing['role'], existing['role'])}」です。"
                    f"「{roles.get(role, role)}」に変えるには「権限を変更します」にチェックを入れて保存してください。")
    return None


AUDIT_PAGE_SIZE = 200


@bp.route("/audit")
@requires("read_audit")
def audit():
    """The audit log, newest first, filtered by document, account and day (reads included)."""
    form = {"doc": request.args.get("doc", "").strip().upper(), "user": request.args.get("user", "").strip(),
            "since": request.args.get("since", "").strip()}
    problems, document, since = [], None, None
    if form["doc"]:
        try:
            document = parse_doc_id(form["doc"])
        except UnknownDocument:
            problems.append("文書IDは D000123 の形で入力してください。")
    if form["since"]:
        try:
            since = date.fromisoformat(form["since"]).isoformat()
        except ValueError:
            problems.append("日付は 2026-10-01 の形で入力してください。")
    events = [] if problems else list(services().records.audit_log(
        document=document, actor=form["user"] or None, since=since, limit=AUDIT_PAGE_SIZE, newest_first=True))
    return render_template("audit.html", form=form, events=events, problems=problems, limit=AUDIT_PAGE_SIZE)
