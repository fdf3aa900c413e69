"""Pages per minute of ``shoko ingest`` against plain ``tesseract`` on the same pages.

    .venv/bin/python bench/ingest_speed.py ../shared/corpus-dev/docs [--languages jpn]

Plain Tesseract gets every page as a 300 dpi image prepared beforehand (PDF pages
rendered, TIFF frames split; preparation is not timed) and is called once per
page with default settings and the same languages, one page after another, as a
person would script it. shoko ingests the files themselves into a fresh data
directory, through the real command (text layers, orientation, deskew, OCR,
extraction, storage, indexing). Peak memory is the largest sum of resident
memory over the process tree, sampled every 0.1 s.
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
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="shoko-bench-") as tmp:
        tmp = Path(tmp)
        (tmp / "pages").mkdir()
        pages = prepare_pages(args.docs, tmp / "pages")
        files = sum(1 for p in args.docs.iterdir() if p.is_file())
        print(f"corpus: {files} files, {len(pages)} pages, {os.cpu_count()} CPU cores")

        started = time.perf_counter()
        peak_plain = 0
        for page in pages:
            _, peak = timed(["tesseract", str(page), "stdout", "-l", args.languages])
            peak_plain = max(peak_plain, peak)
        plain = time.perf_counter() - started

        env = {**os.environ, "SHOKO_DATA_DIR": str(tmp / "data")}
        config = tmp / "bench.toml"
        config.write_text(f'ocr_languages = "{args.languages}"\n', encoding="utf-8")
        pipeline, peak_shoko = timed([SHOKO, "--config", str(config), "ingest", str(args.docs), "--json"], env=env)

    plain_ppm, shoko_ppm = len(pages) / plain * 60, len(pages) / pipeline * 60
    print(f"plain tesseract -l {args.languages} (one call per page): {plain:7.1f} s  {plain_ppm:6.1f} pages/min"
          f"  peak memory {peak_plain / 2**20:6.0f} MiB")
    print(f"shoko ingest (whole pipeline):        {pipeline:7.1f} s  {shoko_ppm:6.1f} pages/min"
          f"  peak memory {peak_shoko / 2**20:6.0f} MiB")
    print(f"shoko / plain tesseract: {shoko_ppm / plain_ppm:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
