"""Invented facts for the layout families: patients, doctors, hospitals, suppliers, dates and
values, drawn from a random generator so that every document of a family says something else.

Every name here is made up (surnames and given names are common ones, put together at
random); hospitals, suppliers and device models do not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from samples.forms import Sheet
from samples.text import full_width

REIWA_START = 2018
SHOWA_START = 1925  # 昭和1年 is 1926

SURNAMES = {
    "佐々木": "ササキ", "前田": "マエダ", "小松": "コマツ", "藤田": "フジタ", "松尾": "マツオ",
    "杉山": "スギヤマ", "千葉": "チバ", "菅原": "スガワラ", "平野": "ヒラノ", "久保": "クボ",
    "川口": "カワグチ", "横山": "ヨコヤマ", "桑原": "クワハラ", "秋山": "アキヤマ", "今井": "イマイ",
    "武田": "タケダ", "上野": "ウエノ", "堀": "ホリ", "関": "セキ", "丸山": "マルヤマ", "新井": "アライ",
    "服部": "ハットリ", "大野": "オオノ", "増田": "マスダ", "小山": "コヤマ", "安藤": "アンドウ",
    "荒木": "アラキ", "浅野": "アサノ", "内田": "ウチダ", "菊地": "キクチ", "本田": "ホンダ",
    "酒井": "サカイ", "土屋": "ツチヤ", "望月": "モチヅキ", "北村": "キタムラ", "高野": "タカノ",
    "工藤": "クドウ", "熊谷": "クマガイ", "永井": "ナガイ", "渡部": "ワタナベ",
}
ELDER_MEN = {
    "勝男": "カツオ", "清": "キヨシ", "茂": "シゲル", "忠雄": "タダオ", "義明": "ヨシアキ", "博之": "ヒロユキ",
    "進一": "シンイチ", "稔": "ミノル", "隆": "タカシ", "光男": "ミツオ", "敏夫": "トシオ", "正一": "ショウイチ",
    "武司": "タケシ", "昭夫": "アキオ", "勇": "イサム", "重雄": "シゲオ",
}
ELDER_WOMEN = {
    "和枝": "カズエ", "節江": "セツエ", "久美子": "クミコ", "美智子": "ミチコ", "恵美子": "エミコ",
    "芳江": "ヨシエ", "静江": "シズエ", "キヨ": "キヨ", "房子": "フサコ", "貞子": "サダコ", "照子": "テルコ",
    "千代子": "チヨコ", "ミツ": "ミツ", "富子": "トミコ", "信子": "ノブコ",
}
YOUNGER = ["健太", "亮介", "翔太", "真由美", "由佳", "智也", "直樹", "美穂", "拓也", "浩平", "理恵",
           "雅人", "沙織", "康介", "彩花", "大地"]

HOSPITALS = [
    ("社会医療法人 晴風会", "みなみ野記念病院"),
    ("医療法人 緑樹会", "さくら台呼吸器クリニック"),
    ("", "北山市立総合医療センター"),
    ("医療法人社団 朋和会", "しののめ内科医院"),
    ("医療法人 光輝会", "たちばな病院"),
    ("社会福祉法人 恵泉会", "あかね坂病院"),
]
DEPARTMENTS = ["呼吸器内科", "内科", "在宅医療部", "呼吸器外科", "総合診療科"]

SUPPLIERS = [
    ("さざなみメディカル", "城西営業所"), ("ハルカゼ酸素サービス", "多摩支店"),
    ("コトブキ在宅サポート", "北関東営業所"), ("スカイブレス", "湘南サービスセンター"),
    ("北辰ホームケア", "東葛営業所"), ("いろは医療器", "本社営業部"),
    ("アオゾラ在宅医療", "横浜南営業所"), ("桜川メディカルサプライ", "つくば出張所"),
    ("銀河メディカル", "埼玉西支店"), ("オーシャンブリーズ", "千葉営業所"),
]
LEGAL_FORMS = ("prefix", "suffix", "kabu", "maru", "kabu_after")

MODELS = {
    "concentrator": ["オキシライフ5", "ブリーズミニ3", "エアリーフ7", "サンライズO2-5", "ハルカ3S"],
    "liquid_stationary": ["クライオベース LB-36", "リキッドスター親器 40"],
    "liquid_portable": ["クライオポット LP-1", "リキッドスター子器 1.2"],
    "cylinder_portable": ["アルミボンベ 2.0L", "ライトボンベ 1.1L"],
    "cylinder": ["酸素ボンベ 7000L", "大型ボンベ 47L"],
    "demand_valve": ["サンソセーバー DV-3", "オキシセーブ II"],
}
FEES = {"concentrator": [22000, 24200, 25300, 27500, 29700, 30800, 33000],
        "liquid_stationary": [38500, 42000, 46200, 49500],
        "liquid_portable": [8800, 11000], "cylinder_portable": [5500, 6600, 8800],
        "cylinder": [6600, 9900], "demand_valve": [3300, 4400]}
DIAGNOSES = ["慢性閉塞性肺疾患", "間質性肺炎", "肺結核後遺症", "肺癌", "慢性心不全", "肺線維症",
             "気管支拡張症", "じん肺"]
PREFECTURES = [("東京都", ["練馬区", "江戸川区", "町田市", "八王子市"]),
               ("神奈川県", ["相模原市南区", "藤沢市", "横須賀市"]),
               ("埼玉県", ["所沢市", "越谷市", "川越市"]), ("千葉県", ["松戸市", "柏市", "市原市"])]
TOWNS = ["桜ケ丘", "緑町", "本町", "東山", "若葉台", "旭町", "中央", "栄町"]
KANJI_NUMBERS = "一二三四五六七八九"


@dataclass(frozen=True)
class Person:
    family: str
    given: str
    family_kana: str = ""
    given_kana: str = ""

    @property
    def name(self) -> str:
        """The contract form: family and given name with one ASCII space."""
        return f"{self.family} {self.given}"

    def printed(self, spacing: str = "　") -> str:
        return f"{self.family}{spacing}{self.given}"

    def kana(self, spacing: str = "　") -> str:
        return f"{self.family_kana}{spacing}{self.given_kana}"


@dataclass(frozen=True)
class Patient:
    id: str
    person: Person
    birth: date
    sex: str
    address: str

    @property
    def name(self) -> str:
        return self.person.name

    def age(self, on: date) -> int:
        return on.year - self.birth.year - ((on.month, on.day) < (self.birth.month, self.birth.day))


@dataclass(frozen=True)
class Hospital:
    corporation: str
    name: str
    department: str
    phone: str
    fax: str
    address: str

    @property
    def full(self) -> str:
        return f"{self.corporation} {self.name}".strip()


@dataclass(frozen=True)
class Vendor:
    name: str  # the contract's vendor value: no legal form, no branch
    branch: str
    phone: str
    fax: str
    legal_form: str  # how its forms print the legal form

    def printed(self, legal_form: str | None = None) -> str:
        form = legal_form or self.legal_form
        return {"prefix": f"株式会社{self.name}", "suffix": f"{self.name}株式会社",
                "kabu": f"(株){self.name}", "maru": f"㈱{self.name}",
                "kabu_after": f"{self.name}（株）"}[form]


class Casebook:
    """Draws invented facts from ``rng``."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def pick(self, items):
        items = list(items)
        return items[int(self.rng.integers(0, len(items)))]

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def digits(self, length: int, zeros: int = 0) -> str:
        body = "".join(str(int(d)) for d in self.rng.integers(0, 10, size=length - zeros))
        body = str(int(self.rng.integers(1, 10))) + body[1:] if body else body
        return "0" * zeros + body

    def patient_id(self, length: int = 8) -> str:
        zeros = int(self.rng.integers(0, min(4, length - 3) + 1))
        return self.digits(length, zeros)

    def elder(self) -> tuple[Person, str]:
        family = self.pick(SURNAMES)
        if self.chance(0.5):
            given, sex = self.pick(ELDER_MEN), "男"
            kana = ELDER_MEN[given]
        else:
            given, sex = self.pick(ELDER_WOMEN), "女"
            kana = ELDER_WOMEN[given]
        return Person(family, given, SURNAMES[family], kana), sex

    def staff(self) -> Person:
        family = self.pick(SURNAMES)
        return Person(family, self.pick(YOUNGER))

    def patient(self, id_length: int = 8) -> Patient:
        person, sex = self.elder()
        birth = date(int(self.rng.integers(1934, 1959)), int(self.rng.integers(1, 13)), int(self.rng.integers(1, 29)))
        return Patient(self.patient_id(id_length), person, birth, sex, self.address())

    def address(self) -> str:
        prefecture, cities = self.pick(PREFECTURES)
        return (f"{prefecture}{self.pick(cities)}{self.pick(TOWNS)}{self.pick(KANJI_NUMBERS[:5])}丁目"
                f"{int(self.rng.integers(1, 30))}番{int(self.rng.integers(1, 20))}号")

    def hospital(self) -> Hospital:
        corporation, name = self.pick(HOSPITALS)
        area = self.pick(["03", "042", "045", "048", "047"])
        number = f"{area}-{self.digits(4 if len(area) == 2 else 3)}-{self.digits(4)}"
        fax = number[:-4] + self.digits(4)
        return Hospital(corporation, name, self.pick(DEPARTMENTS), number, fax, self.address())

    def vendor(self, legal_form: str | None = None) -> Vendor:
        name, branch = self.pick(SUPPLIERS)
        phone = f"0{int(self.rng.integers(3, 5))}-{self.digits(4)}-{self.digits(4)}"
        fax = phone[:-4] + self.digits(4)
        return Vendor(name, branch, phone, fax, legal_form or self.pick(LEGAL_FORMS))

    def day(self, start: date = date(2025, 4, 1), end: date = date(2027, 3, 31)) -> date:
        return start + timedelta(days=int(self.rng.integers(0, (end - start).days + 1)))

    def device(self, weights: dict[str, float] | None = None) -> str:
        weights = weights or {"concentrator": 0.7, "liquid_stationary": 0.2, "cylinder_portable": 0.1}
        kinds = list(weights)
        p = np.array([weights[k] for k in kinds], dtype=float)
        return kinds[int(self.rng.choice(len(kinds), p=p / p.sum()))]

    def model(self, device: str) -> str:
        return self.pick(MODELS[device])

    def fee(self, device: str) -> int:
        return int(self.pick(FEES[device]))

    def flows(self, quarters: bool = True) -> tuple[float, float, float]:
        """Rest, exertion and sleep flows in L/min, in the steps a doctor orders them;
        ``quarters`` False for forms that print one decimal (no 0.25 or 0.75)."""
        steps = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0]
        rests = [0.25, 0.5, 0.5, 1.0, 1.0, 1.0, 1.5, 2.0, 3.0]
        if not quarters:
            steps = [s for s in steps if s * 4 % 2 == 0]
            rests = [r for r in rests if r * 4 % 2 == 0]
        rest = float(self.pick(rests))
        above = [s for s in steps if s > rest]
        exertion = float(above[min(len(above) - 1, int(self.rng.integers(0, 3)))])
        sleep = float(self.pick([rest, rest, above[0]]))
        return rest, exertion, sleep

    def stepped_up(self, flows: tuple[float, float, float]) -> tuple[float, float, float]:
        """The same order one step higher (rest, exertion and sleep), as when a patient worsens."""
        steps = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0]
        return tuple(float(next((s for s in steps if s > f), f)) for f in flows)

    def spo2(self) -> int:
        return int(self.rng.integers(86, 98))

    def pao2(self) -> float:
        return round(float(self.rng.uniform(50.0, 74.9)), 1)


def first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def year_end(start: date, years: int = 1) -> date:
    """The last day of a contract of ``years`` starting on ``start``."""
    return add_months(start, 12 * years) - timedelta(days=1)


# Date styles of the families (samples.text has the demo's).
def print_date(day: date, style: str) -> str:
    """``day`` as printed in ``style``."""
    r = day.year - REIWA_START
    y, m, d = day.year, day.month, day.day
    styles = {
        "era": f"令和{r}年{m}月{d}日",
        "era_spaced": f"令和 {r} 年 {m:>2} 月 {d:>2} 日",
        "era_wide": full_width(f"令和{r}年{m}月{d}日"),
        "era_letter": f"R{r}.{m}.{d}",
        "era_letter_pad": f"R{r:02d}.{m:02d}.{d:02d}",
        "era_slash": f"R{r}/{m}/{d}",
        "slash": f"{y}/{m:02d}/{d:02d}",
        "slash_short": f"{y}/{m}/{d}",
        "iso": f"{y}-{m:02d}-{d:02d}",
        "dot": f"{y}.{m:02d}.{d:02d}",
        "western": f"{y}年{m}月{d}日",
        "western_pad": f"{y}年{m:02d}月{d:02d}日",
        "western_wide": full_width(f"{y}年{m}月{d}日"),
        "western_era": f"{y}年（令和{r}年）{m}月{d}日",
    }
    return styles[style]


def print_birth(day: date, style: str) -> str:
    """A birth date (Shōwa era mostly) in the document's style family."""
    s = day.year - SHOWA_START
    era = ("昭和", "S", s) if 1926 <= day.year < 1989 else ("平成", "H", day.year - 1988)
    if style.startswith("era_letter") or style == "era_slash":
        return f"{era[1]}{era[2]}.{day.month}.{day.day}"
    if style.startswith("era"):
        text = f"{era[0]}{era[2]}年{day.month}月{day.day}日"
        return full_width(text) if style == "era_wide" else text
    if style in ("slash", "iso", "dot", "slash_short"):
        return f"{day.year}/{day.month:02d}/{day.day:02d}"
    return f"{day.year}年（{era[0]}{era[2]}年）{day.month}月{day.day}日"


def print_flow(litres: float, style: str = "decimal") -> str:
    """A flow as a number only: 1.0, 1, 0.25, １．０."""
    if style == "plain":  # as short as possible: 1, 0.5, 0.25
        text = f"{litres:g}"
    else:
        text = f"{litres:.2f}".rstrip("0") if litres * 4 % 2 else f"{litres:.1f}"
    return full_width(text) if style == "wide" else text


def yen(amount: int, wide: bool = False) -> str:
    text = f"{amount:,}"
    return full_width(text) if wide else text


@dataclass
class Draft:
    """One document of a family: its sheets, and the fields they print (contract form)."""

    sheets: list[Sheet]
    fields: dict
    notes: str = ""
    ignore_fields: list[str] = field(default_factory=list)


_HALF_KANA = dict(zip(
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォッャュョー・",
    "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｯｬｭｮｰ･"))
_VOICED = dict(zip("ガギグゲゴザジズゼゾダヂヅデドバビブベボヴ", "カキクケコサシスセソタチツテトハヒフヘホウ"))
_SEMI = dict(zip("パピプペポ", "ハヒフヘホ"))


def half_width_kana(text: str) -> str:
    """Katakana as the half-width forms an old medical-records system prints (ｽｶﾞﾜﾗ)."""
    out = []
    for ch in text:
        if ch in _VOICED:
            out.append(_HALF_KANA[_VOICED[ch]] + "ﾞ")
        elif ch in _SEMI:
            out.append(_HALF_KANA[_SEMI[ch]] + "ﾟ")
        elif ch == "　":
            out.append(" ")
        else:
            out.append(_HALF_KANA.get(ch, ch))
    return "".join(out)


def hiragana(text: str) -> str:
    """Katakana readings as hiragana (ふりがな)."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)
