"""The detector trained here: its raw output, decoded into every box it predicts (before any suppression).

``export/anchor_detector.py`` trained a small fully convolutional YOLO-style
network on :mod:`~playground.anchor_boxes.scenes` and exported it as the
model ``anchor_detector``: input ``image`` (N, 3, H, W) in 0–1, output ``raw``
(N, S_h, S_w, B, 5 + C) with S = H / 16 (a bigger image gives a bigger grid).
Each slot holds the network's raw numbers (t_o, t_x, t_y, t_h, t_w, class
logits); decoding them is YOLOv2's:

    p_c = σ(t_o)                b_x = σ(t_x)       b_y = σ(t_y)
    b_h = p_h · e^(t_h)         b_w = p_w · e^(t_w)     (p_h, p_w: the anchor, in cell units)
    c_i = softmax(class logits)_i          score_i = p_c · c_i

so b_x, b_y stay inside the cell and b_h, b_w are the anchor's shape
stretched. The anchors, stride and classes are read from the export's record
(``anchor_detector_record``), the one place they are written.

Examples
--------
>>> from playground.anchor_boxes import detect, make_scene
>>> raw = detect(make_scene(1, 4).image)               # doctest: +SKIP
>>> raw.boxes.shape, raw.scores.shape                  # 6·6 cells × 5 anchors   # doctest: +SKIP
((180, 4), (180,))
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from playground import runtime
from playground.manifest import artifact_path

DETECTOR_MODEL = "anchor_detector"  # manifest names
DETECTOR_RECORD = "anchor_detector_record"
TRAINING_BOXES = "anchor_training_boxes"


@dataclass(frozen=True)
class DetectorSpec:
    """What the export fixed: anchors, stride, classes, training canvas."""

    anchors_px: np.ndarray  # (B, 2) anchor (w, h) in pixels
    stride: int  # pixels per grid cell
    class_names: tuple[str, ...]
    input_size: int  # the training canvas, pixels

    @property
    def n_anchors(self) -> int:
        return len(self.anchors_px)

    @property
    def anchors(self) -> np.ndarray:
        """(B, 2) anchor (w, h) in image units of the training canvas (what encode_box takes)."""
        return self.anchors_px / self.input_size

    def grid(self, height: int, width: int) -> tuple[int, int]:
        """(S_h, S_w) for an input of height × width pixels (multiples of the stride)."""
        return height // self.stride, width // self.stride


@lru_cache(maxsize=1)
def detector_record() -> dict:
    """The export's record (anchors, k-means results, training, measured quality), parsed once; do not modify."""
    return json.loads(artifact_path(DETECTOR_RECORD).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def detector_spec() -> DetectorSpec:
    """Anchors, stride and classes of the committed detector."""
    record = detector_record()
    anchors = np.array(record["anchors_px"], np.float64)
    anchors.flags.writeable = False
    return DetectorSpec(anchors, int(record["stride"]), tuple(record["class_names"]), int(record["input_size"]))


@lru_cache(maxsize=1)
def training_box_shapes() -> np.ndarray:
    """(w, h) of every training box in image units, (M, 2) read-only: what the export's k-means ran on."""
    with np.load(artifact_path(TRAINING_BOXES)) as data:
        wh = data["wh"].astype(np.float64)
    wh.flags.writeable = False
    return wh


@dataclass(frozen=True)
class RawDetections:
    """Every box the detector predicts for one image, before any suppression, in slot order (row, col, anchor).

    Attributes
    ----------
    boxes : (N, 4) corners (x1, y1, x2, y2) in 0–1 image units, clipped to the image
    objectness : (N,) p_c
    class_probs : (N, C) c_i, each row summing to 1
    scores : (N,) p_c · max_i c_i
    classes : (N,) argmax_i c_i
    cells : (N, 3) int (row, col, anchor), counted from 0
    raw : (S_h, S_w, B, 5 + C) the network's numbers (t_o, t_x, t_y, t_h, t_w, class logits)
    decoded : (S_h, S_w, B, 5 + C) the same slots decoded: p_c, b_x, b_y, b_h, b_w (cell units), c_1 … c_C
    """

    boxes: np.ndarray
    objectness: np.ndarray
    class_probs: np.ndarray
    scores: np.ndarray
    classes: np.ndarray
    cells: np.ndarray
    raw: np.ndarray
    decoded: np.ndarray

    @property
    def grid(self) -> tuple[int, int]:
        """(S_h, S_w)."""
        return self.raw.shape[0], self.raw.shape[1]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(0.5 * x))  # = 1 / (1 + e^−x), without overflow for large |x|


def decode(raw, anchors_px, stride: int) -> RawDetections:
    """Decode one image's raw output into boxes, p_c and class scores (YOLOv2's parametrisation).

    Parameters
    ----------
    raw : array_like, shape (S_h, S_w, B, 5 + C)
        t_o, t_x, t_y, t_h, t_w, then C class logits, per cell and anchor.
    anchors_px : array_like, shape (B, 2)
        Anchor (w, h) in pixels.
    stride : int
        Pixels per cell: the image is S_h·stride × S_w·stride.

    Returns
    -------
    RawDetections
        All S_h·S_w·B boxes, in (row, col, anchor) order.
    """
    t = np.asarray(raw, np.float64)
    anchors = np.asarray(anchors_px, np.float64)
    if t.ndim != 4 or t.shape[2] != len(anchors) or t.shape[3] < 6:
        raise ValueError(f"raw must be (S_h, S_w, B, 5 + C) with B = {len(anchors)} anchors, got {t.shape}")
    s_h, s_w, b, _ = t.shape
    logits = t[..., 5:] - t[..., 5:].max(axis=-1, keepdims=True)
    probs = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)  # (S_h, S_w, B, C)
    p_c = _sigmoid(t[..., 0])
    b_x, b_y = _sigmoid(t[..., 1]), _sigmoid(t[..., 2])
    b_h = anchors[:, 1] / stride * np.exp(np.clip(t[..., 3], -20, 20))  # cell units
    b_w = anchors[:, 0] / stride * np.exp(np.clip(t[..., 4], -20, 20))
    decoded = np.concatenate([np.stack([p_c, b_x, b_y, b_h, b_w], axis=-1), probs], axis=-1)
    rows, cols, slots = np.meshgrid(np.arange(s_h), np.arange(s_w), np.arange(b), indexing="ij")
    x, y = (cols + b_x) / s_w, (rows + b_y) / s_h  # midpoints in 0…1 image units
    w, h = b_w / s_w, b_h / s_h
    boxes = np.clip(np.stack([x - w / 2, y - h / 2, x + w / 2, y + h / 2], axis=-1), 0, 1).reshape(-1, 4)
    probs = probs.reshape(-1, probs.shape[-1])
    objectness = p_c.reshape(-1)
    cells = np.stack([rows, cols, slots], axis=-1).reshape(-1, 3).astype(np.int64)
    return RawDetections(boxes, objectness, probs, objectness * probs.max(axis=1), probs.argmax(axis=1), cells,
                         t, decoded)


def to_input(image) -> np.ndarray:
    """(H, W, 3) float in 0–1 → the model's input (1, 3, H, W) float32."""
    array = np.asarray(image, np.float32)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"image must be (H, W, 3), got {array.shape}")
    return np.ascontiguousarray(array.transpose(2, 0, 1)[None])


def run_detector(image, provider: str = "auto") -> np.ndarray:
    """The committed detector's raw output for one image (H, W, 3): (S_h, S_w, B, 5 + C) float32.

    H and W must be multiples of the stride (16) and at least one stride.
    """
    spec = detector_spec()
    array = np.asarray(image)
    if array.ndim != 3 or any(n < spec.stride or n % spec.stride for n in array.shape[:2]):
        raise ValueError(f"the image must be (H, W, 3) with H and W multiples of {spec.stride}, got {array.shape}")
    return runtime.run(DETECTOR_MODEL, {"image": to_input(array)}, provider=provider)["raw"][0]


def detect(image, provider: str = "auto") -> RawDetections:
    """Every box the committed detector predicts for ``image``, decoded, before any suppression.

    Parameters
    ----------
    image : array_like, shape (H, W, 3)
        Floats in 0–1 (e.g. ``make_scene(...).image``); H and W multiples of 16.
    provider : {"auto", "cuda", "cpu"}

    Returns
    -------
    RawDetections
        S_h·S_w·B boxes (180 for the 96-pixel scenes: 6·6 cells × 5 anchors).
    """
    spec = detector_spec()
    return decode(run_detector(image, provider), spec.anchors_px, spec.stride)


def output_shape(n_h: int, n_w: int, provider: str = "auto") -> tuple[int, ...]:
    """The shape (S_h, S_w, B, 5 + C) the committed detector outputs for a blank n_H × n_W image (ONNX Runtime)."""
    blank = np.zeros((1, 3, int(n_h), int(n_w)), np.float32)
    return tuple(int(v) for v in runtime.run(DETECTOR_MODEL, {"image": blank}, provider=provider)["raw"].shape[1:])
