"""Opening the rooms for one data directory: records, index, extraction rules, intake."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

from ingest.extract import load_rules
from ingest.formats import Limits
from ingest.engines import make_engines
from ingest.ocr import OcrEngine, Reread
from ingest.watcher import inbox_files
from records import Records
from search import DocumentIndex, index_exists, open_index
from search.engines import check_engine
from shoko.intake import Intake, split_stored_document, stored_entries
from shoko.permissions import Permissions, load_permissions
from shoko.settings import CONFIG_DIR, Config

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything a command or the web app needs, opened from the configuration."""

    config: Config

    def __post_init__(self) -> None:
        self.config.data_path.mkdir(parents=True, exist_ok=True)

    @cached_property
    def records(self) -> Records:
        return Records(self.config.db_url, self.config.path("vault_dir"), self.config.path("quarantine_dir"),
                       self.config.timezone)

    @cached_property
    def index(self) -> DocumentIndex:
        """The index of the ``search_engine`` setting; one that did not exist yet is
        built from the stored documents first (a data directory from before Tantivy)."""
        return self.open_index(fill_new=True)

    def open_index(self, fill_new: bool) -> DocumentIndex:
        """A new handle on the configured index; with ``fill_new``, an index created
        now gets every stored document (``reindex`` fills it itself)."""
        engine, index_dir = self.config.search_engine, self.config.path("index_dir")
        check_engine(engine)
        new = not index_exists(engine, index_dir)
        index = open_index(engine, index_dir)
        if new and fill_new and self.records.document_numbers():
            log.info("building the %s index from the stored documents", engine)
            count = index.add_all(stored_entries(self.records))
            log.info("indexed %d documents", count)
        return index

    @cached_property
    def rules(self):
        return load_rules(CONFIG_DIR)

    @cached_property
    def permissions(self) -> Permissions:
        return load_permissions()

    @property
    def limits(self) -> Limits:
        return Limits(self.config.max_pages, float(self.config.max_megapixels), float(self.config.page_seconds),
                      int(self.config.reader_memory_mb))

    def work_counts(self) -> dict[str, int]:
        """The contract's status counts: queued is every file waiting in an inbox, not yet in hand."""
        counts = self.records.counts()
        waiting = len(inbox_files(self.config.inbox_paths))
        counts["queued"] = max(0, waiting - counts["in_progress"])
        return counts

    def engines(self) -> tuple[OcrEngine, OcrEngine]:
        """The configured OCR engine and its fallback (models checked)."""
        return make_engines(self.config.ocr_engine, self.config.ocr_languages, self.config.ocr_threads,
                            self.config.workers, self.config.ocr_device, CONFIG_DIR)

    def intake(self, actor: str = "system") -> Intake:
        """A new intake (it owns a process pool: close it when done)."""
        engine, fallback = self.engines()
        return Intake(self.records, self.index, self.rules, self.limits, engine, self.config.workers, actor,
                      Reread(limit=self.config.ocr_second_reading), fallback)

    def split_document(self, doc_id: str, at_page: int, actor: str) -> str:
        """Split a document where another paper begins (``at_page``): see
        ``shoko.intake.split_stored_document``. Returns the new document's id."""
        return split_stored_document(self.records, self.index, self.rules, doc_id, at_page, actor)
