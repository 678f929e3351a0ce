"""Torch eager latency of the anchor-boxes detector on one scene, on the weights and input ORT runs.

Usage: python -m bench._torch_anchor [--repeat 15]

Run by ``python -m bench`` in its own process when torch is installed (see
bench/_torch_eager.py). The detector is rebuilt from ``export/anchor_detector.py``
(BN folded, as exported) with the weights read from its ONNX file, checked
against ORT's raw output, then timed. Prints one JSON line: {"torch": version,
"threads": n, "cases": [{"name", "median_ms", "max_abs_error_vs_ort"}]}.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch

from bench.anchor_boxes import detector_case_name, detector_input
from bench.core import median_ms
from export.anchor_detector import Detector
from playground import runtime
from playground.anchor_boxes import DETECTOR_MODEL, detector_spec
from tests.references import onnx_initializers


def torch_detector() -> Detector:
    """The exported (BN-folded) detector in torch, weights from the ONNX file."""
    spec = detector_spec()
    model = Detector(spec.n_anchors, len(spec.class_names), bn=False)
    weights = onnx_initializers(DETECTOR_MODEL)
    model.load_state_dict({k: torch.from_numpy(weights[k].astype(np.float32)) for k in model.state_dict()})
    return model.eval()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    x = detector_input()
    model = torch_detector()
    with torch.inference_mode():
        ours = model(torch.from_numpy(x)).numpy()
        ort_raw = runtime.run(DETECTOR_MODEL, {"image": x}, provider="cpu")["raw"]
        ms = median_ms(lambda: model(torch.from_numpy(x)), args.repeat)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "cases": [
        {"name": detector_case_name(), "median_ms": ms, "max_abs_error_vs_ort": float(np.max(np.abs(ours - ort_raw)))}]}))


if __name__ == "__main__":
    main()
