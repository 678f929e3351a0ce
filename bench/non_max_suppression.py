"""NMS on 1,000 and 10,000 boxes: a plain Python loop, the library's vectorised numpy, and ONNX's operator.

All three run on the same boxes (heaped around objects, as a detector's raw output is) and must keep the same
set, which is asserted before anything is timed. The rows compare numpy with the loop, and the operator (the
committed ``nms_postprocess`` model through ``onnx_nms``) with numpy.
"""

from __future__ import annotations

import numpy as np

from bench.core import Case
from playground import runtime
from playground.non_max_suppression import nms, onnx_nms
from playground.non_max_suppression import runtime_nms as rn
from tests.references import loop_nms

SIZES = (1_000, 10_000)
OBJECTS_PER_1000 = 20  # objects the boxes are heaped around, per 1,000 boxes
IOU, SCORE = 0.5, 0.0  # every box takes part: the hardest case for the loop


def heaped_boxes(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` boxes around n/50 objects in a 1000 × 1000 image, float32 corners and scores."""
    rng = np.random.default_rng(seed)
    m = max(1, n * OBJECTS_PER_1000 // 1000)
    centres = rng.random((m, 2)) * 900 + 50
    sizes = rng.uniform(20, 120, (m, 2))
    owner = rng.integers(0, m, n)
    mid = centres[owner] + rng.normal(0, 0.15, (n, 2)) * sizes[owner]
    half = sizes[owner] / 2 * rng.uniform(0.7, 1.3, (n, 2))
    boxes = np.concatenate([mid - half, mid + half], axis=1).astype(np.float32)
    return boxes, rng.random(n).astype(np.float32)


def cases() -> list[Case]:
    out = []
    for n in SIZES:
        boxes, scores = heaped_boxes(n)
        b64, s64 = boxes.astype(np.float64), scores.astype(np.float64)
        as_lists = (b64.tolist(), s64.tolist())
        loop = loop_nms(*as_lists, IOU, SCORE)
        vectorised = nms(b64, s64, IOU, SCORE)
        onnx = onnx_nms(boxes, scores, iou_threshold=IOU, score_threshold=SCORE, provider="cpu")
        if not (sorted(loop) == sorted(vectorised.tolist()) == sorted(onnx.tolist())):
            raise AssertionError(f"NMS on {n} boxes: the loop, numpy and ONNX kept different sets")
        feeds, _ = rn.feeds(boxes, scores, None, IOU, SCORE)
        label = f"{n:,} boxes, {len(vectorised)} kept"
        out += [
            Case(f"nms (vectorised numpy): {label}", run=lambda b=b64, s=s64: nms(b, s, IOU, SCORE),
                 reference=lambda a=as_lists: loop_nms(*a, IOU, SCORE), reference_name="plain Python loop"),
            Case(f"onnx_nms (NonMaxSuppression): {label}",
                 run=lambda b=boxes, s=scores: onnx_nms(b, s, iou_threshold=IOU, score_threshold=SCORE, provider="cpu"),
                 reference=lambda b=b64, s=s64: nms(b, s, IOU, SCORE), reference_name="nms (vectorised numpy)"),
            Case(f"nms_postprocess model alone: {label}",
                 run=lambda f=feeds: runtime.run(rn.MODEL, f, provider="cpu"),
                 reference=lambda b=b64, s=s64: nms(b, s, IOU, SCORE), reference_name="nms (vectorised numpy)"),
        ]
    return out


# ---------------------------------------------------------------- the page's sections, one control change at a time
SECTION_BUDGET_MS = 100  # the speed contract: a control change costs at most this much server time
SECTIONS = {  # name -> (module, function): each is an st.fragment, the part of the page a control reruns
    "iou": ("pages._non_max_suppression.iou_section", "show"),
    "suppression": ("pages._non_max_suppression.suppression", "show"),
    "steps": ("pages._non_max_suppression.steps_section", "show"),
    "soft": ("pages._non_max_suppression.soft_section", "show"),
    "quiz": ("pages._non_max_suppression.quiz", "show"),
    "evaluation": ("pages._non_max_suppression.evaluation_section", "show"),
}
CONTROL_CHANGES = (  # (section, widget kind, key, two values to alternate between, link the page opens with)
    ("iou", "slider", "ax", (10, 20), {}),
    ("suppression", "slider", "iou", (0.5, 0.45), {}),
    ("suppression", "toggle", "pc", (False, True), {}),
    ("suppression", "slider", "iou", (0.5, 0.45), {"src": "random", "n": "200", "objects": "12"}),
    ("suppression", "number_input", "cap", (2, 0), {"src": "random", "n": "200", "objects": "12"}),
    ("steps", "slider", "step", (1, 2), {}),
    ("steps", "slider", "step", (3, 4), {"src": "random", "n": "200", "objects": "12"}),
    ("soft", "slider", "sigma", (0.5, 0.4), {}),
    ("soft", "slider", "sigma", (0.5, 0.4), {"src": "random", "n": "200", "objects": "12"}),
    ("quiz", "number_input", "qseed", (1, 2), {}),
    ("suppression", "slider", "iou", (0.5, 0.45), {"src": "detector", "seed": "3", "objects": "5"}),
    ("steps", "slider", "step", (1, 2), {"src": "detector", "seed": "3", "objects": "5"}),
    ("soft", "slider", "sigma", (0.5, 0.4), {"src": "detector", "seed": "3", "objects": "5"}),
    ("evaluation", "radio", "ap", ("coco101", "all_points"), {}),
    ("evaluation", "selectbox", "evkind", ("linear", "hard"), {}),
    ("evaluation", "select_slider", "evt", (0.6, 0.5), {}),
)


def section_rows(repeat: int) -> list:
    """Server time of the section a control belongs to, after each change (median of ``repeat`` changes).

    In a browser a change reruns only that section's fragment; AppTest reruns the whole page, so each section's
    function is timed on its own while AppTest drives the controls.
    """
    import importlib
    import statistics
    import time

    from streamlit.testing.v1 import AppTest

    from bench.core import Row
    from playground.manifest import REPO_ROOT

    spent: dict[str, float] = {}

    def timed(name, fn):
        def run(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = (time.perf_counter() - start) * 1e3
        return run

    originals = []
    for name, (module_name, attr) in SECTIONS.items():
        module = importlib.import_module(module_name)
        originals.append((module, attr, getattr(module, attr)))
        setattr(module, attr, timed(name, getattr(module, attr)))
    rows = []
    try:
        for section, kind, key, values, query in CONTROL_CHANGES:
            at = AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=120)
            at.query_params.update(query)
            at.run()
            at.switch_page("pages/non_max_suppression.py").run()
            times = []
            for k in range(repeat + 1):
                if kind == "number_input":  # number fields are text boxes keyed <key>__typed (ui.number_field)
                    at.text_input(key=f"{key}__typed").set_value(str(values[k % 2]))
                else:
                    getattr(at, kind)(key=key).set_value(values[k % 2])
                at.run()
                if at.exception:
                    raise RuntimeError(f"{key}: {at.exception}")
                if k:  # the first change may fill caches: not counted
                    times.append(spent[section])
            where = (f", {query['n']} random boxes" if query.get("src") == "random" else
                     f", the detector's boxes on scene {query['seed']}" if query else "")
            rows.append(Row(f"page non_max_suppression: {key} change, {section} section{where}",
                            statistics.median(times), budget_ms=SECTION_BUDGET_MS))
    finally:
        for module, attr, fn in originals:
            setattr(module, attr, fn)
    return rows


if __name__ == "__main__":
    import sys

    from bench.core import format_rows

    print(format_rows(section_rows(int(sys.argv[1]) if len(sys.argv) > 1 else 5)))
