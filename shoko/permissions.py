"""Roles and the permission table, read from ``config/roles.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kernel.errors import ConfigError
from shoko.settings import CONFIG_DIR


@dataclass(frozen=True)
class Permissions:
    roles: dict[str, str]  # role -> label shown in the UI
    grants: dict[str, frozenset[str]]  # permission -> roles holding it
    work_types: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role -> document types it clears

    def types_for(self, role: str | None) -> tuple[str, ...] | None:
        """The document types ``role`` works on (None: every type)."""
        return self.work_types.get(role or "")

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
    work_types = {}
    for role, types in data.get("work_types", {}).items():
        if role not in roles:
            raise ConfigError(f"{path}: work_types names unknown role {role!r}")
        work_types[role] = tuple(types)
    return Permissions(roles, grants, work_types)
