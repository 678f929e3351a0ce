"""The detector as a source of boxes, and the held-out evaluation, against the detector and plain-Python references."""

from __future__ import annotations

import numpy as np
import pytest

from playground.anchor_boxes import HELDOUT_SCENES, detect, heldout_scene, make_scene
from playground.manifest import model_entry
from playground.non_max_suppression import detector as dt
from playground.non_max_suppression import mean_average_precision
from tests.references import loop_average_precision, loop_nms


@pytest.mark.parametrize("seed, objects", [(0, 1), (3, 4), (17, 6)])
def test_scene_boxes_are_the_detectors_raw_boxes_in_pixels(seed, objects):
    """Every box of detect(), scaled by the image size; the scene's objects likewise; scores and classes as given."""
    scene = make_scene(seed, objects)
    raw = detect(scene.image, provider="cpu")
    b = dt.scene_boxes(seed, objects, provider="cpu")
    h, w = scene.image.shape[:2]
    np.testing.assert_allclose(b.boxes, raw.boxes * [w, h, w, h], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(b.scores, raw.scores)
    np.testing.assert_array_equal(b.classes, raw.classes)
    np.testing.assert_allclose(b.truth_boxes, scene.boxes * [w, h, w, h], atol=1e-9)
    assert (b.width, b.height) == (w, h) and len(b) == len(raw.boxes)


def test_held_out_scenes_are_the_detectors_output_on_heldout_scene():
    """Scene i of held_out() is detect(heldout_scene(i)) and its ground truth."""
    data = dt.held_out(3, provider="cpu")
    for i in range(3):
        scene = heldout_scene(i)
        np.testing.assert_array_equal(data.raw[i].boxes, detect(scene.image, provider="cpu").boxes)
        np.testing.assert_array_equal(data.truths[i].boxes, scene.boxes)


def test_the_sweep_is_the_loop_references_ap():
    """On 12 held-out scenes: hard NMS at 0.5 (loop reference per class, scores > 0.01), then every class's AP by
    the loop definition: the sweep's point at 0.5 equals it, for both interpolations."""
    data = dt.held_out(12, provider="cpu")
    sweep = dt.sweep(data, "hard", thresholds=(0.5,))
    dets, truths = [], []
    for raw, gt in zip(data.raw, data.truths):
        kept = []
        for c in np.unique(raw.classes):
            members = np.flatnonzero(raw.classes == c)
            kept += [int(members[i]) for i in loop_nms(raw.boxes[members].tolist(), raw.scores[members].tolist(),
                                                         0.5, 0.01)]
        dets.append([(raw.boxes[i].tolist(), float(raw.scores[i]), int(raw.classes[i])) for i in kept])
        truths.append([(box.tolist(), int(c)) for box, c in zip(gt.boxes, gt.classes)])
    for method in ("all_points", "coco101"):
        for c, result in sweep.results[0][method].items():
            assert result.ap == pytest.approx(loop_average_precision(dets, truths, c, 0.5, method), abs=1e-12)


def test_the_pages_map_at_the_courses_threshold_is_the_detectors_recorded_one():
    """All held-out scenes, hard NMS at 0.5, scores > 0.01: the mAP recorded in the detector's manifest card."""
    card = model_entry("anchor_detector")["provenance"]["card"]["quality"]
    data = dt.held_out(HELDOUT_SCENES, provider="cpu")
    sweep = dt.sweep(data, "hard", thresholds=(0.5,))
    assert mean_average_precision(sweep.results[0]["all_points"]) == pytest.approx(card["mAP_at_0.5"], abs=1e-9)
