"""Neural style transfer on ONNX Runtime: one step, 150 iterations at 256 px, and the fast stylization.

Usage: python -m bench.style_transfer [--repeat 3]      (also part of ``python -m bench``)

The goal (issue 13): 150 iterations at 256 × 256 in at most 10 s on 2 cores
through ORT, and ORT no slower than torch autograd on the same MobileNetV2
layers and images. Run alone, this module prints its rows and, where torch is
installed, the same two cases timed by ``bench/_torch_style.py`` in a separate
process, with the ratio in one run: ORT is timed before and after torch and the
two are averaged, because on a shared machine the load drifts within minutes.
It also prints the process CPU time of a step for both, which stays meaningful
where wall time does not.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time
from collections import deque

import numpy as np

from bench.core import Case, Row, format_rows, measure
from playground import runtime
from playground.manifest import REPO_ROOT
from playground.style_transfer import fast, optimise, prepare, samples
from playground.style_transfer.generation import Settings, cost_and_gradient

SIDE = 256  # the goal's size: a square 256 × 256 (astronaut, a square photo)
ITERATIONS = 150
CONTENT, STYLE = "astronaut", "immunohistochemistry"
STEP_NAME = f"style_transfer: one step at {SIDE}×{SIDE} (J and dJ/dG)"  # _torch_style.py reports the same names
RUN_NAME = f"style_transfer: {ITERATIONS} iterations at {SIDE}×{SIDE}"
RUN_REPEAT = 2  # timed runs of the 150-iteration case (each is seconds long)


def settings(iterations: int = ITERATIONS) -> Settings:
    """The page's default generation, at the goal's size."""
    return Settings(side=SIDE, iterations=iterations)


def problem():
    """Content, style and targets as the page prepares them (both photos are square: G is 256 × 256)."""
    return prepare(samples.sample_rgb(CONTENT), samples.sample_rgb(STYLE), settings(), "cpu")


def generation(prepared, iterations: int = ITERATIONS) -> float:
    """One whole generation; returns its last J (so the work cannot be skipped)."""
    (last,) = deque(optimise(prepared, settings(iterations), "cpu"), maxlen=1)
    return last.j


def cases() -> list[Case]:
    prepared = problem()
    content, style = samples.sample_rgb("chelsea"), samples.sample_rgb(STYLE)
    out = [
        Case(STEP_NAME, run=lambda: cost_and_gradient(prepared, settings(), prepared.start, "cpu")),
        Case(RUN_NAME, run=lambda: generation(prepared), budget_ms=10_000, repeat=RUN_REPEAT, warmup=0),
    ]
    for side in (256, 384):
        out.append(Case(f"style_transfer: fast stylization, longer side {side} (cat: style vector + transform)",
                        run=lambda side=side: fast.stylize(content, style, side, provider="cpu")))
    return out


def cpu_ms(fn, repeat: int) -> float:
    """Median process CPU time of ``fn`` in ms (all threads): the work, whatever else the machine does."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append((time.process_time() - start) * 1e3)
    return float(np.median(times))


def torch_cases() -> dict | None:
    """The torch autograd timings of ``bench/_torch_style.py`` (a subprocess), or None without torch."""
    if importlib.util.find_spec("torch") is None:
        print("# torch is not installed (requirements-export.txt): no torch comparison")
        return None
    out = subprocess.run([sys.executable, "-m", "bench._torch_style"], cwd=REPO_ROOT, capture_output=True,
                         text=True, timeout=1800)
    if out.returncode != 0:
        print(f"# torch comparison failed:\n{out.stderr[-2000:]}")
        return None
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"# torch {result['torch']}, {result['threads']} threads, OMP_WAIT_POLICY={result.get('omp_wait_policy')}, "
          f"in a subprocess; relative |J_torch − J_ORT| {max(c['max_abs_error_vs_ort'] for c in result['cases']):.2g}; "
          f"one step's process CPU time {result['cpu_ms']:.1f} ms")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"# onnxruntime threads per call: {runtime.session_options().intra_op_num_threads or 'one per core'}")
    rows, timed = [], cases()
    for case in timed:
        rows.append(measure(case, args.repeat))
        print(format_rows(rows[-1:]).splitlines()[-1], flush=True)
    prepared = problem()
    step_cpu = cpu_ms(lambda: cost_and_gradient(prepared, settings(), prepared.start, "cpu"), args.repeat)
    print(f"# ORT: one step's process CPU time {step_cpu:.1f} ms (all its threads together)")
    result = torch_cases()
    if result is not None:
        ours = {r.name: r.median_ms for r in rows}
        for case in timed:  # ORT again right after torch: the ratio uses the mean of both ORT timings
            if case.name in (STEP_NAME, RUN_NAME):
                again = measure(case, args.repeat).median_ms
                print(f"# ORT again after torch: {case.name}: {again:.1f} ms")
                ours[case.name] = (ours[case.name] + again) / 2
        rows += [Row(f"{c['name']} vs torch", ours[c["name"]], "torch autograd (subprocess)", c["median_ms"])
                 for c in result["cases"] if c["name"] in ours]
    print()
    print(format_rows(rows))


if __name__ == "__main__":
    main()
