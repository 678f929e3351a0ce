"""Benchmark every model, core function and page; print one table.

Usage:
    python -m bench              # everything
    python -m bench --repeat 5   # fewer repetitions (quicker, noisier)
    python -m bench --no-pages   # skip the page reruns
    python -m bench --no-load    # skip the concurrent-callers test

Each row is a median over repeated calls, and each ratio compares with a
reference timed in the same run (same machine, same load), so ratios are
comparable across machines where absolute times are not.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import platform
import pkgutil

import onnxruntime as ort

import bench
from bench import concurrency, pages
from bench.core import format_rows, measure


def case_modules() -> list[str]:
    """Every bench module with a ``cases() -> list[Case]``; a concept adds its own file.

    Modules named ``_*`` are skipped: they run in a subprocess (e.g. torch timings,
    kept out of this process so torch's threads do not slow ONNX Runtime).
    """
    names = [f"bench.{m.name}" for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")]
    return [n for n in sorted(names) if hasattr(importlib.import_module(n), "cases")]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed calls per case (median reported)")
    parser.add_argument("--no-pages", action="store_true", help="skip the page rerun timings")
    parser.add_argument("--no-load", action="store_true", help="skip the concurrent-callers test")
    args = parser.parse_args(argv)
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest's bare-mode warnings
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, onnxruntime {ort.__version__}, "
          f"providers {ort.get_available_providers()}")
    rows = []
    for module in case_modules():
        for case in importlib.import_module(module).cases():
            rows.append(measure(case, args.repeat))
            print(format_rows(rows[-1:]).splitlines()[-1], flush=True)
    if not args.no_pages:
        rows += pages.rows(args.repeat)
    if not args.no_load:
        rows += concurrency.rows(args.repeat)
    print()
    print(format_rows(rows))


if __name__ == "__main__":
    main()
