"""Where a patient went, as a concept: 退院先 text matched against the vocabulary.

The hospital system writes destinations freely (自宅, 特養, ○○病院 療養病棟, ｻ高住 …).
A destination is written without spaces in NFKC form, then the longest vocabulary
word found in it names its concept. A text that names none, or two concepts
equally well, is unknown: it is reported, never counted as home by guesswork.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

HOME = "home"
NOT_HOME = "not_home"


def normalise(text: str) -> str:
    """``text`` in NFKC form (ｻ高住 → サ高住, full-width digits half-width) without any spaces."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


@dataclass(frozen=True)
class Vocabulary:
    """Destination concepts and their words, on each side of the rule.

    ``home_with_addition`` maps a not-home concept that counts as home when the
    destination holds a 加算 to that 加算's name."""

    home: Mapping[str, tuple[str, ...]]
    not_home: Mapping[str, tuple[str, ...]]
    home_with_addition: Mapping[str, str]


@dataclass(frozen=True)
class Destination:
    """The concept a 退院先 names: ``side`` is home or not_home; both None when unknown.

    ``candidates`` lists the concepts that matched equally well when there were several."""

    text: str
    concept: str | None
    side: str | None
    candidates: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return self.concept is not None


def match_destination(text: str, vocabulary: Vocabulary) -> Destination:
    """The concept of a 退院先: the one whose word found in it is longest."""
    plain = normalise(text)
    best: dict[tuple[str, str], int] = {}
    for side, concepts in ((HOME, vocabulary.home), (NOT_HOME, vocabulary.not_home)):
        for concept, words in concepts.items():
            length = max((len(w) for w in (normalise(word) for word in words) if w and w in plain), default=0)
            if length:
                best[(side, concept)] = length
    if not best:
        return Destination(text, None, None)
    longest = max(best.values())
    winners = [key for key, length in best.items() if length == longest]
    if len(winners) > 1:
        return Destination(text, None, None, tuple(concept for _, concept in winners))
    side, concept = winners[0]
    return Destination(text, concept, side)
