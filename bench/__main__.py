"""Benchmark every model, core function and page; print one table.

Usage:
    python -m bench              # everything
    python -m bench --repeat 5   # fewer repetitions (quicker, noisier)
    python -m bench --no-pages   # skip the page reruns (AppTest)
    python -m bench --no-load    # skip the concurrent-callers test
    python -m bench --no-clients # skip one real visitor per page (bench/load.py)
    python -m bench --no-browser # skip the first visits in Chromium (bench/first_visit.py)

The class-sized run, N = 1, 10 and 30 real visitors per page with and without think
time, is ``python -m bench.load`` (about 25 minutes; see its --help).

Each row is a median over repeated calls, and each ratio compares with a
reference timed in the same run (same machine, same load), so ratios are
comparable across machines where absolute times are not.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import pkgutil
import platform
import subprocess
import sys

import onnxruntime as ort

import bench
from bench import concurrency, first_visit, load, pages
from bench.core import Row, format_rows, measure
from playground.manifest import REPO_ROOT


def case_modules() -> list[str]:
    """Every bench module with a ``cases() -> list[Case]``; a concept adds its own file.

    A module may also define ``measured_rows(repeat) -> list[Row]`` for times that
    are not one timed call (e.g. ONNX Runtime's profiler, kernel by kernel).
    Modules named ``_*`` are skipped: they run in a subprocess (e.g. torch timings,
    kept out of this process so torch's threads do not slow ONNX Runtime).
    """
    names = [f"bench.{m.name}" for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")]
    return [n for n in sorted(names) if hasattr(importlib.import_module(n), "cases")]


def torch_modules() -> list[str]:
    """Every ``bench/_torch_*.py``: each times some models in torch eager and prints one JSON line."""
    return sorted(f"bench.{m.name}" for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("_torch_"))


def torch_rows(rows: list[Row], repeat: int) -> list[Row]:
    """ORT vs torch eager on the same weights and inputs, for every row a ``bench/_torch_*.py`` times.

    Torch runs in a subprocess (in this process its threads would slow ORT down),
    and only where torch is installed (the export requirements); its cases are
    matched to this run's ORT rows by name.
    """
    if importlib.util.find_spec("torch") is None:
        print("# torch is not installed (requirements-export.txt): no torch eager comparison")
        return []
    ort = {r.name: r for r in rows}
    out_rows = []
    # ORT's idle threads do not spin (playground.runtime.session_options), so torch's OpenMP threads do not
    # either: spinning threads on busy shared cores made torch several times slower than it is.
    env = {**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
    for module in torch_modules():
        out = subprocess.run([sys.executable, "-m", module, "--repeat", str(repeat)], cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=900, env=env)
        if out.returncode != 0:
            print(f"# torch eager comparison ({module}) failed:\n{out.stderr[-2000:]}")
            continue
        result = json.loads(out.stdout.strip().splitlines()[-1])
        worst = max((c["max_abs_error_vs_ort"] for c in result["cases"]), default=0.0)
        print(f"# {module}: torch {result['torch']} eager, {result['threads']} threads, in a subprocess; "
              f"largest |torch − ORT| on the outputs: {worst:.2g}")
        out_rows += [Row(f"{case['name']} vs torch", ort[case["name"]].median_ms, "torch eager (subprocess)",
                         case["median_ms"], ort[case["name"]].gflops)
                     for case in result["cases"] if case["name"] in ort]
    return out_rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed calls per case (median reported)")
    parser.add_argument("--no-pages", action="store_true", help="skip the page rerun timings")
    parser.add_argument("--no-load", action="store_true", help="skip the concurrent-callers test")
    parser.add_argument("--no-clients", action="store_true", help="skip one real visitor per page")
    parser.add_argument("--no-browser", action="store_true", help="skip the first visits in Chromium")
    args = parser.parse_args(argv)
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, onnxruntime {ort.__version__}, "
          f"providers {ort.get_available_providers()}")
    rows = []
    for module in case_modules():
        loaded = importlib.import_module(module)
        for case in loaded.cases():
            rows.append(measure(case, args.repeat))
            print(format_rows(rows[-1:]).splitlines()[-1], flush=True)
        for row in getattr(loaded, "measured_rows", lambda repeat: [])(args.repeat):
            rows.append(row)
            print(format_rows(rows[-1:]).splitlines()[-1], flush=True)
    rows += torch_rows(rows, args.repeat)
    if not args.no_pages:
        rows += pages.rows(args.repeat)
    if not args.no_load:
        rows += concurrency.rows(args.repeat)
    if not args.no_clients:
        rows += load.rows()
    if not args.no_browser:
        rows += first_visit.rows()
    print()
    print(format_rows(rows))
    print("\n# N = 1, 10 and 30 visitors per page, think time and capacity: python -m bench.load")


if __name__ == "__main__":
    main()
