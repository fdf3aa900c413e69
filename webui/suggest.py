"""Likely billing items for a document, from its type and fields."""

from __future__ import annotations

from dataclasses import dataclass

from billing import Catalogue
from kernel.errors import ConfigError

GUIDANCE_ITEM = "C103-2"


@dataclass(frozen=True)
class Suggestion:
    item: str
    month: str
    why: str


def suggest_links(doc_type: str, fields: dict, current_month: str, catalogue: Catalogue) -> list[Suggestion]:
    """Items the document likely supports, with the month to link it for.

    A guidance record supports the management fee (C103-2) in the month of its
    guidance; a contract supports its device's add-on in the current month (the
    catalogue names the item for each ``device_type``). Links already made are
    the caller's to leave out.
    """
    if doc_type == "hot_guidance_record":
        guidance = str(fields.get("guidance_date") or "")
        month = guidance[:7] if len(guidance) >= 7 else current_month
        why = "指導日の月" if guidance else "指導日が未入力のため今月"
        return [Suggestion(GUIDANCE_ITEM, month, why)]
    if doc_type == "hot_contract" and fields.get("device_type"):
        try:
            items = catalogue.items_for(current_month)
        except ConfigError:  # no fee schedule in force for the month: nothing to suggest
            return []
        return [Suggestion(item.code, current_month, "契約書の機器・今月")
                for item in items if item.rule == "device" and item.device_type == fields["device_type"]]
    return []


def item_choices(catalogue: Catalogue, month: str) -> list[tuple[str, str]]:
    """(code, name) of every item the month's fee schedule has, for the link form."""
    try:
        return [(item.code, item.name) for item in catalogue.items_for(month)]
    except ConfigError:  # no fee schedule in force: offer the newest one's items
        return [(item.code, item.name) for item in catalogue.revisions[-1].items] if catalogue.revisions else []
