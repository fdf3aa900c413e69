"""Every setting, declared once with its default and help text.

Values come from the declarations below, then the TOML file given with
``--config`` (default: ``config/shoko.toml``), then the command line and
environment (``--data-dir`` / ``SHOKO_DATA_DIR``). Paths that are relative are
resolved inside the data directory.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kernel.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"
DEFAULT_CONFIG_FILE = CONFIG_DIR / "shoko.toml"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS = (
    Setting("data_dir", "data", "Folder that holds everything shoko keeps (database, originals, index, inbox, quarantine)."),
    Setting("database_url", "", "SQLAlchemy URL of the database; empty means SQLite at DATA_DIR/shoko.sqlite3."),
    Setting("inbox_dirs", ["inbox"], "Folders the watcher takes scans from; a subfolder names the department that scanned."),
    Setting("quarantine_dir", "quarantine", "Folder for files that could not be ingested, each beside NAME.reason.txt."),
    Setting("vault_dir", "originals", "Read-only, content-addressed store of the original files."),
    Setting("audit_key_file", "keys/audit.key", "Key that seals every audit row (HMAC), created at first start. Keep a "
            "copy apart from the data (a safe, another disk): without it the audit log cannot be checked, and "
            "whoever holds it could rewrite the log."),
    Setting("audit_checkpoint_file", "audit-checkpoints", "File outside the database to which the audit log's head is "
            "appended after every change, so rows cut off the end of the log are found. It only grows."),
    Setting("index_dir", "index", "Folder of the full-text index: Whoosh's files, and Tantivy's in its tantivy/ subfolder."),
    Setting("search_engine", "tantivy", "Full-text search engine: 'tantivy' (answers in milliseconds at a million documents; "
            "an index missing at start is built from the stored documents) or 'whoosh' (pure Python, slow past ten "
            "thousand documents). After switching, `shoko reindex` brings the chosen index up to date."),
    Setting("ocr_engine", "rapidocr", "OCR engine for scanned pages: 'rapidocr' (PP-OCRv6 small, the models bundled "
            "with the pinned rapidocr wheel, checked by SHA-256, never downloaded) or 'tesseract'. The other one "
            "reads a page the first leaves empty."),
    Setting("ocr_threads", 0, "ONNX Runtime threads per page reader (rapidocr); 0 shares the cores among the "
            "ocr_workers processes."),
    Setting("ocr_device", "cpu", "Where rapidocr runs: 'cpu', or 'cuda' with onnxruntime-gpu and a GPU "
            "(CPU when no CUDA provider is found)."),
    Setting("ocr_languages", "jpn", "Tesseract languages, joined with '+' (e.g. 'jpn+eng'); Tesseract reads pages with "
            "ocr_engine = 'tesseract' and as the fallback, and always finds each page's orientation."),
    Setting("ocr_workers", 0, "Processes that read pages in parallel; 0 means one per CPU core."),
    Setting("ocr_second_reading", 16, "Weak stretches of rows per page that OCR reads a second time, cut out of the "
            "form; the extractor weighs both readings. 0 turns it off: faster, fewer fields filled in."),
    Setting("max_pages", 1000, "Files with more pages are quarantined without being read."),
    Setting("max_megapixels", 200.0, "Pages with more pixels (PDF pages at 300 dpi) are quarantined without being decoded."),
    Setting("page_seconds", 240.0, "Longest time one page may take to read (text layer, rendering, OCR, barcodes); a file "
            "with a slower page is quarantined. 0 means no limit."),
    Setting("reader_memory_mb", 3072, "Resident memory a page-reading process may use; past it the reader exits, the file is "
            "read once more on a fresh process and then quarantined. 0 means no limit."),
    Setting("timezone", "Asia/Tokyo", "Time zone of the hospital, used for every recorded time."),
    Setting("watch_polling", False, "Poll the inbox instead of waiting for file events (for network shares)."),
    Setting("watch_poll_seconds", 2.0, "How often the inbox is polled in polling mode, and rescanned as a safety net otherwise."),
    Setting("watch_settle_seconds", 2.0, "A file must keep its size and modification time this long before it is taken."),
    Setting("search_max_chars", 100, "Longest search query in characters; a longer one is refused with a message (search for a few of its words)."),
    Setting("search_seconds", 2.0, "Time budget of one search; when it runs out, the hits found so far are shown, marked as incomplete."),
    Setting("watch_retry_max_seconds", 60.0, "Longest wait between tries while intake is paused because the disk, vault or database cannot be written."),
    Setting("scan_delay_business_days", 3, "A document taken in more than this many business days (Monday to Friday, "
            "not in scan_holidays) after its document date is flagged for review as a late scan; 0 turns the check off."),
    Setting("scan_holidays", [], "Days the hospital is closed that do not count as business days for "
            "scan_delay_business_days, as ISO dates (e.g. [\"2026-01-01\", \"2026-01-02\"])."),
    Setting("tsa_url", "", "URL of an RFC 3161 time-stamping authority; each stored original gets a timestamp token "
            "from it (kept in DATA_DIR/timestamps). Empty: no timestamps, nothing is sent anywhere."),
    Setting("tsa_ca_file", "", "CA certificate file (PEM) of the time-stamping authority, with which verify checks each "
            "token fully; empty: verify checks only that each token's imprint matches its file."),
    Setting("secret_key", "", "Key that signs web sessions; empty means one generated once and kept in DATA_DIR/secret_key."),
    Setting("session_hours", 10, "Hours a web sign-in stays valid."),
    Setting("session_cookie_secure", False, "Send the session cookie only over HTTPS (Secure) and add an HSTS header; turn on when shoko is reached through TLS (a reverse proxy)."),
    Setting("login_max_failures", 10, "Wrong passwords for one account within login_window_seconds before it is locked for login_lockout_seconds (even the right password is refused meanwhile)."),
    Setting("login_max_failures_per_address", 30, "Failed sign-ins from one client address within login_window_seconds before that address is locked for login_lockout_seconds."),
    Setting("login_window_seconds", 60, "Window in which failed sign-ins are counted for the lock-out."),
    Setting("login_lockout_seconds", 300, "How long an account or address stays locked after too many failed sign-ins."),
    Setting("login_parallel_checks", 2, "Password checks (memory-hard hashing) run at once; further sign-ins wait, so parallel attempts cannot exhaust memory."),
    Setting("server_threads", 8, "Threads of the web server (waitress) that answer requests; more requests wait in line."),
    Setting("server_connection_limit", 100, "Open connections the web server accepts at once; half-sent requests are buffered without holding a thread."),
    Setting("server_trusted_proxy", '', "Address of a reverse proxy (TLS) whose X-Forwarded-For and X-Forwarded-Proto headers are believed; empty trusts none."),
    Setting("contracts_ending_days", 60, "A contract whose end date lies within this many days is listed first on the contracts page and counted on 総務課's work list."),
    Setting("claim_month_switch_day", 10, "Until this day of the month the month view, its CSV and the work list open on the previous month (the one being claimed); from the next day on the current month."),
    Setting("review_prefill_confidence", 0.5, "A value awaiting review read with less confidence than this is shown beside an empty box, not filled in, so one click cannot accept it."),
    Setting("list_page_size", 50, "Rows per page of the work lists (documents, review, patients, contracts); a page size asked for in the address is kept between 10 and 200."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


class Config:
    """Resolved settings, read as attributes (``config.max_pages``)."""

    def __init__(self, values: dict[str, Any]):
        unknown = set(values) - set(_BY_NAME)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        self._values = {s.name: values.get(s.name, s.default) for s in SETTINGS}
        for s in SETTINGS:
            if s.default is not None and not isinstance(self._values[s.name], type(s.default)):
                if not (isinstance(s.default, float) and isinstance(self._values[s.name], int)):
                    raise ConfigError(f"setting {s.name} must be {type(s.default).__name__}")

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).expanduser().resolve()

    def path(self, name: str) -> Path:
        """A folder setting resolved against the data directory."""
        return self.data_path / Path(self._values[name]).expanduser()

    @property
    def inbox_paths(self) -> list[Path]:
        return [self.data_path / Path(p).expanduser() for p in self.inbox_dirs]

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_path / 'shoko.sqlite3'}"

    @property
    def workers(self) -> int:
        return self.ocr_workers or os.cpu_count() or 1


def load_config(config_file: Path | None = None, data_dir: str | None = None) -> Config:
    """Settings from the defaults, the TOML file and the data directory override."""
    path = Path(config_file) if config_file else DEFAULT_CONFIG_FILE
    values: dict[str, Any] = {}
    if path.exists():
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{path}: {e}") from e
    elif config_file:
        raise ConfigError(f"configuration file not found: {path}")
    override = data_dir or os.environ.get("SHOKO_DATA_DIR")
    if override:
        values["data_dir"] = override
    return Config(values)
