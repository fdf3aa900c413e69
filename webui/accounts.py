"""Accounts: password hashing, the first admin, listing users, name and password rules,
and the sign-in guard (lock-out after repeated failures, bounded password checks)."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import unicodedata
from collections import deque

from werkzeug.security import check_password_hash, generate_password_hash

from kernel.errors import ConfigError
from shoko.services import Services

log = logging.getLogger("shoko.accounts")

MIN_PASSWORD_LENGTH = 10  # the same rule as ``shoko user add``
MAX_USERNAME_LENGTH = 64
# Checked when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("shoko-no-such-user")


def ensure_first_admin(services: Services, environ=os.environ) -> None:
    """Create the first admin from SHOKO_ADMIN_USER/SHOKO_ADMIN_PASSWORD when there is no account."""
    records = services.records
    if records.user_count():
        if environ.get("SHOKO_ADMIN_PASSWORD"):
            # Said loudly: someone who sets it expects it to be the admin's password.
            message = ("SHOKO_ADMIN_PASSWORD is set but ignored: accounts already exist. Change a password on "
                       "ユーザー管理 or with 'shoko user add NAME --role ROLE' "
                       "（アカウントが既にあるため SHOKO_ADMIN_PASSWORD は使われません）")
            log.warning(message)
            print(f"shoko: warning: {message}", file=sys.stderr)
        return
    username = environ.get("SHOKO_ADMIN_USER") or "admin"
    password = environ.get("SHOKO_ADMIN_PASSWORD", "")
    if not password:
        raise ConfigError(
            "no account exists yet: set SHOKO_ADMIN_PASSWORD (and optionally SHOKO_ADMIN_USER, default 'admin') "
            "to create the first admin, or run 'shoko user add NAME --role admin' "
            "（アカウントがありません。SHOKO_ADMIN_PASSWORD を設定してください）"
        )
    problem = username_problem(username) or password_problem(password, username)
    if problem:
        raise ConfigError(f"SHOKO_ADMIN_USER / SHOKO_ADMIN_PASSWORD: {problem}")
    records.save_user(username, generate_password_hash(password), "admin", actor="system")


def username_problem(username: str) -> str | None:
    """Why ``username`` cannot name an account (Japanese, for the UI and the command), or None.

    Names end up in the audit log, in file-like contexts and on one line of output:
    no control characters or line breaks, no spaces, nothing path-like."""
    if not username or not username.strip():
        return "ユーザー名が空です。"
    if len(username) > MAX_USERNAME_LENGTH:
        return f"ユーザー名は{MAX_USERNAME_LENGTH}文字までにしてください。"
    if any(unicodedata.category(c)[0] in "CZ" for c in username):
        return "ユーザー名に空白・改行・制御文字は使えません。"
    if "/" in username or "\\" in username or set(username) <= {"."}:
        return "ユーザー名に / や \\ は使えません（「.」「..」だけの名前も使えません）。"
    return None


def password_problem(password: str, username: str) -> str | None:
    """Why ``password`` is too weak for ``username`` (Japanese), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください。"
    if password.casefold() == username.casefold():
        return "ユーザー名と同じパスワードは使えません。"
    if len(set(password)) < 4:
        return "パスワードには4種類以上の文字を使ってください。"
    return None


def authenticate(services: Services, username: str, password: str) -> dict | None:
    """The account when name and password match, else None (without saying which was wrong).

    A disabled account is returned too (the caller refuses it): the check costs the same."""
    user = services.records.get_user(username) if username else None
    stored = user["password_hash"] if user else _DUMMY_HASH
    ok = check_password_hash(stored, password or "")
    return user if user and ok else None


class SignInGuard:
    """Counts failed sign-ins per account and per client address and locks either for a while.

    Kept in memory of the one server process: a restart forgets the counts (the audit
    log keeps every failure). Checked before any hashing, so a locked account or address
    costs nothing; the password checks themselves run at most ``parallel`` at once, since
    each memory-hard hash takes tens of MiB."""

    # Distinct names and addresses tracked at most; past it, stale entries go, then the oldest.
    MAX_KEYS = 10_000

    def __init__(self, max_failures: int = 10, max_failures_per_address: int = 30, window: float = 60,
                 lockout: float = 300, parallel: int = 2, clock=time.monotonic):
        self.limits = {"account": max(1, max_failures), "address": max(1, max_failures_per_address)}
        self.window = window
        self.lockout = lockout
        self.clock = clock
        self.checks = threading.BoundedSemaphore(max(1, parallel))
        self._lock = threading.Lock()
        self._failures: dict[tuple[str, str], deque] = {}
        self._locked_until: dict[tuple[str, str], float] = {}

    @classmethod
    def from_config(cls, config) -> SignInGuard:
        """A guard with the ``login_*`` settings."""
        return cls(config.login_max_failures, config.login_max_failures_per_address, config.login_window_seconds,
                   config.login_lockout_seconds, config.login_parallel_checks)

    @staticmethod
    def _keys(username: str, address: str) -> list[tuple[str, str]]:
        return [("account", username.casefold()[:MAX_USERNAME_LENGTH]), ("address", address)]

    def locked(self, username: str, address: str) -> float:
        """Seconds until the account or address may try again; 0 when neither is locked."""
        now = self.clock()
        with self._lock:
            return max(max(self._locked_until.get(k, 0) - now, 0) for k in self._keys(username, address))

    def failed(self, username: str, address: str) -> list[str]:
        """Count a failure; returns the scopes (account, address) it has just locked."""
        now = self.clock()
        newly = []
        with self._lock:
            self._forget_stale(now)
            for key in self._keys(username, address):
                times = self._failures.setdefault(key, deque())
                times.append(now)
                while times and times[0] <= now - self.window:
                    times.popleft()
                if len(times) >= self.limits[key[0]]:
                    self._locked_until[key] = now + self.lockout
                    times.clear()
                    newly.append(key[0])
        return newly

    def succeeded(self, username: str) -> None:
        """A right password: the account's count starts again (the address's stays)."""
        with self._lock:
            self._failures.pop(self._keys(username, "")[0], None)

    def _forget_stale(self, now: float) -> None:
        if len(self._failures) + len(self._locked_until) < self.MAX_KEYS:
            return
        for key in [k for k, times in self._failures.items() if not times or times[-1] <= now - self.window]:
            del self._failures[key]
        for key in [k for k, until in self._locked_until.items() if until <= now]:
            del self._locked_until[key]
        while len(self._failures) >= self.MAX_KEYS:
            del self._failures[next(iter(self._failures))]


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