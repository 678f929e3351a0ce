"""Torch autograd on the style-transfer step, on the layers, weights and images ORT runs.

Usage: python -m bench._torch_style [--repeat 5]

Run by ``python -m bench.style_transfer`` (and ``python -m bench``) in its own
process when torch is installed: torch in the same process as ONNX Runtime
slows ORT down through thread contention. The MobileNetV2 layers are the plain
torch forward of ``export/style_gradient.py`` with the weights read from
``mobilenet_v2.onnx``; J is the course's cost, its gradient comes from
autograd, and the 150 iterations use ``torch.optim.Adam`` with the page's
learning rate, clipping the pixels to 0…1 after each step as the page does.
Prints one JSON line: {"torch", "threads", "omp_wait_policy", "cpu_ms" (one step's process CPU time),
"cases": [{"name", "median_ms", "max_abs_error_vs_ort"}]} (the error is |J_torch − J_ORT| / J_ORT at the start).

Torch's OpenMP threads are told not to spin while waiting (``OMP_WAIT_POLICY=PASSIVE``),
as ORT's are in this project (``session.intra_op.allow_spinning = 0``). On a busy
shared machine, spinning threads made one torch step take 0.3 to 4.5 s instead of 0.13 s.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when torch starts OpenMP: before the import

import numpy as np  # noqa: E402
import torch  # noqa: E402

from bench.core import median_ms  # noqa: E402
from bench.style_transfer import ITERATIONS, RUN_NAME, STEP_NAME, problem, settings
from export.style_gradient import Features, read_layers, total_cost  # noqa: E402
from playground import runtime  # noqa: E402
from playground.manifest import model_path  # noqa: E402
from playground.style_transfer import STYLE_LAYERS  # noqa: E402
from playground.style_transfer.generation import feeds  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    prepared, config = problem(), settings()
    features = Features(read_layers(model_path("mobilenet_v2"))).eval()
    inputs = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in feeds(prepared, config, prepared.start).items()}
    grams = [inputs[f"gram_target_{n}"] for n in STYLE_LAYERS]

    def step(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = x.detach().requires_grad_(True)
        j = total_cost(features, x, inputs["content_target"], grams, inputs["loss_weights"], inputs["layer_weights"])[0]
        (grad,) = torch.autograd.grad(j, x)
        return j.detach(), grad

    x0 = inputs["generated"]
    j_torch = float(step(x0)[0])
    j_ort = float(runtime.run("style_gradient", feeds(prepared, config, prepared.start), ["J"], provider="cpu")["J"])
    error = abs(j_torch - j_ort) / abs(j_ort)
    step_ms = median_ms(lambda: step(x0), args.repeat)
    cpu = []
    for _ in range(args.repeat):
        start = time.process_time()
        step(x0)
        cpu.append((time.process_time() - start) * 1e3)

    def run() -> None:
        x = x0.clone().requires_grad_(True)
        adam = torch.optim.Adam([x], lr=config.learning_rate)
        for _ in range(ITERATIONS):
            adam.zero_grad()
            total_cost(features, x, inputs["content_target"], grams, inputs["loss_weights"],
                       inputs["layer_weights"])[0].backward()
            adam.step()
            with torch.no_grad():
                x.clamp_(0, 1)

    times = []
    for _ in range(2):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1e3)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(),
                      "omp_wait_policy": os.environ["OMP_WAIT_POLICY"], "cpu_ms": float(np.median(cpu)), "cases": [
        {"name": STEP_NAME, "median_ms": step_ms, "max_abs_error_vs_ort": error},
        {"name": RUN_NAME, "median_ms": float(np.median(times)), "max_abs_error_vs_ort": error}]}))


if __name__ == "__main__":
    main()
