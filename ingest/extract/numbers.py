"""Numbers as printed on forms: full-width digits, decimal commas/points, units, yen."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_DECIMAL = re.compile(r"^\d+(?:\.\d+)?$")
_YEN = re.compile(
    r"(?P<pre>[¥￥#\\*]|金)?\s*(?P<num>\d{1,3}(?:\s?[,.]\s?\d{3})+|\d+)\s*(?P<post>円)?")
# ℓ is often read as e or & by OCR: taken as ℓ only where "/分" or "/min" follows.
_FLOW_UNIT = r"(?:(?:L|l|ℓ|リットル)\s*(?:/|／)?\s*(?:分|min|m)|[e&]\s*(?:/|／)\s*(?:分|min))"
_FLOW = re.compile(rf"(?<![\d.])(?P<num>\d{{1,2}}(?:\s?[.,]\s?\d{{1,2}})?)\s*(?P<unit>{_FLOW_UNIT})?")


def clean(text: str) -> str:
    """NFKC with the usual OCR stand-ins for the decimal point and minus made plain."""
    text = unicodedata.normalize("NFKC", text)
    return text.replace("・", ".").replace("。", ".").replace("−", "-")


def close_digit_gaps(text: str) -> str:
    """'８ ７ %' → '87 %', '52. 4' → '52.4': OCR and wide print space out digits."""
    text = re.sub(r"(?<=\d)\s+(?=[.,]\s*\d)", "", text)
    text = re.sub(r"(?<=\d[.,])\s+(?=\d)", "", text)
    return re.sub(r"(?<=(?<!\d)\d)\s(?=\d(?!\d))", "", text)


def parse_number(text: str) -> float | None:
    """A plain decimal number (１．５ → 1.5, '2' → 2.0); None when the text is not one."""
    text = _SPACES.sub("", clean(text))
    if not _DECIMAL.match(text):
        return None
    return float(text)


def parse_yen(text: str) -> tuple[int, bool] | None:
    """Amount of yen at the start of ``text`` (¥38,500 / 24,500円 / 24.500円).

    Returns (amount, marked) where marked says a ¥ sign, 円 or thousands separator
    made it certain the number is money (OCR reads ¥ as #, \\ or *; 金 opens a formal
    amount: 金30,800円). Yen have no
    decimals, so a point followed by three digits is a misread comma.
    """
    match = _YEN.match(clean(text).strip())
    if not match:
        return None
    digits = re.sub(r"[\s,.]", "", match.group("num"))
    if not digits.isdigit():
        return None
    marked = bool(match.group("pre") or match.group("post") or len(match.group("num")) > len(digits))
    return int(digits), marked


def parse_flow(text: str) -> tuple[float, bool] | None:
    """Oxygen flow in L/min at the start of ``text`` ('1.5 L/分', '２．５L/min', '1').

    Returns (litres per minute, has_unit).
    """
    match = _FLOW.match(clean(text).strip())
    if not match:
        return None
    number = parse_number(match.group("num").replace(",", "."))
    if number is None:
        return None
    return number, match.group("unit") is not None
