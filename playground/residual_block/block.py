"""The residual block: a^[l+2] = g(z^[l+2] + a^[l]), computed on ONNX Runtime.

A block has a main path, conv → ReLU → conv, and a shortcut that carries
a^[l] past both convs and adds it before the last ReLU::

    z^[l+1] = W^[l+1] * a^[l] + b^[l+1]      a^[l+1] = g(z^[l+1])
    z^[l+2] = W^[l+2] * a^[l+1] + b^[l+2]    a^[l+2] = g(z^[l+2] + a^[l])

(* is the 3×3 "same" convolution, g = ReLU.) If W^[l+2] and b^[l+2] are 0 the
block computes g(a^[l]) = a^[l] for a^[l] ≥ 0, which every ReLU output is: an
added block can always fall back to the identity, so it need not hurt. When the
main path changes the shape (stride s, or C_out ≠ C_in channels) the shortcut is
a projection W_s a^[l], a 1×1 convolution with the same stride (no bias).

Every number comes from the committed models ``residual_block`` and
``residual_block_projection`` (see ``export/residual_block.py``), whose weights
are inputs, so any weights can be fed and every intermediate is returned.

Examples
--------
>>> a = np.ones((2, 5, 5)); w = np.zeros((2, 2, 3, 3)); b = np.zeros(2)
>>> residual_block(a, w, b, w, b)[0, 0, 0]   # both convs give 0: a^[l+2] = g(a^[l])
np.float32(1.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground import runtime
from playground.arrays import as_float32
from playground.conv_shape import conv_output_size

IDENTITY_MODEL = "residual_block"
PROJECTION_MODEL = "residual_block_projection"
KERNEL = 3  # f of both main-path convs
PAD = 1  # "same" padding for f = 3 at stride 1: p = (f − 1)/2
MAX_STRIDE = 4


@dataclass(frozen=True)
class BlockSteps:
    """Every value of one block, as ORT computed it (float32).

    a, z1, a1, z2, shortcut, a2 are a^[l] (C_in, H, W), z^[l+1], a^[l+1],
    z^[l+2], the shortcut term (a^[l], W_s a^[l], or 0 with the skip off) and
    a^[l+2], the last five (C_out, H', W').
    """

    a: np.ndarray
    z1: np.ndarray
    a1: np.ndarray
    z2: np.ndarray
    shortcut: np.ndarray
    a2: np.ndarray
    projection: bool
    stride: int
    skip: bool


@dataclass(frozen=True)
class BlockShapes:
    """The shape arithmetic of one block (channels, rows, columns)."""

    first: tuple[int, int, int]  # z^[l+1], a^[l+1]: the first conv, stride s
    main: tuple[int, int, int]  # z^[l+2], a^[l+2]: the second conv, stride 1
    projection: tuple[int, int, int]  # W_s a^[l]: the 1×1 conv with stride s and p = 0
    identity_fits: bool  # a^[l] can be added to z^[l+2] as it is


def block_shapes(c_in: int, n_h: int, n_w: int, c_out: int, stride: int) -> BlockShapes:
    """Shapes through a block whose first conv has ``c_out`` filters and stride ``stride``.

    The main path is 3×3 convs with p = 1: the first at stride s, the second at
    stride 1; a 1×1 projection with stride s and p = 0 gives the same size,
    ⌊(n − 1)/s⌋ + 1, which is why it can replace the identity.
    """
    first = (c_out, conv_output_size(n_h, KERNEL, PAD, stride), conv_output_size(n_w, KERNEL, PAD, stride))
    main = (c_out, conv_output_size(first[1], KERNEL, PAD, 1), conv_output_size(first[2], KERNEL, PAD, 1))
    projection = (c_out, conv_output_size(n_h, 1, 0, stride), conv_output_size(n_w, 1, 0, stride))
    return BlockShapes(first, main, projection, main == (c_in, n_h, n_w))


def _real_array(name: str, x, ndim: int) -> np.ndarray:
    """``x`` as a finite float32 array of ``ndim`` dimensions, or a ValueError saying why not."""
    arr = as_float32(x, name)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {arr.shape}")
    if 0 in arr.shape:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    return arr


def _check_weights(c_in: int, c_out: int, w1, b1, w2, b2, ws=None) -> tuple[np.ndarray, ...]:
    """Validate the block's weights against the input's channels; float32 arrays."""
    w1, w2 = _real_array("w1", w1, 4), _real_array("w2", w2, 4)
    b1, b2 = _real_array("b1", b1, 1), _real_array("b2", b2, 1)
    expected = {"w1": (c_out, c_in, KERNEL, KERNEL), "b1": (c_out,),
                "w2": (c_out, c_out, KERNEL, KERNEL), "b2": (c_out,)}
    arrays = {"w1": w1, "b1": b1, "w2": w2, "b2": b2}
    if ws is not None:
        arrays["ws"] = _real_array("ws", ws, 4)
        expected["ws"] = (c_out, c_in, 1, 1)
    for name, shape in expected.items():
        if arrays[name].shape != shape:
            raise ValueError(f"{name} must have shape {shape} for a^[l] with {c_in} channels, "
                             f"got {arrays[name].shape}")
    return tuple(arrays.values())


def _steps(out: dict[str, np.ndarray], a: np.ndarray, projection: bool, stride: int, skip: bool) -> BlockSteps:
    return BlockSteps(a, out["z1"][0], out["a1"][0], out["z2"][0], out["shortcut"][0], out["a2"][0],
                      projection, stride, skip)


def residual_block_steps(a, w1, b1, w2, b2, *, skip: bool = True, provider: str = "auto") -> BlockSteps:
    """Every intermediate of a block with the identity shortcut (shapes kept).

    Parameters
    ----------
    a : array_like, shape (C, H, W)
        a^[l]; any real dtype.
    w1, w2 : array_like, shape (C, C, 3, 3)
        W^[l+1], W^[l+2] (filters, channels, rows, columns).
    b1, b2 : array_like, shape (C,)
    skip : bool
        False drops the shortcut: the plain block a^[l+2] = g(z^[l+2]).
    provider : {"auto", "cuda", "cpu"}

    Returns
    -------
    BlockSteps
        Every array (C, H, W), float32.
    """
    a32 = _real_array("a", a, 3)
    w1, b1, w2, b2 = _check_weights(a32.shape[0], a32.shape[0], w1, b1, w2, b2)
    feeds = {"a": a32[None], "w1": w1, "b1": b1, "w2": w2, "b2": b2,
             "skip": np.array([1.0 if skip else 0.0], np.float32)}
    return _steps(runtime.run(IDENTITY_MODEL, feeds, provider=provider), a32, False, 1, skip)


def residual_block(a, w1, b1, w2, b2, *, provider: str = "auto") -> np.ndarray:
    """a^[l+2] = g(conv(g(conv(a, w1) + b1), w2) + b2 + a), g = ReLU, on ONNX Runtime.

    Both convolutions are 3×3 with stride 1 and "same" padding (p = 1).

    Parameters
    ----------
    a : array_like, shape (C, H, W)
        a^[l]; any real dtype.
    w1, w2 : array_like, shape (C, C, 3, 3)
    b1, b2 : array_like, shape (C,)
    provider : {"auto", "cuda", "cpu"}

    Returns
    -------
    numpy.ndarray, shape (C, H, W), float32

    Raises
    ------
    ValueError
        On a wrong shape, a non-real dtype, or a value that is not finite.
    """
    return residual_block_steps(a, w1, b1, w2, b2, provider=provider).a2


def projection_block_steps(a, w1, b1, w2, b2, ws, *, stride: int = 1, skip: bool = True,
                           provider: str = "auto") -> BlockSteps:
    """Every intermediate of a block whose shortcut is the projection W_s a^[l].

    Parameters
    ----------
    a : array_like, shape (C_in, H, W)
    w1 : array_like, shape (C_out, C_in, 3, 3)
        The first conv, applied with stride ``stride``.
    b1, b2 : array_like, shape (C_out,)
    w2 : array_like, shape (C_out, C_out, 3, 3)
    ws : array_like, shape (C_out, C_in, 1, 1)
        W_s: a 1×1 conv with stride ``stride`` and no bias.
    stride : int, 1 … MAX_STRIDE
    skip : bool
    provider : {"auto", "cuda", "cpu"}

    Returns
    -------
    BlockSteps
        a (C_in, H, W); the rest (C_out, ⌊(H − 1)/s⌋ + 1, ⌊(W − 1)/s⌋ + 1), float32.
    """
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or not 1 <= stride <= MAX_STRIDE:
        raise ValueError(f"stride must be an integer from 1 to {MAX_STRIDE}, got {stride!r}")
    a32 = _real_array("a", a, 3)
    c_out = np.shape(w1)[0] if np.ndim(w1) == 4 else -1
    w1, b1, w2, b2, ws = _check_weights(a32.shape[0], c_out, w1, b1, w2, b2, ws)
    feeds = {"a": a32[None], "w1": w1, "b1": b1, "w2": w2, "b2": b2, "ws": ws,
             "stride": np.array([stride], np.int64), "skip": np.array([1.0 if skip else 0.0], np.float32)}
    return _steps(runtime.run(PROJECTION_MODEL, feeds, provider=provider), a32, True, int(stride), skip)


def residual_block_projection(a, w1, b1, w2, b2, ws, *, stride: int = 1, provider: str = "auto") -> np.ndarray:
    """a^[l+2] = g(z^[l+2] + W_s a^[l]) for a block that changes shape; see :func:`projection_block_steps`.

    Returns
    -------
    numpy.ndarray, shape (C_out, ⌊(H − 1)/s⌋ + 1, ⌊(W − 1)/s⌋ + 1), float32
    """
    return projection_block_steps(a, w1, b1, w2, b2, ws, stride=stride, provider=provider).a2


@dataclass(frozen=True)
class CellTerms:
    """One output cell of a block, term by term: what the page writes out in the learner's numbers."""

    conv1: float  # (W^[l+1] * a^[l]) at the cell, before the bias
    b1: float
    z1: float
    a1: float
    conv2: float  # (W^[l+2] * a^[l+1]) at the cell, before the bias (W^[l+2] as fed, e.g. scaled)
    b2: float
    z2: float
    shortcut: float  # a^[l], W_s a^[l], or 0 with the skip off
    pre: float  # z^[l+2] + shortcut: what the last ReLU sees
    a2: float


def cell_terms(steps: BlockSteps, b1, b2, cell: tuple[int, int, int]) -> CellTerms:
    """The terms of output cell ``(channel, row, column)`` (0-based) from a block's steps.

    The convolution parts are z minus the bias, so every term is one that
    ONNX Runtime computed; ``b1``, ``b2`` (C_out,) are the biases that were fed.
    """
    c, i, j = cell
    z1, z2 = float(steps.z1[c, i, j]), float(steps.z2[c, i, j])
    bias1, bias2 = float(np.asarray(b1)[c]), float(np.asarray(b2)[c])
    shortcut = float(steps.shortcut[c, i, j])
    return CellTerms(z1 - bias1, bias1, z1, float(steps.a1[c, i, j]), z2 - bias2, bias2, z2, shortcut,
                     z2 + shortcut, float(steps.a2[c, i, j]))


def identity_output(shortcut) -> np.ndarray:
    """a^[l+2] once W^[l+2] = 0 and b^[l+2] = 0: g(0 + shortcut) = max(0, shortcut).

    With the second layer zeroed, z^[l+2] = 0 · a^[l+1] + 0 = 0 whatever the first
    layer computed, so only the shortcut term reaches the last ReLU. No model run
    is needed: the shortcut of the block as it stands is the same with W^[l+2] = 0.

    Parameters
    ----------
    shortcut : array_like, shape (C_out, H', W')
        The shortcut term, e.g. ``BlockSteps.shortcut``: a^[l], W_s a^[l], or 0 with the skip off.

    Returns
    -------
    numpy.ndarray, same shape, float32

    Examples
    --------
    >>> identity_output(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.], dtype=float32)
    """
    return np.maximum(np.asarray(shortcut, np.float32), np.float32(0))


@dataclass(frozen=True)
class IdentityCheck:
    """How close a block with W^[l+2] = 0, b^[l+2] = 0 and the identity shortcut is to the identity."""

    negatives: int  # cells where a^[l] < 0: ReLU sets them to 0, so there a^[l+2] ≠ a^[l]
    max_difference: float  # largest |a^[l+2] − a^[l]| over the block


def identity_check(steps: BlockSteps) -> IdentityCheck:
    """Compare a^[l+2] with a^[l] for a block whose steps were computed with the identity shortcut.

    Raises
    ------
    ValueError
        For a projection block, whose output need not have a^[l]'s shape.
    """
    if steps.projection:
        raise ValueError("the identity check needs the identity shortcut, not the projection W_s")
    return IdentityCheck(int((steps.a < 0).sum()), float(np.max(np.abs(steps.a2 - steps.a))))


@dataclass(frozen=True)
class BlockExample:
    """A small seeded volume and weights with integer values, easy to read on a heatmap."""

    a: np.ndarray  # (C_in, n, n)
    w1: np.ndarray  # (C_out, C_in, 3, 3)
    b1: np.ndarray  # (C_out,)
    w2: np.ndarray  # (C_out, C_out, 3, 3)
    b2: np.ndarray  # (C_out,)
    ws: np.ndarray  # (C_out, C_in, 1, 1)


def example_block(seed: int, c_in: int = 2, size: int = 5, c_out: int | None = None,
                  negatives: bool = False) -> BlockExample:
    """Integer-valued a^[l] (0…3, or −3…3 with ``negatives``) and weights in {−1, 0, 1}.

    a^[l] is non-negative by default because in a network it is a ReLU output.
    Biases are in {−1, 0, 1}; W_s in {−1, 0, 1} too.
    """
    c_out = c_in if c_out is None else c_out
    rng = np.random.default_rng(seed)
    low = -3 if negatives else 0
    return BlockExample(
        a=rng.integers(low, 4, (c_in, size, size)).astype(np.float32),
        w1=rng.integers(-1, 2, (c_out, c_in, KERNEL, KERNEL)).astype(np.float32),
        b1=rng.integers(-1, 2, c_out).astype(np.float32),
        w2=rng.integers(-1, 2, (c_out, c_out, KERNEL, KERNEL)).astype(np.float32),
        b2=rng.integers(-1, 2, c_out).astype(np.float32),
        ws=rng.integers(-1, 2, (c_out, c_in, 1, 1)).astype(np.float32),
    )
