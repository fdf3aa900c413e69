"""Exceptions raised by shoko.

Every error shoko raises on purpose derives from one root, so callers can catch
``ShokoError`` and know the failure is understood. Errors met while reading a file
carry a reason in Japanese that a clerk can act on (``reason``) and the technical
detail for the log (``detail``); the quarantine reason file is written from them.

    ShokoError
    ├── ConfigError            bad or missing configuration
    ├── IngestError            a file cannot become a document (it is quarantined)
    │   ├── EmptyFile          zero bytes
    │   ├── UnexpectedError    a fault in shoko itself while handling one file
    │   ├── UnsupportedFormat  not a PDF, PNG, JPEG or TIFF
    │   ├── EncryptedFile      password-protected PDF
    │   ├── UnreadableFile     corrupt or truncated content
    │   │   └── NotARegularFile   a symbolic link, FIFO, device or socket (never followed)
    │   ├── OcrFailed          Tesseract failed or timed out on a page
    │   ├── PageTooSlow        a page took longer than page_seconds to read
    │   └── TooLarge           over the page-count or pixel limit
    ├── IntakePaused           storage cannot be written now (disk full, locked): retried later
    ├── RecordsError           the system of record refused a change
    │   └── UnknownDocument    no document with that id
    ├── SearchError            a search that cannot be run
    │   └── QueryTooLong       more characters than search_max_chars
    └── IntegrityError         an original or the audit chain does not match its record
"""


class ShokoError(Exception):
    """Root of every error shoko raises on purpose."""


class ConfigError(ShokoError):
    """The configuration file or a setting in it is invalid."""


class IngestError(ShokoError):
    """A file could not be turned into a document; it goes to quarantine.

    ``reason`` is shown to clerks (Japanese, no jargon); ``detail`` is for the log.
    """

    reason = "ファイルを読み取れませんでした"

    def __init__(self, detail: str = "", reason: str | None = None):
        super().__init__(detail or self.reason)
        self.detail = detail
        if reason is not None:
            self.reason = reason

    def __reduce__(self):
        # Raised in worker processes: keep the custom reason across pickling.
        return (self.__class__, (self.detail, self.reason))


class EmptyFile(IngestError):
    reason = "空のファイルです（0バイト）。スキャンをやり直してください"


class UnsupportedFormat(IngestError):
    reason = "対応していない種類のファイルです（PDF・PNG・JPEG・TIFFのみ取り込めます）"


class EncryptedFile(IngestError):
    reason = "パスワードで保護（暗号化）されたPDFのため読み取れません。保護を解除してから入れ直してください"


class UnreadableFile(IngestError):
    reason = "ファイルが壊れているか途中までしか保存されていないため読み取れません。スキャンをやり直してください"


class OcrFailed(IngestError):
    reason = "文字認識（OCR）が途中で失敗しました。ファイルを確認して入れ直してください"


class PageTooSlow(IngestError):
    reason = "ページの読み取りが制限時間を超えました（壊れたファイルか、極端に複雑なページです）。原本を確認してください"


class TooLarge(IngestError):
    reason = "ファイルが大きすぎます（ページ数または画素数が上限を超えています）。分割してから入れ直してください"


class RecordsError(ShokoError):
    """The records layer refused a change."""


class UnknownDocument(RecordsError):
    """No document has the given id."""


class SearchError(ShokoError):
    """A search that shoko refuses to run; the message is shown to staff as is."""


class QueryTooLong(SearchError):
    """The query has more characters than allowed (``search_max_chars``).

    Refused rather than cut: a cut query would silently search for something the
    user did not ask for, and a pasted page is better found by a few of its words.
    """

    def __init__(self, length: int, limit: int):
        super().__init__(f"検索語が長すぎます（{length}文字）。{limit}文字以内の語で検索してください。")
        self.length = length
        self.limit = limit


class IntegrityError(ShokoError):
    """An original or the audit chain no longer matches what was recorded."""


class IntakePaused(ShokoError):
    """The data directory, vault or database cannot be written now (disk full, locked,
    read-only): no file is at fault, so none is quarantined; the file stays where it is
    and intake is tried again later. ``reason`` is shown to staff (Japanese)."""

    def __init__(self, detail: str, reason: str = "保存先に書き込めないため取り込みを一時停止しています"):
        super().__init__(detail)
        self.detail = detail
        self.reason = reason


class NotARegularFile(UnreadableFile):
    """A symbolic link, FIFO, device or socket: never followed, read nor copied."""

    reason = "シンボリックリンクや特殊なファイルは取り込みません（リンク先は読みません）。ファイルそのものを入れてください"


class UnexpectedError(IngestError):
    """A fault in shoko itself met while handling one file: that file is set aside."""

    reason = "取り込み中に予期しないエラーが起きたため取り込めませんでした。システム管理者に連絡してください"
