"""Which oxygen device a form names: from ticked option boxes or from a device label.

On a scan, the printed options come with a box each. OCR turns empty boxes into
bracket-like characters ([ ], |, 口) and ticked or filled ones into anything from a
proper ☑ to look-alikes (園, M) or nothing at all. An option counts as ticked only
when its mark says so, or when it is the single option whose mark is not an empty
box while the others plainly are; otherwise the device is left for review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.extract.labels import find_labels, segments
from ingest.extract.rules import ExtractionRules
from ingest.extract.text import Line, View, script

TICKED, EMPTY, NONE, UNKNOWN = "ticked", "empty", "none", "unknown"
BOX_MARKS = frozenset("\u2611\u2610")  # ☑ ☐: the boxes found in the page image (ingest.pages)


@dataclass(frozen=True)
class Option:
    """A printed device option on a line (compact positions)."""

    device: str
    start: int
    end: int
    exact: bool
    line: Line


@dataclass(frozen=True)
class DeviceReading:
    """A device read from a page, with how sure the reading is."""

    device: str
    quality: float
    raw: str
    page: int
    line: Line | None
    unmarked: bool = False  # from an option list without the boxes found on the page image


def find_options(line: Line, rules: ExtractionRules) -> list[Option]:
    """Device words on a line, longest first, one character of OCR error allowed (5+)."""
    found: list[Option] = []
    key = line.key
    for device, words in rules.device_words.items():
        for word in words:
            at = key.find(word)
            while at >= 0:
                found.append(Option(device, at, at + len(word), True, line))
                at = key.find(word, at + 1)
    if found:  # near misses only on a line that is plainly a list of devices
        for device, words in rules.device_words.items():
            for word in words:
                n = len(word)
                if n < 5:
                    continue
                for i in range(len(key) - n + 1):
                    window = key[i:i + n]
                    diff = [i for i, (a, b) in enumerate(zip(window, word)) if a != b]
                    if len(diff) == 1 and script(window[diff[0]]) == script(word[diff[0]]):
                        found.append(Option(device, i, i + n, False, line))
    found.sort(key=lambda o: (not o.exact, -(o.end - o.start), o.start))
    taken: list[Option] = []
    for option in found:
        if all(option.end <= t.start or t.end <= option.start for t in taken):
            taken.append(option)
    return sorted(taken, key=lambda o: o.start)


def mark_kind(mark: str, rules: ExtractionRules) -> str:
    """What the characters printed before an option say about its box."""
    chars = mark.replace(" ", "")
    if not chars:
        return NONE
    if any(c in rules.ticked_marks for c in chars):
        return TICKED
    if all(c in rules.empty_marks for c in chars):
        return EMPTY
    return UNKNOWN


_WORDS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]{2,}")
_TAIL = re.compile(r"^[\u3040-\u30ff\u3400-\u9fff]+")


def _marks(block: list[tuple[Line, list[Option]]], rules: ExtractionRules) -> list[tuple[Option, str]]:
    """Each option with the kind of mark before it. Words between two options that are
    no known option (an option OCR garbled) become an unknown option with its own mark,
    so that a tick in front of it is not given to the next option."""
    out: list[tuple[Option, str]] = []
    for line, options in block:
        hits = find_labels(line, rules)
        prev = 0
        for option in options:
            start = prev
            for hit in hits:  # a label before the option is not its mark
                if start <= hit.start and hit.end <= option.start:
                    start = hit.end
            gap = line.text_slice(start, option.start)
            if prev and start == prev and start not in line.gaps:
                # letters run on from the option before: the rest of an option OCR
                # read with a letter missing (設置型液化酸装置), not a mark
                tail = _TAIL.match(gap)
                if tail and not any(c in rules.ticked_marks for c in tail.group(0)):
                    gap = gap[tail.end():]
            words = list(_WORDS.finditer(gap))
            if words:
                phantom = Option("", option.start, option.start, False, line)
                out.append((phantom, mark_kind(gap[:words[0].start()], rules)))
                gap = gap[words[-1].end():]
            out.append((option, mark_kind(gap, rules)))
            prev = option.end
    return out


def _decide(marks: list[tuple[Option, str]], rules: ExtractionRules,
            complete: bool = True) -> tuple[str, float] | None:
    """The ticked device from the marks of one option list, with a quality.

    ``complete`` is False when a line beside the list looks like options OCR could not
    read: then a box that merely failed to read as empty proves nothing.
    """
    kinds = [k for _, k in marks]
    ticked = {o.device for o, k in marks if k == TICKED}
    empty = kinds.count(EMPTY)
    unknown = [o for o, k in marks if k == UNKNOWN]
    none = [o for o, k in marks if k == NONE]
    if "" in ticked:
        return None  # the tick stands before an option that could not be read
    if len(ticked) == 1:
        quality = rules.setting("ticked_quality")
        if unknown:
            quality *= 0.85
        return ticked.pop(), quality
    if len(ticked) > 1:
        return _stationary(ticked, rules), 0.45  # two ticks or OCR noise: a person decides
    inferred = rules.setting("inferred_tick_quality")
    if not complete:
        inferred = 0.3
    if empty >= 2 and len(unknown) == 1 and unknown[0].device and not none:
        return unknown[0].device, inferred
    if empty >= 2 and not unknown and len(none) == 1 and none[0].device:
        return none[0].device, inferred * 0.95
    odd = [o for o in unknown + none if o.device]
    if odd:
        return odd[0].device, 0.3  # cannot tell: keep the first candidate for review
    return None


def _stationary(devices: set[str], rules: ExtractionRules) -> str:
    for device in rules.device_priority:
        if device in devices:
            return device
    return sorted(devices)[0]


def _boxed(line: Line, option: Option, rules: ExtractionRules) -> bool:
    """Whether a box (empty or ticked) stands right before the option."""
    start = 0
    for hit in find_labels(line, rules):
        if hit.end <= option.start:
            start = max(start, hit.end)
    return mark_kind(line.text_slice(start, option.start), rules) in (EMPTY, TICKED)


def _blocks(view: View, rules: ExtractionRules) -> list[list[tuple[Line, list[Option]]]]:
    """Runs of lines carrying options; a short line (a side label) may sit between."""
    blocks: list[list[tuple[Line, list[Option]]]] = []
    current: list[tuple[Line, list[Option]]] = []
    skipped = 0
    for line in view.lines:
        options = find_options(line, rules)
        if len(options) == 1 and not _boxed(line, options[0], rules):
            options = []  # 機種 デマンドバルブ DV-3: a device named, not an option offered
        if options:
            current.append((line, options))
            skipped = 0
        elif current and len(line.compact) <= 8 and skipped == 0:
            skipped = 1
        else:
            if current:
                blocks.append(current)
            current, skipped = [], 0
    if current:
        blocks.append(current)
    return blocks


def _complete(view: View, block: list[tuple[Line, list[Option]]], rules: ExtractionRules) -> bool:
    """False when the line just above or below the list ends words like a device does
    (…装置, …ボンベ) without being read as an option: part of the list is garbled."""
    endings = {max(words, key=len)[-2:] for words in rules.device_words.values() if words}
    numbers = [ln.number for ln, _ in block]
    inside = set(numbers)
    for line in view.lines:
        if line.number in inside or not (min(numbers) - 1 <= line.number <= max(numbers) + 1 or
                                         _adjacent(view, line, inside)):
            continue
        if any(e in line.key for e in endings):
            return False
    return True


def _adjacent(view: View, line: Line, inside: set[int]) -> bool:
    at = view.lines.index(line)
    return any(view.lines[j].number in inside for j in (at - 1, at + 1) if 0 <= j < len(view.lines))


STATIONARY = frozenset({"concentrator", "liquid_stationary", "cylinder"})  # one of them at a time
UNMARKED_CHOICE_QUALITY = 0.45  # below the review threshold: a person reads the mark
LIST_ROWS = 6  # lines under a device label searched for a listing (a header row, then rows)


def _listed(lines: list[Line], option_lines: set[int], rules: ExtractionRules) -> list[Option]:
    """The devices a listing names, one row each, the device first: rows after at
    most one heading row, up to the first row that names none."""
    found: list[Option] = []
    skipped = 0
    for line in lines:
        if line.number in option_lines:
            return []
        options = find_options(line, rules)
        first = options[0] if options and options[0].start == 0 and options[0].exact else None
        if first is None:
            if found or skipped:
                break
            skipped += 1
            continue
        found.append(first)
    return found


def read_device(views: list[View], rules: ExtractionRules) -> list[DeviceReading]:
    """Device readings from every view of the document's pages."""
    readings: list[DeviceReading] = []
    for view in views:
        option_lines: set[int] = set()
        for block in _blocks(view, rules):
            if len({o.device for _, opts in block for o in opts}) < 3:
                continue
            option_lines.update(line.number for line, _ in block)
            marks = _marks(block, rules)
            decided = _decide(marks, rules, _complete(view, block, rules))
            if decided:
                raw = " / ".join(line.text for line, _ in block)
                readings.append(DeviceReading(decided[0], decided[1], raw, view.page, block[0][0],
                                              unmarked=not any(BOX_MARKS & set(line.text) for line, _ in block)))
        for i, line in enumerate(view.lines):
            if line.number in option_lines:
                continue
            segs = segments(line, find_labels(line, rules))
            # A row of headings (品名 型式 製造番号 数量): the values are in the rows below.
            heading_row = not any(ch.isdigit() for ch in line.text) and not find_options(line, rules)
            for seg in segs:
                if seg.hit.rule.field != "device":
                    continue
                target = seg.line
                text_line = Line.make(line.page, line.number, seg.text)
                options = find_options(text_line, rules)
                if options and BOX_MARKS & set(seg.text):
                    continue  # boxes to tick (☐酸素濃縮装置 ☐液化酸素): a choice, read by its marks above
                below = seg.last or heading_row
                if not options and below and i + 1 < len(view.lines):
                    target = view.lines[i + 1]
                    if target.number in option_lines:
                        continue
                    options = find_options(target, rules)
                devices = {o.device for o in options}
                if not devices and below:
                    # 引上機器 over a table (品名 型式 製造番号 数量): one row per device, each
                    # named first; a listing carries no marks, so every device in it counts.
                    listed = _listed(view.lines[i + 1:i + 1 + LIST_ROWS], option_lines, rules)
                    if listed:
                        devices = {o.device for o in listed}
                        target = listed[0].line
                if not devices or len(devices) >= 3:
                    continue
                quality = 0.9 if len(devices) == 1 else 0.8
                if len(devices & STATIONARY) >= 2:
                    # 酸素濃縮装置 液化酸素装置 with no mark read: no patient has two stationary
                    # devices, so this is a list of options whose circle or tick OCR missed.
                    quality = UNMARKED_CHOICE_QUALITY
                if not all(o.exact for o in options):
                    quality *= 0.85
                readings.append(DeviceReading(_stationary(devices, rules), quality, target.text,
                                              view.page, target))
    # A view that shows the options without their boxes (the text without marks)
    # knows nothing of the ticks: it is no rival to a view that shows them.
    marked_pages = {r.page for r in readings if not r.unmarked}
    return [r for r in readings if not (r.unmarked and r.page in marked_pages)]
