"""Fingerprints of what the audit log vouches for: a document's rows, an account.

Every audit event that changes a document carries, for that document, a short hash
of each part of its state after the change (the document row, its title, text,
pages, each field, its field history, its links, whether it is in the trash). ``verify`` recomputes them from
the tables: a value edited in the database directly no longer matches the last
audited fingerprint, and the part that differs names what was changed.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.engine import Connection

from records import schema as t

# The document row's columns that only shoko changes, each audited.
_DOCUMENT_COLUMNS = ("sha256", "part", "first_page", "source_name", "file_format", "department", "doc_type",
                     "pages", "ingested_at", "ingested_by")


def fingerprint(value: object) -> str:
    """A short hash of a JSON-able value (16 hex digits: tamper evidence, not secrecy)."""
    body = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def document_state(conn: Connection, number: int) -> dict[str, str] | None:
    """Part name → fingerprint of one document's state; None when there is no such row."""
    row = conn.execute(select(t.documents).where(t.documents.c.id == number)).mappings().first()
    if row is None:
        return None
    state = {
        "document": fingerprint([row[c] for c in _DOCUMENT_COLUMNS]),
        "title": fingerprint(row["title"]),
        "text": fingerprint([row["text"], row["raw_text"]]),
        "flags": fingerprint(row["flags"]),
        "pages": fingerprint([list(r) for r in conn.execute(
            select(t.pages.c.number, t.pages.c.text, t.pages.c.raw_text, t.pages.c.words)
            .where(t.pages.c.document_id == number).order_by(t.pages.c.number))]),
        "history": fingerprint([list(r) for r in conn.execute(
            select(t.field_history.c.name, t.field_history.c.old_value, t.field_history.c.new_value,
                   t.field_history.c.actor, t.field_history.c.at)
            .where(t.field_history.c.document_id == number).order_by(t.field_history.c.id))]),
        "links": fingerprint(sorted([list(r) for r in conn.execute(
            select(t.links.c.item, t.links.c.month, t.links.c.patient_id, t.links.c.reason)
            .where(t.links.c.document_id == number))], key=json.dumps)),
        "trash": fingerprint([list(r) for r in conn.execute(
            select(t.trash.c.reason, t.trash.c.actor, t.trash.c.at).where(t.trash.c.document_id == number))]),
    }
    for name, value, field_state in conn.execute(
            select(t.fields.c.name, t.fields.c.value, t.fields.c.state).where(t.fields.c.document_id == number)):
        state[f"field:{name}"] = fingerprint([value, field_state])
    return state


def user_state(conn: Connection, username: str) -> str | None:
    """Fingerprint of an account's role, password hash and whether it is disabled."""
    row = conn.execute(select(t.users.c.role, t.users.c.password_hash, t.users.c.disabled_at)
                       .where(t.users.c.username == username)).first()
    if row is None:
        return None
    return fingerprint([row.role, row.password_hash, row.disabled_at is not None])


def differences(expected: dict[str, str], current: dict[str, str]) -> list[str]:
    """The parts whose fingerprints differ, as readable names (field patient_id, text …)."""
    parts = sorted(set(expected) | set(current))
    return [part.replace("field:", "field ") for part in parts if expected.get(part) != current.get(part)]
