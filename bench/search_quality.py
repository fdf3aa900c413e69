"""Compare Japanese analyses for search on a corpus's queries: character bigrams
(what shoko uses), SudachiPy morphemes, and both together.

The documents' text is taken from an ingested data directory (real OCR output,
so the comparison includes OCR noise); each analysis gets its own in-memory
Whoosh index over the same texts. Needs ``pip install sudachipy sudachidict_core``
(not a runtime dependency of shoko).

    .venv/bin/shoko --data-dir /tmp/corpus ingest ../shared/corpus-dev/docs
    .venv/bin/python bench/search_quality.py ../shared/corpus-dev --data-dir /tmp/corpus

Recall@10 counts relevant files in the first ten hits out of min(10, relevant).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from sudachipy import dictionary, tokenizer
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.query import And, Or, Phrase, Term

from kernel.text import normalise_line
from records import Records
from search.analysis import japanese_analyzer
from search.index import build_query


class SudachiTokenizer(Tokenizer):
    """Morphemes (SplitMode C, lower-cased surface) with positions and offsets."""

    _tokenizer = None  # created on first use: Whoosh pickles the schema, Sudachi cannot be pickled

    def __getstate__(self):
        return {}

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        if SudachiTokenizer._tokenizer is None:
            SudachiTokenizer._tokenizer = dictionary.Dictionary().create()
        for line in value.split("\n"):
            for m in self._tokenizer.tokenize(line[:10000], tokenizer.Tokenizer.SplitMode.C):
                text = m.surface().strip().lower()
                if not text:
                    continue
                token.text, token.boost, token.stopped = text, 1.0, False
                if positions:
                    token.pos = pos
                pos += 1
                yield token


def sudachi_query(field: str, analyzer, words: list[str]):
    clauses = []
    for word in words:
        tokens = [t.text for t in analyzer(word, mode="query")]
        if tokens:
            clauses.append(Term(field, tokens[0]) if len(tokens) == 1 else Phrase(field, tokens))
    return And(clauses) if len(clauses) > 1 else (clauses[0] if clauses else None)


def run(name, texts, queries, make_query, fields):
    storage = RamStorage()
    # "title" and "fields" exist (empty) because shoko's query also looks there.
    empty = {"title": TEXT(analyzer=japanese_analyzer()), "fields": TEXT(analyzer=japanese_analyzer())}
    schema = Schema(name=ID(stored=True), **empty, **fields)
    ix = storage.create_index(schema)
    started = time.perf_counter()
    with ix.writer() as w:
        for file_name, text in texts.items():
            w.add_document(name=file_name, **{f: text for f in fields})
    index_seconds = time.perf_counter() - started
    recalls, reciprocal, started = [], [], time.perf_counter()
    misses = []
    with ix.searcher() as s:
        for q in queries:
            query = make_query(q["q"])
            hits = [h["name"] for h in s.search(query, limit=10)] if query is not None else []
            relevant = set(q["relevant"])
            recalls.append(len(relevant & set(hits)) / min(10, len(relevant)))
            rank = next((i for i, h in enumerate(hits, 1) if h in relevant), None)
            reciprocal.append(1 / rank if rank else 0.0)
            if recalls[-1] < 1:
                misses.append(q["q"])
    query_ms = (time.perf_counter() - started) / len(queries) * 1000
    print(f"{name:18} recall@10 {sum(recalls) / len(recalls):.4f}  MRR {sum(reciprocal) / len(reciprocal):.4f}  "
          f"index {index_seconds:5.1f} s  query {query_ms:5.1f} ms  missed: {', '.join(misses) or '-'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args()
    queries = json.loads((args.corpus / "queries.json").read_text(encoding="utf-8"))
    data = args.data_dir
    records = Records(f"sqlite:///{data / 'shoko.sqlite3'}", data / "originals", data / "quarantine")
    texts = {d.source_name: d.text for d in records.all_documents()}
    print(f"{len(texts)} documents, {len(queries)} queries")

    bigram = japanese_analyzer()
    sudachi = SudachiTokenizer()

    def sudachi_words(q):
        return normalise_line(q).split()

    run("bigram", texts, queries, build_query, {"text": TEXT(analyzer=bigram, phrase=True)})
    run("sudachi", texts, queries, lambda q: sudachi_query("morph", sudachi, sudachi_words(q)),
        {"morph": TEXT(analyzer=sudachi, phrase=True)})

    def both(q):
        parts = [p for p in (build_query(q), sudachi_query("morph", sudachi, sudachi_words(q))) if p]
        return Or(parts) if parts else None

    run("bigram + sudachi", texts, queries, both,
        {"text": TEXT(analyzer=bigram, phrase=True), "morph": TEXT(analyzer=sudachi, phrase=True)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
