"""Speed of the privacy detector per note (target: 5 ms for a typical note).

    .venv/bin/python bench/bench_privacy.py [--repeat N] [--people N]

Runs the development corpus and a 10,000-row import's worth of notes through the detector,
with N registered people (default 2,000), and prints the mean and 99th-percentile time."""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from airm_training.privacy import Registry, detect

NOTES = Path(__file__).resolve().parent.parent / "tests" / "privacy_notes"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=125)
    parser.add_argument("--people", type=int, default=2000)
    args = parser.parse_args()
    lines = [
        line
        for name in ("dev_identifying.txt", "dev_clean.txt")
        for line in (NOTES / name).read_text().splitlines()
        if line.strip()
    ]
    registry = Registry.of([f"Given{i} Family{i}" for i in range(args.people)])
    detect(lines[0], registry)  # loads the name lists once
    timings = []
    for _ in range(args.repeat):
        for line in lines:
            started = time.perf_counter()
            detect(line, registry)
            timings.append(time.perf_counter() - started)
    timings.sort()
    mean_ms = statistics.fmean(timings) * 1000
    p99_ms = timings[int(len(timings) * 0.99)] * 1000
    median_ms = statistics.median(timings) * 1000
    print(
        f"{len(timings)} notes: median {median_ms:.2f} ms, mean {mean_ms:.2f} ms, "
        f"p99 {p99_ms:.2f} ms per note"
    )
    long_text = " ".join(lines) * 10
    started = time.perf_counter()
    detect(long_text, registry)
    print(f"one {len(long_text):,}-character text: {(time.perf_counter() - started) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
