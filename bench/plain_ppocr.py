"""Plain PP-OCRv6 on page images, as a person would script it: RapidOCR with its
default settings (the wheel's bundled models, named by path so nothing is
downloaded), no orientation, no preprocessing, one process per core.

    .venv/bin/python bench/plain_ppocr.py PAGE.png ... [--workers N] [--out DIR] [--rec-batch N]

Used by ``bench/ingest_speed.py`` as the baseline; with ``--out`` each page's text
is written to DIR/<page>.txt (lines in RapidOCR's own order).
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

_ocr = []


def _engine():
    if not _ocr:
        from rapidocr import RapidOCR

        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from ingest.rapid import MODELS, model_dir

        params = {"Global.log_level": "error",
                  "EngineConfig.onnxruntime.intra_op_num_threads": int(os.environ.get("PLAIN_THREADS", "1"))}
        if os.environ.get("PLAIN_REC_BATCH"):
            params["Rec.rec_batch_num"] = int(os.environ["PLAIN_REC_BATCH"])
        for role, (name, _) in MODELS.items():
            params[f"{role.capitalize()}.model_path"] = str(model_dir() / name)
        _ocr.append(RapidOCR(params=params))
    return _ocr[0]


def read(page: str, out: str | None) -> int:
    result = _engine()(page)
    text = "\n".join(result.txts or ())
    if out:
        (Path(out) / f"{Path(page).stem}.txt").write_text(text, encoding="utf-8")
    return len(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="+")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out")
    parser.add_argument("--rec-batch", type=int, help="lines recognised per batch (RapidOCR's default: 6)")
    args = parser.parse_args()
    if args.rec_batch:
        os.environ["PLAIN_REC_BATCH"] = str(args.rec_batch)  # inherited by the pool's processes
    with ProcessPoolExecutor(args.workers) as pool:
        chars = sum(pool.map(read, args.pages, [args.out] * len(args.pages)))
    print(f"{len(args.pages)} pages, {chars} characters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
