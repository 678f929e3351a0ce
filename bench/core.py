"""Timing helpers and the row type every benchmark module returns."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Case:
    """One thing to time, with the reference it is compared to in the same run."""

    name: str
    run: Callable[[], object]
    reference: Callable[[], object] | None = None
    reference_name: str = ""
    flops: float | None = None  # floating-point operations per call, for GFLOP/s
    budget_ms: float | None = None  # the project's budget for this call, if any
    repeat: int | None = None  # timed calls, when this case is too long for the run's --repeat
    warmup: int = 2  # untimed calls first


@dataclass
class Row:
    name: str
    median_ms: float
    reference_name: str = ""
    reference_ms: float | None = None
    gflops: float | None = None
    budget_ms: float | None = None

    @property
    def speedup(self) -> float | None:
        """Reference time ÷ our time: above 1 means ours is faster."""
        return None if self.reference_ms is None else self.reference_ms / self.median_ms


def median_ms(fn: Callable[[], object], repeat: int, warmup: int = 2) -> float:
    """Median wall time of ``fn`` in milliseconds after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def measure(case: Case, repeat: int) -> Row:
    """Time a case and its reference, interleaved in one process so they share conditions."""
    ours = median_ms(case.run, case.repeat or repeat, case.warmup)
    ref = median_ms(case.reference, max(3, repeat // 3)) if case.reference else None
    gflops = case.flops / (ours * 1e6) if case.flops else None
    return Row(case.name, ours, case.reference_name, ref, gflops, case.budget_ms)


def format_rows(rows: list[Row]) -> str:
    """A plain-text table."""
    width = max([len(r.name) for r in rows] + [4])
    header = (f"{'case':{width}s} {'median ms':>10s} {'reference':>26s} {'ref ms':>9s} {'ratio':>7s} "
              f"{'GFLOP/s':>8s} {'budget':>9s}")
    lines = [header, "-" * len(header)]
    for r in rows:
        ratio = f"{r.speedup:.1f}x" if r.speedup else ""
        ref_ms = f"{r.reference_ms:.2f}" if r.reference_ms is not None else ""
        gf = f"{r.gflops:.1f}" if r.gflops else ""
        budget = "" if r.budget_ms is None else ("ok" if r.median_ms <= r.budget_ms else "OVER") + f" {r.budget_ms:g}"
        lines.append(f"{r.name:{width}s} {r.median_ms:10.2f} {r.reference_name:>26s} {ref_ms:>9s} {ratio:>7s} "
                     f"{gf:>8s} {budget:>9s}")
    return "\n".join(lines)
