"""``DocumentIndex`` on Tantivy (Rust): the same queries as Whoosh, in milliseconds at a million documents.

Text is analysed here, in Python, exactly as ``search.analysis`` does for Whoosh
(folded, bigrams over Japanese runs, words over latin letters and digits), and
handed to Tantivy as one token per whitespace-separated word: Tantivy's
whitespace tokenizer then gives each token its real position, so a phrase of
bigrams matches them only in order (Tantivy's own ``ngram`` tokenizer puts every
gram at position 0, which turns phrases into unordered ANDs). Two marker tokens
after each Japanese run, removed as stop words, leave a hole of two positions so
a phrase cannot run across two runs (酸素/素療法 is not 酸素療法), even one that
checks only every other bigram (``_exact_grams``).

Fields:

- ``body``: the text; ``head``: the title and field values (positions kept);
- ``extra``: what a one-character query or a partial word looks for without
  positions: each distinct Japanese character, the letters and digits of a glued
  word (5L gives 5 and l), a number without its leading zeros;
- ``doc_type``, ``department``, ``month``, ``patient`` (without leading zeros):
  the filters; ``date_key`` (YYYYMMDD, fast field) orders by date;
- ``record``: the stored hit (title, patient, date, text) as JSON, read only
  for the hits of the page shown, for the snippets.
"""

from __future__ import annotations

import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout
from operator import add
from pathlib import Path
from typing import Iterable

import tantivy

from kernel.text import normalise_line
from search.analysis import LETTERS_OR_DIGITS, bigrams, fold, japanese_runs, query_words, without_leading_zeros
from search.index import (
    TOLERANT_MAX_CHARS, TOLERANT_MIN_CHARS, TOLERANT_SLOP, IndexEntry, QueryLimits, SearchHit, SearchResults, check_query,
    check_sort,
)
from search.snippets import snippet_parts

TOKENIZER = "shoko_tokens"
GAP = "|"  # never part of a run, so never a real token; a stop word, it only takes a position
WRITER_TIMEOUT = 120.0  # another process (the watcher, a command-line ingest) may hold the lock
BATCH = 10_000  # documents per commit when many are added at once
EXACT_BOOST = 2.0
# Misread matches score a tenth of what they would (exact ones double), so they rank after
# exact ones yet among themselves by relevance.
TOLERANT_BOOST = 0.1
# A misread-tolerant clause whose rarest bigram is in more documents than this is left out:
# its cost grows with them, and a word that common has exact matches to show first anyway.
TOLERANT_CANDIDATES = 10_000
SEARCH_THREADS = 4  # searches that may run past their time budget at once
_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("doc_id", stored=True, tokenizer_name="raw", index_option="basic")
    for name in ("doc_type", "department", "month", "patient"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("body", tokenizer_name=TOKENIZER, index_option="position")
    builder.add_text_field("head", tokenizer_name=TOKENIZER, index_option="position")
    builder.add_text_field("extra", tokenizer_name=TOKENIZER, index_option="freq")
    builder.add_integer_field("date_key", fast=True)
    builder.add_bytes_field("record", stored=True)
    return builder.build()


def _analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
            .filter(tantivy.Filter.custom_stopword([GAP])).build())


class TantivyIndex:
    """``DocumentIndex`` on Tantivy, in a folder or in memory.

    One object is shared by the web server's threads and the watcher: writes are
    serialised by a lock and open a short-lived writer (the index's file lock lets
    other processes write in between); searches run concurrently.
    """

    def __init__(self, ix: tantivy.Index):
        ix.register_tokenizer(TOKENIZER, _analyzer())
        self._ix = ix
        self._schema = _schema()
        self._write_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=SEARCH_THREADS, thread_name_prefix="tantivy-search")

    @classmethod
    def open(cls, folder: Path) -> "TantivyIndex":
        """Open the index in ``folder``, creating it when absent."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if tantivy.Index.exists(str(folder)):
            return cls(tantivy.Index.open(str(folder)))
        return cls(tantivy.Index(_schema(), path=str(folder)))

    @classmethod
    def in_memory(cls) -> "TantivyIndex":
        """The same index in RAM, for tests."""
        return cls(tantivy.Index(_schema()))

    @staticmethod
    def exists(folder: Path) -> bool:
        """Whether ``folder`` holds a Tantivy index."""
        return Path(folder).is_dir() and tantivy.Index.exists(str(folder))

    # -- writing ---------------------------------------------------------------

    def _writer(self, heap_mb: int = 50, threads: int = 1) -> tantivy.IndexWriter:
        deadline = time.monotonic() + WRITER_TIMEOUT
        while True:
            try:
                return self._ix.writer(heap_size=heap_mb * 1_000_000, num_threads=threads)
            except ValueError as e:
                if "lock" not in str(e).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def _finish(self, writer: tantivy.IndexWriter) -> None:
        writer.commit()
        writer.wait_merging_threads()  # merges the commit started finish before the writer's lock is let go
        self._ix.reload()

    def add(self, entry: IndexEntry) -> None:
        """Add or replace one document."""
        self.add_all([entry])

    def add_all(self, entries: Iterable[IndexEntry]) -> int:
        """Add or replace many documents with one writer, committing every ``BATCH``; returns how many."""
        count = 0
        with self._write_lock:
            writer = self._writer(heap_mb=200, threads=2)
            try:
                for entry in entries:
                    writer.delete_documents_by_term("doc_id", entry.doc_id)
                    writer.add_document(_document(entry))
                    count += 1
                    if count % BATCH == 0:
                        writer.commit()
            except BaseException:
                writer.rollback()
                raise
            self._finish(writer)
        return count

    def delete(self, doc_id: str) -> None:
        """Remove one document (no error when absent)."""
        with self._write_lock:
            writer = self._writer()
            writer.delete_documents_by_term("doc_id", doc_id)
            self._finish(writer)

    def rebuild(self, entries: Iterable[IndexEntry]) -> None:
        """Replace the whole index with ``entries`` in one commit: searches see the
        old index until the new one is complete."""
        with self._write_lock:
            writer = self._writer(heap_mb=400, threads=2)
            try:
                writer.delete_all_documents()
                for entry in entries:
                    writer.add_document(_document(entry))
            except BaseException:
                writer.rollback()
                raise
            self._finish(writer)

    # -- reading ---------------------------------------------------------------

    def doc_ids(self) -> set[str]:
        """Ids of every indexed document, from the term dictionary (no stored text is read)."""
        searcher = self._ix.searcher()
        if not searcher.num_docs:
            return set()
        # The filter leaves out deleted documents whose terms are still in the dictionary.
        return {term for term, _ in searcher.terms_with_prefix("doc_id", "", filter_query=tantivy.Query.all_query())}

    def search(self, query: str, limit: int = 10, offset: int = 0, doc_type: str | None = None,
               patient_id: str | None = None, department: str | None = None, month: str | None = None,
               limits: QueryLimits | None = None, sort: str = "relevance") -> SearchResults:
        """See ``DocumentIndex.search``. Tantivy cannot be interrupted, so the search
        runs on a worker thread and is given up (``timed_out``, no hits) when the
        time budget runs out first; its cost is bounded by the query's shape."""
        started = time.monotonic()
        limits = limits or QueryLimits()
        check_query(query, limits)
        check_sort(sort)
        words = query_words(query)
        filters = [self._term(name, value) for name, value in (
            ("doc_type", doc_type), ("patient", _patient_key(patient_id)), ("department", department),
            ("month", month)) if value]
        if not words and not filters:
            return SearchResults(query, 0, [])
        searcher = self._ix.searcher()
        clauses = [self._word_query(pieces, searcher) for pieces in words] + filters
        q = _all_of(clauses) if words else _all_of([tantivy.Query.all_query(), *filters])
        remaining = limits.seconds - (time.monotonic() - started)
        if remaining <= 0:
            return SearchResults(query, 0, [], timed_out=True)
        job = self._pool.submit(searcher.search, q, max(1, limit), True,
                                "date_key" if sort == "date" else None, max(0, offset))
        try:
            found = job.result(timeout=remaining)
        except FutureTimeout:
            return SearchResults(query, 0, [], timed_out=True)
        hits = []
        for score, address in found.hits[:limit]:
            doc = searcher.doc(address)
            stored = json.loads(doc.get_first("record"))
            hits.append(SearchHit(
                doc_id=doc.get_first("doc_id"), score=round(float(score), 3) if sort == "relevance" else 0.0,
                doc_type=stored["doc_type"], title=stored["title"], patient_id=stored["patient_id"],
                patient_name=stored["patient_name"], date=stored["date"],
                snippet_parts=snippet_parts(stored["text"], words),
            ))
        return SearchResults(query, found.count or 0, hits)

    # -- queries ---------------------------------------------------------------

    def _term(self, field: str, value: str) -> tantivy.Query:
        return tantivy.Query.term_query(self._schema, field, value)

    def _phrase(self, field: str, grams: list[str]) -> tantivy.Query:
        # A one-term phrase query panics in Tantivy: one bigram is a term.
        if len(grams) == 1:
            return self._term(field, grams[0])
        return tantivy.Query.phrase_query(self._schema, field, _exact_grams(grams))

    def _word_query(self, pieces: list[tuple[str, str]], searcher: tantivy.Searcher) -> tantivy.Query:
        parts = []
        for kind, run in pieces:
            if kind == "word":
                q = _any_of([self._term(f, run) for f in ("body", "head", "extra")])
                stripped = without_leading_zeros(run)
                if stripped:  # indexed numbers carry their form without zeros too
                    q = _any_of([tantivy.Query.boost_query(q, EXACT_BOOST), self._term("extra", stripped)])
                parts.append(q)
            elif len(run) == 1:
                parts.append(self._term("extra", run))
            else:
                parts.append(self._run_query(run, searcher))
        return _all_of(parts)

    def _run_query(self, run: str, searcher: tantivy.Searcher) -> tantivy.Query:
        """A Japanese run: its bigrams in order in the text or the title and fields;
        from ``TOLERANT_MIN_CHARS`` to ``TOLERANT_MAX_CHARS`` characters, also in
        the text with one character misread, dropped or added (every bigram but the
        one or two that hold it, in order at their places give or take
        ``TOLERANT_SLOP``), scored below any exact match. A tolerant clause is
        kept only when its rarest bigram is in at most ``TOLERANT_CANDIDATES``
        documents (the term dictionary tells, without searching), so its cost is
        bounded however large the index grows."""
        grams = bigrams(run)
        exact = tantivy.Query.boost_query(
            _any_of([self._phrase("body", grams), self._phrase("head", grams)]), EXACT_BOOST)
        if not TOLERANT_MIN_CHARS <= len(run) <= TOLERANT_MAX_CHARS:
            return exact
        frequency = {g: searcher.doc_freq("body", g) for g in set(grams)}
        clauses = []
        for i in range(len(run)):
            kept = [(j, g) for j, g in enumerate(grams) if j not in (i - 1, i)]
            if min(frequency[g] for _, g in kept) <= TOLERANT_CANDIDATES:
                clauses.append(tantivy.Query.phrase_query(self._schema, "body", kept, slop=TOLERANT_SLOP))
        if not clauses:
            return exact
        # Among misread matches, those holding more of the run's bigrams anywhere come first
        # (撤去 ボンベ: the documents that also say 撤去); the bigrams only score, never match.
        tolerant = tantivy.Query.boolean_query([(tantivy.Occur.Must, _any_of(clauses)), *(
            (tantivy.Occur.Should, self._term("body", g)) for g in frequency)])
        return _any_of([exact, tantivy.Query.boost_query(tolerant, TOLERANT_BOOST)])


def _exact_grams(grams: list[str]) -> list[tuple[int, str]]:
    """Every other bigram of a run, and its last, at their offsets: they pin every
    character in place (ab at 0 and cd at 2 is abcd), with half the positions to check."""
    return [(j, g) for j, g in enumerate(grams) if j % 2 == 0 or j == len(grams) - 1]


def _all_of(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])


def _any_of(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def _patient_key(patient_id: str | None) -> str | None:
    """A patient id as filtered on: without leading zeros, so 123456 and 00123456 are one patient."""
    if not patient_id:
        return patient_id
    return without_leading_zeros(patient_id) or patient_id


def _date_key(date: str) -> int:
    """YYYYMMDD of an ISO date (a month alone sorts as its day 0); 0 when there is none (sorts last)."""
    m = _DATE.match(date or "")
    return int(f"{m[1]}{m[2]}{m[3] or '00'}") if m else 0


def _tokens(text: str, positional: list[str], extra: set[str]) -> None:
    """Append ``text``'s tokens to ``positional`` (bigrams and words, a gap after
    each Japanese run) and what only ``extra`` holds to ``extra``.

    The same tokens as ``search.analysis.JapaneseTokenizer``, written for speed
    (reindexing runs this on every document): bigrams by ``map`` over the run.
    """
    for kind, run, _ in japanese_runs(fold(text)):
        if kind == "word":
            positional.append(run)
            parts = LETTERS_OR_DIGITS.findall(run)
            if len(parts) > 1:  # 1.5L/分 reads 5L as one word: L/分 finds it by l
                extra.update(parts)
            stripped = without_leading_zeros(run)
            if stripped:
                extra.add(stripped)
        else:
            positional.extend(map(add, run, run[1:]) if len(run) > 1 else (run,))
            positional += (GAP, GAP)
            extra.update(run)


def _document(entry: IndexEntry) -> tantivy.Document:
    body: list[str] = []
    head: list[str] = []
    extra: set[str] = set()
    _tokens(entry.text, body, extra)
    _tokens(entry.title, head, extra)
    head.append(GAP)
    _tokens(normalise_line(entry.field_text), head, extra)
    values = {
        "doc_id": entry.doc_id, "body": " ".join(body), "head": " ".join(head), "extra": " ".join(extra),
        "date_key": _date_key(entry.date),
        "record": json.dumps({
            "doc_type": entry.doc_type, "title": entry.title, "patient_id": entry.patient_id,
            "patient_name": entry.patient_name, "date": entry.date, "text": entry.text,
        }, ensure_ascii=False).encode("utf-8"),
    }
    for name, value in (("doc_type", entry.doc_type), ("department", entry.department), ("month", entry.month),
                        ("patient", _patient_key(entry.patient_id))):
        if value:
            values[name] = value
    return tantivy.Document(**values)
