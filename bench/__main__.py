"""Run every benchmark and write bench-results.json. `make bench` runs this."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench import categories_bench, gui_bench, import_bench, startup_bench, store_bench, sync_bench
from bench.figures import report


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small data sets, to check the benchmarks themselves")
    parser.add_argument("--out", type=Path, default=Path("bench-results.json"))
    args = parser.parse_args()
    large, small = (50_000, 10_000) if args.quick else (1_000_000, 100_000)
    figures = store_bench.run(large=large, small=small)
    figures += sync_bench.run(transactions=small)
    figures += import_bench.run(entries=small)
    figures += gui_bench.run(count=large)
    figures += startup_bench.run(large=large, small=small)
    figures += categories_bench.run(count=large)
    figures += gui_bench.bundle_figures()
    report(figures, args.out)


if __name__ == "__main__":
    main()
