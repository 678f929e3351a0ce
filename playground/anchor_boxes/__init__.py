"""Anchor boxes: YOLO's grid, several box shapes per cell, and the target a detector learns.

The public API of the concept (page ``pages/anchor_boxes.py``):

- :func:`iou`, the one home of intersection over union, and :func:`centred_iou`
  for box shapes (:mod:`.boxes`);
- :func:`encode_box`: an object's midpoint cell, its anchor and (b_x, b_y, b_h, b_w) (:mod:`.encoding`);
- :func:`kmeans_anchors`: anchor shapes by k-means with distance 1 − IoU (:mod:`.anchors`).

Examples
--------
>>> from playground.anchor_boxes import encode_box, iou
>>> iou([0, 0, 2, 2], [0, 0, 2, 1])
0.5
"""

from playground.anchor_boxes.anchors import assign, kmeans_anchors, mean_best_iou
from playground.anchor_boxes.boxes import as_boxes, box_area, centred_iou, iou
from playground.anchor_boxes.encoding import BOX_FIELDS, best_anchor, decode_box, encode_box, midpoint_cell

__all__ = [
    "BOX_FIELDS", "as_boxes", "assign", "best_anchor", "box_area", "centred_iou", "decode_box", "encode_box",
    "iou", "kmeans_anchors", "mean_best_iou", "midpoint_cell",
]
