"""Torch eager latency of the glyph embedding, on the weights and inputs ORT runs.

Usage: python -m bench._torch_triplet [--repeat 15]

Run by ``python -m bench`` in its own process when torch is installed. The
network is rebuilt from ``export/triplet_training.py`` (BN folded, as
exported) with the weights read from its ONNX file, checked against ORT, then
timed on one picture and on the evaluation set. Prints one JSON line in the
format of ``bench/_torch_eager.py``.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch

from bench.core import median_ms
from bench.triplet_loss import CHANNELS, glyph_case_name, glyph_inputs
from export.triplet_training import EmbeddingNet
from playground import runtime
from playground.triplet_loss import encoders
from tests.references import onnx_initializers


def torch_net() -> EmbeddingNet:
    """The exported (BN-folded) glyph embedding in torch, weights from the ONNX file."""
    model = EmbeddingNet(CHANNELS, 64, bn=False)
    weights = onnx_initializers(encoders.GLYPH_MODEL)
    model.load_state_dict({k: torch.from_numpy(weights[k].astype(np.float32)) for k in model.state_dict()})
    return model.eval()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    x = glyph_inputs()
    model = torch_net()
    cases = []
    for batch in (1, len(x)):
        xt = torch.from_numpy(x[:batch])
        with torch.inference_mode():
            ours = model(xt).numpy()
            ort_out = runtime.run(encoders.GLYPH_MODEL, {"x": x[:batch]}, provider="cpu")["encoding"]
            ms = median_ms(lambda xt=xt: model(xt), args.repeat)
        cases.append({"name": glyph_case_name(batch), "median_ms": ms,
                      "max_abs_error_vs_ort": float(np.max(np.abs(ours - ort_out)))})
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "cases": cases}))


if __name__ == "__main__":
    main()
