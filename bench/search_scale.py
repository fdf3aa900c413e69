"""Search at scale: build N synthetic documents into each engine's index and time a fixed mix of queries.

The documents read like shoko's paperwork after OCR: 1–2k characters of home
oxygen therapy records, contracts, orders and removals, with many patients,
vendors and dates, and OCR noise (characters dropped, swapped or misread,
spaces inside words, names with and without their space). They are generated
from a fixed seed, normalised as ingestion does, and built in a temporary folder.

Each query is timed as the search page runs it: a page of 20 hits with their
highlighted snippets, after one untimed warm-up pass. One JSON line per engine:

    .venv/bin/python bench/search_scale.py --docs 100000 --json
    {"engine": "tantivy", "docs": 100000, "build_s": ..., "p50_ms": ..., "p95_ms": ..., "max_ms": ..., "index_mb": ...}
    {"engine": "whoosh", "docs": 10000, ...}

Without ``--engine`` both engines run; Whoosh is capped at ``--whoosh-docs``
(10,000 by default: it builds 100,000 in about 13 minutes) and its line says how
many it had. ``build_s`` is the indexing time only (generating the documents is
timed apart and left out).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kernel.text import normalise_text  # noqa: E402
from search import IndexEntry, QueryLimits, TantivyIndex, WhooshIndex  # noqa: E402

ENGINES = {"tantivy": TantivyIndex, "whoosh": WhooshIndex}
PAGE = 20
LIMITS = QueryLimits(max_chars=100, seconds=120.0)  # the real cost is measured, not cut at the page's budget

FAMILY = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤", "吉田", "山本", "松本",
          "井上", "木村", "林", "斎藤", "清水", "山口", "森", "池田", "橋本", "阿部", "石川", "前田", "藤田", "小川",
          "岡田", "後藤", "長谷川"]
GIVEN = ["太郎", "花子", "一郎", "次郎", "幸子", "和子", "洋子", "正男", "清", "茂", "博", "節子", "美智子", "勇",
         "明美", "健一", "裕子", "恵子", "隆", "浩二", "直樹", "真由美", "誠", "久美子", "修", "静香", "昭", "陽子",
         "稔", "千代"]
PLACES = ["ミナト", "東和", "中央", "北陸", "関西", "湘南", "さくら", "あおば", "ひかり", "富士", "大和", "日本",
          "みどり", "共栄", "昭和", "平和", "朝日", "港南", "アイ", "エムケー"]
KINDS = ["医療サービス", "メディカル", "医療器械", "商会", "酸素", "薬品", "ヘルスケア", "在宅医療"]
VENDORS = [f"{p}{k}" for p in PLACES for k in KINDS] + ["エア・ウォーター", "帝人ファーマ", "フクダライフテック", "大陽日酸"]
DEPARTMENTS = ["", "総務課", "医事課", "看護部"]
TYPES = {
    "hot_guidance_record": "在宅酸素療法指導管理記録",
    "hot_contract": "酸素濃縮装置賃貸借契約書",
    "hot_prescription": "在宅酸素療法指示書",
    "hot_device_removal": "酸素濃縮装置撤去報告書",
    "other": "地域包括ケア病棟のご案内",
}
# Sentences of each type's own paperwork, and of everything else a hospital files (most of the text).
OWN = {
    "hot_guidance_record": [
        "在宅酸素療法を継続中であり、安静時の酸素流量は{flow}L/分、労作時は{flow2}L/分とする。",
        "SpO2は{spo2}%、脈拍{pulse}回/分で、呼吸状態は安定している。",
        "携帯用酸素ボンベの残量の確認方法、外出時の注意点について指導を行った。",
        "火気の取り扱いについて再度説明し、装置の周囲2m以内で火気を使用しないよう指導した。",
        "パルスオキシメータの使い方を説明し、毎日の測定値を記録するよう依頼した。",
        "次回の外来受診日は{date}とし、その際に在宅酸素療法指導管理料を算定する。",
    ],
    "hot_contract": [
        "酸素濃縮装置({vendor}製)の賃貸借について、以下のとおり契約を締結する。",
        "契約期間は{date}から1年間とし、期間満了の1か月前までに申し出がない場合は自動的に更新する。",
        "月額賃貸料は{fee}円(税込)とし、毎月末日までに指定の口座へ振り込むものとする。",
        "装置の故障時は{vendor}のサービスセンターへ連絡すること。24時間対応とする。",
    ],
    "hot_prescription": [
        "PaO2 {pao2}Torr、慢性閉塞性肺疾患(COPD)による慢性呼吸不全のため在宅酸素療法の適応あり。",
        "主治医の指示により酸素流量を変更した。変更後の流量は{flow}L/分である。",
        "酸素濃縮装置を使用し、安静時{flow}L/分、睡眠時{flow}L/分、労作時{flow2}L/分で吸入する。",
    ],
    "hot_device_removal": [
        "本日、患者の入院に伴い酸素濃縮装置を撤去した。撤去日は{date}である。",
        "{vendor}の担当者が装置を回収し、付属品の返却を確認した。",
    ],
    "other": [
        "地域包括ケア病棟では在宅復帰に向けたリハビリテーションを行っています。",
        "地域包括ケア病棟への転棟について、本人と家族の同意を得た。",
    ],
}
COMMON = [
    "退院後は訪問看護ステーションと連携し、週2回の訪問で状態を確認する。",
    "肺気腫の増悪により入院となったが、症状は改善し自宅退院の予定である。",
    "カニューラの交換は2週間に1回を目安とし、汚れがあれば随時交換する。",
    "夜間の吸入を忘れないよう家族にも声かけを依頼した。息切れの程度は軽度。",
    "介護保険の申請状況を確認した。ケアマネジャーと情報を共有する。",
    "停電時の対応として、携帯用ボンベへの切り替え手順を確認した。",
    "血圧{pulse}/{pao2}mmHg、体温36.{flow2}度。食事摂取量は8割程度。",
    "内服薬は変更なし。次回の採血は{date}に予定している。",
    "本書類は診療録の一部として保管し、保存期間は5年とする。",
    "ご不明な点は医事課(内線{fee})までお問い合わせください。",
    "個人情報の取り扱いについては当院の規程に従います。",
    "受付時間は平日8時30分から17時まで、土曜日は12時までです。",
    "褥瘡の有無を確認し、体位変換の方法を家族に説明した。",
    "栄養状態の評価のため、管理栄養士による面談を実施した。",
    "服薬カレンダーを使用して飲み忘れを防ぐよう提案した。",
    "転倒予防のため、室内の段差と手すりの位置を確認した。",
    "リハビリテーション実施計画書の内容について説明した。",
    "診療情報提供書を作成し、かかりつけ医へ送付した。",
]
LOOKALIKE = {"棟": "練", "療": "瘠", "素": "索", "ロ": "口", "カ": "力", "ニ": "二", "ー": "一", "日": "目", "間": "問",
             "入": "人", "械": "城", "装": "装"}
QUERIES_FIXED = ["在宅酸素療法", "地域包括ケア病棟", "酸素濃縮装置", "賃貸借契約書", "肺", "酸", "SpO2", "PaO2",
                 "ミナト医療サービス", "みなと", "エア・ウォーター", "帝人", "在宅酸素療法 2024", "PaO2 肺気腫",
                 "ミナト医療サービス 1.5L/分"]


def noisy(text: str, rng: random.Random) -> str:
    """``text`` as OCR might read it: a few characters dropped, swapped or misread, spaces inside words.
    Placeholders in braces are left whole."""
    out, depth = [], 0
    for ch in text:
        depth += ch == "{"
        if depth:
            out.append(ch)
            depth -= ch == "}"
            continue
        roll = rng.random()
        if roll < 0.01:
            continue  # dropped
        if roll < 0.02 and ch in LOOKALIKE:
            ch = LOOKALIKE[ch]
        elif roll < 0.025 and out and out[-1] not in "{}":
            out[-1], ch = ch, out[-1]  # swapped with the one before
        out.append(ch)
        if rng.random() < 0.03:
            out.append(" ")
    return "".join(out)


class Corpus:
    """Synthetic documents from a seed: ``entries(n)`` yields the same first n for every engine."""

    def __init__(self, docs: int, seed: int = 13):
        rng = random.Random(seed)
        self.seed = seed
        self.patients = [(f"{10_000 + i:08d}", FAMILY[(i * 7) % len(FAMILY)], GIVEN[(i * 11 + i // 30) % len(GIVEN)])
                         for i in range(max(50, docs // 20))]
        self.own = {t: [[noisy(s, rng) for _ in range(12)] for s in pool] for t, pool in OWN.items()}
        self.common = [[noisy(s, rng) for _ in range(12)] for s in COMMON]
        self.generating = 0.0  # seconds spent making documents, left out of the build time

    def entries(self, count: int) -> Iterator[IndexEntry]:
        rng = random.Random(self.seed + 1)
        for n in range(1, count + 1):
            started = time.perf_counter()
            entry = self._entry(n, rng)
            self.generating += time.perf_counter() - started
            yield entry

    def _entry(self, n: int, rng: random.Random) -> IndexEntry:
        pid, family, given = self.patients[rng.randrange(len(self.patients))]
        doc_type = rng.choice(list(TYPES))
        vendor = rng.choice(VENDORS)
        date = f"{rng.randrange(2019, 2027)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        name = f"{family} {given}" if rng.random() < 0.5 else f"{family}{given}"
        values = dict(flow=rng.choice(["0.5", "1", "1.5", "2", "3"]), flow2=rng.choice(["2", "2.5", "3", "4"]),
                      spo2=rng.randrange(85, 100), pulse=rng.randrange(55, 110), pao2=rng.randrange(45, 80),
                      date=date, fee=rng.choice(["15,400", "22,000", "8,800"]), vendor=vendor)
        lines = [TYPES[doc_type], f"患者ID {pid} 患者氏名 {name} 様", f"日付 {date} 事業者 {vendor}"]
        target, length = rng.randrange(1000, 2000), sum(map(len, lines))
        while length < target:
            pool = self.own[doc_type] if rng.random() < 0.25 else self.common
            line = rng.choice(rng.choice(pool)).format(**values)
            lines.append(line)
            length += len(line)
        text = normalise_text("\n".join(lines))
        return IndexEntry(f"D{n:07d}", doc_type, TYPES[doc_type], text, patient_id=pid, patient_name=f"{family} {given}",
                          department=rng.choice(DEPARTMENTS), month=date[:7], date=date,
                          field_text=f"{pid} {family} {given} {date} {vendor}")

    def queries(self) -> list[str]:
        """The fixed mix: names with and without the space, an id with and without its
        leading zeros, and the words of ``QUERIES_FIXED``. Japanese words a space
        apart are one word to shoko (山田 太郎), so several words mix scripts."""
        pid, family, given = self.patients[len(self.patients) // 3]
        other_pid = self.patients[len(self.patients) // 2][0]
        return [f"{family} {given}", f"{family}{given}", other_pid, other_pid.lstrip("0"), f"SpO2 {family}",
                *QUERIES_FIXED]


def folder_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 1)


def run(engine: str, corpus: Corpus, docs: int, repeat: int, work: Path) -> dict:
    """Build ``docs`` documents into ``engine``'s index in ``work`` and time the query mix."""
    folder = work / engine
    index = ENGINES[engine].open(folder)
    corpus.generating = 0.0
    started = time.perf_counter()
    index.rebuild(_progress(corpus.entries(docs), docs, engine))
    build_s = time.perf_counter() - started - corpus.generating
    queries = corpus.queries()
    for q in queries:  # warm-up: caches, lazily opened files
        index.search(q, limit=PAGE, limits=LIMITS)
    times, empty = [], []
    for _ in range(repeat):
        for q in queries:
            t = time.perf_counter()
            results = index.search(q, limit=PAGE, limits=LIMITS)
            times.append((time.perf_counter() - t) * 1000)
            if not results.total:
                empty.append(q)
    if empty:
        print(f"{engine}: no hits for {sorted(set(empty))}", file=sys.stderr)
    times.sort()
    return {"engine": engine, "docs": docs, "build_s": round(build_s, 1),
            "p50_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
            "max_ms": round(times[-1], 2), "index_mb": folder_mb(folder)}


def _progress(entries: Iterator[IndexEntry], total: int, engine: str) -> Iterator[IndexEntry]:
    started = last = time.monotonic()
    for n, entry in enumerate(entries, 1):
        yield entry
        now = time.monotonic()
        if now - last >= 10:
            last = now
            print(f"{engine}: {n}/{total} documents, {n / (now - started):.0f}/s", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, required=True, help="documents to build")
    parser.add_argument("--engine", choices=sorted(ENGINES), help="one engine (default: both)")
    parser.add_argument("--whoosh-docs", type=int, default=10_000, help="cap for Whoosh when both engines run")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the query mix")
    parser.add_argument("--json", action="store_true", help="one JSON line per engine")
    parser.add_argument("--work-dir", type=Path, help="where the temporary index folders go (default: system temp)")
    args = parser.parse_args()
    engines = [args.engine] if args.engine else ["tantivy", "whoosh"]
    corpus = Corpus(args.docs)
    for engine in engines:
        docs = min(args.docs, args.whoosh_docs) if engine == "whoosh" and not args.engine else args.docs
        with tempfile.TemporaryDirectory(prefix=f"search-scale-{engine}-", dir=args.work_dir) as work:
            line = run(engine, corpus, docs, args.repeat, Path(work))
        if args.json:
            print(json.dumps(line, ensure_ascii=False), flush=True)
        else:
            print(f"{engine}: {docs} documents built in {line['build_s']} s ({line['index_mb']} MB); "
                  f"p50 {line['p50_ms']} ms, p95 {line['p95_ms']} ms, max {line['max_ms']} ms", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
