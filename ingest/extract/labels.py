"""Finding printed labels in a line, exactly or with one character misread."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.extract.rules import ExtractionRules, LabelRule
from ingest.extract.text import Line, is_letter, script


@dataclass(frozen=True)
class LabelHit:
    """A label found on a line (compact positions)."""

    rule: LabelRule
    start: int
    end: int
    exact: bool


def _one_off(window: str, key: str) -> int | None:
    """Position of the single differing character, None when 0 or 2+ differ."""
    diff = None
    for i, (a, b) in enumerate(zip(window, key)):
        if a != b:
            if diff is not None:
                return None
            diff = i
    return diff


def _left_ok(line: Line, start: int) -> bool:
    return start == 0 or start in line.gaps or not is_letter(line.compact[start - 1])


def _right_ok(line: Line, rule: LabelRule, end: int) -> bool:
    # A Latin label (ID, SpO2) must not run on into a longer Latin word; a space after
    # it ends it (SpO2 PaO2 PaCO2: headings of a table).
    if end >= len(line.key) or not rule.key[-1].isascii() or end in line.gaps:
        return True
    return not (line.key[end].isascii() and line.key[end].isalpha())


def find_labels(line: Line, rules: ExtractionRules) -> list[LabelHit]:
    """Labels on ``line``, overlaps resolved (exact before near-miss, longer first)."""
    key = line.key
    found: list[LabelHit] = []
    for i in range(len(key)):
        candidates = rules.label_index.get(key[i], [])
        if i + 1 < len(key):
            candidates = candidates + rules.label_index.get("\0" + key[i + 1], [])
        for rule in candidates:
            n = len(rule.key)
            window = key[i:i + n]
            if len(window) < n:
                continue
            if window == rule.key:
                exact = True
            elif rule.fuzzy:
                at = _one_off(window, rule.key)
                if at is None or script(window[at]) != script(rule.key[at]):
                    continue  # OCR swaps look-alikes of one script: 愚 for 患, not の for 載
                if at == n - 1:
                    # The last character carries the meaning (作成者 is not 作成日), and a
                    # misread there may be the value's first character (利用者井上 is not 利用者名).
                    continue
                exact = False
            else:
                continue
            if (not exact or n < 3) and not _left_ok(line, i):
                continue
            if not _right_ok(line, rule, i + n):
                continue
            found.append(LabelHit(rule, i, i + n, exact))
    # A label that runs over a gap where a shorter label of the same field ends takes
    # the value's first letter (利用者名 前田: not 利用者名前 + 田).
    ends = {(h.start, h.end, h.rule.field) for h in found}
    found = [h for h in found if not any(g in line.gaps and (h.start, g, h.rule.field) in ends
                                         for g in range(h.start + 1, h.end))]
    found.sort(key=lambda h: (not h.exact, -(h.end - h.start), h.start))
    taken: list[LabelHit] = []
    for hit in found:
        if all(hit.end <= t.start or t.end <= hit.start for t in taken):
            taken.append(hit)
    return sorted((h for h in taken if not _qualifier(line.compact, h)), key=lambda h: h.start)


def _qualifier(compact: str, hit: LabelHit) -> bool:
    """A label inside brackets qualifies the value before it: SpO2（安静時）87%."""
    before = compact[:hit.start]  # NFKC text: brackets are ASCII
    opened = before.rfind("(")
    if opened < 0 or opened < before.rfind(")"):
        return False
    after = compact[hit.end:hit.end + 12]
    closing = after.find(")")
    return closing >= 0 and not any(ch.isdigit() for ch in after[:closing])


@dataclass(frozen=True)
class Segment:
    """The text printed after a label, up to the next label on the line."""

    hit: LabelHit
    line: Line
    text: str  # with its spaces
    start: int  # compact position where the value text begins
    last: bool  # no other label follows on the line


def segments(line: Line, hits: list[LabelHit]) -> list[Segment]:
    """One segment per label hit on the line."""
    out: list[Segment] = []
    for i, hit in enumerate(hits):
        end = hits[i + 1].start if i + 1 < len(hits) else len(line.compact)
        out.append(Segment(hit, line, line.text_slice(hit.end, end), hit.end, i + 1 == len(hits)))
    return out


def leading_text(line: Line, hits: list[LabelHit]) -> str:
    """Text of the line before its first label (all of it when it has none)."""
    if not hits:
        return line.text
    return line.text_slice(0, hits[0].start)
