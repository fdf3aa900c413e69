"""Japanese analysis for Whoosh: character bigrams for Japanese, words for the rest.

Tesseract splits and joins Japanese words unpredictably, and a morphological
analyzer trained on clean prose segments OCR noise badly; overlapping character
bigrams find a term wherever its characters appear in order (bench/search_quality.py
compares the choices). Latin words and numbers are kept whole and lower-cased, so
SpO2 and 00123456 are searchable as words.

The analyzer expects text already normalised by ``kernel.text`` (NFKC,
spaces between Japanese characters removed): documents are stored that way and
queries are normalised before analysis, so character offsets stay those of the
stored text and highlights land on the right characters.
"""

from __future__ import annotations

import re

from whoosh.analysis import Token, Tokenizer

from kernel.text import JAPANESE_CHAR

_RUNS = re.compile(f"(?P<ja>{JAPANESE_CHAR}+)|(?P<word>[0-9A-Za-z]+)")
_LETTERS_OR_DIGITS = re.compile(r"[A-Za-z]+|[0-9]+")


def japanese_runs(text: str) -> list[tuple[str, str, int]]:
    """Split text into ("ja" | "word", run, start offset) pieces; the rest separates."""
    return [(m.lastgroup, m.group(), m.start()) for m in _RUNS.finditer(text)]


def bigrams(run: str) -> list[str]:
    """Overlapping character bigrams of a Japanese run (a single character stays whole)."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


class JapaneseTokenizer(Tokenizer):
    """Bigrams over Japanese runs, lower-cased words over latin letters and digits.

    At index time the last character of each Japanese run is also emitted alone,
    so a one-character query (肺) finds runs that end with it.
    """

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for kind, run, offset in japanese_runs(value):
            if kind == "word":
                pieces = [(run.lower(), offset, offset + len(run))]
                if mode != "query":
                    # "1.5L/分" reads 5L as one word: index L and 5 alone too, so L/分 finds it.
                    parts = list(_LETTERS_OR_DIGITS.finditer(run))
                    if len(parts) > 1:
                        pieces += [(m.group().lower(), offset + m.start(), offset + m.end()) for m in parts]
            else:
                pieces = [(g, offset + i, offset + i + len(g)) for i, g in enumerate(bigrams(run))]
                if mode != "query" and len(run) > 1:
                    pieces.append((run[-1], offset + len(run) - 1, offset + len(run)))
            for text, start, end in pieces:
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = text
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + start
                    token.endchar = start_char + end
                pos += 1
                yield token


def japanese_analyzer() -> JapaneseTokenizer:
    """The analyzer used for text, titles and field values."""
    return JapaneseTokenizer()
