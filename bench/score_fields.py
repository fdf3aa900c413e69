"""Score document types and fields against a corpus's truth.json.

Predictions come from one of:
  --data-dir D     a shoko data directory, read through the CLI (shoko list/show --json)
  --pages-dir DIR  cached pipeline pages (<file name>.json: a list of Page dicts), run
                   through ingest.extract directly
  --truth-text     the truth texts themselves as text-layer pages (a ceiling for the
                   extractor without OCR noise; ticked boxes are not in truth texts)

Precision: a predicted value that is not the truth counts against it. Recall is over
the truth's fields. ``ignore_fields`` are skipped; for a compound file the top-level
doc_type/fields (its first part) are scored. Numbers compare numerically.

Example:
  .venv/bin/python bench/score_fields.py --truth ../shared/corpus-dev/truth.json \
      --pages-dir /tmp/shoko-pages
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import time
import unicodedata

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.document import Barcode, Page, Word  # noqa: E402
from ingest.extract import KnownValues, extract, learn_from, load_rules, split_document  # noqa: E402

FIELDS = ("patient_id", "patient_name", "document_date", "vendor", "device_type",
          "contract_start", "contract_end", "monthly_fee", "doctor", "flow_rest",
          "flow_exertion", "flow_sleep", "guidance_date", "spo2", "pao2", "measurement_date",
          "removal_date")


def page_from_dict(d: dict) -> Page:
    """A Page from its dataclasses.asdict() form."""
    return Page(
        number=d["number"], text=d.get("text", ""), raw_text=d.get("raw_text", ""),
        source=d.get("source", "ocr"),
        words=[Word(w["text"], float(w["confidence"]), tuple(w["box"]), int(w.get("line", 0)),
                    tuple(w.get("chars", ())))
               for w in d.get("words", [])],
        rotation=d.get("rotation", 0), skew=d.get("skew", 0.0),
        barcodes=[Barcode(b["kind"], b["data"]) for b in d.get("barcodes", [])],
        second_reading=[Word(w["text"], float(w["confidence"]), tuple(w["box"]), int(w["line"]))
                        for w in d.get("second_reading", [])],
        reread_words=list(d.get("reread_words", [])),
        reader=d.get("reader", {}), unreadable=d.get("unreadable", False))


def truth_pages(record: dict) -> list[Page]:
    """The truth text as text-layer pages (pages separated by a blank line)."""
    texts = record["text"].split("\n\n")
    return [Page(i + 1, t, t, "text_layer") for i, t in enumerate(texts)]


def same(predicted: object, truth: object) -> bool:
    """Equal as the contract compares: numbers numerically, text after NFKC."""
    if isinstance(truth, (int, float)) and not isinstance(truth, bool):
        try:
            return abs(float(predicted) - float(truth)) < 1e-6
        except (TypeError, ValueError):
            return False
    return unicodedata.normalize("NFKC", str(predicted)).strip() == \
        unicodedata.normalize("NFKC", str(truth)).strip()


def predictions_from_pages(truth: dict, pages_dir: pathlib.Path | None,
                           config: pathlib.Path, use_known: bool = True) -> tuple[dict, float]:
    rules = load_rules(config)
    out: dict[str, dict] = {}
    elapsed = 0.0
    # As the intake does: files in name order, each learning from the ones before.
    known = KnownValues() if use_known else None
    for name, record in sorted(truth.items()):
        if pages_dir is None:
            pages = truth_pages(record)
        else:
            path = pages_dir / f"{name}.json"
            if not path.exists():
                continue
            pages = [page_from_dict(d) for d in json.loads(path.read_text(encoding="utf-8"))]
        start = time.perf_counter()
        # As the intake does: a batch scan is split, and its first document is scored
        # (the truth's top level is the first part).
        pages = split_document(pages, rules)[0]
        result = extract(pages, rules, known)
        elapsed += time.perf_counter() - start
        if known is not None:
            learn_from(result, known, rules)
        out[name] = {"doc_type": result.doc_type,
                     "fields": {k: v.value for k, v in result.fields.items()},
                     "review": {v.name: v.value for v in result.review},
                     "flags": result.flags, "title": result.title}
    if known is not None:
        # As the intake does once a batch is stored: review values that match a
        # value now on file are filled in.
        for pred in out.values():
            pid = pred["fields"].get("patient_id")
            for field, value in list(pred["review"].items()):
                if field not in pred["fields"] and known.supports(field, value, pid):
                    pred["fields"][field] = pred["review"].pop(field)
    return out, elapsed


def predictions_from_cli(data_dir: pathlib.Path, shoko: str) -> dict:
    def run(*args: str) -> str:
        return subprocess.run([shoko, "--data-dir", str(data_dir), *args], check=True,
                              capture_output=True, text=True).stdout
    out: dict[str, dict] = {}
    for line in run("list", "--json").splitlines():
        if not line.strip():
            continue
        doc = json.loads(line)
        name = doc.get("source_name")
        if name in out:
            continue  # a compound file split into documents: its first one is scored
        shown = json.loads(run("show", str(doc["id"]), "--json"))
        out[name] = {"doc_type": shown.get("doc_type"), "fields": shown.get("fields") or {},
                     "review": {k: v["value"] for k, v in (shown.get("review") or {}).items()},
                     "flags": shown.get("flags") or [], "title": shown.get("title", "")}
    return out


def score(truth: dict, predicted: dict) -> dict:
    """Doc-type accuracy, per-field and overall precision/recall/F1, wrong values."""
    per: dict[str, dict[str, int]] = {f: {"tp": 0, "fp": 0, "truth": 0} for f in FIELDS}
    wrong: list[dict] = []
    missed: list[dict] = []
    types_right = 0
    for name, record in sorted(truth.items()):
        pred = predicted.get(name, {"doc_type": None, "fields": {}})
        if pred.get("doc_type") == record["doc_type"]:
            types_right += 1
        else:
            wrong.append({"file": name, "field": "doc_type", "predicted": pred.get("doc_type"),
                          "truth": record["doc_type"]})
        ignore = set(record.get("ignore_fields", []))
        fields = pred.get("fields", {})
        for f in FIELDS:
            if f in ignore:
                continue
            t = record["fields"].get(f)
            p = fields.get(f)
            if t is not None:
                per[f]["truth"] += 1
            if p is None:
                if t is not None:
                    missed.append({"file": name, "field": f, "truth": t,
                                   "review": pred.get("review", {}).get(f)})
                continue
            if t is not None and same(p, t):
                per[f]["tp"] += 1
            else:
                per[f]["fp"] += 1
                wrong.append({"file": name, "field": f, "predicted": p, "truth": t})
    rows = {}
    for f, c in per.items():
        predicted_n = c["tp"] + c["fp"]
        rows[f] = {"precision": c["tp"] / predicted_n if predicted_n else None,
                   "recall": c["tp"] / c["truth"] if c["truth"] else None, **c}
    tp = sum(c["tp"] for c in per.values())
    fp = sum(c["fp"] for c in per.values())
    n_truth = sum(c["truth"] for c in per.values())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / n_truth if n_truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"files": len(truth), "predicted_files": sum(1 for n in truth if n in predicted),
            "doc_type_accuracy": types_right / len(truth) if truth else 0.0,
            "precision": precision, "recall": recall, "f1": f1,
            "tp": tp, "fp": fp, "truth_fields": n_truth, "fields": rows,
            "wrong": wrong, "missed": missed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--truth", type=pathlib.Path,
                        default=ROOT.parent / "shared" / "corpus-dev" / "truth.json")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data-dir", type=pathlib.Path)
    source.add_argument("--pages-dir", type=pathlib.Path)
    source.add_argument("--truth-text", action="store_true")
    parser.add_argument("--config", type=pathlib.Path, default=ROOT / "config")
    parser.add_argument("--shoko", default=str(ROOT / ".venv" / "bin" / "shoko"))
    parser.add_argument("--json", action="store_true", help="the whole report as JSON")
    parser.add_argument("--missed", action="store_true", help="also list fields not found")
    parser.add_argument("--no-known", action="store_true",
                        help="pages modes: read each file alone, without values known from earlier files")
    args = parser.parse_args(argv)

    truth = json.loads(args.truth.read_text(encoding="utf-8"))
    elapsed = None
    if args.data_dir:
        predicted = predictions_from_cli(args.data_dir, args.shoko)
    else:
        predicted, elapsed = predictions_from_pages(
            truth, None if args.truth_text else args.pages_dir, args.config, not args.no_known)
    report = score(truth, predicted)
    if elapsed is not None:
        report["extract_seconds_per_file"] = elapsed / max(1, len(predicted))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    print(f"files: {report['predicted_files']}/{report['files']} predicted")
    print(f"doc-type accuracy: {report['doc_type_accuracy']:.3f}")
    print(f"fields: precision {report['precision']:.3f}  recall {report['recall']:.3f}  "
          f"F1 {report['f1']:.3f}  (tp {report['tp']}, fp {report['fp']}, "
          f"truth {report['truth_fields']})")
    if elapsed is not None:
        print(f"extract: {report['extract_seconds_per_file'] * 1000:.1f} ms per file")
    print(f"{'field':18} {'prec':>6} {'recall':>6} {'tp':>4} {'fp':>4} {'truth':>5}")
    for f, r in report["fields"].items():
        p = "-" if r["precision"] is None else f"{r['precision']:.3f}"
        rc = "-" if r["recall"] is None else f"{r['recall']:.3f}"
        print(f"{f:18} {p:>6} {rc:>6} {r['tp']:>4} {r['fp']:>4} {r['truth']:>5}")
    print("wrong values:" if report["wrong"] else "wrong values: none")
    for w in report["wrong"]:
        print(f"  {w['file']} {w['field']}: predicted {w['predicted']!r}, truth {w['truth']!r}")
    if args.missed:
        print("missed:")
        for m in report["missed"]:
            extra = f" (review: {m['review']!r})" if m["review"] is not None else ""
            print(f"  {m['file']} {m['field']}: truth {m['truth']!r}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
