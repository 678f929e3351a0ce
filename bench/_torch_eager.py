"""Torch eager latency of the depth-experiment nets, on the weights and inputs ORT runs.

Usage: python -m bench._torch_eager [--repeat 15]

Run by ``python -m bench`` in its own process when torch is installed (torch
in the same process as ONNX Runtime slows ORT down through thread contention).
Each net is rebuilt from ``export/depth_experiment.py`` (BN folded, as
exported) with the weights read from its ONNX file, checked against ORT's
logits, then timed. Prints one JSON line: {"torch": version, "threads": n,
"cases": [{"name", "median_ms", "max_abs_error_vs_ort"}]}.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch

from bench.core import median_ms
from bench.residual_block import depth_case_name, depth_inputs
from export.depth_experiment import DepthNet
from playground import runtime
from playground.residual_block import depth_record as dx
from tests.references import onnx_initializers


def torch_net(name: str, blocks: int, residual: bool) -> DepthNet:
    """The exported (BN-folded) network in torch, weights from the ONNX file."""
    model = DepthNet(blocks, residual, bn=False)
    weights = onnx_initializers(name)
    model.load_state_dict({k: torch.from_numpy(weights[k].astype(np.float32)) for k in model.state_dict()})
    return model.eval()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    x = depth_inputs()
    x_torch = torch.from_numpy(x)
    cases = []
    for run in dx.training_runs():
        model = torch_net(run.name, run.blocks, run.residual)
        with torch.inference_mode():
            logits = model(x_torch)[0].numpy()
            ort_logits = runtime.run(run.name, {"x": x}, provider="cpu")["logits"]
            ms = median_ms(lambda model=model: model(x_torch), args.repeat)
        cases.append({"name": depth_case_name(run.depth, run.residual, len(x)), "median_ms": ms,
                      "max_abs_error_vs_ort": float(np.max(np.abs(logits - ort_logits)))})
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "cases": cases}))


if __name__ == "__main__":
    main()
