"""Ward facility standards: the 在宅復帰率 of the 地域包括ケア病棟, six months rolling.

Pure functions over plain values; this room knows nothing of the database, HTTP or
OCR. The rule is data (``config/homereturn.toml``). Entry points::

    rules = load_rules("config/homereturn.toml")
    parsed = read_discharges(csv_bytes, rules.csv)     # discharges, or problems by line
    result = evaluate(Month.parse("2026-10"), discharges, rules, wards=["4階東"], ward="4階東")
    result.to_dict()                                   # the contract's ``homereturn --json`` shape
"""

from wards.csvfile import ParsedFile, RowProblem, parse_day, read_discharges
from wards.destinations import (
    HOME,
    NOT_HOME,
    Destination,
    Vocabulary,
    match_destination,
    normalise,
)
from wards.rules import (
    DISCHARGE,
    EXCLUDED,
    TRANSFER,
    Classification,
    Discharge,
    HomeReturnResult,
    HomeReturnRules,
    PatientLine,
    classify,
    evaluate,
    load_rules,
    window,
)

__all__ = [
    "DISCHARGE",
    "EXCLUDED",
    "HOME",
    "NOT_HOME",
    "TRANSFER",
    "Classification",
    "Destination",
    "Discharge",
    "HomeReturnResult",
    "HomeReturnRules",
    "ParsedFile",
    "PatientLine",
    "RowProblem",
    "Vocabulary",
    "classify",
    "evaluate",
    "load_rules",
    "match_destination",
    "normalise",
    "parse_day",
    "read_discharges",
    "window",
]
