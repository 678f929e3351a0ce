"""The detector's boxes for the page: a scene's raw output as a box set, and the held-out evaluation.

The detector is the anchor-boxes concept's (:func:`playground.anchor_boxes.detect`):
every box of every cell and anchor, before suppression, with score
p_c · max_i c_i and class argmax_i c_i. Boxes are turned into pixels of the
scene (normalised corners × the image size) so the page draws them on the image;
IoU does not change with the scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.anchor_boxes import CLASS_NAMES, HELDOUT_SCENES, detect, detector_spec, heldout_scene, make_scene
from playground.non_max_suppression.boxsets import BoxSet
from playground.non_max_suppression.evaluation import ClassResult, Detections, GroundTruth
from playground.non_max_suppression.soft import SIGMA
from playground.non_max_suppression.sweep import EVAL_SCORE_THRESHOLD, sweep_results

EVAL_SCENES = HELDOUT_SCENES  # held-out scenes the evaluation runs on: all of them, as the detector's card
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.3, 0.801, 0.05))  # NMS IoU thresholds (and linear N_t) swept
SIGMAS = (0.1, 0.25, 0.5, 1.0, 2.0)  # σ of Gaussian Soft-NMS swept


def scene_boxes(seed: int, n_objects: int, provider: str = "auto") -> BoxSet:
    """The detector's raw boxes on ``make_scene(seed, n_objects)``, in pixels, with the scene and its objects."""
    scene = make_scene(int(seed), int(n_objects))
    raw = detect(scene.image, provider=provider)
    h, w = scene.image.shape[:2]
    scale = np.array([w, h, w, h], np.float64)
    return BoxSet(np.asarray(raw.boxes, np.float64) * scale, np.asarray(raw.scores, np.float64),
                  np.asarray(raw.classes, np.int64), tuple(CLASS_NAMES), width=float(w), height=float(h),
                  truth_boxes=np.asarray(scene.boxes, np.float64) * scale,
                  truth_classes=np.asarray(scene.classes, np.int64), image=scene.image,
                  grid_step=float(detector_spec().stride),
                  note=f"Scene {seed} with {n_objects} objects: the detector's {len(raw.boxes)} boxes before NMS.")


@dataclass(frozen=True)
class HeldOut:
    """The detector's raw boxes on the held-out scenes, and what is really there."""

    raw: list[Detections]  # per scene, every box (normalised corners), score p_c · max c_i, class argmax
    truths: list[GroundTruth]
    class_names: tuple[str, ...]


def held_out(n_scenes: int = EVAL_SCENES, provider: str = "auto") -> HeldOut:
    """Run the detector on the first ``n_scenes`` held-out scenes (never trained on)."""
    raw, truths = [], []
    for i in range(n_scenes):
        scene = heldout_scene(i)
        det = detect(scene.image, provider=provider)
        raw.append(Detections(np.asarray(det.boxes, np.float64), np.asarray(det.scores, np.float64),
                              np.asarray(det.classes, np.int64)))
        truths.append(GroundTruth(np.asarray(scene.boxes, np.float64), np.asarray(scene.classes, np.int64)))
    return HeldOut(raw, truths, tuple(CLASS_NAMES))


@dataclass(frozen=True)
class Sweep:
    """AP per class at each threshold of one rule, by both interpolations."""

    kind: str  # "none", "hard", "linear" or "gaussian"
    thresholds: tuple[float, ...]  # IoU thresholds (N_t for linear; σ for Gaussian; one dummy for none)
    results: list[dict[str, dict[int, ClassResult]]]


def sweep(data: HeldOut, kind: str, thresholds=None, score_threshold: float = EVAL_SCORE_THRESHOLD) -> Sweep:
    """mAP against the threshold of one rule on the held-out scenes."""
    if thresholds is None:
        thresholds = SIGMAS if kind == "gaussian" else (0.5,) if kind == "none" else THRESHOLDS
    classes = range(len(data.class_names))
    return Sweep(kind, tuple(thresholds), sweep_results(data.raw, data.truths, classes, thresholds, kind,
                                                        score_threshold, SIGMA))
