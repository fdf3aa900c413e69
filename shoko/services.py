"""Opening the rooms for one data directory: records, index, extraction rules, intake."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ingest.extract import load_rules
from ingest.formats import Limits
from ingest.engines import make_engines
from ingest.ocr import OcrEngine, Reread
from ingest.watcher import inbox_files
from records import Records
from records.seal import AuditSeal
from search import DocumentIndex, index_exists, open_index
from search.engines import check_engine
from shoko.intake import Intake, confirm_known_values, index_entry, split_stored_document, stored_entries
from shoko.permissions import Permissions, load_permissions
from shoko.retention import RetentionPolicy, load_retention, retention_end
from kernel.errors import ConfigError
from shoko.settings import CONFIG_DIR, Config
from shoko.timeliness import ScanDelay
from shoko.timestamps import Timestamps

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything a command or the web app needs, opened from the configuration."""

    config: Config

    def __post_init__(self) -> None:
        self.config.data_path.mkdir(parents=True, exist_ok=True)

    @cached_property
    def records(self) -> Records:
        records = Records(self.config.db_url, self.config.path("vault_dir"), self.config.path("quarantine_dir"),
                          self.config.timezone,
                          AuditSeal(self.config.path("audit_key_file"), self.config.path("audit_checkpoint_file")))
        records.timestamps = self.timestamps
        return records

    @cached_property
    def timestamps(self) -> Timestamps:
        """Timestamp tokens in DATA_DIR/timestamps (checked by verify even with ``tsa_url`` empty)."""
        ca = self.config.tsa_ca_file
        return Timestamps(self.config.data_path / "timestamps", self.config.tsa_url,
                          self.config.data_path / Path(ca).expanduser() if ca else None)

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
                      Reread(limit=self.config.ocr_second_reading), fallback, self.scan_delay,
                      self.timestamps if self.config.tsa_url else None)

    @cached_property
    def scan_delay(self) -> ScanDelay:
        """The late-scan rule from the settings (``ConfigError`` for a holiday that is no ISO date)."""
        try:
            return ScanDelay.from_settings(self.config.scan_delay_business_days, self.config.scan_holidays)
        except (TypeError, ValueError) as e:
            raise ConfigError(f"setting scan_holidays: {e}") from e

    def correct_field(self, doc_id: str, name: str, value, actor: str) -> int:
        """A person sets (or, with None, clears) one field: recorded with its history,
        searchable at once; other documents awaiting review on the value now known (a
        doctor, a supplier, a patient's name) are filled in. Returns how many were."""
        self.records.correct_field(doc_id, name, value, actor)
        self.index.add(index_entry(self.records.get(doc_id)))
        return confirm_known_values(self.records, self.index, self.rules)

    def correct_title(self, doc_id: str, title: str, actor: str) -> None:
        """A person corrects a title OCR garbled; recorded and searchable at once."""
        self.records.correct_title(doc_id, title, actor)
        self.index.add(index_entry(self.records.get(doc_id)))

    def split_document(self, doc_id: str, at_page: int, actor: str) -> str:
        """Split a document where another paper begins (``at_page``): see
        ``shoko.intake.split_stored_document``. Returns the new document's id."""
        return split_stored_document(self.records, self.index, self.rules, doc_id, at_page, actor)

    # -- trash and retention (issue 15) ------------------------------------------------

    @cached_property
    def retention(self) -> RetentionPolicy:
        return load_retention()

    def trash_document(self, doc_id: str, reason: str, actor: str) -> None:
        """Move a document to the trash with a reason; it leaves the index (and so search)."""
        self.records.trash_document(doc_id, reason, actor)
        self.index.delete(self.records.get(doc_id).id)

    def restore_document(self, doc_id: str, actor: str) -> None:
        """Take a document out of the trash; it is searchable again."""
        self.records.restore_document(doc_id, actor)
        self.index.add(index_entry(self.records.get(doc_id)))

    def retention_end(self, doc_id: str) -> str:
        """The first day (ISO date) the document may be purged under the configured retention."""
        return retention_end(self.records.get(doc_id), self.retention).isoformat()

    def purge_document(self, doc_id: str, actor: str) -> bool:
        """Remove a trashed document whose retention has ended (``RecordsError`` before);
        True when its original left the vault (no other part of the file remains)."""
        end = self.retention_end(doc_id)
        doc_id = self.records.get(doc_id).id
        removed = self.records.purge_document(doc_id, actor, end)
        self.index.delete(doc_id)
        return removed
