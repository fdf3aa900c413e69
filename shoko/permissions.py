"""Roles and the permission table, read from ``config/roles.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from shoko.errors import ConfigError
from shoko.settings import CONFIG_DIR


@dataclass(frozen=True)
class Permissions:
    roles: dict[str, str]  # role -> label shown in the UI
    grants: dict[str, frozenset[str]]  # permission -> roles holding it

    def allows(self, role: str | None, permission: str) -> bool:
        """True when ``role`` holds ``permission`` (unknown permissions are refused)."""
        return role is not None and role in self.grants.get(permission, frozenset())


def load_permissions(path: Path = CONFIG_DIR / "roles.toml") -> Permissions:
    """The role list and permission table."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    roles = dict(data.get("roles", {}))
    grants = {}
    for permission, holders in data.get("permissions", {}).items():
        unknown = set(holders) - set(roles)
        if unknown:
            raise ConfigError(f"{path}: permission {permission} names unknown role(s) {sorted(unknown)}")
        grants[permission] = frozenset(holders)
    return Permissions(roles, grants)
