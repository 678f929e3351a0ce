"""The cheap-networks page through the app's entry point: each tab shows the right numbers, and controls change them."""

from __future__ import annotations

import io

import numpy as np
import onnx
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from playground.manifest import model_path
from tests.conftest import REPO_ROOT

PAGE = "pages/efficient_convnets.py"
TABS = ("1×1 and Inception", "Depthwise-separable", "EfficientNet scaling", "FLOPs are not time",
        "Inside a real block", "Check yourself")


def open_page(**query) -> AppTest:
    """The page as a visitor arriving from a link with ``query`` sees it."""
    at = AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=120)
    at.query_params.update({k: str(v) for k, v in query.items()})
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def latex(at: AppTest) -> str:
    return " ".join(x.value for x in at.latex)


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_default_view_works_the_courses_bottleneck_and_inception_module():
    """28×28×192 → 5×5×32: 120,422,400 directly, 2,408,448 + 10,035,200 = 12,443,648 through 16 channels;
    the module outputs 28×28×(64 + 128 + 32 + 32) = 28×28×256."""
    at = open_page()
    assert not at.error
    formulas = latex(at)
    assert r"28\cdot28\cdot32\cdot5\cdot5\cdot192 = 120{,}422{,}400" in formulas
    assert r"2{,}408{,}448 + 10{,}035{,}200 = 12{,}443{,}648" in formulas
    assert r"28\times28\times(64 + 128 + 32 + 32) = 28\times28\times256" in formulas
    assert at.query_params["tab"] == TABS[0] and at.query_params["bn_r"] == "16"


def test_a_wider_bottleneck_costs_more():
    """Bottleneck 32 channels: 28·28·32·192 + 28·28·32·25·32 = 4,816,896 + 20,070,400 = 24,887,296."""
    at = open_page()
    at.text_input(key="bn_r__typed").input("32").run()
    assert r"4{,}816{,}896 + 20{,}070{,}400 = 24{,}887{,}296" in latex(at)
    assert at.query_params["bn_r"] == "32"


def test_the_naive_module_stacks_all_pooled_channels():
    """Bottlenecks off: 64 + 128 + 32 + 192 = 416 channels."""
    at = open_page()
    at.toggle(key="in_b").set_value(False).run()
    assert r"28\times28\times(64 + 128 + 32 + 192) = 28\times28\times416" in latex(at)
    assert at.query_params["in_b"] == "0"


def test_separable_tab_shows_the_courses_2160_against_672():
    """6×6×3, 3×3, 5 filters: 4·4·5·3·3·3 = 2,160; 4·4·3·3·3 = 432; 4·4·3·5 = 240; 672/2,160 = 1/5 + 1/9 = 14/45."""
    at = open_page(tab=TABS[1])
    formulas = latex(at)
    assert r"4\cdot4\cdot5\cdot3\cdot3\cdot3 = 2{,}160" in formulas
    assert r"4\cdot4\cdot3\cdot3\cdot3 = 432" in formulas and r"4\cdot4\cdot3\cdot5 = 240" in formulas
    assert r"\frac{1}{5} + \frac{1}{9} = \frac{14}{45}" in formulas
    at.text_input(key="ds_k__typed").input("10").run()
    formulas = latex(at)
    assert r"= 4{,}320" in formulas and r"4\cdot4\cdot3\cdot5 = 240" not in formulas
    assert r"4\cdot4\cdot3\cdot10 = 480" in formulas
    assert at.query_params["ds_k"] == "10"


def test_a_filter_too_big_for_the_input_is_explained_not_crashed_on():
    """f = 9 on a 6×6 input with p = 0: a warning in words."""
    at = open_page(tab=TABS[1], ds_f=9)
    assert not at.exception and any("no position where it fits" in w.value for w in at.warning)


def test_the_real_blocks_table_agrees_with_the_graph():
    """The 17 blocks' calculator total equals the count straight from the graph's weights, both printed."""
    at = open_page(tab=TABS[1])
    caption = next(c.value for c in at.caption if "17 blocks" in c.value)
    totals = [int(s.replace(",", "")) for s in caption.replace(".", " ").split() if s[:1].isdigit() and "," in s]
    assert len(totals) == 2 and totals[0] == totals[1] > 0
    assert len(at.dataframe[1].value) == 17


def test_scaling_tab_lists_b0_to_b7_and_says_they_differ():
    """Eight rows with the published sides 224 … 600, and a sentence that the formula and the releases differ."""
    at = open_page(tab=TABS[2])
    table = at.dataframe[0].value
    assert list(table["its input (px)"]) == [224, 240, 260, 300, 380, 456, 528, 600]
    assert "do not follow the formula exactly" in text(at)
    at.slider(key="phi").set_value(3).run()
    assert r"\phi = 3" in latex(at) and at.query_params["phi"] == "3"


def test_measured_tab_covers_every_node_of_the_model():
    """The kinds' node counts add up to the 109 nodes of mobilenet_v2.onnx; 17 blocks compared with normal convs."""
    nodes = len(onnx.load(str(model_path("mobilenet_v2"))).graph.node)
    at = open_page(tab=TABS[3])
    assert not at.error
    kinds = at.dataframe[0].value
    assert kinds["nodes"][kinds["kind"] != "layout reorders ORT added"].sum() == nodes
    assert at.metric[3].value == str(nodes)
    assert len(at.dataframe[1].value) == 17
    assert "depthwise convolutions do" in text(at)
    at.slider(key="sep_b").set_value(16).run()
    assert r"\frac{1}{320} + \frac{1}{9}" in latex(at)


def test_block_viewer_shows_each_steps_shape():
    """Block 1 at 224: 112×112×16 → 1×1 to 96 → 3×3 depthwise, s = 2 → 56×56×96 → 1×1 to 24 → 56×56×24."""
    at = open_page(tab=TABS[4], blk=1)
    flow = at.latex[0].value
    for piece in (r"112\times 112\times 16", r"16\to96", "s=2", r"56\times 56\times 96", r"56\times 56\times 24"):
        assert piece in flow, piece
    assert not at.error


def test_channel_picks_stay_inside_a_smaller_block():
    """A link asking for channel 900 of block 0 (32 channels) shows channel 32."""
    at = open_page(tab=TABS[4], blk=0, ch=900, och=900)
    assert at.text_input(key="ch__typed").value == "32" and at.text_input(key="och__typed").value == "16"


def _png(w: int, h: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((h, w, 3), 120, np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("data, shown", [(b"not an image", False), (_png(90, 60), True)], ids=["bad", "good"])
def test_uploads_are_used_or_refused_in_words(data, shown):
    """A good upload runs through the block; a bad one says why, names the file, and falls back to the cat."""
    at = open_page(tab=TABS[4])
    at.file_uploader(key="ec_upload").set_value(("mine.png", data, "image/png")).run()
    assert not at.exception
    assert at.session_state["img"] == "upload"
    captions = " ".join(c.value for c in at.caption)
    if shown:
        assert r"mine\.png, centre-cropped and resized to 224×224" in captions and not at.error
    else:
        assert any(r"mine\.png" in e.value and "not an image" in e.value for e in at.error)
        assert "Chelsea" in captions


def test_quiz_checks_both_answers():
    """The separable question accepts its own count and rejects another; the Inception one too."""
    from playground.efficient_convnets import quiz

    at = open_page(tab=TABS[5], q1=5, q2=7)
    for key, question in (("q1", quiz.separable_question(5)), ("q2", quiz.inception_question(7))):
        at.text_input(key=f"{key}_ans__typed").input(str(question.answer)).run()
        at.button(key=f"{key}_check").click().run()
        assert any(f"Right: {question.answer:,}" in s.value for s in at.success)
        at.text_input(key=f"{key}_ans__typed").input(str(question.answer + 1)).run()
        at.button(key=f"{key}_check").click().run()
        assert any("Not quite" in e.value for e in at.error)
    at.button(key="q1_new").click().run()
    assert at.query_params["q1"] != "5" and at.text_input(key="q1_ans__typed").value == ""


def test_the_links_block_bound_is_the_graphs_block_count():
    """The URL bound for the block pickers (a constant, so the page loads without the model) is MobileNetV2's 17."""
    from pages._efficient_convnets.state import BLOCKS
    from playground.efficient_convnets import block_view

    assert BLOCKS == block_view.block_count() == 17


def test_an_uploads_name_is_shown_as_text_not_markup():
    """A file named like a Markdown image and a formula reaches the page with every mark escaped."""
    at = open_page(tab=TABS[4])
    name = "![x](http://example.com/t.png) $x$ **b**.png"
    at.file_uploader(key="ec_upload").set_value((name, _png(40, 40), "image/png")).run()
    captions = " ".join(c.value for c in at.caption)
    assert name not in captions
    # Every mark backslash-escaped, and a word joiner (U+2060) after "http" so that Markdown cannot link the bare URL.
    assert "\\!\\[x\\]\\(http\u2060\\://example" in captions and r"\$x\$ \*\*b\*\*\.png" in captions
