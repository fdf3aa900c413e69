"""Field extraction on layout families no rule was written against (leave-one-layout-family-out).

Generates the layout-family corpus (``samples.families``: six or more layouts per document
type; the two demo layouts per type, which the rules were written against, are *seen*, the
others *unseen*) as image scans into a temporary directory, ingests it through the real
command (``shoko --data-dir DIR ingest DOCS --json``), and scores doc types and fields with
bench/score_fields.py against the generated truth. Prints the overall doc-type accuracy and
field precision/recall, a table per family (seen/unseen, doc type, precision, recall,
misses), totals for seen and unseen families, per-field figures, the wrong values and the
fields not found.

    .venv/bin/python bench/layout_families.py                       # all families, 2 documents each
    .venv/bin/python bench/layout_families.py --families contract_c,order_d --per-family 3 \
        --seed 1 --keep /tmp/families                               # keeps corpus/ and data/ there
    .venv/bin/python bench/layout_families.py --born-digital        # text layers: no OCR

About 50 pages with the default PP-OCR engine take a few minutes on two cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from score_fields import FIELDS, predictions_from_cli, score

from samples.families import FAMILIES, make_family_corpus

SHOKO = str(ROOT / ".venv" / "bin" / "shoko")


def _fmt(value: float | None) -> str:
    return "    -" if value is None else f"{value:5.3f}"


def _subset(truth: dict, names: set[str]) -> dict:
    return {file: record for file, record in truth.items() if record["family"] in names}


def _row(label: str, kind: str, doc_type: str, report: dict) -> str:
    precision = report["tp"] / (report["tp"] + report["fp"]) if report["tp"] + report["fp"] else None
    recall = report["tp"] / report["truth_fields"] if report["truth_fields"] else None
    types = f"{round(report['doc_type_accuracy'] * report['files'])}/{report['files']}"
    return (f"{label:12} {kind:7} {doc_type:20} {types:>6} {_fmt(precision):>6} {_fmt(recall):>6} "
            f"{report['tp']:>4} {report['fp']:>4} {len(report['missed']):>6} {report['truth_fields']:>6}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--families", default=None,
                        help="comma-separated family names (default: all): " + ",".join(FAMILIES))
    parser.add_argument("--per-family", type=int, default=2, help="documents per family (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, default=None,
                        help="work in this directory (corpus/ and data/) and keep it; must not hold data/ yet")
    parser.add_argument("--shoko", default=SHOKO)
    parser.add_argument("--config", type=Path, default=None, help="shoko settings file (--config)")
    parser.add_argument("--born-digital", action="store_true",
                        help="PDFs with a text layer instead of scans: the layouts without OCR noise (circles, "
                             "stamps and shading are not in them)")
    parser.add_argument("--json", action="store_true", help="also print the whole report as JSON, last")
    args = parser.parse_args(argv)

    families = None if args.families is None else [f.strip() for f in args.families.split(",") if f.strip()]
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        if (args.keep / "data").exists():
            parser.error(f"{args.keep / 'data'} exists: give an empty directory")
        return run(args.keep, families, args)
    with tempfile.TemporaryDirectory(prefix="shoko-families-") as work:
        return run(Path(work), families, args)


def run(work: Path, families: list[str] | None, args) -> int:
    corpus, data = work / "corpus", work / "data"
    started = time.perf_counter()
    truth = make_family_corpus(corpus, families, args.per_family, args.seed, args.born_digital)
    pages = sum(r["pages"] for r in truth.values())
    made = time.perf_counter() - started
    print(f"corpus: {len(truth)} documents, {pages} pages, {len({r['family'] for r in truth.values()})} families, "
          f"seed {args.seed}, generated in {made:.0f} s ({corpus})", file=sys.stderr)

    command = [args.shoko, *(["--config", str(args.config)] if args.config else []), "--data-dir", str(data),
               "ingest", str(corpus / "docs"), "--json"]
    print("ingest: " + " ".join(command), file=sys.stderr)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    ingest_seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        print(f"ingest failed with exit status {done.returncode}", file=sys.stderr)
        return 1
    statuses = Counter(json.loads(line)["status"] for line in done.stdout.splitlines() if line.strip())
    quarantined = [json.loads(line) for line in done.stdout.splitlines()
                   if line.strip() and json.loads(line)["status"] == "quarantined"]

    predicted = predictions_from_cli(data, args.shoko)
    report = score(truth, predicted)

    seen = {r["family"] for r in truth.values() if r["seen"]}
    unseen = {r["family"] for r in truth.values() if not r["seen"]}
    kind = "born-digital PDFs (text layer)" if args.born_digital else "scans"
    print(f"layout families: {len(truth)} documents, {pages} pages, {kind} "
          f"({len(seen)} seen and {len(unseen)} unseen families, {args.per_family} per family, seed {args.seed})")
    print(f"ingest: {ingest_seconds:.0f} s ({ingest_seconds / max(1, pages):.1f} s per page); "
          + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    for q in quarantined:
        print(f"  quarantined {q['path']}: {q['reason']}")
    print(f"doc-type accuracy: {report['doc_type_accuracy']:.3f}")
    print(f"fields: precision {report['precision']:.3f}  recall {report['recall']:.3f}  F1 {report['f1']:.3f}  "
          f"(tp {report['tp']}, fp {report['fp']}, truth {report['truth_fields']})")
    print()
    header = (f"{'family':12} {'kind':7} {'doc type':20} {'types':>6} {'prec':>6} {'recall':>6} "
              f"{'tp':>4} {'fp':>4} {'misses':>6} {'truth':>6}")
    print(header)
    print("-" * len(header))
    by_family: dict[str, dict] = {}
    for name in dict.fromkeys(r["family"] for r in truth.values()):
        sub = _subset(truth, {name})
        by_family[name] = score(sub, predicted)
        doc_type = next(iter(sub.values()))["doc_type"]
        print(_row(name, "seen" if name in seen else "unseen", doc_type, by_family[name]))
    print("-" * len(header))
    totals = {}
    for label, names in (("seen", seen), ("unseen", unseen)):
        if names:
            totals[label] = score(_subset(truth, names), predicted)
            print(_row(f"total {label}", label, f"{len(names)} families", totals[label]))
    for doc_type in dict.fromkeys(r["doc_type"] for r in truth.values()):
        for label, names in (("seen", seen), ("unseen", unseen)):
            sub = {f: r for f, r in _subset(truth, names).items() if r["doc_type"] == doc_type}
            if sub:
                print(_row(f"  {label}", label, doc_type, score(sub, predicted)))
    print()
    print(f"{'field':18} {'seen prec':>9} {'recall':>6} {'unseen prec':>11} {'recall':>6} {'truth s/u':>9}")
    for field in FIELDS:
        cells = []
        counts = []
        for label in ("seen", "unseen"):
            row = totals.get(label, {}).get("fields", {}).get(field)
            if row is None:
                cells += [None, None]
                counts.append(0)
                continue
            cells += [row["precision"], row["recall"]]
            counts.append(row["truth"])
        if not any(counts):
            continue
        print(f"{field:18} {_fmt(cells[0]):>9} {_fmt(cells[1]):>6} {_fmt(cells[2]):>11} {_fmt(cells[3]):>6} "
              f"{counts[0]:>4}/{counts[1]:<4}")
    print()
    print("wrong values:" if report["wrong"] else "wrong values: none")
    for w in report["wrong"]:
        print(f"  {w['file']} {w['field']}: predicted {w['predicted']!r}, truth {w['truth']!r}")
    print("fields not found:" if report["missed"] else "fields not found: none")
    for m in report["missed"]:
        extra = f" (review: {m['review']!r})" if m.get("review") is not None else ""
        print(f"  {m['file']} {m['field']}: truth {m['truth']!r}{extra}")
    if args.json:
        print(json.dumps({"overall": report, "families": by_family, "totals": totals,
                          "ingest_seconds": ingest_seconds, "pages": pages}, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
