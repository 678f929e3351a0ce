"""Hosting settings under load: 8 visitors calling one model at once, per ORT thread setting.

Each setting runs in its own process (thread options are fixed when a session
starts); the reference is the default setting measured in the same run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench.core import Row
from playground.manifest import REPO_ROOT

CALLERS = 8
SETTINGS = [  # (label, PLAYGROUND_ORT_THREADS, PLAYGROUND_ORT_SPIN)
    ("default (a thread per core, no spin)", "0", "0"),
    ("1 thread per call, no spin", "1", "0"),
    ("a thread per core, spinning", "0", "1"),
]


def _load(threads: str, spin: str, callers: int) -> dict:
    env = {**os.environ, "PLAYGROUND_ORT_THREADS": threads, "PLAYGROUND_ORT_SPIN": spin}
    out = subprocess.run([sys.executable, "-m", "bench._concurrent_load", "--callers", str(callers)],
                         cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def rows(repeat: int) -> list[Row]:
    """p50 latency per call with CALLERS concurrent callers (conv2d, 512² RGB, Sobel x+y)."""
    results = {label: _load(threads, spin, CALLERS) for label, threads, spin in SETTINGS}
    reference = results[SETTINGS[0][0]]
    return [Row(f"{CALLERS} concurrent callers, {label}: p50 per call ({r['calls_per_s']:.0f} calls/s)",
                r["p50_ms"], "default setting", reference["p50_ms"]) for label, r in results.items()]
