"""Japanese analysis for Whoosh: character bigrams for Japanese, words for the rest.

Tesseract splits and joins Japanese words unpredictably, and a morphological
analyzer trained on clean prose segments OCR noise badly; overlapping character
bigrams find a term wherever its characters appear in order (bench/search_quality.py
compares the choices). Latin words and numbers are kept whole and lower-cased, so
SpO2 and 00123456 are searchable as words.

Katakana and hiragana are folded to one form (``fold``), so ミナト and みなと
find each other; a number written with leading zeros is also indexed without
them, so a patient id typed as 123456 finds 00123456.

The analyzer expects text already normalised by ``kernel.text`` (NFKC,
spaces between Japanese characters removed): documents are stored that way and
queries are normalised before analysis, so character offsets stay those of the
stored text and highlights land on the right characters.
"""

from __future__ import annotations

import re

from whoosh.analysis import Token, Tokenizer

from kernel.text import JAPANESE_CHAR, normalise_line

_RUNS = re.compile(f"(?P<ja>{JAPANESE_CHAR}+)|(?P<word>[0-9A-Za-z]+)")
LETTERS_OR_DIGITS = re.compile(r"[A-Za-z]+|[0-9]+")
# One character for one character, so offsets in folded text are those of the original.
_FOLD = str.maketrans({
    **{chr(c): chr(c - 0x60) for c in range(0x30A1, 0x30F7)},  # ァ..ヶ to ぁ..ゖ
    "\u30fd": "\u309d", "\u30fe": "\u309e",  # ヽ ヾ
    **{chr(c): chr(c + 0x20) for c in range(0x41, 0x5B)},  # A..Z to a..z
})


def fold(text: str) -> str:
    """Katakana as hiragana and latin letters in lower case, character for character.

    Applied to indexed text and to queries alike (after NFKC, which already made
    half-width kana full-width), so either script finds the other.
    """
    return text.translate(_FOLD)


def without_leading_zeros(word: str) -> str | None:
    """``word`` without its leading zeros when it is a number that has some (00123456 → 123456)."""
    if word.isdigit() and word.startswith("0"):
        stripped = word.lstrip("0")
        if stripped:
            return stripped
    return None


def japanese_runs(text: str) -> list[tuple[str, str, int]]:
    """Split text into ("ja" | "word", run, start offset) pieces; the rest separates."""
    return [(m.lastgroup, m.group(), m.start()) for m in _RUNS.finditer(text)]


def query_words(text: str) -> list[list[tuple[str, str]]]:
    """A query's words, each as its (kind, run) pieces, normalised and folded.

    Every engine builds its query from these, so all read a query alike: NFKC,
    spaces between Japanese characters removed (山田 太郎 is one word), kana and
    case folded; a repeated word is dropped (it adds cost, not meaning), and so
    is a word with nothing searchable in it.
    """
    words = dict.fromkeys(fold(normalise_line(text)).split())
    pieces = ([(kind, run) for kind, run, _ in japanese_runs(word)] for word in words)
    return [p for p in pieces if p]


def bigrams(run: str) -> list[str]:
    """Overlapping character bigrams of a Japanese run (a single character stays whole)."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


class JapaneseTokenizer(Tokenizer):
    """Bigrams over Japanese runs, lower-cased words over latin letters and digits,
    all folded (``fold``).

    At index time the last character of each Japanese run is also emitted alone,
    so a one-character query (肺) finds runs that end with it.
    """

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for kind, run, offset in japanese_runs(fold(value)):
            if kind == "word":
                pieces = [(run, offset, offset + len(run))]
                if mode != "query":
                    # "1.5L/分" reads 5L as one word: index L and 5 alone too, so L/分 finds it.
                    parts = list(LETTERS_OR_DIGITS.finditer(run))
                    if len(parts) > 1:
                        pieces += [(m.group(), offset + m.start(), offset + m.end()) for m in parts]
                    stripped = without_leading_zeros(run)
                    if stripped:
                        pieces.append((stripped, offset + len(run) - len(stripped), offset + len(run)))
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
