"""Checks after the evidence rules: staff links, dependencies, and rules across items."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from billing.catalogue import BillingItem, Catalogue, Revision
from billing.evidence import ClaimMark, StaffLink
from billing.months import Month
from billing.result import CONFLICT, MISSING, READY, STAFF, Evidence, ItemResult


def apply_staff_links(result: ItemResult, links: Iterable[StaffLink]) -> ItemResult:
    """Add staff-linked documents beside the rule's evidence.

    A link with a written reason turns the rule's ``missing`` into ``ready``; the
    rule's problems stay, as warnings. A link without a reason only adds evidence.
    A conflict is never overridden: the documents contradict the claim.
    """
    links = list(links)
    if not links:
        return result
    result = result.with_evidence(*(Evidence.linked(link) for link in links))
    if result.status != MISSING:
        return result
    reasoned = [link for link in links if link.has_reason]
    if not reasoned:
        ids = "、".join(link.doc_id for link in links)
        return result.flagged(MISSING, f"紐付け（{ids}）に理由の記載がないため、不足を補えません")
    notes = "、".join(f"{link.doc_id}: {link.reason.strip()}（{link.actor}）" for link in reasoned)
    return replace(result, status=READY, problems=result.problems + (f"職員の紐付けにより準備完了としました（{notes}）",))


def apply_exclusion(result: ItemResult, item: BillingItem, management: Iterable[str], revision: Revision) -> ItemResult:
    """An add-on that the patient's management item excludes (C103-1 and devices) conflicts."""
    excluding = [code for code in management if code in item.excluded_with]
    if not excluding or not result.evidence:
        return result
    code = excluding[0]
    excluder = revision.item(code)
    name = f"（{excluder.name}）" if excluder else ""
    return result.flagged(CONFLICT, f"{code}{name}の患者には算定できません")


def apply_requirement(result: ItemResult, item: BillingItem, management: Mapping[str, ItemResult]) -> ItemResult:
    """An add-on is missing while the management item it requires is not ready."""
    if item.requires is None or result.status == CONFLICT:
        return result
    required = management.get(item.requires)
    if required is not None and required.status == READY:
        return result
    return result.flagged(MISSING, f"{item.requires} が準備完了でないため算定できません")


def asserts_supply(result: ItemResult) -> bool:
    """Whether the item is ready, or its evidence shows supply in the month even
    though something else is still missing (a contract, a reasoned staff link)."""
    return (
        result.status == READY
        or result.has_role("contract")
        or any(e.source == STAFF and e.reason for e in result.evidence)
    )


def apply_one_per_group(
    results: Mapping[str, ItemResult], revision: Revision, catalogue: Catalogue
) -> dict[str, ItemResult]:
    """At most one item of a group a month (one stationary device, one portable)."""
    by_group: dict[str, list[str]] = {}
    for code, result in results.items():
        item = revision.item(code)
        if item is not None and asserts_supply(result):
            by_group.setdefault(item.group, []).append(code)
    updated = dict(results)
    for group, codes in by_group.items():
        if len(codes) > 1:
            problem = (
                f"同じ月に{catalogue.group_label(group)}の加算が複数あります"
                f"（{'、'.join(codes)}）。算定できるのは1つです"
            )
            for code in codes:
                updated[code] = updated[code].flagged(CONFLICT, problem)
    return updated


def claims_in_window(
    item: BillingItem, ready_now: Iterable[str], marks: Iterable[ClaimMark], revision: Revision, month: Month
) -> int:
    """Claims of the item's group in its frequency window ending with the month.

    Claims already sent (marks) count once per item and month; this month also
    counts the items that are ready now.
    """
    window = {str(month.shift(-back)) for back in range(item.frequency.months)}

    def in_group(code: str) -> bool:
        other = revision.item(code)
        return other is not None and other.group == item.group

    claimed = {(mark.item, mark.month) for mark in marks if mark.month in window and in_group(mark.item)}
    claimed |= {(code, str(month)) for code in ready_now if in_group(code)}
    return len(claimed)


def apply_claim_frequency(
    results: Mapping[str, ItemResult],
    revision: Revision,
    marks: Iterable[ClaimMark],
    month: Month,
    catalogue: Catalogue,
) -> dict[str, ItemResult]:
    """More claims of a group than its frequency allows (3 in 3 months) conflict."""
    marks = list(marks)
    ready_now = [code for code, result in results.items() if result.status == READY]
    updated = dict(results)
    for code in ready_now:
        item = revision.item(code)
        if item is None:
            continue
        count = claims_in_window(item, ready_now, marks, revision, month)
        frequency = item.frequency
        if count > frequency.claims:
            first = month.shift(1 - frequency.months)
            updated[code] = updated[code].flagged(
                CONFLICT,
                f"{first}〜{month} の{catalogue.group_label(item.group)}の請求が{count}回になります"
                f"（{frequency.months}か月に{frequency.claims}回まで）",
            )
    return updated
