"""The residual block: a^[l+2] = g(z^[l+2] + a^[l]), and why deep networks need it.

The public API of the concept (page ``pages/residual_block.py``):

- :func:`residual_block` and :func:`residual_block_projection`, on the
  committed ``residual_block`` models, with every intermediate from
  :func:`residual_block_steps` / :func:`projection_block_steps` (:mod:`.block`);
- the recorded depth experiment, plain vs residual nets of 8, 20 and 56 layers
  trained on scikit-learn's digits (:mod:`.depth_record`);
- the same experiment small enough to re-run in numpy (:mod:`.depth_numpy`);
- :func:`warm`, which loads what the page reads, for a server about to open.

Examples
--------
>>> import numpy as np
>>> from playground.residual_block import residual_block
>>> a = np.ones((2, 5, 5)); w = np.zeros((2, 2, 3, 3)); b = np.zeros(2)
>>> residual_block(a, w, b, w, b)[0, 0, 0]       # both convs give 0: a^[l+2] = g(a^[l])
np.float32(1.0)
"""

from playground.residual_block import depth_numpy, depth_record
from playground.residual_block.block import (
    IDENTITY_MODEL,
    KERNEL,
    MAX_STRIDE,
    PAD,
    PROJECTION_MODEL,
    BlockExample,
    BlockShapes,
    BlockSteps,
    CellTerms,
    IdentityCheck,
    block_shapes,
    cell_terms,
    example_block,
    identity_check,
    identity_output,
    projection_block_steps,
    residual_block,
    residual_block_projection,
    residual_block_steps,
)

__all__ = [
    "IDENTITY_MODEL", "KERNEL", "MAX_STRIDE", "PAD", "PROJECTION_MODEL", "BlockExample", "BlockShapes",
    "BlockSteps", "CellTerms", "IdentityCheck", "block_shapes", "cell_terms", "depth_numpy", "depth_record",
    "example_block", "identity_check", "identity_output", "projection_block_steps", "residual_block",
    "residual_block_projection", "residual_block_steps", "warm",
]


def warm() -> None:
    """Read the depth experiment's record and the held-out digits (cached per process).

    A server calls this before its first visitor, who would otherwise wait for it.
    """
    depth_record.load_record()
    depth_record.training_runs()
    depth_record.held_out_digits()
