"""The boxes the page suppresses: hand-placed (typed or from a preset), random, or a detector's raw output.

Hand-placed and random boxes live on a canvas of ``CANVAS`` × ``CANVAS``
whole units, x to the right and y down. Whole-number corners make every area
exact in float32 too, so the library and ONNX Runtime's float32 operator
agree even for a box at exactly the threshold
(:mod:`~playground.non_max_suppression.runtime_nms`).

A typed box is one line ``x1 y1 x2 y2 score [class]`` (commas allowed,
classes counted from 1, ``#`` starts a comment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

CANVAS = 100  # hand-placed and random boxes: corners are whole numbers 0…100
MAX_BOXES = 200  # the most boxes a visitor can ask for: tables, charts and the step-through stay readable and fast
MAX_CLASSES = 3  # classes of hand-placed and random boxes
MAX_OBJECTS = 12  # objects a random scene's boxes are heaped around
_SPLIT = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class BoxSet:
    """Boxes to suppress, with what is known about them."""

    boxes: np.ndarray  # (N, 4) corners x1, y1, x2, y2
    scores: np.ndarray  # (N,) p_c (or p_c × the class probability)
    classes: np.ndarray  # (N,) int, 0-based
    class_names: tuple[str, ...]  # name of each class
    width: float = CANVAS  # the extent the boxes live in
    height: float = CANVAS
    truth_boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))  # (M, 4) ground truth, if known
    truth_classes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # (M,)
    image: np.ndarray | None = None  # (H, W, 3) float32 0–1 behind the boxes, if any
    grid_step: float | None = None  # the detector's cell size, for drawing its grid; None: tenths of the canvas
    note: str = ""  # what the set shows, in words

    def __len__(self) -> int:
        return len(self.boxes)


def generic_class_names(n: int = MAX_CLASSES) -> tuple[str, ...]:
    """Names of hand-placed and random classes: "class 1", "class 2", …"""
    return tuple(f"class {k + 1}" for k in range(n))


@dataclass(frozen=True)
class Preset:
    """A hand-placed example: its name, what it shows, and its boxes as text."""

    title: str
    note: str
    text: str
    iou_threshold: float | None = None  # the threshold the example is meant for, if not the course's 0.5


PRESETS: dict[str, Preset] = {
    "course": Preset(
        "two cars, three boxes each",
        "The course's picture: each car found by several overlapping boxes. Box 3 (p_c = 0.6) goes first, by "
        "the score rule; each car then keeps its most confident box.",
        "10 40 40 70 0.9\n12 38 44 68 0.7\n6 44 38 74 0.6\n60 30 90 60 0.8\n57 33 87 63 0.75\n64 28 94 58 0.65"),
    "exact": Preset(
        "IoU exactly 0.5, a score exactly 0.6",
        "Box 2 is the top half of box 1: IoU = 800 / 1600 = 0.5 exactly, so the course's IoU ≥ 0.5 removes it while "
        "ONNX's strict IoU > 0.5 keeps it. Box 3 has p_c = 0.6 exactly: both discard it (only p_c > 0.6 passes).",
        "20 20 60 60 0.9\n20 20 60 40 0.8\n70 70 90 90 0.6"),
    "chain": Preset(
        "a removed box removes nothing",
        "At IoU threshold 0.3: box 1 removes box 2 (IoU 800 / 2400 = 0.33). Box 3 overlaps box 2 just as much but "
        "only touches box 1 (IoU 0), so it survives: only kept boxes remove others.",
        "10 30 50 70 0.9\n30 30 70 70 0.8\n50 30 90 70 0.7", iou_threshold=0.3),
    "classes": Preset(
        "two classes on one spot",
        "Two nearly identical boxes of different classes (IoU 0.82): per class both are kept (a person on a horse); "
        "class-agnostic, the weaker one is removed.",
        "20 20 60 60 0.9 1\n22 22 62 62 0.8 2"),
    "ties": Preset(
        "equal scores",
        "Boxes 1 and 2 are the same box with the same score: the lower index is kept, as in ONNX Runtime and "
        "torchvision, so the answer never depends on how a sort breaks ties.",
        "30 30 70 70 0.8\n30 30 70 70 0.8\n75 10 95 30 0.8"),
    "inside": Preset(
        "a box inside another",
        "The small box lies inside the big one, but IoU = 400 / 6400 = 0.0625 is small: both survive at 0.5. "
        "NMS only removes boxes that overlap a lot relative to their union.",
        "10 10 90 90 0.7\n30 30 50 50 0.9"),
}


@dataclass(frozen=True)
class Parsed:
    """Typed boxes, and what was wrong with the lines that could not be read."""

    boxes: BoxSet
    problems: list[str]  # one message per bad line, naming the line (counted from 1)
    truncated: bool  # more than MAX_BOXES lines: only the first MAX_BOXES were used


def parse_boxes(text: str, max_boxes: int = MAX_BOXES, n_classes: int = MAX_CLASSES) -> Parsed:
    """Read boxes typed one per line as ``x1 y1 x2 y2 score [class]``.

    Corners are whole numbers in 0…``CANVAS``; corners given in the other
    order (x2 < x1) are swapped, as ONNX accepts any diagonal pair; scores are
    in 0…1; classes are 1…``n_classes`` (default 1). A bad line is skipped and
    named in ``problems``.
    """
    rows, problems, count = [], [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        count += 1
        if count > max_boxes:
            continue
        fields = _SPLIT.split(line)
        try:
            values = [float(v) for v in fields]
        except ValueError:
            problems.append(f"line {number}: not numbers")
            continue
        if len(values) not in (5, 6):
            problems.append(f"line {number}: needs x1 y1 x2 y2 score and an optional class, got {len(values)} numbers")
        elif not all(v.is_integer() and 0 <= v <= CANVAS for v in values[:4]):
            problems.append(f"line {number}: corners must be whole numbers from 0 to {CANVAS}")
        elif not 0 <= values[4] <= 1:
            problems.append(f"line {number}: the score must be between 0 and 1")
        elif len(values) == 6 and not (values[5].is_integer() and 1 <= values[5] <= n_classes):
            problems.append(f"line {number}: the class must be a whole number from 1 to {n_classes}")
        else:
            x1, y1, x2, y2 = values[:4]
            rows.append((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2), values[4],
                         int(values[5]) - 1 if len(values) == 6 else 0))
    table = np.array(rows, np.float64).reshape(-1, 6)
    boxes = BoxSet(table[:, :4], table[:, 4], table[:, 5].astype(np.int64), generic_class_names(n_classes))
    return Parsed(boxes, problems, count > max_boxes)


def format_boxes(boxes, scores, classes=None) -> str:
    """Boxes as the lines :func:`parse_boxes` reads (classes written from 1)."""
    classes = np.zeros(len(scores), np.int64) if classes is None else np.asarray(classes)
    return "\n".join(f"{int(x1)} {int(y1)} {int(x2)} {int(y2)} {float(s):g} {int(c) + 1}"
                     for (x1, y1, x2, y2), s, c in zip(np.asarray(boxes), scores, classes))


def random_boxes(seed: int, n: int, n_objects: int = 4, n_classes: int = MAX_CLASSES) -> BoxSet:
    """``n`` boxes heaped around ``n_objects`` objects, as a detector's raw output looks.

    Each object has a class and a box; its boxes are shifted and resized
    copies, scored higher the closer they are to it. Corners are whole
    numbers on the canvas.

    Parameters
    ----------
    seed : int
    n : int
        0…``MAX_BOXES``.
    n_objects : int
        1…``MAX_OBJECTS``.
    """
    if not 0 <= n <= MAX_BOXES:
        raise ValueError(f"between 0 and {MAX_BOXES} boxes, not {n}")
    if not 1 <= n_objects <= MAX_OBJECTS:
        raise ValueError(f"between 1 and {MAX_OBJECTS} objects, not {n_objects}")
    rng = np.random.default_rng(seed)
    size = rng.integers(14, 36, (n_objects, 2))  # (w, h) of each object
    corner = rng.integers(0, CANVAS - size + 1, (n_objects, 2))
    objects = np.concatenate([corner, corner + size], axis=1).astype(np.float64)  # (n_objects, 4)
    object_classes = rng.integers(0, n_classes, n_objects)
    owner = rng.integers(0, n_objects, n)
    base = objects[owner]
    w = (base[:, 2] - base[:, 0])[:, None]
    h = (base[:, 3] - base[:, 1])[:, None]
    jitter = rng.normal(0, 0.15, (n, 4)) * np.concatenate([w, h, w, h], axis=1)
    boxes = np.clip(np.round(base + jitter), 0, CANVAS)
    boxes[:, 2:] = np.maximum(boxes[:, 2:], boxes[:, :2] + 1)  # at least one unit wide and high
    boxes = np.minimum(boxes, CANVAS)
    boxes[:, :2] = np.minimum(boxes[:, :2], boxes[:, 2:] - 1)
    closeness = np.abs(jitter).mean(axis=1) / np.concatenate([w, h], axis=1).mean(axis=1)  # 0 = on the object
    scores = np.clip(0.95 - 2.5 * closeness + rng.normal(0, 0.08, n), 0.01, 0.99).round(2)
    return BoxSet(boxes, scores, object_classes[owner].astype(np.int64), generic_class_names(n_classes),
                  truth_boxes=objects, truth_classes=object_classes.astype(np.int64),
                  note=f"{n} boxes around {n_objects} objects (seed {seed}).")
