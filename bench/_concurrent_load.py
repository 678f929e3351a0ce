"""Many visitors at once: per-call latency when N threads share one model session.

Run by bench/concurrency.py in a fresh process per setting, because ONNX Runtime's
thread options (PLAYGROUND_ORT_THREADS, PLAYGROUND_ORT_SPIN) are read when the
session starts. Prints one JSON line: {"p50_ms": ..., "calls_per_s": ...}.

Usage: PLAYGROUND_ORT_THREADS=1 python -m bench._concurrent_load --callers 8
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time

import numpy as np

from playground import runtime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--callers", type=int, default=8)
    parser.add_argument("--calls", type=int, default=20, help="calls per caller")
    parser.add_argument("--size", type=int, default=512, help="image side (RGB, Sobel x+y)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    feeds = {"x": rng.random((1, 3, args.size, args.size), dtype=np.float32),
             "w": rng.standard_normal((2, 3, 3, 3)).astype(np.float32), "b": np.zeros(2, np.float32),
             "pads": np.ones(4, np.int64), "strides": np.ones(2, np.int64)}
    runtime.run("conv2d", feeds, provider="cpu")  # load and warm up
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(args.callers)

    def caller() -> None:
        barrier.wait()
        for _ in range(args.calls):
            start = time.perf_counter()
            runtime.run("conv2d", feeds, provider="cpu")
            with lock:
                latencies.append((time.perf_counter() - start) * 1e3)

    threads = [threading.Thread(target=caller) for _ in range(args.callers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    print(json.dumps({"p50_ms": statistics.median(latencies), "calls_per_s": len(latencies) / elapsed}))


if __name__ == "__main__":
    main()
