"""The style-transfer page through the app's entry point: its numbers, its controls, a real generation, the line."""

from __future__ import annotations

import io
import re
import threading
import time

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from playground.style_transfer import CONTENT_LAYER, STYLE_LAYERS, jobs, network_view, samples
from playground.style_transfer.generation import Settings
from tests.conftest import REPO_ROOT
from tests.references import run_onnx_in_numpy, style_costs_numpy

PAGE = "pages/style_transfer.py"
TIMEOUT_S = 180


def open_page(**query) -> AppTest:
    """The page as a visitor arriving from a link with ``query`` sees it."""
    at = AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=TIMEOUT_S)
    at.query_params.update({k: str(v) for k, v in query.items()})
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def latex_result(at: AppTest, starts: str) -> float:
    """The number after the last '=' of the first formula that starts with ``starts``."""
    body = next(x.value for x in at.latex if x.value.strip().strip("$").strip().startswith(starts))
    return float(body.strip().strip("$").strip().rsplit("=", 1)[1].replace(",", ""))


@pytest.fixture(scope="module")
def reference_costs() -> dict:
    """Per-layer style costs of the default view (G = the content image), from the numpy interpreter in float64."""
    from playground.manifest import model_path

    content, style = network_view(samples.sample_rgb("chelsea"), samples.sample_rgb("immunohistochemistry"),
                                  Settings(side=256))

    def acts(rgb):
        x = np.ascontiguousarray(rgb.transpose(2, 0, 1)[None], np.float64)
        return {k: v[0] for k, v in run_onnx_in_numpy(model_path("mobilenet_v2"), {"image": x},
                                                      list(STYLE_LAYERS) + [CONTENT_LAYER]).items()}
    return style_costs_numpy(acts(style), acts(content), STYLE_LAYERS)


def test_default_view_shows_the_costs_in_the_visitor_s_numbers(reference_costs):
    """Cat vs immunohistochemistry: J_style^[block 1 dw], Σ λ J_style and J are those of an independent computation."""
    at = open_page()
    assert not at.error
    assert latex_result(at, r"J_{style}^{[\text{block 1 dw}]}") == pytest.approx(
        reference_costs["block1_depthwise"], rel=5e-3)  # the page writes three significant digits
    assert latex_result(at, r"J_{content}") == 0  # G is the content image itself
    total = sum(reference_costs.values())
    assert latex_result(at, r"J_{style} =") == pytest.approx(total, rel=5e-3)
    assert latex_result(at, r"J(G)") == pytest.approx(1e4 * total, rel=5e-3)
    assert at.query_params["c"] == "chelsea" and at.query_params["s"] == "immunohistochemistry"


def test_a_layer_weight_changes_the_weighted_style_cost(reference_costs):
    """λ of the stem set to 0 takes its term out of J_style; the link records it."""
    at = open_page()
    at.slider(key="l1").set_value(0.0).run()
    expected = sum(v for k, v in reference_costs.items() if k != "stem")
    assert latex_result(at, r"J_{style} =") == pytest.approx(expected, rel=5e-3)
    assert at.query_params["l1"] == "0.0"


def test_comparing_the_fast_stylization_moves_both_costs():
    """G = the fast stylization: J_content is no longer 0, J_style is lower than the content image's."""
    at = open_page()
    start = latex_result(at, r"J_{style} =")
    at.radio(key="g").set_value("fast").run()
    assert latex_result(at, r"J_{content}") > 0
    assert latex_result(at, r"J_{style} =") < start


def test_shuffling_a_texture_moves_the_content_cost_more_than_the_style_cost():
    """Default shuffle (the texture, 32-px patches): the table shows it, and the sentence says style hardly moves."""
    at = open_page()
    table = at.dataframe[0].value
    style_shuffled, style_other = (float(v) for v in table.iloc[0, 1:3])
    content_shuffled, content_other = (float(v) for v in table.iloc[1, 1:3])
    assert 3 * style_shuffled / style_other < content_shuffled / content_other
    assert any("hardly notice it" in m.value for m in at.markdown)


def test_shuffle_again_draws_another_order():
    """The button moves the seed on, and the link follows."""
    at = open_page()
    at.button(key="shuffle_again").click().run()
    assert at.query_params["shs"] == "1"


def wait_for_job(at: AppTest, timeout_s: float = TIMEOUT_S) -> jobs.Job:
    deadline = time.monotonic() + timeout_s
    while True:
        at.run()
        job = at.session_state["_st_job"]
        if not job.active:
            at.run()
            return job
        assert time.monotonic() < deadline, "the generation did not finish"
        time.sleep(0.5)


def test_a_small_generation_runs_to_the_end_and_lowers_the_style_cost():
    """10 iterations at 128 px: the progress says done, J_style fell, section 1 can compare the result."""
    at = open_page(it=10, side=128)
    at.button(key="run").click().run()
    job = wait_for_job(at)
    assert job.state == jobs.DONE and job.done == 10
    steps = job.result.steps
    assert steps[-1].j_style < steps[0].j_style
    assert any("Done: 10 of 10" in p.proto.text for p in at.get("progress"))
    at.radio(key="g").set_value("generated").run()
    assert not at.exception and latex_result(at, r"J_{content}") > 0


def test_stop_ends_a_generation_early():
    """Stop while running: the job ends as stopped, before its 300 iterations."""
    at = open_page(it=300, side=128)
    at.button(key="run").click().run()
    job = at.session_state["_st_job"]
    deadline = time.monotonic() + TIMEOUT_S
    while job.done < 2:
        job.touch()
        assert time.monotonic() < deadline
        time.sleep(0.1)
    at.button(key="stop").click().run()
    job = wait_for_job(at)
    assert job.state == jobs.STOPPED and job.done < 300


def test_a_visitor_behind_another_generation_waits_in_line_with_a_message():
    """With the server's one slot busy, the page says the job waits, and its place."""
    queue, release = jobs.shared_queue(), threading.Event()

    def busy(job):
        while not release.is_set() and not job.should_stop():
            job.touch()
            time.sleep(0.05)
    blocker = queue.submit(busy, 1)
    try:
        at = open_page(it=10, side=128)
        at.button(key="run").click().run()
        at.run()
        assert any("Waiting in line: place 1" in m.value for m in at.info), [m.value for m in at.info]
        assert at.session_state["_st_job"].state == jobs.WAITING
    finally:
        release.set()
    wait_for_job(at)
    assert blocker.state == jobs.DONE


def png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("name, data, message", [
    ("notes.png", b"this is not an image at all", "not an image"),
    ("empty.png", b"", "empty"),
    ("cut.png", png(np.full((64, 64, 3), 120, np.uint8))[:60], "truncated or damaged"),
], ids=["not-an-image", "empty", "truncated"])
def test_a_bad_upload_is_refused_in_words_and_the_sample_used(name, data, message):
    """A broken file: an error naming it and the problem; the page goes on with the default content image."""
    at = open_page()
    at.file_uploader(key="c_up").set_value((name, data, "image/png")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(message in e and name.replace(".", "\\.") in e for e in errors), errors
    assert at.selectbox(key="c").value == "upload"
    assert latex_result(at, r"J_{content}") == 0


def test_an_upload_becomes_the_content_image():
    """A 200 × 120 picture uploaded as C is analysed at 256 × 160 (sides to multiples of 16)."""
    rgb = np.zeros((120, 200, 3), np.uint8)
    rgb[:, 100:] = (230, 40, 40)
    at = open_page()
    at.file_uploader(key="c_up").set_value(("split.png", png(rgb), "image/png")).run()
    assert not at.exception and not at.error
    assert any("256 × 160" in c.value for c in at.caption), [c.value for c in at.caption]


def test_check_yourself_gram_size():
    """The Gram matrix of block 1's depthwise has 96 × 96 = 9216 numbers; 96 is marked wrong."""
    at = open_page()
    at.text_input(key="q1_guess__typed").input("96").run()
    at.button(key="q1_check").click().run()
    assert any("9,216" in e.value for e in at.error)
    at.text_input(key="q1_guess__typed").input("9216").run()
    at.button(key="q1_check").click().run()
    assert any(s.value.startswith("Right: 9,216") for s in at.success)


def test_check_yourself_which_cost_moves_is_computed():
    """Flipping the cat: the page's answer names the cost whose computed share is larger."""
    at = open_page()
    at.radio(key="q2_guess").set_value("the content cost").run()
    at.button(key="q2_check").click().run()
    text = " ".join(m.value for m in list(at.success) + list(at.error))
    style, content = (float(v) for v in re.findall(r"([\d.]+)%", text)[:2])
    assert ("Right" in text) == (content > style)


def test_link_state_opens_the_same_view():
    """A link with β, λ, the layer and the shuffle patch reproduces them."""
    at = open_page(b="1e5", l2="0.0", gl="stem", patch="16")
    assert at.select_slider(key="b").value == "1e5" and at.slider(key="l2").value == 0.0
    assert at.selectbox(key="gl").value == "stem" and at.select_slider(key="patch").value == "16"
    assert latex_result(at, r"J(G)") == pytest.approx(1e5 * latex_result(at, r"J_{style} ="), rel=1e-2)


def test_what_the_layers_see_shows_nine_patches_with_their_receptive_field():
    """Turned on: block 7's most active unit, nine patches, and its 107-pixel receptive field in words."""
    at = open_page(see=1)
    assert not at.exception
    assert any("a unit sees 107 × 107 pixels" in c.value for c in at.caption)
    assert at.selectbox(key="uc").value >= 1
