"""People's names (family and given name with one space) and supplier names."""

from __future__ import annotations

import re
import unicodedata

from ingest.extract.rules import ExtractionRules
from ingest.extract.text import JAPANESE

_NAME_CHARS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ヶー ]+")
_KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々〆ヶ]")
_KANA = re.compile(r"[\u3040-\u30ffー]")
_LEAD = re.compile(r"^[\s:：=・.\-]+")


# Kana between kanji (は川に対し, 設置し) is running text: names are kanji, or kana,
# or kanji ending in kana (あき子 aside), never kanji, kana, kanji.
_CLAUSE = re.compile(r"[\u3400-\u9fff々][\u3041-\u3096]+[\u3400-\u9fff々]")


def _strip_titles(tokens: list[str], titles: tuple[str, ...], honorifics: frozenset[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        if token in titles:
            continue
        for title in titles:
            # 宮本亮先生, 加藤弘子様: a title stuck to the name; an honorific (様) ends
            # no name, so it comes off a one-character given name too (進様).
            if token.endswith(title) and (len(token) > len(title) + 1
                                          or (title in honorifics and len(token) > len(title))):
                token = token[: -len(title)]
                break
        out.append(token)
    return out


# Katakana that OCR puts for the kanji it resembles (浩ニ for 浩二, 川ロ for 川口).
_KANA_FOR_KANJI = str.maketrans({"ニ": "二", "ロ": "口", "エ": "工", "カ": "力", "タ": "夕",
                                 "ハ": "八", "ト": "卜", "ヒ": "匕", "ー": "一"})


def _kanji_lookalikes(token: str) -> str:
    """Read a lone katakana among kanji as the kanji it looks like."""
    kana = [c for c in token if _KANA.match(c)]
    if len(kana) == 1 and len(token) >= 2 and all(_KANJI.match(c) or c == kana[0] for c in token):
        return token.translate(_KANA_FOR_KANJI)
    return token


SEAL_LETTER_QUALITY = 0.5  # below the review threshold: a person reads the name


def split_name(name: str, rules: ExtractionRules) -> tuple[str, float] | None:
    """Split a name printed without a space (加藤弘子 → 加藤 弘子), with a quality."""
    if len(name) < 2:
        return None
    for n in (4, 3, 2, 1):
        if len(name) - n >= 1 and name[:n] in rules.surnames:
            given = name[n:]
            if len(given) >= 3 and given[-1] == name[0]:
                # 新井理恵新, 関由佳関: a seal with the family name's first letter read after the
                # name, or a given name that ends so; which, the text cannot tell.
                return f"{name[:n]} {given}", SEAL_LETTER_QUALITY
            return f"{name[:n]} {given}", 0.95
    # 遠藤トシ子: kanji family name, kana given name
    for i in range(1, len(name)):
        if _KANJI.match(name[i - 1]) and _KANA.match(name[i]) and 1 <= i <= 3:
            return f"{name[:i]} {name[i:]}", 0.85
    if len(name) == 4 and all(_KANJI.match(c) for c in name):
        return f"{name[:2]} {name[2:]}", 0.6
    return None


def parse_person(text: str, rules: ExtractionRules) -> tuple[str, float] | None:
    """A person's name at the start of ``text``: ('村上 京子', quality) or None.

    Titles (医師, 先生, 様, 印 …) are dropped. The space between family and given
    name is kept where the text has one; otherwise the name is split by the list of
    family names in the rules.
    """
    text = _LEAD.sub("", unicodedata.normalize("NFKC", text))
    for title in rules.name_titles:  # Dr. 山田 太郎
        if not JAPANESE.match(title[0]) and text.startswith(title):
            text = text[len(title):].lstrip(" .")
    match = _NAME_CHARS.match(text)
    if not match:
        return None
    run = match.group(0)
    # An honorific ends the name: 千葉勝男様昭和11年 is 千葉 勝男 and a birth date after it.
    cut = min((i for h in rules.name_honorifics if (i := run.find(h, 2)) >= 0), default=-1)
    if cut >= 0:
        run = run[:cut]
    tokens = [t.strip("・") for t in run.split()]
    tokens = [_kanji_lookalikes(t) for t in _strip_titles([t for t in tokens if t], rules.name_titles,
                                                               rules.name_honorifics)]
    if not tokens:
        return None
    if len(tokens) > 2 and all(len(t) == 1 for t in tokens):
        tokens = ["".join(tokens)]  # OCR spaced every character
    # A hanko of the family name stamped beside the printed name is read after it
    # (野口浩二 野口, 堀 浩平堀): the seal is not part of the name.
    if len(tokens) >= 2 and 2 <= len(tokens[-1]) <= 3 and tokens[0].startswith(tokens[-1]) \
            and len(tokens[0]) > len(tokens[-1]) + 1:
        tokens = tokens[:-1]
    elif len(tokens) == 2 and len(tokens[1]) > len(tokens[0]) and tokens[1].endswith(tokens[0]):
        tokens = [tokens[0], tokens[1][: -len(tokens[0])]]
    if any(_CLAUSE.search(t) or t in rules.contract_parties for t in tokens):
        return None  # 乙は甲に対し: a clause of a contract, not a name
    if len(tokens) > 2:
        return None  # not clearly one name
    if len(tokens) == 2:
        family, given = tokens
        if not (1 <= len(family) <= 4 and 1 <= len(given) <= 5):
            return None
        quality = 1.0 if family in rules.surnames else 0.9
        return f"{family} {given}", quality
    name = tokens[0]
    if not 2 <= len(name) <= 8:
        return None
    return split_name(name, rules)


def _is_branch(token: str, rules: ExtractionRules) -> bool:
    for suffix in rules.address_suffixes:
        if token.endswith(suffix) and len(token) > len(suffix):
            token = token[: -len(suffix)]
            break
    return any(token.endswith(s) for s in rules.branch_suffixes)


def _strip_legal(text: str, rules: ExtractionRules) -> tuple[str, bool]:
    found = False
    for pattern in rules.legal_form_patterns:
        text, n = pattern.subn(" ", text)
        found = found or n > 0
    return text, found


# 御中 run into the name before it (ひまわりメディカルサービス御中): never part of a name.
_GLUED_ADDRESSEE = re.compile(r"(?<=\S)御中(?=\s|$)")


def without_addressee(name: str) -> str:
    """A company name without the 御中 that addressed it, run into it or not."""
    return _GLUED_ADDRESSEE.sub("", name)


def clean_vendor(text: str, rules: ExtractionRules) -> str | None:
    """Company name from the text after a supplier label: legal form and branch dropped."""
    text = unicodedata.normalize("NFKC", text).replace("\u00b7", "\u30fb")  # エア·ウォーター
    text = re.split(r"\(以下|（以下|以下「", text)[0]
    text = without_addressee(text)
    text, _ = _strip_legal(text, rules)
    tokens = [t.strip("()「」:：、,") for t in text.split() if t not in rules.address_suffixes]
    name_tokens: list[str] = []
    for token in tokens:  # OCR may split a name: join its words up to the branch
        if not token:
            continue
        if name_tokens and _seal_text(token, rules):
            break
        if _is_branch(token, rules):
            if token in rules.branch_suffixes:
                # A bare 営業所 after a split: the word before it names the branch (城北 営業所).
                if len(name_tokens) < 2:
                    return None
                name_tokens.pop()
            break
        name_tokens.append(token)
    name = "".join(name_tokens)
    if any(b in name for b in rules.branch_suffixes if len(b) >= 2):
        return None  # a branch run into the name (OCR spacing): where it starts is unknown
    return name if name and _valid_vendor(name, rules) else None


def _seal_text(token: str, rules: ExtractionRules) -> bool:
    """Whether a word is read from a company seal printed over the name (之印, 印)."""
    return any(token.startswith(w) for w in rules.seal_words)


# No Japanese word starts with a small kana, the long-vowel mark or ン: a name that
# does is the tail of a longer one that OCR split (フクダライフテ ック → ック).
_NOT_A_START = "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶーン"


# A sentence, not a name: it starts with a particle before a kanji or digit (が年4回以上
# 実施する; a name may start with は or や before kana: はなまる, やまと) or ends like a
# clause (…する。, …います).
_SENTENCE = re.compile(r"^[がはをにでとへ][\u3400-\u9fff\d]|[。、]$|(?:する|します|います|ません|ください)$")


_LONE_LETTER = re.compile(r"(?<=[\u3040-\u30ff\u3400-\u9fff])[A-Za-z](?=[\u3040-\u30ff\u3400-\u9fff])")


def _valid_vendor(name: str, rules: ExtractionRules) -> bool:
    if not 3 <= len(name) <= 30 or any(w in name for w in rules.vendor_exclude):
        return False  # two characters are a fragment (of a seal, of a word), not a company
    if _SENTENCE.search(name):
        return False
    if re.search(r"[\u30a1-\u30fa]-|-[\u30a1-\u30fa]", name):
        return False  # katakana joined by hyphens: a long name misread (ア-ウ-タ-)
    if name[0] in _NOT_A_START:
        return False
    if any(ch in name for ch in "[]|「」【】") or any(
            w in name.lower() for words in rules.device_words.values() for w in words):
        return False
    if not JAPANESE.search(name) and not re.search(r"[A-Za-z]{3}", name):
        return False
    if _LONE_LETTER.search(name):
        return False  # 銀河Xデ加: one Latin letter among Japanese ones is a misread, not a name
    return not re.search(r"\d{3}", name)


def vendors_by_legal_form(text: str, rules: ExtractionRules) -> list[str]:
    """Company names marked by a legal form on a (short) line: チェスト(株), 株式会社さくら…

    The company is the word joined to the legal form; where words stand on both
    sides, the one without a space between wins, and a tie gives nothing.
    """
    text = unicodedata.normalize("NFKC", text)
    for form, pattern in zip(rules.legal_forms, rules.legal_form_patterns):
        text = pattern.sub(form, text)  # one spelling of each form, without inner spaces
    out: list[str] = []
    for form in rules.legal_forms:
        start = text.find(form)
        while start >= 0:
            before = text[:start]
            after = text[start + len(form):]
            options: list[tuple[int, str]] = []
            b = before.rstrip()
            words: list[str] = []
            cut = False  # stopped at a word no company name holds: its start is unknown
            for token in reversed(b.split()):  # the name's words, right to left
                token = re.sub(r"^[(]?[甲乙][)]", "", token.strip("「」:：、,"))
                if not token or _is_branch(token, rules):
                    break
                if not _valid_vendor(token + "xx", rules):
                    cut = True
                    break
                words.insert(0, token)
            if words and not cut and _valid_vendor("".join(words), rules):
                options.append((len(before) - len(b), "".join(words)))
            a = after.lstrip()
            words = []
            for token in _strip_legal(a, rules)[0].split():
                token = token.strip("()「」:：、,")
                if not token or _is_branch(token, rules) or token in rules.address_suffixes \
                        or not _valid_vendor(token + "xx", rules) or _seal_text(token, rules) \
                        or (words and len(token) <= 2 and len("".join(words)) >= 4):
                    break  # a 2-character word after a whole name: a seal's or stamp's strokes
                words.append(token)
            if words and _valid_vendor("".join(words), rules):
                options.append((len(after) - len(a), "".join(words)))
            if len(options) == 1:
                out.append(options[0][1])
            elif len(options) == 2 and options[0][0] != options[1][0]:
                out.append(min(options)[1])
            start = text.find(form, start + len(form))
    return out


def vendor_addressed(text: str, rules: ExtractionRules, suffixes: tuple[str, ...]) -> str | None:
    """The company a FAX is addressed to: '小池メディカル 受注センター行' → 小池メディカル.

    The office it goes to (…センター, …営業所) must be there, whole: with OCR spacing
    inside it (受注 セン ター行) the company's end cannot be told.
    """
    text, _ = _strip_legal(unicodedata.normalize("NFKC", text), rules)
    tokens = text.split()
    for i, token in enumerate(tokens):
        suffix = next((s for s in suffixes if token.endswith(s)), None)
        if suffix is None:
            continue
        stem = token[: -len(suffix)]
        office = i if stem else i - 1
        if office < 1 or not any((stem or tokens[office]).endswith(b) for b in rules.branch_suffixes):
            continue
        name = tokens[office - 1].strip("()「」:：、,")
        if _valid_vendor(name, rules) and not _is_branch(name, rules):
            return name
    return None


def vendor_before_branch(previous: str, current: str, rules: ExtractionRules) -> str | None:
    """A company named by the branch printed after it: '星医療酸器 千葉支店', or the
    company on one line and its branch (千葉支店) starting the next."""
    tokens = _strip_legal(unicodedata.normalize("NFKC", current), rules)[0].split()
    branch_at = next((i for i, t in enumerate(tokens) if _is_branch(t, rules)), None)
    if branch_at is None:
        return None
    if branch_at > 0:
        words: list[str] = []
        for token in reversed(tokens[:branch_at]):  # OCR may split the name: 星医 療酸器
            if re.search(r"[()「」:：、,.\[\]|]", token) or _is_branch(token, rules):
                break
            words.insert(0, token)
        name = "".join(words)
    else:
        before = _strip_legal(unicodedata.normalize("NFKC", previous), rules)[0].split()
        if len(before) != 1:
            return None
        name = before[0].strip("()「」:：、,")
    return name if name and _valid_vendor(name, rules) and not _is_branch(name, rules) else None
