"""Pages per minute of ``shoko ingest`` against the plain engines on the same pages, all cores busy.

    .venv/bin/python bench/ingest_speed.py ../shared/corpus-dev/docs [--languages jpn] [--workers N]

The plain engines get every page as an image prepared beforehand (PDF pages
rendered at 300 dpi, TIFF frames split; preparation is not timed), with default
settings, one page per process and one process per core, as a person would
script it on this machine: ``tesseract PAGE stdout -l jpn`` (one OpenMP thread
each), and RapidOCR's PP-OCRv6 with its bundled models (``bench/plain_ppocr.py``,
one ONNX Runtime thread each), once with RapidOCR's defaults and once with
shoko's recognition batch size. shoko ingests the files themselves into a fresh
data directory through the real command, once with each ``ocr_engine`` (text
layers, orientation, preprocessing where it pays, OCR, check boxes, barcodes,
extraction, storage, indexing). Peak memory is the largest sum of resident memory
over each command's process tree, sampled every 0.1 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pypdfium2
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from ingest.rapid import REC_BATCH  # noqa: E402

SHOKO = str(Path(sys.executable).with_name("shoko"))


def prepare_pages(docs: Path, target: Path) -> list[Path]:
    """Every page of every file as a PNG for plain Tesseract."""
    pages = []
    for path in sorted(p for p in docs.iterdir() if p.is_file()):
        if path.suffix.lower() == ".pdf":
            pdf = pypdfium2.PdfDocument(str(path))
            for i in range(len(pdf)):
                out = target / f"{path.stem}_p{i + 1}.png"
                pdf[i].render(scale=300 / 72, grayscale=True).to_pil().save(out, dpi=(300, 300))
                pages.append(out)
            pdf.close()
        else:
            with Image.open(path) as img:
                for i in range(getattr(img, "n_frames", 1)):
                    img.seek(i)
                    out = target / f"{path.stem}_p{i + 1}.png"
                    img.convert("L").save(out, dpi=img.info.get("dpi", (300, 300)))
                    pages.append(out)
    return pages


class PeakMemory:
    """Samples the resident memory of a process and all its descendants."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid))
            time.sleep(0.1)


def _tree_rss(root: int) -> int:
    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                status = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        parents[pid] = int(status["PPid"])
        rss[pid] = int(status.get("VmRSS", "0 kB").split()[0]) * 1024
    total = 0
    for pid in rss:
        p = pid
        while p and p != root:
            p = parents.get(p, 0)
        if p == root:
            total += rss[pid]
    return total


def plain_tesseract(pages: list[Path], languages: str, workers: int) -> tuple[float, int]:
    """Plain Tesseract, ``workers`` pages at a time, under one parent so memory sums over the tree."""
    script = ("import subprocess, sys\nfrom concurrent.futures import ThreadPoolExecutor\n"
              "pages, lang, workers = sys.argv[3:], sys.argv[1], int(sys.argv[2])\n"
              "run = lambda p: subprocess.run(['tesseract', p, 'stdout', '-l', lang], check=True,"
              " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
              "with ThreadPoolExecutor(workers) as pool: list(pool.map(run, pages))\n")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    return timed([sys.executable, "-c", script, languages, str(workers), *map(str, pages)], env=env)


def timed(command: list[str], env=None) -> tuple[float, int]:
    """Wall time and peak tree memory of one command."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    with PeakMemory(process.pid) as memory:
        process.wait()
    if process.returncode:
        raise SystemExit(f"{command[0]} exited {process.returncode}")
    return time.perf_counter() - started, memory.peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", type=Path)
    parser.add_argument("--languages", default="jpn")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes for the plain engines and shoko's ocr_workers (default: one per core)")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="shoko-bench-") as tmp:
        tmp = Path(tmp)
        (tmp / "pages").mkdir()
        pages = prepare_pages(args.docs, tmp / "pages")
        files = sum(1 for p in args.docs.iterdir() if p.is_file())
        print(f"corpus: {files} files, {len(pages)} pages, {os.cpu_count()} CPU cores, {args.workers} workers")

        rows.append((f"plain tesseract -l {args.languages}", *plain_tesseract(pages, args.languages, args.workers)))
        plain_pp = [sys.executable, str(Path(__file__).with_name("plain_ppocr.py")), *map(str, pages),
                    "--workers", str(args.workers)]
        rows.append(("plain PP-OCRv6 small (rapidocr)", *timed(plain_pp)))
        # The same with shoko's one setting that speeds the bare engine itself, to
        # show how much of the difference is the setting and how much the pipeline.
        rows.append((f"plain PP-OCRv6, rec batch {REC_BATCH}", *timed([*plain_pp, "--rec-batch", str(REC_BATCH)])))
        for engine in ("rapidocr", "tesseract"):
            env = {**os.environ, "SHOKO_DATA_DIR": str(tmp / f"data-{engine}")}
            config = tmp / f"{engine}.toml"
            config.write_text(f'ocr_languages = "{args.languages}"\nocr_engine = "{engine}"\n'
                              f"ocr_workers = {args.workers}\n", encoding="utf-8")
            rows.append((f"shoko ingest, ocr_engine = {engine}",
                         *timed([SHOKO, "--config", str(config), "ingest", str(args.docs), "--json"], env=env)))

    print(f"{'':40} {'seconds':>8} {'pages/min':>10} {'peak MiB':>9}")
    for name, seconds, peak in rows:
        print(f"{name:40} {seconds:8.1f} {len(pages) / seconds * 60:10.1f} {peak / 2**20:9.0f}")
    speed = {name: len(pages) / seconds for name, seconds, _ in rows}
    print(f"shoko (rapidocr) / plain PP-OCRv6: "
          f"{speed['shoko ingest, ocr_engine = rapidocr'] / speed['plain PP-OCRv6 small (rapidocr)']:.2f}x")
    print(f"shoko (rapidocr) / plain PP-OCRv6 with rec batch {REC_BATCH}: "
          f"{speed['shoko ingest, ocr_engine = rapidocr'] / speed[f'plain PP-OCRv6, rec batch {REC_BATCH}']:.2f}x")
    print(f"shoko (tesseract) / plain tesseract: "
          f"{speed['shoko ingest, ocr_engine = tesseract'] / speed[f'plain tesseract -l {args.languages}']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
