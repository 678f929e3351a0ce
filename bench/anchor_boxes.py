"""The anchor-boxes models: the detector against a numpy forward pass, and one-pass sliding windows against the loop.

``python -m bench`` also times the detector in torch eager, in a separate
process (``bench/_torch_anchor.py``), on the same weights and input, and adds
an ORT-vs-torch row under the name of the detector row below.
"""

from __future__ import annotations

import numpy as np

from bench.core import Case
from playground import runtime
from playground.anchor_boxes import DETECTOR_MODEL, detect, detector_record, detector_spec, make_scene
from playground.anchor_boxes import sliding as sw
from tests.references import detector_forward, onnx_initializers

SCENE_SEED, SCENE_OBJECTS = 3, 5  # the page's default scene


def detector_case_name() -> str:
    """Row name of the detector on one scene; bench/_torch_anchor.py reports under the same name."""
    return f"{DETECTOR_MODEL}: one 96×96 scene"


def detector_input() -> np.ndarray:
    """The page's default scene as the model's input (1, 3, 96, 96) float32."""
    return make_scene(SCENE_SEED, SCENE_OBJECTS).image.transpose(2, 0, 1)[None].copy()


def detector_flops(n_h: int = 96, n_w: int = 96) -> float:
    """2 × the multiplications of every conv, from the record's layers (playground.anchor_boxes.shapes)."""
    from playground.anchor_boxes.shapes import forward_shapes, layers_from_record

    return 2.0 * sum(o.macs for o in forward_shapes(n_h, n_w, layers_from_record(detector_record()["layers"])))


def cases() -> list[Case]:
    x = detector_input()
    weights = onnx_initializers(DETECTOR_MODEL)
    layers, anchors = detector_record()["layers"], detector_spec().n_anchors
    image = x[0].transpose(1, 2, 0)
    out = [
        Case(detector_case_name(), run=lambda: runtime.run(DETECTOR_MODEL, {"image": x}, provider="cpu"),
             reference=lambda: detector_forward(weights, x, layers, anchors),
             reference_name="numpy float64 (tests.references)", flops=detector_flops()),
        Case(f"{DETECTOR_MODEL}: detect() = ORT + decoding of 180 boxes", run=lambda: detect(image, "cpu"),
             flops=detector_flops()),
    ]
    big = np.zeros((1, 3, 608, 608), np.float32)
    out.append(Case(f"{DETECTOR_MODEL}: 608×608 input (38×38 grid)",
                    run=lambda: runtime.run(DETECTOR_MODEL, {"image": big}, provider="cpu"), flops=detector_flops(608, 608)))
    for n in (28, 48):
        picture = sw.window_image(0, n)
        g = sw.window_grid(n)
        out.append(Case(f"sliding windows {n}×{n}: one pass of {sw.CONV_MODEL}",
                        run=lambda p=picture: sw.classify_one_pass(p, "cpu"),
                        reference=lambda p=picture: sw.classify_crop_by_crop(p, "cpu"),
                        reference_name=f"crop-by-crop loop, {g * g} FC calls", flops=2.0 * sw.one_pass_macs(n)))
    return out


# ---------------------------------------------------------------- the page's sections, one control change at a time
SECTION_BUDGET_MS = 100  # the speed contract: a control change costs at most this much server time
CONTROL_CHANGES = (  # (section, widget kind, key, two values to alternate between)
    ("windows", "select_slider", "wn", ("28", "40")), ("windows", "number_input", "wseed", (1, 2)),
    ("windows", "number_input", "wi", (2, 3)),
    ("detector", "number_input", "seed", (4, 5)), ("detector", "slider", "objects", (6, 7)),
    ("detector", "slider", "S", (4, 5)), ("detector", "slider", "k", (2, 3)),
    ("detector", "selectbox", "size", ("128", "96")), ("detector", "radio", "pick", ("mine", "best")),
    ("arithmetic", "number_input", "aS", (13, 19)), ("arithmetic", "number_input", "inh", (416, 608)),
    ("explorer", "slider", "kx", (3, 7)),
)


def section_rows(repeat: int) -> list:
    """Server time of the section a control belongs to, after each change (median of ``repeat`` changes).

    Each section is a fragment, so in a browser a change reruns only that section; AppTest reruns the whole
    page, and the page records each section's own time (``SECTION_MS``), which is what is reported here.
    """
    import statistics

    from streamlit.testing.v1 import AppTest

    from bench.core import Row
    from pages._anchor_boxes.widgets import SECTION_MS
    from playground.manifest import REPO_ROOT

    at = AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=120).run()
    at.switch_page("pages/anchor_boxes.py").run()
    rows = []
    for section, kind, key, values in CONTROL_CHANGES:
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
                times.append(at.session_state[SECTION_MS][section])
        rows.append(Row(f"page anchor_boxes: {key} change, {section} section", statistics.median(times),
                        budget_ms=SECTION_BUDGET_MS))
    return rows


if __name__ == "__main__":
    import sys

    from bench.core import format_rows

    print(format_rows(section_rows(int(sys.argv[1]) if len(sys.argv) > 1 else 5)))
