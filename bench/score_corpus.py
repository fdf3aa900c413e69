"""Score OCR text and search on a corpus with ground truth (corpus README format).

Ingests the corpus through the real ``shoko`` command into a fresh data
directory (or --data-dir; one that already holds a database is only read), then reports:

- every file ingested or quarantined (accounting);
- character error rate of ``show --json`` text (a batch scan's parts joined) against the truth text, after
  NFKC and removal of all whitespace, per file and overall, upright vs rotated;
- search recall@10 (relevant files in the first ten hits, out of min(10, relevant)) and MRR over the corpus's queries.json through ``shoko search --json``.

    .venv/bin/python bench/score_corpus.py ../shared/corpus-dev [--data-dir DIR]
    .venv/bin/python bench/score_corpus.py ../shared/corpus-dev --pages-dir PAGES   # text only, from
                                             # bench/read_pages.py's cache (e.g. --engine tesseract)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

SHOKO = str(Path(sys.executable).with_name("shoko"))


def squeeze(text: str) -> str:
    """NFKC, lower case kept, all whitespace removed (the corpus README's comparison)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, two rows at a time."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


CONFIG: list[str] = []


def shoko(data_dir: Path, *args: str) -> str:
    return subprocess.run([SHOKO, *CONFIG, "--data-dir", str(data_dir), *args], check=True,
                          capture_output=True, text=True).stdout


def score_text(truth: dict, texts: dict[str, str], verbose: bool) -> None:
    """CER of each document's text against the truth, overall, upright vs rotated and per format."""
    total_edits = total_chars = 0
    groups: dict[str, list[float]] = {"upright": [], "rotated": []}
    formats: dict[str, list[int]] = {}  # format -> [edits, characters]
    empty = []
    for name, record in sorted(truth.items()):
        if name not in texts:
            continue
        want, got = squeeze(record["text"]), squeeze(texts[name])
        edits = edit_distance(want, got)
        total_edits += edits
        total_chars += len(want)
        kind = record.get("format", Path(name).suffix[1:])
        formats.setdefault(kind, [0, 0])
        formats[kind][0] += edits
        formats[kind][1] += len(want)
        if not got:
            empty.append(name)
        cer = edits / max(1, len(want))
        rotated = any(s.get("orientation", 0) for s in record.get("scan", []))
        groups["rotated" if rotated else "upright"].append(cer)
        if verbose:
            print(f"  {name}: CER {cer:.3f} {'rotated' if rotated else ''}")
    print(f"text: CER {total_edits / max(1, total_chars):.4f} over {total_chars} characters")
    for group, values in groups.items():
        if values:
            print(f"  {group}: mean CER {sum(values) / len(values):.4f} over {len(values)} files")
    for kind, (edits, chars) in sorted(formats.items()):
        print(f"  {kind}: CER {edits / max(1, chars):.4f} over {chars} characters")
    print(f"  documents with empty text: {', '.join(empty) or 'none'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--data-dir", type=Path,
                        help="ingest into this directory, or, if it already holds a database, only read it")
    parser.add_argument("--verbose", action="store_true", help="print per-file CER")
    parser.add_argument("--config", type=Path, help="a shoko settings file (e.g. to try ocr_languages)")
    parser.add_argument("--pages-dir", type=Path,
                        help="score the text of pages cached by bench/read_pages.py instead (no ingest, no search)")
    args = parser.parse_args()
    if args.config:
        CONFIG.extend(["--config", str(args.config.resolve())])
    truth = json.loads((args.corpus / "truth.json").read_text(encoding="utf-8"))
    queries = json.loads((args.corpus / "queries.json").read_text(encoding="utf-8"))

    if args.pages_dir:
        texts = {}
        for name in truth:
            cached = args.pages_dir / f"{name}.json"
            if cached.exists():
                texts[name] = "\n\n".join(p["text"] for p in json.loads(cached.read_text(encoding="utf-8")))
        score_text(truth, texts, args.verbose)
        return 0
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="shoko-score-"))
    if not (data_dir / "shoko.sqlite3").exists():
        out = shoko(data_dir, "ingest", str(args.corpus / "docs"), "--json")
        outcomes = [json.loads(line) for line in out.splitlines()]
        statuses = {}
        for o in outcomes:
            statuses[o["status"]] = statuses.get(o["status"], 0) + 1
        names = {Path(o["path"]).name for o in outcomes}
        print(f"accounting: {len(outcomes)} outcomes for {len(truth)} files, {statuses}, "
              f"unaccounted: {sorted(set(truth) - names) or 'none'}")
    # A batch scan is stored as several documents, one per part, in page order:
    # the file's text is theirs together, and a hit on any part finds the file.
    ids: dict[str, list[str]] = {}
    for line in shoko(data_dir, "list", "--json").splitlines():
        row = json.loads(line)
        ids.setdefault(row["source_name"], []).append(row["id"])
    names_by_id = {i: name for name, parts in ids.items() for i in parts}

    texts = {name: "\n\n".join(json.loads(shoko(data_dir, "show", i, "--json"))["text"] for i in sorted(ids[name]))
             for name in sorted(truth) if name in ids}
    for name in sorted(set(truth) - set(ids)):
        print(f"  {name}: not stored")
    score_text(truth, texts, args.verbose)

    # Search
    recalls, reciprocal = [], []
    for q in queries:
        found = json.loads(shoko(data_dir, "search", q["q"], "--json", "--limit", "10"))
        hits = [names_by_id.get(h["id"]) for h in found["hits"]]
        relevant = set(q["relevant"])
        # Recall@10 out of what ten hits can hold: a term in 26 files can at best show 10.
        recalls.append(len(relevant & set(hits)) / min(10, len(relevant)) if relevant else 1.0)
        rank = next((i for i, h in enumerate(hits, 1) if h in relevant), None)
        reciprocal.append(1 / rank if rank else 0.0)
        if recalls[-1] < 1.0 and args.verbose:
            print(f"  query {q['q']!r} ({q['kind']}): missed {sorted(relevant - set(hits))}")
    print(f"search: recall@10 {sum(recalls) / len(recalls):.4f}, MRR {sum(reciprocal) / len(reciprocal):.4f} "
          f"over {len(queries)} queries")
    print(f"data dir: {data_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
