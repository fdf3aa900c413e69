"""Read every page of a corpus through the real page reader and cache it as JSON.

Writes ``<file name>.json`` (a list of Page dicts, barcodes included) per file, so
that extraction rules can be scored again in seconds without OCR:

    .venv/bin/python bench/read_pages.py ../shared/corpus-dev --out /tmp/shoko-pages
    .venv/bin/python bench/score_fields.py --pages-dir /tmp/shoko-pages --missed
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.formats import Limits, detect_format, read_layout  # noqa: E402
from ingest.engines import ENGINES, make_engines  # noqa: E402
from ingest.ocr import Reread  # noqa: E402
from ingest.pages import PageJob, read_page  # noqa: E402


def read_file(path: str, out: str, second_reading: int, engine_name: str, workers: int,
              detection_side: int | None = None) -> tuple[str, int]:
    """Read one file's pages into ``out/<name>.json``; returns (name, pages)."""
    file = Path(path)
    file_format = detect_format(file)
    layout = read_layout(file, file_format, Limits())
    engine, fallback = make_engines(engine_name, workers=workers, config_dir=ROOT / "config")
    if detection_side is not None and hasattr(engine, "detection_side"):
        engine = dataclasses.replace(engine, detection_side=detection_side)
    reread = Reread(limit=second_reading)
    pages = [dataclasses.asdict(read_page(PageJob(str(file), file_format, i), engine, reread, fallback))
             for i in range(layout.page_count)]
    (Path(out) / f"{file.name}.json").write_text(json.dumps(pages, ensure_ascii=False),
                                                 encoding="utf-8")
    return file.name, len(pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--second-reading", type=int, default=Reread().limit,
                        help="weak stretches read again per page (the ocr_second_reading setting; 0: none)")
    parser.add_argument("--engine", choices=ENGINES, default=ENGINES[0], help="the ocr_engine setting")
    parser.add_argument("--detection-side", type=int, help="rapidocr: longest side the line detector sees (0: its own)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one Tesseract thread per process, as the intake does
    files = sorted(str(p) for p in (args.corpus / "docs").iterdir() if p.is_file())
    start = time.perf_counter()
    total = 0
    with ProcessPoolExecutor(args.workers) as pool:
        for name, count in pool.map(read_file, files, [str(args.out)] * len(files),
                                    [args.second_reading] * len(files), [args.engine] * len(files),
                                    [args.workers] * len(files), [args.detection_side] * len(files)):
            total += count
            print(f"{name}: {count} pages", flush=True)
    print(f"{len(files)} files, {total} pages in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
