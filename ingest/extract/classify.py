"""Which kind of document a page is, and where one document ends and the next begins."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.extract.rules import ExtractionRules
from ingest.extract.text import View


@dataclass
class PageClass:
    """What one page looks like."""

    page: int
    scores: dict[str, float] = field(default_factory=dict)
    title_type: str | None = None  # a type whose title stands on a title-like line
    title: str = ""
    other_title: str = ""  # a title-like line of a notice, letter or magazine
    cover: bool = False  # a cover sheet (a FAX's 送信票): it goes with the paper after it
    doc_type: str = "other"
    score: float = 0.0


def classify_page(views: list[View], rules: ExtractionRules, number: int | None = None) -> PageClass:
    """Scores of every type for one page (all its views), and the verdict; ``number``
    is the page's (a blank page has no views to tell it)."""
    s = rules.type_settings
    max_title = int(s["title_line_max_chars"])
    lines = [ln for v in views for ln in v.lines]
    page = number if number is not None else views[0].page if views else 0
    result = PageClass(page)
    whole = "\n".join(ln.key for ln in lines)
    title_found: dict[str, tuple[float, str]] = {}
    for line in lines:
        short = len(line.key) <= max_title
        for name, rule in rules.types.items():
            if any(title in line.key for title in rule.titles):
                weight = s["title_weight"] if short else s["title_in_text_weight"]
            elif short and rule.near_titles is not None and rule.near_titles.search(line.key):
                weight = s["title_fuzzy_weight"]
            elif rule.title_concept is not None and rule.title_concept.search(line.key):
                weight = s["title_concept_weight"] if short else s["title_in_text_weight"]
            else:
                continue
            if weight > title_found.get(name, (0.0, ""))[0]:
                title_found[name] = (weight, line.text)
        if short and not result.other_title and any(m in line.key for m in rules.other_title_markers):
            result.other_title = line.text
        if short and any(m in line.key for m in rules.cover_markers):
            result.cover = True
    for name, rule in rules.types.items():
        keywords = sum(1 for k in rule.keywords if k in whole)
        title_weight = title_found.get(name, (0.0, ""))[0]
        result.scores[name] = title_weight + min(s["keyword_cap"], keywords * s["keyword_weight"])
    strong = {n: t for n, (w, t) in title_found.items() if w >= s["title_fuzzy_weight"]}
    if strong:
        best_title = max(strong, key=lambda n: result.scores[n])
        result.title_type, result.title = best_title, strong[best_title]
    result.doc_type, result.score = decide(result.scores, bool(result.other_title) and not strong, rules)
    return result


def decide(scores: dict[str, float], other_marked: bool,
           rules: ExtractionRules) -> tuple[str, float]:
    """The winning type and its score, or ('other', score) when none wins clearly."""
    s = rules.type_settings
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked:
        return "other", 0.0
    best, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if other_marked:
        runner_up = max(runner_up, s["title_weight"])
    full = s["title_weight"] + s["keyword_cap"]
    if score >= s["min_score"] and score - runner_up >= s["min_margin"]:
        return best, min(1.0, score / full)
    return "other", min(1.0, max(0.0, 1.0 - score / full))


def split_parts(pages: list[PageClass], rules: ExtractionRules) -> list[list[PageClass]]:
    """Group pages into documents: a page starts a new one when its own title says it
    is another kind than the document so far (or a magazine page follows a form)."""
    parts: list[list[PageClass]] = []
    for pc in pages:
        if not parts:
            parts.append([pc])
            continue
        current = part_type(parts[-1], rules)
        new = False
        if pc.title_type and pc.title_type != current:
            new = True
        elif not pc.title_type and current != "other" and _other_kind(pc, current, rules):
            new = True  # the title was lost to OCR, but the page's labels say another kind
        elif current != "other" and pc.other_title and not pc.title_type and pc.doc_type == "other":
            new = True
        if new and not all(p.cover and not p.title_type for p in parts[-1]):
            parts.append([pc])
        else:
            parts[-1].append(pc)  # a cover sheet alone so far: the paper after it is its document
    return parts


def _other_kind(pc: PageClass, current: str, rules: ExtractionRules) -> bool:
    """A page with nothing of the current kind and enough words of another hot kind."""
    if pc.scores.get(current, 0.0) > 0:
        return False
    best = max(pc.scores, key=lambda n: pc.scores[n], default=None)
    return best is not None and best != current and \
        pc.scores[best] >= rules.type_settings["split_min_score"]


def part_type(part: list[PageClass], rules: ExtractionRules) -> str:
    """Type of a group of pages: the best scores of its pages, decided together."""
    return part_verdict(part, rules)[0]


def part_verdict(part: list[PageClass], rules: ExtractionRules) -> tuple[str, float]:
    """(type, score) of a group of pages."""
    scores: dict[str, float] = {}
    for pc in part:
        for name, value in pc.scores.items():
            scores[name] = max(scores.get(name, 0.0), value)
    other_marked = bool(part[0].other_title) and not any(pc.title_type for pc in part)
    return decide(scores, other_marked, rules)
