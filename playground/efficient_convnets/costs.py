"""What a layer costs: normal and depthwise-separable convolutions, 1×1 bottlenecks, MobileNetV2 blocks, Inception.

Every output size comes from :mod:`playground.conv_shape` (``Axis.make``,
which takes p as a number, ``"valid"`` or ``"same"``) and every parameter and
multiplication count from :func:`~playground.conv_arithmetic.conv_params` and
:func:`~playground.conv_arithmetic.conv_macs`; this module only says which
layers a design is made of. A depthwise convolution is n_C filters of
f×f×1, one per channel, so it is ``conv_macs(…, f, 1, n_C)``.

Shapes are written as the course writes them, n_H × n_W × n_C; inputs are square.

Examples
--------
>>> depthwise_separable_macs(6, 3, 3, 5)      # the course's 6×6×3 input, 3×3 filters, 5 of them
(432, 240)
>>> normal_conv(6, 3, 3, 5).macs
2160
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from playground.conv_arithmetic import Axis, conv_macs, conv_params
from playground.conv_shape import whole_number

POOL_F = 3  # the Inception module's max-pool: 3×3, stride 1, "same"
MOBILENET_F = 3  # MobileNet's depthwise filters are 3×3


@dataclass(frozen=True)
class Layer:
    """One layer of a design: what goes in, what comes out, and what it costs."""

    name: str
    kind: str  # "conv", "depthwise", "pointwise" or "maxpool"
    input_shape: tuple[int, int, int]  # n_H × n_W × n_C
    output_shape: tuple[int, int, int]
    f: int
    s: int
    params: int  # weights and biases
    macs: int  # multiplications (each one a multiply-add), bias excluded

    @property
    def moved(self) -> int:
        """Numbers the layer must read or write at least once: its input, its output and its parameters."""
        return _volume(self.input_shape) + _volume(self.output_shape) + self.params

    @property
    def intensity(self) -> float:
        """Multiplications per number moved: few means the layer waits on memory rather than on arithmetic."""
        return self.macs / self.moved


def _volume(shape: tuple[int, int, int]) -> int:
    h, w, c = shape
    return h * w * c


def _side(n: int, f: int, p, s: int) -> int:
    """Output side for p as a number, "valid" or "same" (playground.conv_shape does the arithmetic)."""
    return Axis.make(n, f, p, s).out


def normal_conv(n: int, f: int, n_c: int, n_c_out: int, p=0, s: int = 1, name: str = "conv") -> Layer:
    """A normal convolution: n_C' filters of f×f×n_C on an n×n×n_C input.

    Multiplications: n_out² · n_C' · f² · n_C.
    """
    whole_number("n_C", n_c, 1), whole_number("n_C'", n_c_out, 1)
    out = _side(n, f, p, s)
    return Layer(name, "conv", (n, n, n_c), (out, out, n_c_out), f, s, conv_params(f, n_c, n_c_out),
                 conv_macs(out, out, f, n_c, n_c_out))


def depthwise_conv(n: int, f: int, n_c: int, p=0, s: int = 1, name: str = "depthwise") -> Layer:
    """A depthwise convolution: one f×f filter per channel, channel c of the output sees only channel c.

    Multiplications: n_out² · n_C · f² (``conv_macs`` with one input channel per filter, n_C filters).
    """
    whole_number("n_C", n_c, 1)
    out = _side(n, f, p, s)
    return Layer(name, "depthwise", (n, n, n_c), (out, out, n_c), f, s, conv_params(f, 1, n_c),
                 conv_macs(out, out, f, 1, n_c))


def pointwise_conv(n: int, n_c: int, n_c_out: int, name: str = "pointwise") -> Layer:
    """A 1×1 convolution: a fully connected layer from n_C to n_C' numbers applied at every one of the n×n pixels."""
    return replace(normal_conv(n, 1, n_c, n_c_out, 0, 1, name), kind="pointwise")


def depthwise_separable(n: int, f: int, n_c: int, n_c_out: int, p=0, s: int = 1) -> tuple[Layer, Layer]:
    """MobileNet v1's replacement for a normal convolution: depthwise f×f, then pointwise 1×1 to n_C' channels."""
    depthwise = depthwise_conv(n, f, n_c, p, s)
    return depthwise, pointwise_conv(depthwise.output_shape[0], n_c, n_c_out)


def depthwise_separable_macs(n: int, f: int, n_c: int, n_c_out: int, p=0, s: int = 1) -> tuple[int, int]:
    """Multiplications of the depthwise part and of the pointwise part of a depthwise-separable convolution.

    Parameters
    ----------
    n : int
        Input side (n × n × n_C).
    f : int
        Depthwise filter size (f × f).
    n_c, n_c_out : int
        Input channels n_C and output channels n_C' (the number of 1×1 filters).
    p : int or {"valid", "same"}
        Padding of the depthwise step.
    s : int
        Stride of the depthwise step.

    Returns
    -------
    (int, int)
        n_out²·n_C·f² and n_out²·n_C·n_C'. Their sum over a normal convolution's
        n_out²·n_C'·f²·n_C is exactly 1/n_C' + 1/f² (:func:`separable_ratio`).

    Examples
    --------
    >>> depthwise_separable_macs(6, 3, 3, 5)     # 4·4·3·9 and 4·4·3·5; a normal conv: 4·4·5·27 = 2,160
    (432, 240)
    """
    depthwise, pointwise = depthwise_separable(n, f, n_c, n_c_out, p, s)
    return depthwise.macs, pointwise.macs


def separable_ratio(f: int, n_c_out: int) -> Fraction:
    """Depthwise-separable cost over normal cost, exactly: 1/n_C' + 1/f² (it does not depend on n or n_C)."""
    f, n_c_out = whole_number("f", f, 1), whole_number("n_C'", n_c_out, 1)
    return Fraction(1, n_c_out) + Fraction(1, f * f)


@dataclass(frozen=True)
class Design:
    """Layers applied one after the other (a block, or one branch of an Inception module)."""

    name: str
    layers: tuple[Layer, ...]

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)

    @property
    def params(self) -> int:
        return sum(layer.params for layer in self.layers)

    @property
    def output_shape(self) -> tuple[int, int, int]:
        return self.layers[-1].output_shape


def one_by_one_bottleneck(n: int, n_c: int, f: int, filters: int, reduced: int) -> tuple[Design, Design]:
    """A "same" f×f convolution on n×n×n_C, directly and through a 1×1 bottleneck to ``reduced`` channels.

    The course's example: 28×28×192, 32 filters of 5×5, a bottleneck of 16.

    Returns
    -------
    (Design, Design)
        Direct (one conv) and bottlenecked (1×1 to ``reduced``, then the f×f conv).
    """
    direct = Design("direct", (normal_conv(n, f, n_c, filters, "same", name=f"{f}×{f} conv"),))
    squeeze = pointwise_conv(n, n_c, reduced, name="1×1 bottleneck")
    conv = normal_conv(n, f, reduced, filters, "same", name=f"{f}×{f} conv")
    return direct, Design("bottleneck", (squeeze, conv))


@dataclass(frozen=True)
class Bottleneck(Design):
    """A MobileNetV2 inverted-residual block; ``residual`` when its input can be added to its output."""

    residual: bool = False


def bottleneck_block(n: int, c_in: int, t: int, c_out: int, s: int = 1, f: int = MOBILENET_F) -> Bottleneck:
    """MobileNetV2's bottleneck: 1×1 expansion to t·c_in channels (with ReLU6), f×f depthwise (ReLU6), linear 1×1 projection.

    With t = 1 there is no expansion layer (MobileNetV2's first block). The
    depthwise step uses "same" padding, so the side becomes ⌈n/s⌉. The input is
    added to the output when they have the same shape (s = 1 and c_in = c_out).
    """
    t = whole_number("t (the expansion factor)", t, 1)
    layers = []
    if t > 1:
        layers.append(pointwise_conv(n, c_in, t * c_in, name="expansion"))
    layers.append(depthwise_conv(n, f, t * c_in, "same", s))
    layers.append(pointwise_conv(layers[-1].output_shape[0], t * c_in, c_out, name="projection"))
    residual = layers[-1].output_shape == (n, n, c_in)
    return Bottleneck(f"bottleneck t={t}", tuple(layers), residual)


@dataclass(frozen=True)
class InceptionSpec:
    """An Inception module's input and the filters of each branch."""

    n: int  # input n × n × n_c
    n_c: int
    c1: int  # 1×1 branch
    r3: int  # 1×1 bottleneck before the 3×3
    c3: int
    r5: int  # 1×1 bottleneck before the 5×5
    c5: int
    pool_proj: int  # 1×1 after the max-pool


# The course's module (GoogLeNet's inception (3a)): 28×28×192 in, 64 + 128 + 32 + 32 = 256 channels out.
COURSE_INCEPTION = InceptionSpec(n=28, n_c=192, c1=64, r3=96, c3=128, r5=16, c5=32, pool_proj=32)


def maxpool_same(n: int, n_c: int, f: int = POOL_F) -> Layer:
    """An f×f max-pool with stride 1 and "same" padding: keeps n×n×n_C, no parameters, no multiplications."""
    out = _side(n, f, "same", 1)
    return Layer(f"{f}×{f} max-pool", "maxpool", (n, n, n_c), (out, out, n_c), f, 1, 0, 0)


def inception_module(spec: InceptionSpec, bottleneck: bool = True) -> tuple[Design, ...]:
    """The four branches of an Inception module, side by side on the same input; their channels are concatenated.

    With ``bottleneck`` (GoogLeNet's module), 1×1 convolutions shrink the channels
    before the 3×3 and 5×5 convolutions and after the max-pool; without it (the
    "naive" module) the 3×3 and 5×5 see all n_C channels and the max-pool passes
    all n_C through. Every branch is "same" with stride 1, so they all stay n×n.

    Returns
    -------
    tuple of Design
        The 1×1, 3×3, 5×5 and max-pool branches; the module outputs
        n × n × (sum of their output channels).
    """
    n, n_c = spec.n, spec.n_c
    branches = [Design("1×1", (pointwise_conv(n, n_c, spec.c1, "1×1 conv"),))]
    for f, reduced, filters in ((3, spec.r3, spec.c3), (5, spec.r5, spec.c5)):
        if bottleneck:
            layers = (pointwise_conv(n, n_c, reduced, "1×1 bottleneck"),
                      normal_conv(n, f, reduced, filters, "same", name=f"{f}×{f} conv"))
        else:
            layers = (normal_conv(n, f, n_c, filters, "same", name=f"{f}×{f} conv"),)
        branches.append(Design(f"{f}×{f}", layers))
    pool = maxpool_same(n, n_c)
    branches.append(Design("max-pool", (pool, pointwise_conv(n, n_c, spec.pool_proj, "1×1 after the pool"))
                           if bottleneck else (pool,)))
    return tuple(branches)


def module_channels(branches: tuple[Design, ...]) -> int:
    """Channels of the concatenated output: the sum of the branches' output channels."""
    return sum(branch.output_shape[2] for branch in branches)
