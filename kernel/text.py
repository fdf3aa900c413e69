"""Japanese text normalisation for OCR output and queries.

NFKC folds full-width ASCII to half-width and half-width kana to full-width
(ＳｐＯ２ → SpO2, ｶﾙﾃ → カルテ). Tesseract's Japanese model often puts spaces
between characters (地域包 括ケア病棟); a space between two Japanese characters
carries no meaning in Japanese writing, so it is removed. Spaces next to latin
letters or digits are kept because they separate words there.
"""

import re
import unicodedata

# Kana, CJK ideographs (incl. extension A and compatibility), the iteration and
# prolonged-sound marks, and Japanese punctuation that never takes a space.
_JAPANESE = (
    "\u3005-\u3007"  # 々 〆 〇
    "\u3001-\u3003\u300c-\u301f"  # 、。〃 and Japanese brackets
    "\u3040-\u309f"  # hiragana
    "\u30a0-\u30ff"  # katakana incl. ー and ・
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
)
JAPANESE_CHAR = f"[{_JAPANESE}]"
_SPACE_BETWEEN_JAPANESE = re.compile(f"(?<={JAPANESE_CHAR})[ \t\u3000]+(?={JAPANESE_CHAR})")
_RUNS_OF_SPACES = re.compile(r"[ \t\u3000]+")
# A latin middle dot between Japanese words (エア·ウォーター) is the Japanese ・ misread.
_DOT_BETWEEN_JAPANESE = re.compile(f"(?<={JAPANESE_CHAR})[\u00b7\u2022\u2219](?={JAPANESE_CHAR})")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalise_line(line: str) -> str:
    """NFKC, Japanese inter-character spaces removed, other space runs collapsed."""
    line = unicodedata.normalize("NFKC", line)
    line = _SPACE_BETWEEN_JAPANESE.sub("", line)
    line = _DOT_BETWEEN_JAPANESE.sub("\u30fb", line)
    return _RUNS_OF_SPACES.sub(" ", line).strip()


def normalise_text(text: str) -> str:
    """Normalise every line of ``text``; keeps line breaks, drops trailing blanks."""
    lines = [normalise_line(line) for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()

