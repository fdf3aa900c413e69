"""Latency and burst throughput of the real watcher.

Starts ``shoko watch`` on a fresh data directory with the default settings and
drops generated one-page scans into its inbox (each written under a temporary
name and renamed, as scanners do):

- latency: from the file landing to its document being found by search, over
  several runs one at a time (median and 95th percentile);
- burst: N scans dropped at once, pages per minute until the last is searchable,
  and the peak memory of the watcher's process tree.

    .venv/bin/python bench/watch_latency.py [--runs 10] [--burst 100]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_speed import PeakMemory  # noqa: E402

from search import index_exists, open_index  # noqa: E402
from shoko.settings import load_config  # noqa: E402

SHOKO = str(Path(sys.executable).with_name("shoko"))
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def scan(token: str) -> Image.Image:
    """A one-page A4 scan at 300 dpi with a few lines and a unique token."""
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    face = ImageFont.truetype(FONT, 44)
    lines = ["在宅酸素療法指導記録", f"受付番号 {token}", "患者氏名 試験 太郎", "SpO2 95% 安静時 1.0L/分",
             "指導内容 酸素濃縮装置の取り扱いと火気の注意について説明した。"]
    for i, line in enumerate(lines):
        draw.text((240, 240 + i * 80), line, font=face, fill=0)
    return page


def drop(inbox: Path, token: str) -> None:
    tmp = inbox / f".{token}.png"
    scan(token).save(tmp, dpi=(300, 300))
    tmp.rename(inbox / f"{token}.png")


def searchable(index_dir: Path, token: str) -> bool:
    """Whether a search for ``token`` finds a document (no index yet: not yet)."""
    engine = load_config().search_engine
    if not index_exists(engine, index_dir):
        return False
    return open_index(engine, index_dir).search(token, limit=1).total > 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--burst", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shoko-watch-bench-") as tmp:
        data = Path(tmp) / "data"
        env = {**os.environ, "SHOKO_DATA_DIR": str(data)}
        watcher = subprocess.Popen([SHOKO, "watch"], env=env, stderr=subprocess.DEVNULL)
        try:
            inbox, index_dir = data / "inbox", data / "index"
            while not inbox.exists():
                time.sleep(0.1)
            latencies = []
            for run in range(args.runs):
                token = f"L{run:05d}"
                started = time.perf_counter()
                drop(inbox, token)
                while not searchable(index_dir, token):
                    time.sleep(0.05)
                latencies.append(time.perf_counter() - started)
            latencies.sort()
            p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
            print(f"latency, one-page scan, {args.runs} runs: median {statistics.median(latencies):.2f} s, "
                  f"95th percentile {p95:.2f} s (settle time {load_config().watch_settle_seconds:.1f} s included)")

            tokens = [f"B{i:05d}" for i in range(args.burst)]
            staging = Path(tmp) / "staging"
            staging.mkdir()
            for token in tokens:
                scan(token).save(staging / f"{token}.png", dpi=(300, 300))
            with PeakMemory(watcher.pid) as memory:
                started = time.perf_counter()
                for token in tokens:
                    (staging / f"{token}.png").rename(inbox / f"{token}.png")
                while not searchable(index_dir, tokens[-1]) or any(inbox.glob("B*.png")):
                    time.sleep(0.2)
                elapsed = time.perf_counter() - started
            print(f"burst of {args.burst} one-page scans: {elapsed:.1f} s, {args.burst / elapsed * 60:.1f} pages/min, "
                  f"peak memory of the watcher {memory.peak / 2**20:.0f} MiB, {os.cpu_count()} cores")
        finally:
            watcher.send_signal(signal.SIGTERM)
            watcher.wait(timeout=120)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
