"""The non-max-suppression page through the app's entry point: controls change what it shows, numbers are right.

Expected values come from plain-Python references (pair IoU, the loop NMS, the paper's Soft-NMS loop) or are
worked by hand in the docstring. A plotly box selection cannot be simulated here: tests/test_drag.py checks the
function that reads one, and the drag itself was checked in a browser.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from playground.non_max_suppression.boxsets import MAX_BOXES, PRESETS, random_boxes
from tests.conftest import REPO_ROOT
from tests.references import loop_nms, loop_soft_nms, pair_iou

PAGE = "pages/non_max_suppression.py"


def open_page(**query) -> AppTest:
    """The page as a visitor arriving from a link with ``query`` sees it."""
    at = AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params.update({k: str(v) for k, v in query.items()})
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def markdown_with(at: AppTest, text: str) -> str:
    return next(m.value for m in at.markdown if text in m.value)


def test_default_view_is_the_course_example_at_step_one():
    """Two cars, three boxes each. Step 1 keeps #1 (0.9); its IoU with #2 is 784/1076 = 0.729 ≥ 0.5: removed."""
    at = open_page()
    assert not at.error
    text = markdown_with(at, "**Step 1 of 2**")
    assert "**#1** (p_c 0.9)" in text and "removed (#2)" in text
    iou_12 = pair_iou([10, 40, 40, 70], [12, 38, 44, 68])
    assert iou_12 == pytest.approx(784 / 1076)
    table = markdown_with(at, "| box | p_c | IoU with #1 | decision |")
    assert f"| #2 | 0.7 | {iou_12:.3g} | **removed**: {iou_12:.3g} ≥ 0.5 |" in table
    assert "| #4 | 0.8 | 0 | stays: 0 < 0.5 |" in table


def test_step_zero_is_the_score_rule_and_the_last_step_the_result():
    """Step 0 discards #3 (p_c 0.6 ≤ 0.6); the last step says what the loop reference keeps."""
    at = open_page(step=0)
    assert "#3 (1 of 6)" in markdown_with(at, "**Start.**")
    at = open_page(step=2)
    boxes = [[float(v) for v in line.split()] for line in PRESETS["course"].text.splitlines()]
    kept = loop_nms([b[:4] for b in boxes], [b[4] for b in boxes])
    assert at.success[0].value == f"Done: kept {', '.join(f'#{i + 1}' for i in kept)} (highest p_c first)."


@pytest.mark.parametrize("case, iou_text, lesson", [
    ("edge", "0", "They touch at an edge"),  # shared edge: width 0
    ("corner", "0", "They touch at a corner"),
    ("inside", "0.0625", "One box lies inside the other"),  # 20·20 / 80·80 = 400/6400
    ("same", "1", "The same box twice"),
    ("half", "0.5", "would remove"),  # 40·20 / 40·40
])
def test_iou_cases_that_trip_learners(case, iou_text, lesson):
    """Each case button loads its boxes: the metric is the worked IoU and the lesson says why."""
    at = open_page()
    at.button(key=f"iou_case_{case}").click().run()
    assert metric(at, "IoU") == iou_text
    assert any(lesson in m.value for m in at.markdown)


def test_iou_sliders_and_the_written_working():
    """A = (0, 0, 30, 20), B = (10, 5, 50, 45): ∩ = 20·15 = 300, ∪ = 600 + 1600 − 300 = 1900, IoU = 0.1579."""
    at = open_page(ax=0, ay=0, aw=30, ah=20, bx=10, by=5, bw=40, bh=40)
    assert metric(at, "IoU") == f"{300 / 1900:.4g}"
    assert pair_iou([0, 0, 30, 20], [10, 5, 50, 45]) == pytest.approx(300 / 1900)
    latex = at.latex[0].value
    assert "= 20" in latex and "= 15" in latex and "600 + 1600 - 300 = 1900" in latex and r"\frac{300}{1900}" in latex


def test_a_box_too_wide_for_the_canvas_is_narrowed():
    """x = 90 leaves 10 units: a link asking for width 50 gets 10."""
    at = open_page(ax=90, aw=50)
    assert at.slider(key="aw").value == 10


def test_the_runtime_agrees_and_the_raw_operator_differs_at_exactly_half():
    """The exact preset: box 2 has IoU 800/1600 = 0.5 with box 1. The course and onnx_nms remove it; the raw
    operator (IoU > 0.5 only) keeps it. Box 3 has p_c 0.6: discarded by all three."""
    at = open_page()
    assert metric(at, "ONNX Runtime, thresholds moved") == metric(at, "step by step (numpy)") == "2 kept"
    at.button(key="load_exact").click().run()
    assert at.text_area(key="boxes").value == PRESETS["exact"].text
    assert metric(at, "step by step (numpy)") == "1 kept" and metric(at, "ONNX Runtime, thresholds moved") == "1 kept"
    assert metric(at, "the raw operator") == "2 kept"
    assert any("also keeps #2" in m.value for m in at.markdown)
    thresholds = markdown_with(at, "| given to the operator |")
    moved = f"{float(np.nextafter(np.float32(0.5), np.float32(0))):.9g}"
    assert moved == "0.49999997" and f"| `iou_threshold` (float32) | {moved} | 0.5 |" in thresholds


def test_what_ran_lists_the_post_processing_model():
    """The course-rule and raw runs of nms_postprocess, and the bare operator without a cap, on this rerun."""
    at = open_page()
    panel = next(e for e in at.expander if e.label == "What ran")
    rows = [line for md in panel.markdown for line in md.value.splitlines() if line.startswith("| `")]
    models = [line.strip("|").split("|")[0].strip().strip("`") for line in rows]
    assert models.count("nms_postprocess") == 2 and "NonMaxSuppression, no cap" in models


@pytest.mark.parametrize("seed, n, objects, per_class, cap", [(3, 80, 5, True, 0), (4, 150, 3, False, 2)])
def test_random_boxes_keep_what_the_loop_reference_keeps(seed, n, objects, per_class, cap):
    """Random boxes: the step-through's result is the loop reference's, per class or pooled, with the cap."""
    at = open_page(src="random", seed=seed, n=n, objects=objects, pc=int(per_class), cap=cap, step=10_000)
    b = random_boxes(seed, n, objects)
    groups = np.unique(b.classes) if per_class else [None]
    expected = []
    for c in groups:
        members = np.arange(n) if c is None else np.flatnonzero(b.classes == c)
        chosen = [int(members[i]) for i in loop_nms(b.boxes[members].tolist(), b.scores[members].tolist())]
        expected += chosen[:cap] if cap else chosen
    assert metric(at, "step by step (numpy)") == f"{len(expected)} kept"
    kept_text = at.success[0].value
    assert sorted(int(t) for t in kept_text.split("kept ")[1].split(" (")[0].replace("#", "").split(", ")) == \
        sorted(i + 1 for i in expected)


def test_too_many_boxes_in_a_link_is_refused_with_a_message():
    """n = 500 is over the cap: the link value is reported and the default is used."""
    at = open_page(src="random", n=500)
    assert any("n=500" in w.value for w in at.warning)
    assert int(at.text_input(key="n__typed").value) <= MAX_BOXES


def test_typed_boxes_over_the_cap_are_cut_with_a_message():
    """MAX_BOXES + 1 typed boxes: only the first MAX_BOXES are used, and the page says so."""
    at = open_page()
    at.text_area(key="boxes").set_value("\n".join(f"{i % 90} 0 {i % 90 + 5} 5 0.9" for i in range(MAX_BOXES + 1))).run()
    assert any(f"Only the first {MAX_BOXES} boxes" in i.value for i in at.info)


def test_a_bad_typed_line_is_skipped_with_a_warning():
    """A line that is not numbers is named; the good lines still run."""
    at = open_page()
    at.text_area(key="boxes").set_value("10 10 50 50 0.9\n<b>bold</b>").run()
    assert at.warning[0].value == "Skipped line 2: not numbers."
    assert metric(at, "step by step (numpy)") == "1 kept"


def test_a_preset_loads_its_threshold():
    """The chain preset is meant for IoU 0.3: loading it sets the slider, and box 3 survives (touching box 1)."""
    at = open_page()
    at.selectbox(key="preset").set_value("chain").run()
    assert at.slider(key="iou").value == 0.3
    assert metric(at, "step by step (numpy)") == "2 kept"
    assert PRESETS["chain"].note in [c.value for c in at.caption]


@pytest.mark.parametrize("method, sigma, nt", [("gaussian", 0.5, 0.3), ("linear", 0.5, 0.3), ("gaussian", 0.1, 0.3)])
def test_soft_nms_counts_are_the_papers_loop(method, sigma, nt):
    """The course preset, one class: Soft-NMS keeps what the paper's loop keeps above 0.001, with its scores."""
    at = open_page(soft=method, sigma=sigma, nt=nt)
    rows = [[float(v) for v in line.split()] for line in PRESETS["course"].text.splitlines()]
    expected = loop_soft_nms([r[:4] for r in rows], [r[4] for r in rows], method, sigma, nt, 0.001)
    assert metric(at, "Soft-NMS keeps (score > 0.001)") == str(len(expected))
    assert metric(at, "… of which score > 0.6") == str(sum(s > 0.6 for _, s in expected))


@pytest.mark.parametrize("right", [True, False])
def test_iou_quiz_gives_feedback(right):
    """The IoU question's answer is the plain-Python IoU of the two boxes it shows."""
    at = open_page(qseed=4)
    text = markdown_with(at, "What is their IoU?")
    a, b = (tuple(int(v) for v in part.split("(")[1].split(")")[0].split(", ")) for part in text.split(" and ")[:2])
    answer = round(pair_iou(a, b), 3)
    at.text_input(key="qiou__typed").input(str(answer if right else min(answer + 0.2, 1.0))).run()
    at.button(key="quiz_iou_check").click().run()
    if right:
        assert at.success and at.success[0].value.startswith("Right")
    else:
        assert at.error and "the answer is" in at.error[0].value


def test_survivor_quiz_checks_the_set():
    """Picking exactly the boxes the loop reference keeps is right; picking every box is not."""
    from pages._non_max_suppression.quiz import survivor_question

    boxes, scores = survivor_question(2)
    kept = [f"#{i + 1}" for i in loop_nms(boxes.tolist(), scores.tolist())]
    at = open_page(qseed=2)
    at.multiselect(key="qpick").set_value(kept).run()
    at.button(key="quiz_nms_check").click().run()
    assert at.success and at.success[0].value.startswith("Right")
    at.multiselect(key="qpick").set_value([f"#{i + 1}" for i in range(len(scores))]).run()
    at.button(key="quiz_nms_check").click().run()
    assert at.error and "Not quite" in at.error[0].value


def test_settings_live_in_the_link():
    """Changing the thresholds and the source writes them into the address bar."""
    at = open_page()
    at.slider(key="iou").set_value(0.3).run()
    at.radio(key="src").set_value("random").run()
    assert at.query_params["iou"] == "0.3" and at.query_params["src"] == "random"


@pytest.mark.parametrize("query", [
    {"src": "random", "n": 0}, {"src": "random", "n": MAX_BOXES, "objects": 12, "cap": 1, "pc": 0},
    {"boxes": ""}, {"score": 0.95}, {"iou": 1.0, "score": 0.0}, {"soft": "linear", "nt": 0.95, "sfinal": 0.5},
    {"sfinal": 0.123}, {"step": 999}, {"src": "detector", "seed": 12, "objects": 3},
])
def test_links_render_without_error(query):
    """Unusual but valid links render with no exception and no error box."""
    at = open_page(**query)
    assert not at.error and not at.exception


def test_the_anchor_pages_link_shows_the_detectors_boxes():
    """?src=detector&seed=3&objects=5 (the anchor-boxes page's link): the detector's boxes on that scene; the
    step-through keeps what the loop reference keeps per class, and the runtime agrees."""
    from playground.non_max_suppression import detector as dt

    at = open_page(src="detector", seed=3, objects=5, step=10_000)
    assert not at.error and at.radio(key="src").value == "detector"
    b = dt.scene_boxes(3, 5, provider="cpu")
    expected = []
    for c in np.unique(b.classes):
        members = np.flatnonzero(b.classes == c)
        expected += [int(members[i]) for i in loop_nms(b.boxes[members].tolist(), b.scores[members].tolist())]
    assert metric(at, "step by step (numpy)") == f"{len(expected)} kept"
    assert metric(at, "ONNX Runtime, thresholds moved") == f"{len(expected)} kept"
    assert any(f"All {len(b)} boxes the detector proposes" in c.value for c in at.caption)


@pytest.mark.parametrize("method, kind, t", [("all_points", "hard", 0.5), ("coco101", "hard", 0.3),
                                             ("all_points", "gaussian", 0.5), ("coco101", "linear", 0.6)])
def test_the_evaluation_shows_the_sweeps_numbers(method, kind, t):
    """The metric is mAP of the chosen rule and threshold on the held-out scenes, by the chosen interpolation."""
    from playground.non_max_suppression import detector as dt
    from playground.non_max_suppression import mean_average_precision

    at = open_page(ap=method, evkind=kind, evt=t)
    sweep = dt.sweep(dt.held_out(provider="cpu"), kind, thresholds=(t,))
    label = {"all_points": "VOC all-point", "coco101": "COCO 101-point"}[method]
    assert metric(at, f"mAP@0.5, {label}") == f"{mean_average_precision(sweep.results[0][method]):.3g}"


def test_the_evaluation_names_the_best_hard_threshold():
    """The sentence under the sweep names the hard-NMS threshold with the highest all-point mAP."""
    from playground.non_max_suppression import detector as dt
    from playground.non_max_suppression import mean_average_precision

    at = open_page()
    sweep = dt.sweep(dt.held_out(provider="cpu"), "hard")
    maps = [mean_average_precision(r["all_points"]) for r in sweep.results]
    best = sweep.thresholds[int(np.argmax(maps))]
    assert f"the best threshold here is **{best:g}**" in markdown_with(at, "**Hard NMS:**")
