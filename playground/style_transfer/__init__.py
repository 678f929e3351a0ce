"""Neural style transfer: style as Gram matrices of MobileNetV2 features, and the optimisation that transfers it.

The public API of the concept (page ``pages/style_transfer.py``):

- the course's costs (:mod:`.costs`): :func:`gram_matrix`, :func:`layer_style_cost`,
  :func:`content_cost`, :func:`style_cost` (Σ λ^[l] J_style^[l]), :func:`total_variation`,
  :func:`total_cost` (J = α J_content + β J_style);
- the features (:mod:`.features`, :mod:`.layers`): :func:`activations` of the
  committed ``mobilenet_v2`` at the chosen ``STYLE_LAYERS`` and ``CONTENT_LAYER``;
- generation by optimisation (:mod:`.generation`): :class:`Settings`, :func:`prepare`,
  :func:`optimise` (Adam in numpy, ∂J/∂G from the ``style_gradient`` ONNX graph);
  the server-wide cap on concurrent runs (:mod:`.jobs`);
- keeping the content's colours (:mod:`.colour`), patch shuffling (:mod:`.shuffle`),
  fast feed-forward stylization (:mod:`.fast`) and what the layers see (:mod:`.top_patches`).

Examples
--------
>>> import numpy as np
>>> from playground.style_transfer import gram_matrix, layer_style_cost, content_cost
>>> a = np.ones((2, 3, 4))
>>> gram_matrix(a).shape
(2, 2)
>>> content_cost(a, a), layer_style_cost(a, a)
(0.0, 0.0)
"""

from playground.style_transfer import colour, fast, jobs, samples, shuffle, top_patches
from playground.style_transfer.costs import (
    content_cost,
    gram_cost,
    gram_matrix,
    layer_style_cost,
    style_cost,
    total_cost,
    total_variation,
)
from playground.style_transfer.features import activations, cover, fit, grams
from playground.style_transfer.generation import Problem, Progress, Settings, Step, network_view, optimise, prepare, run_job
from playground.style_transfer.layers import CONTENT_LAYER, GRADIENT_MODEL, LAYERS, STYLE_LAYERS
from playground.style_transfer.shuffle import shuffle_patches

__all__ = [
    "CONTENT_LAYER", "GRADIENT_MODEL", "LAYERS", "Problem", "Progress", "STYLE_LAYERS", "Settings", "Step",
    "activations", "colour", "content_cost", "cover", "fast", "fit", "gram_cost", "gram_matrix", "grams", "jobs",
    "layer_style_cost", "network_view", "optimise", "prepare", "run_job", "samples", "shuffle", "shuffle_patches",
    "style_cost", "top_patches", "total_cost", "total_variation", "warm",
]


def warm() -> None:
    """Decode the samples and search them for every layer's strongest units (cached per process).

    A server calls this before its first visitor: the "what the layers see" search runs
    MobileNetV2 on every sample image (about a second on 2 cores), which the visitor who
    first opens that section would otherwise wait for.
    """
    for name in samples.SAMPLES:
        samples.sample_rgb(name)
    top_patches.top_values(next(iter(LAYERS)))
