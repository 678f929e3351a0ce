"""Anchor boxes: YOLO's grid, several box shapes per cell, and the target a detector learns.

The public API of the concept (page ``pages/anchor_boxes.py``):

- :func:`iou`, the one home of intersection over union, and :func:`centred_iou`
  for box shapes (:mod:`.boxes`);
- :func:`encode_box`: an object's midpoint cell, its anchor and (b_x, b_y, b_h, b_w) (:mod:`.encoding`);
- :func:`kmeans_anchors`: anchor shapes by k-means with distance 1 − IoU (:mod:`.anchors`);
- :func:`build_target`: the target tensor y, with the stated policy for two objects that want the
  same cell and anchor (:mod:`.target`);
- :func:`make_scene`, :func:`heldout_scene`, :data:`CLASS_NAMES`: the synthetic scenes the detector was
  trained and measured on (:mod:`.scenes`);
- :func:`detect`: every box of the trained detector, decoded, before suppression (:mod:`.detector`).

Examples
--------
>>> from playground.anchor_boxes import encode_box, iou
>>> iou([0, 0, 2, 2], [0, 0, 2, 1])
0.5
"""

from playground.anchor_boxes.anchors import assign, elbow, kmeans_anchors, mean_best_iou
from playground.anchor_boxes.boxes import as_boxes, box_area, centred_iou, iou
from playground.anchor_boxes.detector import (
    DETECTOR_MODEL,
    DETECTOR_RECORD,
    DetectorSpec,
    RawDetections,
    decode,
    detect,
    detector_record,
    detector_spec,
    output_shape,
    run_detector,
    training_box_shapes,
)
from playground.anchor_boxes.encoding import BOX_FIELDS, best_anchor, decode_box, encode_box, midpoint_cell
from playground.anchor_boxes.scenes import (
    CLASS_NAMES,
    HELDOUT_SCENES,
    HELDOUT_SEED_BASE,
    IMAGE_SIZE,
    PAGE_SEEDS,
    TRAIN_SEED_BASE,
    Scene,
    SceneObject,
    heldout_scene,
    make_scene,
    parse_objects,
    render,
    training_scene,
    validation_scene,
)
from playground.anchor_boxes.target import COLLISION_POLICY, POOR_FIT_IOU, Assignment, Target, build_target

__all__ = [
    "BOX_FIELDS", "CLASS_NAMES", "COLLISION_POLICY", "DETECTOR_MODEL", "DETECTOR_RECORD", "HELDOUT_SCENES",
    "HELDOUT_SEED_BASE", "IMAGE_SIZE", "PAGE_SEEDS", "POOR_FIT_IOU", "TRAIN_SEED_BASE", "Assignment", "DetectorSpec",
    "RawDetections", "Scene", "SceneObject", "Target", "as_boxes", "assign", "best_anchor", "box_area",
    "build_target", "centred_iou", "decode", "decode_box", "detect", "detector_record", "detector_spec",
    "elbow", "encode_box", "heldout_scene", "iou", "kmeans_anchors", "make_scene", "mean_best_iou", "midpoint_cell",
    "output_shape", "parse_objects", "render", "run_detector", "training_box_shapes", "training_scene", "validation_scene",
]
