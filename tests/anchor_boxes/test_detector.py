"""The detector: decoding against a slot-by-slot reference, the ONNX model against its torch source and numpy,
the contract the non-max suppression page relies on, and the recorded quality reproduced."""

from __future__ import annotations

import numpy as np
import pytest

from playground import runtime
from playground.anchor_boxes import (
    CLASS_NAMES,
    DETECTOR_MODEL,
    HELDOUT_SCENES,
    decode,
    detect,
    detector_record,
    detector_spec,
    heldout_scene,
    kmeans_anchors,
    make_scene,
    mean_best_iou,
    output_shape,
    training_box_shapes,
)
from playground.manifest import artifact_path, load_manifest
from playground.non_max_suppression import Detections, GroundTruth, evaluate, mean_average_precision, nms_per_class
from tests.references import detector_forward, onnx_initializers, pair_iou, reference_decode

ANCHORS_PX = np.array([[10.0, 17.0], [20.0, 11.0], [18.0, 28.0]])


def test_decode_matches_the_slot_by_slot_reference():
    """σ, e^t and softmax of random raw numbers give the reference's p_c, b, boxes, scores and classes."""
    raw = np.random.default_rng(0).normal(0, 2, (4, 5, 3, 8))
    ours = decode(raw, ANCHORS_PX, 16)
    ref = reference_decode(raw, ANCHORS_PX, 16)
    assert len(ours.boxes) == 4 * 5 * 3
    for k, r in enumerate(ref):
        assert tuple(ours.cells[k]) == r["cell"]
        row, col, a = r["cell"]
        np.testing.assert_allclose(ours.decoded[row, col, a, 1:5], r["b"], rtol=1e-12)
        np.testing.assert_allclose(ours.boxes[k], r["box"], atol=1e-12)
        np.testing.assert_allclose(ours.class_probs[k], r["probs"], atol=1e-12)
        assert ours.objectness[k] == pytest.approx(r["p_c"], abs=1e-12)
        assert ours.scores[k] == pytest.approx(r["score"], abs=1e-12) and ours.classes[k] == r["class"]


def test_decode_by_hand():
    """t = 0 everywhere: p_c = ½, the box on the cell's centre with the anchor's size; class scores ½·⅓."""
    d = decode(np.zeros((2, 2, 1, 8)), [[16.0, 32.0]], 16)
    # cell (0, 1) of a 2×2 grid on 32×32 px: midpoint (24, 8) px, 16 × 32 px → corners (0.5, −0.25, 1, 0.75), clipped
    np.testing.assert_allclose(d.boxes[1], [0.5, 0.0, 1.0, 0.75])
    np.testing.assert_allclose(d.scores, 0.5 / 3)
    np.testing.assert_allclose(d.decoded[0, 1, 0, :5], [0.5, 0.5, 0.5, 2.0, 1.0])


def test_decode_refuses_a_raw_array_of_the_wrong_shape():
    with pytest.raises(ValueError, match="B = 3"):
        decode(np.zeros((2, 2, 2, 8)), ANCHORS_PX, 16)


def test_detect_keeps_its_contract():
    """All S·S·B boxes in slot order: corners in 0–1, p_c, C class probabilities summing to 1, scores p_c·max c."""
    spec = detector_spec()
    raw = detect(make_scene(1, 4).image)
    n = 6 * 6 * spec.n_anchors
    assert raw.boxes.shape == (n, 4) and raw.objectness.shape == (n,) and raw.class_probs.shape == (n, len(CLASS_NAMES))
    assert raw.cells.shape == (n, 3) and raw.cells[spec.n_anchors + 1].tolist() == [0, 1, 1]
    assert (raw.boxes >= 0).all() and (raw.boxes <= 1).all() and (raw.boxes[:, 2:] >= raw.boxes[:, :2]).all()
    np.testing.assert_allclose(raw.class_probs.sum(1), 1, atol=1e-9)
    np.testing.assert_allclose(raw.scores, raw.objectness * raw.class_probs.max(1))
    np.testing.assert_array_equal(raw.classes, raw.class_probs.argmax(1))
    with pytest.raises(ValueError, match="multiples of 16"):
        detect(np.zeros((100, 96, 3), np.float32))


@pytest.mark.model_reference("anchor_detector")
def test_onnx_detector_matches_its_torch_source(provider):
    """ORT's raw output on the committed inputs equals the torch model's (BN not folded), saved by the export."""
    with np.load(artifact_path("anchor_detector_fixture")) as fixture:
        for i in range(2):
            x, expected = fixture[f"input_{i}"], fixture[f"torch_raw_{i}"]
            out = runtime.run(DETECTOR_MODEL, {"image": x}, provider=provider)["raw"]
            assert out.shape == expected.shape
            np.testing.assert_allclose(out, expected, atol=2e-3 if provider == "cuda" else 2e-4)


@pytest.mark.model_reference("anchor_detector")
def test_onnx_detector_matches_a_numpy_forward_pass():
    """The committed weights run through a numpy conv/pool/LeakyReLU network give ORT's numbers (float64 vs float32)."""
    spec, record = detector_spec(), detector_record()
    weights = onnx_initializers(DETECTOR_MODEL)
    x = np.stack([make_scene(seed, 4).image.transpose(2, 0, 1) for seed in (2, 3)]).astype(np.float32)
    ref = detector_forward(weights, x, record["layers"], spec.n_anchors)
    out = runtime.run(DETECTOR_MODEL, {"image": x}, provider="cpu")["raw"]
    np.testing.assert_allclose(out, ref, atol=1e-3)


@pytest.mark.parametrize("n_h, n_w", [(96, 96), (128, 160), (16, 32), (192, 96)])
def test_a_bigger_input_gives_a_bigger_grid(n_h, n_w):
    """The model takes any multiple of 16: the grid is n/16 on each side."""
    assert output_shape(n_h, n_w, "cpu") == (n_h // 16, n_w // 16, detector_spec().n_anchors, 5 + len(CLASS_NAMES))


def test_the_record_describes_the_committed_model():
    """Stride, anchors and classes of the record; anchors are the k-means of the committed training boxes."""
    spec, record = detector_spec(), detector_record()
    assert spec.stride == 16 and spec.class_names == CLASS_NAMES and spec.input_size == 96
    wh = training_box_shapes()
    for k in (1, spec.n_anchors, 9):
        anchors = kmeans_anchors(wh, k, seed=record["kmeans"]["seed"])
        np.testing.assert_allclose(anchors, record["kmeans"]["k"][str(k)]["anchors"], rtol=1e-9)
        assert mean_best_iou(wh, anchors) == pytest.approx(record["kmeans"]["k"][str(k)]["mean_best_iou"])
    np.testing.assert_allclose(spec.anchors, record["kmeans"]["k"][str(spec.n_anchors)]["anchors"])


def _nms_detections(raw, settings: dict) -> Detections:
    keep = nms_per_class(raw.boxes, raw.scores, raw.classes, iou_threshold=settings["nms_iou"],
                         score_threshold=settings["score_threshold"])
    return Detections(raw.boxes[keep], raw.scores[keep], raw.classes[keep])


@pytest.fixture(scope="module")
def heldout():
    scenes = [heldout_scene(i) for i in range(HELDOUT_SCENES)]
    return scenes, [detect(s.image, "cpu") for s in scenes]


def test_the_recorded_map_is_what_the_committed_model_scores(heldout):
    """NMS and all-point AP@0.5 over the held-out scenes reproduce the manifest's mAP and per-class AP, ≥ 0.90."""
    card = load_manifest()["models"][DETECTOR_MODEL]["provenance"]["card"]
    scenes, raws = heldout
    settings = card["quality"]["evaluation"]
    assert (settings["nms_iou"], settings["match_iou"], settings["method"]) == (0.5, 0.5, "all_points")
    dets = [_nms_detections(r, settings) for r in raws]
    results = evaluate(dets, [GroundTruth(s.boxes, s.classes) for s in scenes], range(len(CLASS_NAMES)),
                       settings["match_iou"], settings["method"])
    assert mean_average_precision(results) == pytest.approx(card["quality"]["mAP_at_0.5"], abs=1e-6)
    for c, r in results.items():
        assert r.ap == pytest.approx(card["quality"]["per_class_AP"][CLASS_NAMES[c]], abs=1e-6)
    assert card["quality"]["mAP_at_0.5"] >= 0.90


def test_most_objects_are_found_with_the_right_class(heldout):
    """After NMS, at least 90 % of held-out objects have a box of their class with IoU ≥ 0.5 scoring above 0.3."""
    scenes, raws = heldout
    found = total = 0
    for scene, raw in zip(scenes, raws):
        keep = nms_per_class(raw.boxes, raw.scores, raw.classes, 0.5, 0.3)
        for box, cls in zip(scene.boxes, scene.classes):
            total += 1
            found += any(raw.classes[k] == cls and pair_iou(raw.boxes[k], box) >= 0.5 for k in keep)
    assert found / total >= 0.9
