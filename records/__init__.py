"""The system of record: documents, fields and their history, billing links, the
vault of originals and the audit chain. Every write to the database goes through
``Records``; this room knows nothing of OCR or HTTP.
"""

from records.store import NewDischarge, Records, StoredDocument, format_doc_id, parse_doc_id

__all__ = ["NewDischarge", "Records", "StoredDocument", "format_doc_id", "parse_doc_id"]
