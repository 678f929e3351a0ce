"""The residual-block page through the app's entry point: controls change what it shows, values are right."""

from __future__ import annotations

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from playground.residual_block import depth_numpy as dn
from playground.residual_block import depth_record as dx
from playground.residual_block import example_block
from tests.conftest import REPO_ROOT
from tests.references import depth_net_forward, onnx_initializers, reference_block

PAGE = "pages/residual_block.py"


def open_page(**query) -> AppTest:
    """The page as a visitor arriving from a link with ``query`` sees it."""
    at = AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params.update({k: str(v) for k, v in query.items()})
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def formula_lines(at: AppTest) -> list[str]:
    """The step-through formula's lines (the page's first st.latex)."""
    body = at.latex[0].value.strip().strip("$").strip()
    return body.removeprefix(r"\begin{array}{l}").removesuffix(r"\end{array}").split(r"\\")


def what_ran(at: AppTest) -> list[str]:
    """The models listed in the "What ran" expander, in page order (one table per section)."""
    panel = next(e for e in at.expander if e.label == "What ran")
    lines = [line for md in panel.markdown for line in md.value.splitlines() if line.startswith("| `")]
    return [line.strip("|").split("|")[0].strip().strip("`") for line in lines]


def fmt(v: float) -> str:
    text = f"{v:.4g}"
    return f"({text})" if v < 0 else text


def test_default_view_shows_every_step_with_reference_values():
    """Seed 3, 2×5×5, identity: the five formula lines end with the loop reference's values at cell (1, 1, 1)."""
    at = open_page()
    assert not at.error
    ex = example_block(3, 2, 5)
    ref = reference_block(ex.a, ex.w1, ex.b1, ex.w2, ex.b2)
    lines = formula_lines(at)
    assert len(lines) == 5
    for line, name in zip(lines, ("z1", "a1", "z2", "shortcut", "a2")):
        value = ref[name][0, 0, 0] if name != "shortcut" else ref["z2"][0, 0, 0] + ref["shortcut"][0, 0, 0]
        assert line.endswith(f"= {fmt(value)}"), (line, name)
    assert at.query_params["t"] == "1.0" and at.query_params["sc"] == "identity"


def test_intro_attributes_the_depth_claim_to_he_et_al():
    """The intro's claim about depth is He et al.'s: the record does not show residual nets improving with depth."""
    intro = open_page().markdown[0].value
    sentences = re.split(r"\.\s+(?=[A-Z])", intro)
    claims = [s for s in sentences if "deeper" in s or "depth" in s]
    assert claims and all(s.startswith("He et al. (2015)") or "experiment" in s for s in claims), claims


@pytest.mark.parametrize("step", [1, 2, 3, 4])
def test_step_slider_reveals_the_block_step_by_step(step):
    """At step k the formula shows k lines."""
    at = open_page(step=step)
    assert len(formula_lines(at)) == step


def test_scale_to_zero_gives_the_identity():
    """Scaling W[l+2], b[l+2] to 0 with a[l] ≥ 0: the page says a[l+2] = a[l] with zero difference."""
    at = open_page()
    at.slider(key="t").set_value(0.0).run()
    assert "Largest |a[l+2] − a[l]| = 0" in at.success[0].value
    assert at.query_params["t"] == "0.0"


def test_negatives_are_clipped_by_the_last_relu():
    """With negatives in a[l] and W[l+2] = 0 the page counts the cells ReLU clips: those where a[l] < 0."""
    at = open_page(t=0.0)
    at.toggle(key="neg").set_value(True).run()
    clipped = int((example_block(3, 2, 5, negatives=True).a < 0).sum())
    assert clipped > 0
    assert f"at the {clipped} cells where a[l] < 0" in at.warning[0].value


def test_stride_two_forces_the_projection_with_its_shape_arithmetic():
    """Stride 2 on 5×5: z[l+2] is 2×3×3, the identity cannot be added, W_s gives 3×3."""
    at = open_page()
    at.select_slider(key="s").set_value(2).run()
    assert "z[l+2] is 2×3×3 but a[l] is 2×5×5" in at.info[0].value
    assert any(r"\left\lfloor \frac{5 + 2\cdot 1 - 3}{2} \right\rfloor + 1 = 3" in latex.value for latex in at.latex)
    ex = example_block(3, 2, 5, 2)
    ref = reference_block(ex.a, ex.w1, ex.b1, ex.w2, ex.b2, ex.ws, stride=2)
    assert formula_lines(at)[4].endswith(f"= {fmt(ref['a2'][0, 0, 0])}")


def test_cell_is_kept_inside_a_smaller_output():
    """A link asking for row 5 on a stride-2 block (3 rows) shows row 3 instead of failing."""
    at = open_page(row=5, s=2)
    assert at.number_input(key="row").value == 3
    assert not at.error


@pytest.mark.parametrize("shortcut", ["identity", "projection"])
@pytest.mark.parametrize("right", [True, False])
def test_identity_quiz_gives_feedback(right, shortcut):
    """The check-yourself answer is a[l+2] with W[l+2] = b[l+2] = 0; a right guess is praised, a wrong one corrected."""
    ex = example_block(3, 2, 5)
    if shortcut == "identity":
        expected = max(float(ex.a[0, 0, 0]), 0.0)  # W[l+2] = 0: a[l+2] = g(a[l])
    else:  # the loop reference run with the second layer zeroed
        expected = float(reference_block(ex.a, ex.w1, ex.b1, 0 * ex.w2, 0 * ex.b2, ex.ws)["a2"][0, 0, 0])
    at = open_page(sc=shortcut)
    at.number_input(key="guess").set_value(expected if right else expected + 7).run()
    at.button(key="identity_quiz_check").click().run()
    if right:
        assert at.success and f"Right: {expected:g}" in at.success[0].value
    else:
        assert f"the answer is {expected:g}" in at.error[0].value


@pytest.mark.parametrize("query, block_model", [({}, "residual_block"),
                                               ({"sc": "projection"}, "residual_block_projection"),
                                               ({"s": 2, "depth": 8}, "residual_block_projection")])
def test_what_ran_lists_each_model_call_once(query, block_model):
    """The block runs once per view (no second run for the quiz), then the two nets of the chosen depth
    (by default the deepest offered before the reveal: the second deepest)."""
    at = open_page(**query)
    depth = int(query.get("depth", sorted(dx.depths())[-2]))
    assert what_ran(at) == [block_model, dx.model_name(depth, False), dx.model_name(depth, True)]


@pytest.mark.parametrize("prediction", dx.VERDICTS)
def test_predict_then_reveal_the_deepest_nets(prediction):
    """The deepest curves stay hidden until revealed; the verdict and headline come from the record.

    A right prediction gets the success box naming the recorded answer; a wrong one gets the error box,
    which repeats the prediction and names the recorded answer in bold.
    """
    at = open_page()
    deepest = max(dx.depths())
    assert any(f"{deepest}-layer curves stay hidden" in c.value for c in at.caption)
    at.radio(key="pred").set_value(prediction).run()
    at.button(key="reveal").click().run()
    plain, res = dx.get_run(deepest, False), dx.get_run(deepest, True)
    answer = dx.lower_error(plain.final("train_error"), res.final("train_error"))
    if prediction == answer:
        assert not at.error and len(at.success) == 1
        assert f"**{answer}**" in at.success[0].value
    else:
        assert not at.success and len(at.error) == 1
        assert f"you said {prediction}" in at.error[0].value
        assert f"the recorded answer is **{answer}**" in at.error[0].value
    headline = next(m.value for m in at.markdown if m.value.startswith("**What was measured:**"))
    assert f"**{plain.final('train_error'):.1%}**" in headline and f"**{res.final('train_error'):.1%}**" in headline
    assert at.query_params["shown"] == "1" and at.query_params["pred"] == prediction
    at.button(key="hide").click().run()
    assert any(f"{deepest}-layer curves stay hidden" in c.value for c in at.caption)
    assert at.radio(key="pred").value is None and at.query_params["shown"] == "0"


@pytest.mark.parametrize("depth", [8, 20, 56])
def test_gradient_text_applies_the_explodes_threshold_to_both_nets(depth):
    """Each net is said to explode exactly when its first/last-conv gradient ratio in the record exceeds 10×."""
    at = open_page(gdepth=depth)
    text = next(m.value for m in at.markdown if m.value.startswith(f"With BN, the {depth}-layer plain net"))
    ratios = {}
    for residual, kind in ((False, "plain"), (True, "residual")):
        norms = dx.get_run(depth, residual).grad_norms_init  # stem, block convs, fc: the last conv is norms[-2]
        ratios[kind] = norms[0] / norms[-2]
    exploding = {kind for kind, r in ratios.items() if r > 10}
    if exploding == {"plain", "residual"}:
        assert "in both nets the gradient grows more than 10×" in text
        big = max(ratios, key=ratios.get)
        assert f"the {big} net's growth is {max(ratios.values()) / min(ratios.values()):,.0f} times" in text
    elif exploding:
        (kind,) = exploding
        other = ({"plain", "residual"} - exploding).pop()
        assert f"the {kind} net's gradient grows more than 10×" in text and f"the {other} net's does not" in text
    else:
        assert "neither net's gradient grows more than 10×" in text


def test_headline_follows_the_chosen_training_curve():
    """With the running curve chosen, the revealed headline reports the running training errors of the record."""
    at = open_page(shown=1, curve="running_train_error")
    deepest, shallowest = max(dx.depths()), min(dx.depths())
    headline = next(m.value for m in at.markdown if m.value.startswith("**What was measured:**"))
    for residual in (False, True):
        assert f"**{dx.get_run(deepest, residual).final('running_train_error'):.1%}**" in headline
        assert f"{dx.get_run(shallowest, residual).final('running_train_error'):.1%}" in headline


@pytest.mark.parametrize("digit, depth", [(1, 8), (17, 20), (300, 56)])
def test_digit_predictions_match_a_numpy_forward_pass(digit, depth):
    """The page's predictions for a linked digit equal the numpy reference's argmax for both nets."""
    at = open_page(digit=digit, depth=depth, shown=1)
    images, _, _ = dx.held_out_digits()
    shown = {m.label: m.value for m in at.metric}
    for residual in (False, True):
        run = dx.get_run(depth, residual)
        logits, _ = depth_net_forward(onnx_initializers(run.name), images[digit - 1:digit, None] / 16.0, run.blocks, residual)
        kind = "residual" if residual else "plain"
        assert shown[f"{kind}-{depth} says"] == str(int(np.argmax(logits)))


def test_the_deepest_nets_stay_out_of_the_digit_section_until_the_reveal():
    """Before the reveal the digit section offers every depth but the deepest (whose result is the quiz's answer),
    even from a link; once revealed, the deepest is offered and a link to it opens it."""
    deepest = max(dx.depths())
    before = open_page(depth=deepest)
    offered = next(r for r in before.radio if r.key == "depth").options
    assert str(deepest) not in offered and f"{deepest}-layer nets join once you predict" in " ".join(
        c.value for c in before.caption)
    assert not any(m.label.endswith(f"-{deepest} says") for m in before.metric)
    after = open_page(depth=deepest, shown=1)
    assert next(r for r in after.radio if r.key == "depth").value == str(deepest)
    assert any(m.label == f"plain-{deepest} says" for m in after.metric)


def test_bad_link_values_fall_back_with_a_warning():
    """?s=9&digit=0&depth=7 are refused, reported, and the defaults are shown."""
    at = open_page(s=9, digit=0, depth=7)
    assert not at.error
    warning = at.warning[-1].value
    assert "s=9" in warning and "digit=0" in warning and "depth=7" in warning
    assert at.select_slider(key="s").value == 1


def test_numpy_rerun_runs_on_request():
    """Turning on the numpy re-run shows the final training errors of the 20-layer run the tests check."""
    at = open_page(npseed=2)
    at.toggle(key="nprun").set_value(True).run()
    images, labels, _ = dx.held_out_digits()
    x = dn.features(images)
    plain, res = (dn.train(dn.RERUN_BLOCKS, r, x, labels, dn.RERUN_EPOCHS, 2).train_error[-1] for r in (False, True))
    assert f"Final training error: plain **{plain:.1%}**, residual **{res:.1%}**." in [m.value for m in at.markdown]
    assert any(e.label.endswith("numpy, no torch, 20 layers") for e in at.expander)


@pytest.mark.parametrize("query", [
    {"sc": "projection"}, {"c": 4, "n": 8, "cout": 1, "s": 3, "step": 1}, {"neg": 1, "t": 0, "skip": 0},
    {"shown": 1, "curve": "running_train_error", "gdepth": 8}, {"digit": 300, "depth": 20, "nprun": 1, "npseed": 5},
    {"c": 1, "n": 3, "cout": 4, "s": 3, "row": 8, "col": 8, "ch": 8},
])
def test_links_render_without_error(query):
    """Shared links with unusual but valid settings render with no exception and no error box."""
    at = open_page(**query)
    assert not at.error and not at.exception
    assert len(formula_lines(at)) == int(query.get("step", 5))
