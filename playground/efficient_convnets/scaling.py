"""EfficientNet's compound scaling: depth α^φ, width β^φ and resolution γ^φ, grown together.

A network's multiplications grow linearly with depth (more layers) and with
the square of width (channels in × channels out) and of resolution (pixels),
so scaling all three by (α, β, γ)^φ multiplies the cost by (α·β²·γ²)^φ. Tan &
Le (2019) chose α = 1.2, β = 1.1, γ = 1.15 by a grid search under
α·β²·γ² ≈ 2, so each step of φ about doubles the cost.

The published B0–B7 models were not made by plugging φ = 0…7 into these
formulas: :data:`PUBLISHED` holds their coefficients as the official code sets them.

Examples
--------
>>> round(compound_scaling(1)["flops"], 4)          # 1.2 · 1.1² · 1.15²
1.9203
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

ALPHA, BETA, GAMMA = 1.2, 1.1, 1.15  # depth, width, resolution bases from the EfficientNet paper's grid search
BASE_RESOLUTION = 224  # EfficientNet-B0's input side
MAX_PHI = 7  # B0…B7


@dataclass(frozen=True)
class Published:
    """One released EfficientNet: its width and depth multipliers and its input side."""

    name: str
    width: float
    depth: float
    resolution: int

    @property
    def flops(self) -> float:
        """Cost relative to B0 by the same rule, depth · width² · (resolution/224)² (channels and layers are rounded
        in the real models, so this is approximate)."""
        return self.depth * self.width ** 2 * (self.resolution / BASE_RESOLUTION) ** 2


# From the official TensorFlow implementation (tensorflow/tpu, models/official/efficientnet/efficientnet_builder.py,
# efficientnet_params: width, depth, resolution).
PUBLISHED = (
    Published("B0", 1.0, 1.0, 224), Published("B1", 1.0, 1.1, 240), Published("B2", 1.1, 1.2, 260),
    Published("B3", 1.2, 1.4, 300), Published("B4", 1.4, 1.8, 380), Published("B5", 1.6, 2.2, 456),
    Published("B6", 1.8, 2.6, 528), Published("B7", 2.0, 3.1, 600),
)


def _positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, not {value!r}")
    return float(value)


def compound_scaling(phi: float, alpha: float = ALPHA, beta: float = BETA, gamma: float = GAMMA) -> dict:
    """The multipliers of EfficientNet's compound scaling for one φ.

    Parameters
    ----------
    phi : float
        The compound coefficient, ≥ 0 (0 is the base network).
    alpha, beta, gamma : float
        Bases for depth, width and resolution, each > 0.

    Returns
    -------
    dict
        ``depth`` = α^φ, ``width`` = β^φ, ``resolution`` = γ^φ and ``flops`` =
        (α·β²·γ²)^φ, the factor on the multiplications (= depth · width² · resolution²).
    """
    if isinstance(phi, bool) or not isinstance(phi, numbers.Real) or not math.isfinite(phi) or phi < 0:
        raise ValueError(f"phi must be a number ≥ 0, not {phi!r}")
    alpha, beta, gamma = _positive("alpha", alpha), _positive("beta", beta), _positive("gamma", gamma)
    return {"depth": alpha ** phi, "width": beta ** phi, "resolution": gamma ** phi,
            "flops": (alpha * beta ** 2 * gamma ** 2) ** phi}


@dataclass(frozen=True)
class ScalingRow:
    """One φ: what the formulas give, beside the released model of the same index."""

    phi: int
    depth: float
    width: float
    resolution: float  # γ^φ
    flops: float
    side: float  # γ^φ · 224, the input side the formula asks for
    published: Published


def scaling_table(alpha: float = ALPHA, beta: float = BETA, gamma: float = GAMMA) -> list[ScalingRow]:
    """φ = 0…7 by the formulas, each beside the published B0…B7."""
    rows = []
    for phi, published in enumerate(PUBLISHED):
        m = compound_scaling(phi, alpha, beta, gamma)
        rows.append(ScalingRow(phi, m["depth"], m["width"], m["resolution"], m["flops"],
                               m["resolution"] * BASE_RESOLUTION, published))
    return rows
