"""Which engine holds the index, and where: the ``search_engine`` and ``index_dir`` settings."""

from __future__ import annotations

from pathlib import Path

from search.index import DocumentIndex, WhooshIndex
from search.tantivy_index import TantivyIndex
from kernel.errors import ConfigError

ENGINES = ("tantivy", "whoosh")


def index_folder(engine: str, index_dir: Path) -> Path:
    """Where ``engine`` keeps its files: Whoosh in ``index_dir`` itself (as before
    there was a choice, so existing data directories keep their index), Tantivy
    in its ``tantivy`` subfolder."""
    check_engine(engine)
    return Path(index_dir) / "tantivy" if engine == "tantivy" else Path(index_dir)


def index_exists(engine: str, index_dir: Path) -> bool:
    """Whether ``engine`` already has an index under ``index_dir``."""
    folder = index_folder(engine, index_dir)
    if engine == "tantivy":
        return TantivyIndex.exists(folder)
    return any(folder.glob("*.toc"))


def open_index(engine: str, index_dir: Path) -> DocumentIndex:
    """The ``engine`` index under ``index_dir``, created empty when absent."""
    folder = index_folder(engine, index_dir)
    return TantivyIndex.open(folder) if engine == "tantivy" else WhooshIndex.open(folder)


def check_engine(engine: str) -> None:
    """Raise ``ConfigError`` for an engine shoko does not have."""
    if engine not in ENGINES:
        raise ConfigError(f"search_engine must be one of {', '.join(ENGINES)}, not {engine!r}")
