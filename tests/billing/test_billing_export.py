"""CSV export for the billing system: columns, encodings, round trip."""

import csv
import io

import pytest

from billing import MonthReport, PatientReport, ReportItem, export_csv
from billing.export import HEADER


def item(code, status="ready", points=2400, summary=""):
    return ReportItem(
        item=code, status=status, evidence=("D000123",), problems=(), name="名称", points=points,
        summary=summary, evidence_sources=(), claimed=False,
    )


REPORT = MonthReport(
    month="2026-10",
    revision="令和6年度診療報酬改定",
    patients=(
        PatientReport("00123456", "山田 太郎", (item("C103-2", summary="SpO2 88%（R8.10.14）"), item("C158", points=4000))),
        PatientReport("00000042", "髙橋 一二三", (item("C158", status="conflict", points=4000),)),
        PatientReport("00000099", None, (item("C103-remote", status="conflict", points=None),)),
    ),
)

ROWS = [
    list(HEADER),
    ["00123456", "山田 太郎", "C103-2", "2400", "算定可", "SpO2 88%（R8.10.14）", "名称", "", "D000123", "", "", ""],
    ["00123456", "山田 太郎", "C158", "4000", "算定可", "", "名称", "", "D000123", "", "", ""],
    ["00000042", "髙橋 一二三", "C158", "4000", "矛盾", "", "名称", "", "D000123", "", "", ""],
    ["00000099", "", "C103-remote", "", "矛盾", "", "名称", "", "D000123", "", "", ""],
]


def test_ids_are_quoted_text_and_points_plain_numbers():
    lines = export_csv(REPORT).decode("utf-8-sig").splitlines()
    assert lines[1].startswith('"00123456","山田 太郎","C103-2",2400,"算定可"')


def test_problems_claims_and_not_applicable():
    warned = ReportItem("C158", "ready", ("D1", "D2"), ("撤去あり", "前月の測定"), "酸素濃縮装置加算", 4000, "", (),
                        True)
    dropped = ReportItem("C103-2", "missing", (), ("指導記録がありません",), "指導管理料", 2400, "", (), False,
                         applicable=False)
    report = MonthReport("2026-10", "R6", (PatientReport("00000001", "山田 太郎", (warned, dropped)),))
    rows = read(export_csv(report, claims={("00000001", "C158"): {"actor": "iji", "at": "2026-11-05T10:00:00+09:00"}}),
                "utf-8-sig")
    assert rows[1][4:] == ["算定可（注意あり）", "", "酸素濃縮装置加算", "撤去あり／前月の測定", "D1 D2", "済", "iji",
                           "2026-11-05T10:00:00+09:00"]
    assert rows[2][4] == "対象外"


def read(data, encoding):
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


@pytest.mark.parametrize(
    ("encoding", "codec", "prefix"),
    [
        ("utf-8-sig", "utf-8-sig", b"\xef\xbb\xbf"),
        ("utf-8", "utf-8-sig", b"\xef\xbb\xbf"),
        ("cp932", "cp932", "\"患者".encode("cp932")),
        ("Shift_JIS", "cp932", "\"患者".encode("cp932")),
    ],
)
def test_round_trip(encoding, codec, prefix):
    data = export_csv(REPORT, encoding=encoding)
    assert data.startswith(prefix)
    assert read(data, codec) == ROWS


def test_default_is_utf8_with_bom_and_crlf():
    data = export_csv(REPORT)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == len(ROWS)


def test_cp932_replaces_characters_it_cannot_hold():
    report = MonthReport("2026-10", "令和6年度", (PatientReport("00000001", "𠮷田 太郎", (item("C103-2"),)),))
    assert read(export_csv(report, encoding="cp932"), "cp932")[1][1] == "〓田 太郎"
    assert read(export_csv(report), "utf-8-sig")[1][1] == "𠮷田 太郎"


def test_unknown_encoding_is_refused():
    with pytest.raises(ValueError):
        export_csv(REPORT, encoding="euc-jp")
