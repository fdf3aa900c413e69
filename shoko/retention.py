"""Retention periods (``config/retention.toml``) and when a trashed document may be purged.

Pure functions over a document and the policy; the trash itself lives in ``Records``
(``trash_document``, ``restore_document``, ``purge_document``) and ``Services`` keeps
the search index in step with it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kernel.errors import ConfigError
from shoko.settings import CONFIG_DIR

RETENTION_FILE = CONFIG_DIR / "retention.toml"


@dataclass(frozen=True)
class RetentionPolicy:
    """Years to keep a document, per document type."""

    default_years: int = 5
    years: dict[str, int] = field(default_factory=dict)

    def years_for(self, doc_type: str) -> int:
        """The retention period of ``doc_type`` in years."""
        return self.years.get(doc_type, self.default_years)


def load_retention(path: Path = RETENTION_FILE) -> RetentionPolicy:
    """The retention policy; ``ConfigError`` for a period that is not a whole number of years ≥ 0."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("retention", {})
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{path}: {e}") from e
    years = dict(data.get("years", {}))
    default = data.get("default_years", 5)
    for name, value in [("default_years", default), *years.items()]:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{path}: retention of {name} must be a whole number of years (0 or more)")
    return RetentionPolicy(default, years)


def add_years(start: date, years: int) -> date:
    """``start`` moved ``years`` years on; 29 February becomes 28 February in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def retention_start(document_date: str | None, ingested_at: str) -> date:
    """Where the period starts: the document date when it is a valid ISO date, else the day of intake."""
    if document_date:
        try:
            return date.fromisoformat(str(document_date)[:10])
        except ValueError:
            pass
    return date.fromisoformat(ingested_at[:10])


def retention_end(doc, policy: RetentionPolicy) -> date:
    """The first day ``doc`` (a ``StoredDocument``) may be purged."""
    start = retention_start(doc.filled_fields.get("document_date"), doc.ingested_at)
    return add_years(start, policy.years_for(doc.doc_type))
