"""The document index behind a narrow interface: add, delete, search, rebuild.

Callers depend on ``DocumentIndex`` only: ``WhooshIndex`` (here) and
``TantivyIndex`` (``search.tantivy_index``) implement it, chosen by the
``search_engine`` setting. ``WhooshIndex`` keeps its files in a folder;
``WhooshIndex.in_memory()`` is the same index in RAM, for tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Protocol

from whoosh import collectors, highlight, index as whoosh_index, sorting
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.query import And, Every, Or, Phrase, Prefix, Query, Term
from whoosh.searching import ResultsPage

from kernel.text import normalise_line
from search.analysis import bigrams, japanese_analyzer, query_words, without_leading_zeros
from kernel.errors import QueryTooLong

HIT = "\ue000"  # private-use marks around highlighted text inside snippets
END = "\ue001"
TOLERANT_MIN_CHARS = 5  # Japanese terms this long still match with one misread character
# ... up to this length: the tolerant query of a run of n characters has n clauses of
# n - 2 terms, so a pasted sentence (one run of hundreds of characters) would cost
# gigabytes. A run that long is text copied from a document: it matches exactly.
TOLERANT_MAX_CHARS = 20
TOLERANT_SLOP = 2  # positions a misread match may stretch or shrink by: one character dropped or added
SORTS = ("relevance", "date")  # best first; newest document date first (undated last)


@dataclass(frozen=True)
class QueryLimits:
    """How much one search may ask for: characters in the query and seconds spent
    collecting hits (the ``search_max_chars`` and ``search_seconds`` settings)."""

    max_chars: int = 100
    seconds: float = 2.0


def check_query(text: str, limits: QueryLimits) -> None:
    """Raise ``QueryTooLong`` when ``text`` has more characters than allowed.

    Counted before and after normalisation: NFKC can make one character several
    (㍻ becomes 平成), and the raw length is checked first so that a huge paste
    is refused without being normalised.
    """
    text = text.strip()
    if len(text) > limits.max_chars:
        raise QueryTooLong(len(text), limits.max_chars)
    normalised = normalise_line(text)
    if len(normalised) > limits.max_chars:
        raise QueryTooLong(len(normalised), limits.max_chars)


@dataclass(frozen=True)
class IndexEntry:
    """What the index knows of one document."""

    doc_id: str
    doc_type: str
    title: str
    text: str
    patient_id: str = ""
    patient_name: str = ""
    department: str = ""
    month: str = ""  # YYYY-MM of the document's own date, for filtering
    date: str = ""
    field_text: str = ""  # every field value, searchable beside the text


@dataclass(frozen=True)
class SearchHit:
    doc_id: str
    score: float
    doc_type: str
    title: str
    patient_id: str
    patient_name: str
    date: str
    snippet_parts: tuple[tuple[str, bool], ...]  # (text, highlighted) in order

    @property
    def snippet(self) -> str:
        """The snippet as plain text."""
        return "".join(text for text, _ in self.snippet_parts)


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int
    hits: list[SearchHit] = field(default_factory=list)
    timed_out: bool = False  # the time budget ran out: hits and total are those found by then


class DocumentIndex(Protocol):
    """The operations shoko needs from a full-text index."""

    def add(self, entry: IndexEntry) -> None:
        """Add or replace one document."""

    def delete(self, doc_id: str) -> None:
        """Remove one document (no error when absent)."""

    def add_all(self, entries: Iterable[IndexEntry]) -> int:
        """Add or replace many documents with one writer; returns how many."""

    def search(self, query: str, limit: int = 10, offset: int = 0, doc_type: str | None = None,
               patient_id: str | None = None, department: str | None = None,
               month: str | None = None, limits: QueryLimits | None = None,
               sort: str = "relevance") -> SearchResults:
        """Documents matching every word of ``query`` (AND) with filters: ``limit``
        hits from ``offset`` on, best first (``sort="relevance"``) or newest
        document date first (``sort="date"``); ``total`` counts every match.

        Raises ``QueryTooLong`` past ``limits.max_chars``; stops collecting after
        ``limits.seconds`` (``timed_out`` set).
        """

    def doc_ids(self) -> set[str]:
        """Ids of every indexed document."""

    def rebuild(self, entries: Iterable[IndexEntry]) -> None:
        """Replace the whole index with ``entries``."""


def _schema() -> Schema:
    analyzer = japanese_analyzer()
    return Schema(
        doc_id=ID(stored=True, unique=True),
        doc_type=ID(stored=True),
        patient_id=ID(stored=True),
        department=ID(stored=True),
        month=ID(stored=True),
        date=STORED,
        date_key=ID(sortable=True),
        patient_name=STORED,
        title=TEXT(analyzer=analyzer, stored=True, phrase=True),
        text=TEXT(analyzer=analyzer, stored=True, phrase=True, chars=True),
        fields=TEXT(analyzer=analyzer, phrase=True),
    )


class WhooshIndex:
    """``DocumentIndex`` on Whoosh, in a folder or in memory."""

    def __init__(self, storage_index):
        self._ix = storage_index

    @classmethod
    def open(cls, folder: Path) -> "WhooshIndex":
        """Open the index in ``folder``, creating it when absent."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if whoosh_index.exists_in(str(folder)):
            ix = whoosh_index.open_dir(str(folder))
            if "date_key" not in ix.schema:
                # An index made before sorting by date: documents indexed from now on
                # carry the key, older ones sort as undated until a reindex.
                with ix.writer(timeout=120.0) as writer:
                    writer.add_field("date_key", ID(sortable=True))
                ix = whoosh_index.open_dir(str(folder))
            return cls(ix)
        return cls(whoosh_index.create_in(str(folder), _schema()))

    @classmethod
    def in_memory(cls) -> "WhooshIndex":
        return cls(RamStorage().create_index(_schema()))

    def _writer(self):
        # Another process (the watcher, a command-line ingest) may hold the lock briefly.
        return self._ix.writer(timeout=120.0)

    def add(self, entry: IndexEntry) -> None:
        with self._writer() as writer:
            writer.update_document(**_document(entry))

    def add_all(self, entries: Iterable[IndexEntry]) -> int:
        """Add or replace many documents in one writer (one commit); returns how many."""
        count = 0
        with self._writer() as writer:
            for entry in entries:
                writer.update_document(**_document(entry))
                count += 1
        return count

    def delete(self, doc_id: str) -> None:
        with self._writer() as writer:
            writer.delete_by_term("doc_id", doc_id)

    def doc_ids(self) -> set[str]:
        with self._ix.searcher() as searcher:
            return {stored["doc_id"] for stored in searcher.all_stored_fields()}

    def rebuild(self, entries: Iterable[IndexEntry]) -> None:
        with self._writer() as writer:
            writer.delete_by_query(Every())
            for entry in entries:
                writer.add_document(**_document(entry))

    def search(self, query, limit=10, offset=0, doc_type=None, patient_id=None, department=None, month=None,
               limits=None, sort="relevance"):
        """See ``DocumentIndex.search``; ``limits`` default to ``QueryLimits()`` (the settings' defaults)."""
        limits = limits or QueryLimits()
        check_query(query, limits)
        check_sort(sort)
        parsed = build_query(query)
        filters = [Term(name, value) for name, value in (
            ("doc_type", doc_type), ("patient_id", patient_id), ("department", department), ("month", month),
        ) if value]
        if parsed is None and not filters:
            return SearchResults(query, 0, [])
        q = And([parsed or Every(), *filters]) if filters else parsed
        with self._ix.searcher() as searcher:
            page = offset // limit + 1 if limit else 1
            by_date = sort == "date" and "date_key" in self._ix.schema
            results, timed_out = _collect(searcher, q, page, limit, limits.seconds, by_date)
            results.results.highlighter = highlight.Highlighter(
                fragmenter=highlight.ContextFragmenter(maxchars=160, surround=40),
                formatter=_MarkFormatter(),
            )
            hits = []
            for hit in results:
                marked = hit.highlights("text", top=2) if parsed is not None else ""
                if not marked:
                    marked = hit["text"][:120]
                hits.append(SearchHit(
                    doc_id=hit["doc_id"], score=round(float(hit.score or 0.0), 3), doc_type=hit["doc_type"],
                    title=hit.get("title", ""), patient_id=hit.get("patient_id", ""),
                    patient_name=hit.get("patient_name", ""), date=hit.get("date", ""),
                    snippet_parts=_parts(marked),
                ))
            return SearchResults(query, results.total, hits, timed_out)


def check_sort(sort: str) -> None:
    """Raise ``ValueError`` for a sort order that is not one of ``SORTS``."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r} (one of: {', '.join(SORTS)})")


def _collect(searcher, q, page: int, pagelen: int, seconds: float, by_date: bool = False) -> tuple[ResultsPage, bool]:
    """``searcher.search_page`` under a time limit; True with the hits found so far when it ran out.

    The top collector counts every match as it goes (no block-quality skipping, and
    no replacing of the matcher by one that drops low-scoring documents), so the
    total needs no second, unbounded run of the query as ``search_page`` makes.
    The limit is checked between matching documents without SIGALRM, which only the
    main thread may use (the web server answers in worker threads). ``by_date``
    orders by the document's date, newest first.
    """
    if by_date:
        inner = collectors.SortingCollector(sorting.FieldFacet("date_key", reverse=True), limit=page * pagelen)
    else:
        inner = collectors.TopCollector(limit=page * pagelen, usequality=False, replace=0)
    limited = collectors.TimeLimitCollector(collectors.TermsCollector(inner), timelimit=seconds, use_alarm=False)
    timed_out = False
    try:
        searcher.search_with_collector(q, limited)
    except collectors.TimeLimit:
        timed_out = True
    return ResultsPage(limited.results(), page, pagelen), timed_out


def build_query(text: str) -> Query | None:
    """The query for a user's words: every word must match (AND).

    A Japanese word matches as a phrase of its bigrams in the text, the title or
    the field values; a long one also matches with one misread character, ranked
    below exact matches. A space inside a Japanese name does not matter because
    normalisation removes it before the words are split (``query_words``).
    """
    clauses = [_word_query(pieces) for pieces in query_words(text)]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else And(clauses)


def _word_query(pieces: list[tuple[str, str]]) -> Query:
    parts = []
    for kind, run in pieces:
        if kind == "word":
            exact = _in_any_field(lambda f, r=run: Term(f, r))
            stripped = without_leading_zeros(run)
            # Indexed numbers carry their form without zeros too: 00123 finds 0123 and 123.
            parts.append(Or([exact, _in_any_field(lambda f: Term(f, stripped), boost=0.5)]) if stripped else exact)
        elif len(run) == 1:
            parts.append(_in_any_field(lambda f, r=run: Prefix(f, r)))
        else:
            parts.append(_run_query(run))
    return parts[0] if len(parts) == 1 else And(parts)


def _run_query(run: str) -> Query:
    grams = bigrams(run)
    exact = _in_any_field(lambda f: _phrase(f, grams), boost=2.0)
    if not TOLERANT_MIN_CHARS <= len(run) <= TOLERANT_MAX_CHARS:
        return exact
    # One misread character spoils the (up to) two bigrams that contain it: the others
    # must still be there in order, a little apart where it was (misread: three
    # positions, dropped: two, one too many: four).
    tolerant = [
        Phrase("text", [g for j, g in enumerate(grams) if j not in (i - 1, i)], slop=TOLERANT_SLOP + 2)
        for i in range(len(run))
    ]
    return Or([exact, Or(tolerant, boost=0.5)])


def _phrase(fieldname: str, grams: list[str]) -> Query:
    return Term(fieldname, grams[0]) if len(grams) == 1 else Phrase(fieldname, grams)


def _in_any_field(make, boost: float = 1.0) -> Query:
    return Or([make("text"), make("title"), make("fields")], boost=boost)


def _document(entry: IndexEntry) -> dict:
    return dict(
        doc_id=entry.doc_id, doc_type=entry.doc_type, patient_id=entry.patient_id,
        department=entry.department, month=entry.month, date=entry.date, date_key=entry.date,
        patient_name=entry.patient_name,
        title=entry.title, text=entry.text, fields=normalise_line(entry.field_text),
    )


class _MarkFormatter(highlight.Formatter):
    between = " … "

    def format_token(self, text, token, replace=False):
        return f"{HIT}{highlight.get_text(text, token, replace)}{END}"


def _parts(marked: str) -> tuple[tuple[str, bool], ...]:
    """Split a marked snippet into (text, highlighted) parts, merging adjacent marks."""
    marked = marked.replace(END + HIT, "")
    parts = []
    for i, chunk in enumerate(marked.replace(END, HIT).split(HIT)):
        if chunk:
            parts.append((chunk, i % 2 == 1))
    return tuple(parts)
