"""Neural style transfer by optimisation: Adam on the generated image's pixels, ∂J/∂G from ONNX Runtime.

One iteration is one call of the ``style_gradient`` graph (J, its parts and
∂J/∂G; see ``export/style_gradient.py``) and one Adam update in numpy, then
the pixels are clipped to 0…1. G starts as the content image plus uniform
noise. :func:`optimise` yields a :class:`Step` per iteration, so a caller can
draw progress, keep snapshots or stop at any time.

Examples
--------
>>> problem = prepare(content_rgb, style_rgb, Settings(iterations=20))      # doctest: +SKIP
>>> for step in optimise(problem):                                           # doctest: +SKIP
...     print(step.iteration, step.j)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from playground import runtime
from playground.style_transfer import colour
from playground.style_transfer.features import activations, cover, fit, grams, to_input, to_picture
from playground.style_transfer.layers import CONTENT_LAYER, GRADIENT_MODEL, STYLE_LAYERS, gram_input

MAX_SIDE = 384  # the longest side a generation may have (memory and time on 2 cores)
MIN_SIDE = 64
MAX_ITERATIONS = 300
ADAM_BETAS = (0.9, 0.999)  # Kingma & Ba's defaults
ADAM_EPS = 1e-8


@dataclass(frozen=True)
class Settings:
    """Everything that decides a generation; equal settings on equal images give the same result."""

    side: int = 256  # longer side of G in pixels (sides rounded to multiples of 16)
    iterations: int = 150
    alpha: float = 10.0  # weight of J_content
    beta: float = 1.0e4  # weight of J_style
    tv_weight: float = 1.0e-2  # weight of the total variation Σ (neighbour differences)²
    layer_weights: tuple[float, ...] = (1.0,) * len(STYLE_LAYERS)  # λ^[l], in STYLE_LAYERS order
    learning_rate: float = 0.02  # Adam's step, in pixel units (0…1); 0.05 went unstable near the end on hubble
    noise: float = 0.1  # G starts as content + uniform noise in ±noise
    keep_colours: bool = False  # transfer on luminance only, keep the content's colours
    seed: int = 0
    snapshot_every: int = 10  # keep the picture every this many iterations (and the last one)

    def __post_init__(self):
        if not MIN_SIDE <= self.side <= MAX_SIDE:
            raise ValueError(f"side must be within {MIN_SIDE}…{MAX_SIDE} px, not {self.side}")
        if not 1 <= self.iterations <= MAX_ITERATIONS:
            raise ValueError(f"iterations must be within 1…{MAX_ITERATIONS}, not {self.iterations}")
        if len(self.layer_weights) != len(STYLE_LAYERS):
            raise ValueError(f"one weight per style layer ({len(STYLE_LAYERS)}), not {len(self.layer_weights)}")
        values = (self.alpha, self.beta, self.tv_weight, self.learning_rate, self.noise, *self.layer_weights)
        if not all(np.isfinite(values)) or min(values) < 0:
            raise ValueError("weights, learning rate and noise must be finite and ≥ 0")


@dataclass
class Problem:
    """The prepared images and targets of one generation."""

    content: np.ndarray  # (H, W, 3) the content image at G's size
    style: np.ndarray  # (H, W, 3) the style image cropped to G's size (as the network sees it)
    content_target: np.ndarray  # (1, n_C, n_H, n_W) a^[content](C)
    gram_targets: dict[str, np.ndarray]  # layer -> (n_C, n_C) float32, G^[l](S)
    start: np.ndarray  # (1, 1 or 3, H, W) the first G: content + noise (luminance only: one channel)
    keep_colours: bool = False

    def picture(self, x: np.ndarray) -> np.ndarray:
        """Optimised pixels (1, 1 or 3, H, W) -> (H, W, 3) RGB in 0…1 (the content's colours put back if kept)."""
        if self.keep_colours:
            return colour.with_colours_of(x[0, 0], self.content)
        return to_picture(x)


@dataclass
class Step:
    """One iteration: the costs of G before its update, and a snapshot of G when one was kept."""

    iteration: int  # 1-based
    j: float
    j_content: float
    j_style: float
    j_tv: float
    j_layers: tuple[float, ...]  # J_style^[l], in STYLE_LAYERS order
    picture: np.ndarray | None = field(default=None, repr=False)  # (H, W, 3) after the update, when kept


def network_view(content_rgb: np.ndarray, style_rgb: np.ndarray, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """The content fitted to G's size and the style covering it, as the network will see them.

    With ``keep_colours`` both are their luminance on three channels, the style's matched to the content's.
    """
    content = fit(content_rgb, settings.side)
    style = cover(np.asarray(style_rgb, np.float32), (content.shape[1], content.shape[0]))
    if settings.keep_colours:
        y = colour.luminance(content)
        return colour.grey_rgb(y), colour.grey_rgb(colour.match_luminance(colour.luminance(style), y))
    return content, style


def prepare(content_rgb: np.ndarray, style_rgb: np.ndarray, settings: Settings, provider: str = "auto") -> Problem:
    """Fit the images, compute the content target and the style Grams (one MobileNetV2 call each), draw G's start."""
    content_view, style_view = network_view(content_rgb, style_rgb, settings)
    target = activations(content_view, (CONTENT_LAYER,), provider)[CONTENT_LAYER][None]
    style_grams = {name: g.astype(np.float32) for name, g in grams(activations(style_view, STYLE_LAYERS, provider)).items()}
    rng = np.random.default_rng(settings.seed)
    start = to_input(content_view)
    if settings.keep_colours:
        start = start[:, :1]  # one luminance channel; the graph sees it three times
    start = np.clip(start + rng.uniform(-settings.noise, settings.noise, start.shape), 0, 1).astype(np.float32)
    content = fit(content_rgb, settings.side) if settings.keep_colours else content_view  # the colours to put back
    return Problem(content, style_view, target, style_grams, start, settings.keep_colours)


def feeds(problem: Problem, settings: Settings, x: np.ndarray) -> dict[str, np.ndarray]:
    """The gradient graph's inputs for the current G (one channel repeated in luminance mode)."""
    generated = np.repeat(x, 3, axis=1) if x.shape[1] == 1 else x
    out = {"generated": np.ascontiguousarray(generated, np.float32), "content_target": problem.content_target}
    out.update({gram_input(name): problem.gram_targets[name] for name in STYLE_LAYERS})
    out["loss_weights"] = np.array([settings.alpha, settings.beta, settings.tv_weight], np.float32)
    out["layer_weights"] = np.array(settings.layer_weights, np.float32)
    return out


def cost_and_gradient(problem: Problem, settings: Settings, x: np.ndarray,
                      provider: str = "auto") -> tuple[dict[str, np.ndarray], np.ndarray]:
    """One run of the gradient graph: its cost outputs and ∂J/∂x (summed over the repeated channel if luminance)."""
    out = runtime.run(GRADIENT_MODEL, feeds(problem, settings, x), provider=provider)
    grad = out.pop("grad")
    if x.shape[1] == 1:
        grad = grad.sum(axis=1, keepdims=True)  # x feeds all three channels: the chain rule adds them
    return out, grad


def optimise(problem: Problem, settings: Settings, provider: str = "auto",
             stop: Callable[[], bool] | None = None) -> Iterator[Step]:
    """Adam on G's pixels for ``settings.iterations`` steps; yields one :class:`Step` per iteration.

    ``stop`` is asked after every update; when it says True, that step carries
    the picture so far and the loop ends.
    """
    x = problem.start.copy()
    m, v = np.zeros_like(x), np.zeros_like(x)
    (b1, b2), lr = ADAM_BETAS, settings.learning_rate
    for t in range(1, settings.iterations + 1):
        out, grad = cost_and_gradient(problem, settings, x, provider)
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        step = lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + ADAM_EPS)
        x = np.clip(x - step, 0, 1).astype(np.float32)
        stopping = stop is not None and stop()
        keep = t % settings.snapshot_every == 0 or t == settings.iterations or stopping
        yield Step(t, float(out["J"]), float(out["J_content"]), float(out["J_style"]), float(out["J_tv"]),
                   tuple(float(c) for c in out["J_style_layers"]), problem.picture(x) if keep else None)
        if stopping:
            return


@dataclass
class Progress:
    """What a running or finished generation has produced so far (shared with the page polling it)."""

    steps: list[Step] = field(default_factory=list)  # costs per iteration (pictures dropped: see ``pictures``)
    pictures: list[tuple[int, np.ndarray]] = field(default_factory=list)  # (iteration, (H, W, 3) uint8), G over time
    start: np.ndarray | None = None  # (H, W, 3) uint8: G before the first update
    provider: str | None = None  # the execution provider that ran the gradient graph
    step_ms: list[float] = field(default_factory=list)  # wall time of each gradient-graph run

    @property
    def latest(self) -> np.ndarray | None:
        return self.pictures[-1][1] if self.pictures else self.start


def as_uint8(picture: np.ndarray) -> np.ndarray:
    """(H, W, 3) in 0…1 -> uint8, for keeping snapshots small."""
    return (np.clip(picture, 0, 1) * 255 + 0.5).astype(np.uint8)


def run_job(job, problem: Problem, settings: Settings, provider: str = "auto") -> Progress:
    """The work of a :class:`playground.style_transfer.jobs.Job`: optimise, recording progress as it goes.

    ``job.result`` is the :class:`Progress` from the first iteration on; ``job.done``
    counts iterations; the loop ends early when ``job.should_stop()``.
    """
    progress = Progress(start=as_uint8(problem.picture(problem.start)))
    job.result = progress
    with runtime.record_runs() as runs:  # this worker thread's own record: provider and latency per step
        for step in optimise(problem, settings, provider, stop=job.should_stop):
            if step.picture is not None:
                progress.pictures.append((step.iteration, as_uint8(step.picture)))
                step.picture = None
            progress.provider = runs[-1].provider
            progress.step_ms.append(runs[-1].latency_ms)
            progress.steps.append(step)
            job.done = step.iteration
    return progress
