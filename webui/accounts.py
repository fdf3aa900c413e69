"""Accounts: password hashing, the first admin, listing users."""

from __future__ import annotations

import os

from werkzeug.security import check_password_hash, generate_password_hash

from shoko.errors import ConfigError
from shoko.services import Services

MIN_PASSWORD_LENGTH = 8  # the same rule as ``shoko user add``
# Checked when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("shoko-no-such-user")


def ensure_first_admin(services: Services, environ=os.environ) -> None:
    """Create the first admin from SHOKO_ADMIN_USER/SHOKO_ADMIN_PASSWORD when there is no account."""
    records = services.records
    if records.user_count():
        return
    username = environ.get("SHOKO_ADMIN_USER") or "admin"
    password = environ.get("SHOKO_ADMIN_PASSWORD", "")
    if not password:
        raise ConfigError(
            "no account exists yet: set SHOKO_ADMIN_PASSWORD (and optionally SHOKO_ADMIN_USER, default 'admin') "
            "to create the first admin, or run 'shoko user add NAME --role admin' "
            "（アカウントがありません。SHOKO_ADMIN_PASSWORD を設定してください）"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ConfigError(f"SHOKO_ADMIN_PASSWORD must have at least {MIN_PASSWORD_LENGTH} characters")
    records.save_user(username, generate_password_hash(password), "admin", actor="system")


def authenticate(services: Services, username: str, password: str) -> dict | None:
    """The account when name and password match, else None (without saying which was wrong)."""
    user = services.records.get_user(username) if username else None
    stored = user["password_hash"] if user else _DUMMY_HASH
    ok = check_password_hash(stored, password or "")
    return user if user and ok else None


def save_account(services: Services, username: str, password: str | None, role: str, actor: str) -> None:
    """Create or update an account; with no password, an existing account keeps its own."""
    if password:
        password_hash = generate_password_hash(password)
    else:
        existing = services.records.get_user(username)
        if existing is None:
            raise ValueError("新しいアカウントにはパスワードが必要です")
        password_hash = existing["password_hash"]
    services.records.save_user(username, password_hash, role, actor)


def list_users(services: Services) -> list[dict]:
    """Every account (name, role, dates), by name."""
    return services.records.users()