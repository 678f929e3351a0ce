"""Synthetic scenes for the detector: ellipses, rectangles and triangles on a dark background, drawn by numpy.

Everything is in pixels on a square canvas (96 px by default, the size the
detector was trained at) and reproducible from a seed. Objects come in
varied sizes and aspect ratios, may overlap (each keeps at least
``MIN_VISIBLE`` of its area in view) and some are placed on purpose with their
midpoint close to another's, so that two objects share a grid cell: the
situation anchor boxes exist for.

Seeds live in disjoint ranges: the detector trained on
``TRAIN_SEED_BASE + i``, its quality was measured once, at the end, on
``heldout_scene(i)`` (``HELDOUT_SEED_BASE + i``), the export's curve during
training on ``validation_scene(i)`` (``VALIDATION_SEED_BASE + i``), and the
page's seeds ``0 … PAGE_SEEDS − 1`` are none of these, so what the page shows
was never trained on.

Examples
--------
>>> scene = make_scene(seed=1, n_objects=3)
>>> scene.image.shape, scene.boxes.shape, [CLASS_NAMES[c] for c in scene.classes]   # doctest: +SKIP
((96, 96, 3), (3, 4), ['rectangle', 'triangle', 'ellipse'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

CLASS_NAMES: tuple[str, ...] = ("ellipse", "rectangle", "triangle")
IMAGE_SIZE = 96  # px: the detector's training canvas (a 6×6 grid at its stride of 16)
MAX_OBJECTS = 6  # objects in a training scene: 1 … MAX_OBJECTS
SCALE_PX = (10.0, 44.0)  # √(w·h) of an object, drawn log-uniformly, in pixels
ASPECT = (1 / 3, 3.0)  # w / h, drawn log-uniformly
MAX_SIDE_PX = 64.0  # no side longer than this
MIN_VISIBLE = 0.6  # every object keeps at least this share of its area in view after later objects cover it
SHARE_CELL = 0.3  # chance that an object's midpoint is put within SHARE_RADIUS_PX of an earlier one's
SHARE_RADIUS_PX = 5.0
SUPERSAMPLE = 2  # coverage measured on SUPERSAMPLE² points per pixel: smooth, anti-aliased edges
BACKGROUND = (0.04, 0.16)  # the background's grey level, drawn uniformly, plus noise
NOISE = 0.02  # standard deviation of the pixel noise
TRAIN_SEED_BASE = 1_000_000  # training scene i has seed TRAIN_SEED_BASE + i
HELDOUT_SEED_BASE = 2_000_000  # held-out scene i has seed HELDOUT_SEED_BASE + i
HELDOUT_SCENES = 300  # the held-out set the detector's mAP is measured on
VALIDATION_SEED_BASE = 3_000_000  # validation scene i (the export's curve during training) has seed VALIDATION_SEED_BASE + i
PAGE_SEEDS = TRAIN_SEED_BASE  # the page offers seeds 0 … PAGE_SEEDS − 1: never trained on, never held out
_TRIES = 400  # placements tried per object before the visibility rule is dropped


@dataclass(frozen=True)
class SceneObject:
    """One object in pixels: class index, midpoint (x, y), width, height, colour (3,) in 0–1, triangle pose."""

    cls: int
    x: float
    y: float
    w: float
    h: float
    colour: tuple[float, float, float] = (0.9, 0.8, 0.3)
    pointing: int = 0  # triangle only: 0 up, 1 right, 2 down, 3 left (the apex sits on that side)
    apex: float = 0.5  # triangle only: where along its side the apex sits, 0…1

    @property
    def corners(self) -> tuple[float, float, float, float]:
        """(x1, y1, x2, y2) in pixels."""
        return self.x - self.w / 2, self.y - self.h / 2, self.x + self.w / 2, self.y + self.h / 2


@dataclass(frozen=True)
class Scene:
    """A drawn scene and its ground truth.

    Attributes
    ----------
    image : numpy.ndarray, shape (H, W, 3), float32 in 0–1
    boxes : numpy.ndarray, shape (M, 4)
        Each object's corners (x1, y1, x2, y2) in normalised image units 0–1.
    classes : numpy.ndarray, shape (M,), int64
        Index into :data:`CLASS_NAMES`.
    visible : numpy.ndarray, shape (M,)
        Share of each object's area not covered by objects drawn after it.
    objects : tuple of SceneObject
        The same objects in pixels, in drawing order.
    seed : int or None
        The seed it was drawn from (None for objects placed by hand).
    """

    image: np.ndarray
    boxes: np.ndarray
    classes: np.ndarray
    visible: np.ndarray
    objects: tuple[SceneObject, ...]
    seed: int | None

    @property
    def size(self) -> int:
        return self.image.shape[0]


def _coverage(obj: SceneObject, size: int) -> np.ndarray:
    """Share of each pixel the object covers, (size, size) in 0…1, from SUPERSAMPLE² points per pixel."""
    k = SUPERSAMPLE
    x1, y1, x2, y2 = obj.corners
    c0, c1 = max(int(np.floor(x1)), 0), min(int(np.ceil(x2)), size)  # pixel columns the box touches
    r0, r1 = max(int(np.floor(y1)), 0), min(int(np.ceil(y2)), size)
    out = np.zeros((size, size), np.float32)
    if c1 <= c0 or r1 <= r0:
        return out
    px, py = np.meshgrid((np.arange(c0 * k, c1 * k) + 0.5) / k, (np.arange(r0 * k, r1 * k) + 0.5) / k)
    u, v = (px - x1) / obj.w, (py - y1) / obj.h  # 0…1 inside the box
    if obj.cls == 0:  # ellipse inscribed in the box
        inside = (2 * u - 1) ** 2 + (2 * v - 1) ** 2 <= 1
    elif obj.cls == 1:  # the box itself
        inside = (u >= 0) & (u <= 1) & (v >= 0) & (v <= 1)
    else:  # triangle: apex on one side of the box, base along the opposite side
        along, across = {0: (u, v), 1: (v, 1 - u), 2: (1 - u, 1 - v), 3: (1 - v, u)}[obj.pointing]
        a = obj.apex
        # across = 0 at the apex's side, 1 at the base; at depth t the triangle spans a·(1 − t) … a + (1 − a)·t
        inside = (across >= 0) & (across <= 1) & (along >= a * (1 - across)) & (along <= a + (1 - a) * across)
    out[r0:r1, c0:c1] = inside.reshape(r1 - r0, k, c1 - c0, k).mean(axis=(1, 3))
    return out


def random_colour(rng: np.random.Generator) -> tuple[float, float, float]:
    """A bright, saturated colour: hue uniform, saturation 0.5–1, value 0.65–1."""
    h, s, v = rng.random(), rng.uniform(0.5, 1.0), rng.uniform(0.65, 1.0)
    k = np.mod(np.array([5.0, 3.0, 1.0]) + h * 6, 6)
    rgb = v - v * s * np.clip(np.minimum(k, 4 - k), 0, 1)
    return tuple(float(c) for c in rgb)


def _draw_object(rng: np.random.Generator, size: int, classes: tuple[int, ...],
                 near: SceneObject | None, shrink: float) -> SceneObject:
    """One random object fully inside the canvas; its midpoint near ``near``'s when given."""
    scale = np.exp(rng.uniform(np.log(SCALE_PX[0]), np.log(SCALE_PX[1] * shrink)))
    aspect = np.exp(rng.uniform(np.log(ASPECT[0]), np.log(ASPECT[1])))
    w = min(scale * np.sqrt(aspect), MAX_SIDE_PX, size - 2.0)
    h = min(scale / np.sqrt(aspect), MAX_SIDE_PX, size - 2.0)
    if near is not None:
        x = near.x + rng.uniform(-SHARE_RADIUS_PX, SHARE_RADIUS_PX)
        y = near.y + rng.uniform(-SHARE_RADIUS_PX, SHARE_RADIUS_PX)
    else:
        x, y = rng.uniform(w / 2, size - w / 2), rng.uniform(h / 2, size - h / 2)
    x, y = float(np.clip(x, w / 2, size - w / 2)), float(np.clip(y, h / 2, size - h / 2))
    cls = int(classes[rng.integers(len(classes))])
    return SceneObject(cls, x, y, float(w), float(h), random_colour(rng), int(rng.integers(4)), float(rng.uniform(0.15, 0.85)))


def _visible(covers: list[np.ndarray]) -> np.ndarray:
    """Share of each object's coverage not hidden by the objects drawn after it, (M,)."""
    out, above = [], np.ones_like(covers[0]) if covers else None
    for cover in reversed(covers):
        area = float(cover.sum())
        out.append(float((cover * above).sum()) / area if area > 0 else 0.0)
        above = above * (1 - cover)
    return np.array(out[::-1])


def render(objects, size: int = IMAGE_SIZE, seed: int | None = None) -> Scene:
    """Draw objects (in pixels, in order: later ones on top) on a noisy dark background.

    Parameters
    ----------
    objects : sequence of SceneObject
    size : int
        The canvas is size × size pixels.
    seed : int, optional
        Seeds the background's grey level and noise (0 when None).

    Returns
    -------
    Scene
    """
    objects = tuple(objects)
    rng = np.random.default_rng([7, 0 if seed is None else seed])
    image = np.full((size, size, 3), rng.uniform(*BACKGROUND), np.float32)
    image += rng.normal(0, NOISE, (size, size, 1)).astype(np.float32)
    covers = [_coverage(obj, size) for obj in objects]
    for obj, cover in zip(objects, covers):
        image = image * (1 - cover[..., None]) + np.asarray(obj.colour, np.float32) * cover[..., None]
    boxes = np.array([obj.corners for obj in objects], np.float64).reshape(-1, 4) / size
    return Scene(np.clip(image, 0, 1).astype(np.float32), np.clip(boxes, 0, 1),
                 np.array([obj.cls for obj in objects], np.int64), _visible(covers) if covers else np.zeros(0),
                 objects, seed)


def make_scene(seed: int, n_objects: int, size: int = IMAGE_SIZE, classes=None) -> Scene:
    """A random scene, the same for the same arguments: the generator the detector was trained on.

    Parameters
    ----------
    seed : int
        Any whole number ≥ 0 (see the module's note on which ranges are training and held-out scenes).
    n_objects : int
        Exactly this many objects (0 gives an empty scene).
    size : int
        Canvas side in pixels; objects keep their pixel sizes, so a bigger
        canvas holds more of them and the detector sees a bigger grid.
    classes : sequence of int, optional
        Which classes may appear (indices into :data:`CLASS_NAMES`); all by default.

    Returns
    -------
    Scene
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number ≥ 0, not {seed!r}")
    if isinstance(n_objects, bool) or not isinstance(n_objects, (int, np.integer)) or n_objects < 0:
        raise ValueError(f"n_objects must be a whole number ≥ 0, not {n_objects!r}")
    allowed = tuple(range(len(CLASS_NAMES))) if classes is None else tuple(int(c) for c in classes)
    if not allowed or any(not 0 <= c < len(CLASS_NAMES) for c in allowed):
        raise ValueError(f"classes must be a non-empty choice of 0 … {len(CLASS_NAMES) - 1}, not {classes!r}")
    rng = np.random.default_rng([11, int(seed)])
    objects: list[SceneObject] = []
    covers: list[np.ndarray] = []
    for _ in range(int(n_objects)):
        for attempt in range(_TRIES):
            near = objects[int(rng.integers(len(objects)))] if objects and rng.random() < SHARE_CELL else None
            shrink = max(0.35, 1 - attempt / 100)  # crowded canvases get smaller objects after many tries
            obj = _draw_object(rng, size, allowed, near, shrink)
            cover = _coverage(obj, size)
            if attempt == _TRIES - 1 or (_visible(covers + [cover]) >= MIN_VISIBLE).all():
                break
        objects.append(obj)
        covers.append(cover)
    return render(objects, size, int(seed))


def heldout_count(i: int) -> int:
    """Objects in held-out scene ``i``: 1 … MAX_OBJECTS, drawn from the scene's own seed."""
    return int(np.random.default_rng([13, HELDOUT_SEED_BASE + i]).integers(1, MAX_OBJECTS + 1))


def heldout_scene(i: int) -> Scene:
    """Held-out scene ``i`` (0 … HELDOUT_SCENES − 1): the scenes the detector's mAP was measured on.

    ``make_scene(HELDOUT_SEED_BASE + i, heldout_count(i))``, never used in training.
    """
    if not 0 <= i < HELDOUT_SCENES:
        raise ValueError(f"held-out scenes are numbered 0 … {HELDOUT_SCENES - 1}, not {i}")
    return make_scene(HELDOUT_SEED_BASE + i, heldout_count(i))


def validation_scene(i: int) -> Scene:
    """Validation scene ``i``: ``make_scene(VALIDATION_SEED_BASE + i, n)`` with n = 1 … MAX_OBJECTS from its seed."""
    n = int(np.random.default_rng([13, VALIDATION_SEED_BASE + i]).integers(1, MAX_OBJECTS + 1))
    return make_scene(VALIDATION_SEED_BASE + i, n)


def training_count(i: int) -> int:
    """Objects in training scene ``i``: 1 … MAX_OBJECTS."""
    return int(np.random.default_rng([13, TRAIN_SEED_BASE + i]).integers(1, MAX_OBJECTS + 1))


def training_scene(i: int) -> Scene:
    """Training scene ``i``: ``make_scene(TRAIN_SEED_BASE + i, training_count(i))``."""
    if not 0 <= i < HELDOUT_SEED_BASE - TRAIN_SEED_BASE:
        raise ValueError(f"training scenes are numbered 0 … {HELDOUT_SEED_BASE - TRAIN_SEED_BASE - 1}, not {i}")
    return make_scene(TRAIN_SEED_BASE + i, training_count(i))


_LINE = re.compile(r"^\s*([a-z]+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$")


def parse_objects(text: str, size: int = IMAGE_SIZE, max_objects: int = 12) -> list[SceneObject]:
    """Objects placed by hand, one a line: ``class x y w h`` in pixels (x, y the midpoint).

    ``class`` is a name of :data:`CLASS_NAMES` or its first letter. Colours
    follow the line number, so the same text always draws the same scene.

    Raises
    ------
    ValueError
        Saying which line is wrong and why: an unknown class, a number that is
        not one, a box that leaves the canvas, more than ``max_objects`` lines.
    """
    objects = []
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if len(lines) > max_objects:
        raise ValueError(f"at most {max_objects} objects, one a line; there are {len(lines)} lines")
    palette = np.random.default_rng([17, 0])
    for number, line in enumerate(lines, start=1):
        colour = random_colour(palette)
        match = _LINE.match(line.lower())
        if not match:
            raise ValueError(f"line {number}: write a class and four numbers, e.g. 'rectangle 40 30 24 12'")
        name, *numbers = match.groups()
        kinds = [i for i, c in enumerate(CLASS_NAMES) if c == name or (len(name) == 1 and c[0] == name)]
        if not kinds:
            raise ValueError(f"line {number}: the class must be one of {', '.join(CLASS_NAMES)} (or its first letter)")
        try:
            x, y, w, h = (float(v) for v in numbers)
        except ValueError:
            raise ValueError(f"line {number}: x, y, w and h must be numbers (pixels)") from None
        if not all(np.isfinite(v) for v in (x, y, w, h)) or w < 2 or h < 2:
            raise ValueError(f"line {number}: w and h must be at least 2 pixels")
        if x - w / 2 < 0 or y - h / 2 < 0 or x + w / 2 > size or y + h / 2 > size:
            raise ValueError(f"line {number}: the box must lie inside the {size}×{size} canvas "
                             f"(x ± w/2 and y ± h/2 between 0 and {size})")
        objects.append(SceneObject(kinds[0], x, y, w, h, colour))
    return objects


def describe_objects(objects) -> str:
    """The text :func:`parse_objects` reads back to the same objects (rounded to 0.1 px)."""
    return "\n".join(f"{CLASS_NAMES[o.cls]} {o.x:.1f} {o.y:.1f} {o.w:.1f} {o.h:.1f}" for o in objects)
