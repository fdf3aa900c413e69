import pytest

from kernel.text import normalise_line, normalise_text


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("地域包 括ケア病棟", "地域包括ケア病棟"),  # OCR space inside a Japanese word
        ("ＳｐＯ２ ９４％", "SpO2 94%"),  # full-width ASCII to half-width
        ("ｶﾙﾃ番号", "カルテ番号"),  # half-width kana to full-width
        ("山田　太郎", "山田太郎"),  # ideographic space between kanji
        ("患者 ID 00123456", "患者 ID 00123456"),  # spaces next to latin and digits stay
        ("流量  1.5   L/分", "流量 1.5 L/分"),  # runs of spaces collapse
        ("㈱フクダ", "(株)フクダ"),
        ("令和 8 年 10 月", "令和 8 年 10 月"),
    ],
)
def test_normalise_line(raw, expected):
    assert normalise_line(raw) == expected


def test_normalise_text_keeps_lines_and_drops_blank_runs():
    assert normalise_text("在宅 酸素\n\n\n\n指導 記録 \n") == "在宅酸素\n\n指導記録"
