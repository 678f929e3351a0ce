"""Typed, preset and random boxes: what is read, what is refused, and that the presets show what they say."""

from __future__ import annotations

import numpy as np
import pytest

from playground.non_max_suppression import nms, nms_per_class, onnx_nms
from playground.non_max_suppression.boxsets import CANVAS, MAX_BOXES, PRESETS, format_boxes, parse_boxes, random_boxes
from tests.references import pair_iou


def test_typed_boxes_are_read_with_their_classes():
    """Spaces or commas; the class is optional (1 by default) and counted from 1; comments and blanks skipped."""
    parsed = parse_boxes("10 20 30 40 0.9\n# a comment\n\n5,5,15,15,0.5,3  # trailing")
    assert not parsed.problems and not parsed.truncated
    np.testing.assert_array_equal(parsed.boxes.boxes, [[10, 20, 30, 40], [5, 5, 15, 15]])
    assert parsed.boxes.scores.tolist() == [0.9, 0.5] and parsed.boxes.classes.tolist() == [0, 2]


def test_corners_in_the_other_order_are_swapped():
    """30 40 10 20 is the same box as 10 20 30 40 (any diagonal pair, as ONNX takes them)."""
    np.testing.assert_array_equal(parse_boxes("30 40 10 20 0.9").boxes.boxes, [[10, 20, 30, 40]])


@pytest.mark.parametrize("line, message", [
    ("a b c d e", "not numbers"), ("1 2 3 4", "got 4 numbers"), ("1.5 2 3 4 0.9", "whole numbers"),
    ("1 2 3 400 0.9", "whole numbers"), ("1 2 3 4 1.5", "between 0 and 1"), ("1 2 3 4 0.9 4", "class must be"),
    ("1 2 3 4 nan", "between 0 and 1"), ("1 2 3 4 0.9 1.5", "class must be"),
])
def test_bad_lines_are_named_and_skipped(line, message):
    """Each bad line gets a message naming its line number; the good lines are still read."""
    parsed = parse_boxes(f"0 0 10 10 0.8\n{line}")
    assert len(parsed.boxes) == 1 and len(parsed.problems) == 1
    assert parsed.problems[0].startswith("line 2:") and message in parsed.problems[0]


def test_more_boxes_than_the_cap_are_cut_with_a_flag():
    """MAX_BOXES + 5 lines: the first MAX_BOXES are used and ``truncated`` says so."""
    text = "\n".join("0 0 10 10 0.8" for _ in range(MAX_BOXES + 5))
    parsed = parse_boxes(text)
    assert len(parsed.boxes) == MAX_BOXES and parsed.truncated


def test_format_and_parse_round_trip():
    """Random boxes written as text and read back are the same boxes, scores and classes."""
    boxes = random_boxes(3, 40)
    back = parse_boxes(format_boxes(boxes.boxes, boxes.scores, boxes.classes)).boxes
    np.testing.assert_array_equal(back.boxes, boxes.boxes)
    np.testing.assert_array_equal(back.scores, boxes.scores)
    np.testing.assert_array_equal(back.classes, boxes.classes)


@pytest.mark.parametrize("seed, n, objects", [(0, 0, 1), (1, 30, 3), (2, MAX_BOXES, 12)])
def test_random_boxes_are_whole_numbers_on_the_canvas(seed, n, objects):
    """n boxes, corners whole in 0…CANVAS with x1 < x2 and y1 < y2, scores in (0, 1), the same for a seed."""
    a, b = random_boxes(seed, n, objects), random_boxes(seed, n, objects)
    assert len(a) == n and len(a.truth_boxes) == objects
    np.testing.assert_array_equal(a.boxes, b.boxes)
    assert np.all(a.boxes == np.round(a.boxes)) and a.boxes.min(initial=0) >= 0 and a.boxes.max(initial=0) <= CANVAS
    assert np.all(a.boxes[:, 2] > a.boxes[:, 0]) and np.all(a.boxes[:, 3] > a.boxes[:, 1])
    assert np.all((a.scores > 0) & (a.scores < 1))


def test_asking_for_too_many_random_boxes_is_refused():
    """More than MAX_BOXES is a ValueError that names the cap."""
    with pytest.raises(ValueError, match=str(MAX_BOXES)):
        random_boxes(0, MAX_BOXES + 1)


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_parses(name):
    """Each preset is valid text, and the runtime agrees with the library on it."""
    parsed = parse_boxes(PRESETS[name].text)
    assert not parsed.problems and len(parsed.boxes) >= 2
    t = PRESETS[name].iou_threshold or 0.5
    b = parsed.boxes
    assert onnx_nms(b.boxes, b.scores, b.classes, t, 0.6, provider="cpu").tolist() == \
        nms_per_class(b.boxes, b.scores, b.classes, t, 0.6).tolist()


def iou_of(name: str, i: int, j: int) -> float:
    rows = [[float(v) for v in line.split()] for line in PRESETS[name].text.splitlines()]
    return pair_iou(rows[i][:4], rows[j][:4])


def test_presets_say_true_numbers():
    """The notes' arithmetic: exact 800/1600 = 0.5; chain 800/2400 and 0 (touching); classes 1444/1756 = 0.82;
    inside 400/6400 = 0.0625."""
    assert iou_of("exact", 0, 1) == 0.5
    assert iou_of("chain", 0, 1) == pytest.approx(1 / 3) and iou_of("chain", 0, 2) == 0.0
    assert iou_of("chain", 1, 2) == pytest.approx(1 / 3)
    assert iou_of("classes", 0, 1) == pytest.approx(1444 / 1756) and f"{1444 / 1756:.2f}" == "0.82"
    assert iou_of("inside", 0, 1) == 0.0625


def test_the_course_preset_keeps_one_box_per_car():
    """Box 3 goes by score (0.6 ≤ 0.6); each car keeps its best box: boxes 1 and 4."""
    b = parse_boxes(PRESETS["course"].text).boxes
    assert nms(b.boxes, b.scores).tolist() == [0, 3]
