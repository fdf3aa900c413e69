"""Highlighted snippets computed from a document's stored text and the query's words.

Used by engines whose own highlighter cannot work from pre-tokenized bigrams
(Tantivy). Only the hits of the page shown are highlighted, and the text is
searched with ``str.find`` and small regular expressions, never tokenized, so a
snippet costs microseconds even for long documents.
"""

from __future__ import annotations

import re
from itertools import islice

from search.analysis import bigrams, fold, without_leading_zeros

MAX_CHARS = 160  # one fragment, as the Whoosh highlighter cuts them
SURROUND = 40  # characters of context before the first and after the last match
FRAGMENTS = 2
SEPARATOR = " … "
PLAIN_CHARS = 120  # the start of the text when nothing in it matched (a title or field hit)
MAX_MATCHES = 20  # per query piece: enough to choose fragments, bounded for a word in every line

Parts = tuple[tuple[str, bool], ...]


def snippet_parts(text: str, words: list[list[tuple[str, str]]]) -> Parts:
    """(text, highlighted) parts of up to two fragments of ``text`` around the
    query's matches, best fragments (most distinct words) first chosen, shown in
    text order; ``words`` as ``search.analysis.query_words`` gives them."""
    if not text:
        return ()
    folded = fold(text)  # character for character: offsets are those of ``text``
    spans: list[tuple[int, int, int]] = []  # start, end, which word
    for n, pieces in enumerate(words):
        for kind, run in pieces:
            spans += ((start, end, n) for start, end in _matches(folded, kind, run))
    if not spans:
        return ((text[:PLAIN_CHARS], False),)
    spans.sort()
    chosen = sorted(sorted(_fragments(spans, len(text)), key=lambda f: (-f[0], -f[1], f[2]))[:FRAGMENTS],
                    key=lambda f: f[2])
    parts: list[tuple[str, bool]] = []
    for i, (_, _, start, end, inside) in enumerate(chosen):
        if i:
            parts.append((SEPARATOR, False))
        parts += _mark(text, start, end, inside)
    return _merge(parts)


def _matches(folded: str, kind: str, run: str) -> list[tuple[int, int]]:
    if kind == "word":
        return [m.span(1) for m in islice(_word_pattern(run).finditer(folded), MAX_MATCHES)]
    found = _find_all(folded, run)
    if not found and len(run) > 1:
        # Matched with a misread character (or only in the title): show the bigrams that are there.
        for gram in bigrams(run):
            found += _find_all(folded, gram)
    return found


def _find_all(folded: str, needle: str) -> list[tuple[int, int]]:
    found, at = [], folded.find(needle)
    while at >= 0 and len(found) < MAX_MATCHES:
        found.append((at, at + len(needle)))
        at = folded.find(needle, at + 1)
    return found


def _word_pattern(word: str) -> re.Pattern:
    """A latin word or number where the analyzer would see it: not inside a longer
    run of letters (for letters) or digits (for a number, leading zeros allowed)."""
    if word.isdigit():
        body = "0*" + re.escape(without_leading_zeros(word) or word)
        edge = "0-9"
    elif word.isalpha():
        body, edge = re.escape(word), "a-z"
    else:
        body, edge = re.escape(word), "0-9a-z"
    return re.compile(f"(?<![{edge}])({body})(?![{edge}])")


def _fragments(spans: list[tuple[int, int, int]], length: int):
    """(distinct words, matches, start, end, spans inside) of each fragment: spans
    gathered greedily while they fit in ``MAX_CHARS`` with their context."""
    i = 0
    while i < len(spans):
        start = max(0, spans[i][0] - SURROUND)
        j, end = i, spans[i][1]
        while j + 1 < len(spans) and spans[j + 1][1] - start <= MAX_CHARS - SURROUND:
            j += 1
            end = max(end, spans[j][1])
        inside = spans[i:j + 1]
        yield len({n for _, _, n in inside}), len(inside), start, min(length, end + SURROUND), inside
        i = j + 1


def _mark(text: str, start: int, end: int, inside) -> list[tuple[str, bool]]:
    parts, at = [], start
    for s, e, _ in inside:
        s, e = max(s, at), min(e, end)
        if e <= s:
            continue  # overlaps a match already marked
        parts += [(text[at:s], False), (text[s:e], True)]
        at = e
    parts.append((text[at:end], False))
    return parts


def _merge(parts: list[tuple[str, bool]]) -> Parts:
    """Drop empty parts and join neighbours of the same kind (two adjacent bigrams read as one mark)."""
    merged: list[tuple[str, bool]] = []
    for chunk, marked in parts:
        if not chunk:
            continue
        if merged and merged[-1][1] == marked:
            merged[-1] = (merged[-1][0] + chunk, marked)
        else:
            merged.append((chunk, marked))
    return tuple(merged)
