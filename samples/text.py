"""How values are printed on Japanese forms: era and Western dates, full-width digits, yen."""

from __future__ import annotations

from datetime import date

REIWA_START = 2018  # 令和1年 is 2019
_FULL_WIDTH = str.maketrans("0123456789./,-:()", "０１２３４５６７８９．／，－：（）")

# Date styles used by the sample documents.
ERA = "era"  # 令和8年10月14日
ERA_LETTER = "era_letter"  # R8.10.14
SLASH = "slash"  # 2026/10/14
SLASH_SHORT = "slash_short"  # 2026/8/6 (no leading zeros)
WESTERN = "western"  # 2026年10月14日
ERA_FULL_WIDTH = "era_full_width"  # 令和８年１０月１４日


def full_width(text: str) -> str:
    """Digits and their punctuation as full-width characters (１２，３００)."""
    return text.translate(_FULL_WIDTH)


def print_date(day: date, style: str) -> str:
    """``day`` as printed in ``style`` (one of the module's style names)."""
    reiwa = day.year - REIWA_START
    if style == ERA:
        return f"令和{reiwa}年{day.month}月{day.day}日"
    if style == ERA_FULL_WIDTH:
        return full_width(f"令和{reiwa}年{day.month}月{day.day}日")
    if style == ERA_LETTER:
        return f"R{reiwa}.{day.month}.{day.day}"
    if style == SLASH:
        return f"{day.year}/{day.month:02d}/{day.day:02d}"
    if style == SLASH_SHORT:
        return f"{day.year}/{day.month}/{day.day}"
    if style == WESTERN:
        return f"{day.year}年{day.month}月{day.day}日"
    raise ValueError(f"unknown date style {style!r}")


def print_yen(amount: int, wide: bool = False) -> str:
    """An amount with thousands separators: 27,500 (or ２７，５００)."""
    text = f"{amount:,}"
    return full_width(text) if wide else text


def print_flow(litres: float, wide: bool = False) -> str:
    """A flow rate in litres per minute as printed on an order: 1.0 L/分."""
    text = f"{litres:.1f}"
    return f"{full_width(text) if wide else text} L/分"


def print_name(name: str, spacing: str = "　") -> str:
    """A 'family given' name with the spacing used on paper (full-width space, none, ASCII)."""
    family, given = name.split(" ")
    return f"{family}{spacing}{given}"
