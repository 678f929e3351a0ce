"""The padding & stride page: controls change the numbers shown, links reproduce views, bad input is explained.

Expected values are written as the arithmetic of the layer (e.g. (5·5·3 + 1)·2),
not copied from the page.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from playground.conv_arithmetic import make_question, network
from tests.conftest import REPO_ROOT

PAGE = str(REPO_ROOT / "pages" / "conv_arithmetic.py")
TABS = ("One conv layer", "Pooling, 1×1, upsampling", "Whole network", "Check yourself")


def page(**params) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params.update({k: str(v) for k, v in params.items()})
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_default_view_is_the_course_first_example():
    """6×6×3 input, two 3×3×3 filters: 4×4×2, (3·3·3 + 1)·2 parameters, 4·4·2·27 multiplications, ORT agrees."""
    at = page()
    assert not at.exception and not at.error
    shown = metrics(at)
    assert shown["Output n_H × n_W × n_C"] == "4 × 4 × 2"
    assert shown["Parameters"] == f"{(3 * 3 * 3 + 1) * 2:,}"
    assert shown["Multiplications"] == f"{4 * 4 * 2 * 3 * 3 * 3:,}"
    assert "ONNX Runtime agrees" in text(at)
    assert at.query_params["h"] == "6" and at.query_params["tab"] == TABS[0]


def test_same_padding_with_a_5x5_filter_keeps_the_size():
    """Choosing f = 5 and "same" padding keeps 6×6; the counts follow (5·5·3 + 1)·2 and 6·6·2·75."""
    at = page()
    at.number_input(key="f").set_value(5).run()
    at.segmented_control(key="pm").set_value("same").run()
    shown = metrics(at)
    assert shown["Output n_H × n_W × n_C"] == "6 × 6 × 2"
    assert shown["Parameters"] == f"{(5 * 5 * 3 + 1) * 2:,}"
    assert shown["Multiplications"] == f"{6 * 6 * 2 * 5 * 5 * 3:,}"
    assert "p = (f − 1)/2 = (5 − 1)/2 = 2" in text(at)
    assert at.query_params["pm"] == "same" and at.query_params["f"] == "5"


def test_even_filter_explains_the_asymmetric_same_padding():
    """f = 4, "same": 1 before and 2 after, and the page says the extra row goes at the bottom."""
    at = page(f=4, pm="same")
    assert metrics(at)["Output n_H × n_W × n_C"] == "6 × 6 × 2"
    assert "split 1 before and 2 after" in text(at) and "bottom" in text(at)


@pytest.mark.parametrize("h, w", [(6, 6), (6, 7)])
def test_same_with_a_stride_describes_the_padding_it_chose(h, w):
    """6×6 (or 6×7), f = 3, s = 2, "same": the text gives each axis's split, not "(f − 1)/2 on every side"."""
    at = page(h=h, w=w, f=3, s=2, pm="same")
    shown = text(at)
    assert "on every side" not in shown
    for n, before, after in ((h, "at the top", "at the bottom"), (w, "on the left", "on the right")):
        total = max((-(-n // 2) - 1) * 2 + 3 - n, 0)  # ⌈n/s⌉ windows of 3 cells, 2 apart
        assert f"{total // 2} {before} and {total - total // 2} {after}" in shown


def test_stride_that_does_not_divide_names_the_unread_rows():
    """7×7, f = 3, s = 3: windows cover rows 1–6 only; the page warns that row 7 and column 7 are never read."""
    at = page(h=7, w=7, f=3, s=3)
    assert metrics(at)["Output n_H × n_W × n_C"] == f"{(7 - 3) // 3 + 1} × {(7 - 3) // 3 + 1} × 2"
    warnings = " ".join(w.value for w in at.warning)
    assert "rows never read: **7**" in warnings and "columns never read: **7**" in warnings


def test_leftover_padding_is_mentioned_without_a_warning():
    """6×6, f = 3, p = 1, s = 2: the cell the last window misses is padding, so a caption, not a warning."""
    at = page(h=6, w=6, f=3, p=1, s=2)
    assert metrics(at)["Output n_H × n_W × n_C"] == f"{(6 + 2 - 3) // 2 + 1} × {(6 + 2 - 3) // 2 + 1} × 2"
    assert not at.warning
    assert any("they are padding" in c.value for c in at.caption)


def test_dilation_gaps_are_named():
    """9×9, f = 3, d = 2, s = 2: taps at 1, 3, 5, … so rows 2, 4, 6, 8 are never read."""
    at = page(h=9, w=9, f=3, d=2, s=2)
    warnings = " ".join(w.value for w in at.warning)
    assert "rows never read: **2, 4, 6, 8**" in warnings and "fall between" in warnings


@pytest.mark.parametrize("params, words", [
    (dict(s=0), "stride"), (dict(h=3, w=3, f=7), "no position where it fits"),
    (dict(h=5, w=5, f=3, d=3), "filter spans 7 cells"),
])
def test_impossible_layers_are_explained_not_crashed_on(params, words):
    """Stride 0, a filter wider than the padded input, a dilated filter too wide: an error box, no traceback."""
    at = page(**params)
    assert not at.exception
    assert any(words in e.value for e in at.error)


def test_step_slider_moves_the_window_and_survives_a_smaller_output():
    """Step 6 on a 4×4 output is row 2, column 2; then f = 5 leaves 2×2 outputs and the step is clamped."""
    at = page()
    at.slider(key="pos").set_value(6).run()
    assert "(row 2, column 2)** is computed from input rows **2, 3, 4**" in text(at)
    at.number_input(key="f").set_value(5).run()
    assert not at.exception
    assert at.slider(key="pos").value == 2 * 2


def test_a_link_reproduces_the_view_and_bad_values_are_reported():
    """?h=10&w=12&f=3&s=2&p=1 shows 5×6; a bad value falls back to its default with a warning."""
    at = page(h=10, w=12, f=3, s=2, p=1, k="abc", tab="nonsense")
    assert metrics(at)["Output n_H × n_W × n_C"] == f"{(10 + 2 - 3) // 2 + 1} × {(12 + 2 - 3) // 2 + 1} × 2"
    assert any("k=abc" in w.value and "tab=nonsense" in w.value for w in at.warning)


def test_pooling_tab_checks_four_layers_on_onnx_runtime():
    """28×28×192: pool f=2 s=2 → 14×14×192, GAP → 1×1×192, 1×1 conv → 28×28×32, convT f=2 s=2 → 56×56×96."""
    at = page(tab=TABS[1])
    assert not at.exception and not at.error
    shown = text(at)
    assert "Output **14 × 14 × 192**" in shown
    assert "28 × 28 × 192 → 1 × 1 × 192" in shown
    assert "28 × 28 × 192 → 28 × 28 × 32" in shown
    assert f"→ {(28 - 1) * 2 + 2} × {(28 - 1) * 2 + 2} × 96" in shown
    assert shown.count("ONNX Runtime agrees") == 4


def test_average_pooling_runs_onnx_average_pool():
    """Switching the type to avg makes the probe an AveragePool, with the same shape."""
    at = page(tab=TABS[1])
    at.segmented_control(key="pl_type").set_value("avg").run()
    assert "`AveragePool`" in text(at) and "Output **14 × 14 × 192**" in text(at)


def test_transposed_output_padding_at_the_stride_is_explained():
    """output padding 2 with stride 2 is refused by the formula with a message (ORT refuses it too)."""
    at = page(tab=TABS[1], tc_op=2)
    assert not at.exception
    assert any("output_padding must be smaller" in e.value for e in at.error)


def test_network_tab_vgg16_preset_gives_the_published_parameter_count():
    """Picking VGG-16 loads its layers and shape; total parameters 138,357,544."""
    at = page(tab=TABS[2])
    assert metrics(at)["Parameters"] == f"{(3 * 3 * 3 + 1) * 10 + (5 * 5 * 10 + 1) * 20 + (5 * 5 * 20 + 1) * 40 + 1961 * 10:,}"
    at.selectbox(key="net_preset").select("VGG-16 (224×224×3)").run()
    assert metrics(at)["Parameters"] == "138,357,544"
    assert at.number_input(key="net_h").value == 224
    assert at.query_params["net_preset"] == "VGG-16 (224×224×3)"


def test_network_tab_bad_line_names_the_line():
    """A malformed layer line shows an error naming that line; no traceback."""
    at = page(tab=TABS[2])
    at.text_area(key="net").input("conv f=3 c=8\nconv f=3 q=2 c=4").run()
    assert not at.exception
    assert any("line 2" in e.value and r"\`q\`" in e.value for e in at.error)  # the typed text, escaped


@pytest.mark.parametrize("junk", ["\n" * 10_000 + "conv f=0 c=1", "gap\n" * 4000, "conv f=3 c=" + "9" * 5000,
                                  "😀" * 50 + "\n\x00\u200b", "conv f=3 c=1000000000000"])
def test_network_tab_absurd_text_gives_a_message(junk):
    """10,000 lines, 4,000 layers, a 5,000-digit number, unicode junk, c = 10¹²: an error message, no traceback."""
    at = page(tab=TABS[2])
    at.text_area(key="net").input(junk).run()
    assert not at.exception
    assert at.error


def test_network_tab_absurd_sizes_give_a_message_not_a_traceback():
    """A 10⁶×10⁶×10⁶ link into fc 100, or convs padded by 10⁶ twice: an error box; the table never overflows."""
    at = page(tab=TABS[2], net_h=1_000_000, net_w=1_000_000, net_c=1_000_000, net="fc 100")
    assert not at.exception
    assert any("input shape" in e.value for e in at.error)
    at = page(tab=TABS[2])
    at.text_area(key="net").input("conv f=1 p=1000000 c=1000000\nconv f=1 p=1000000 c=1000000").run()
    assert not at.exception
    assert any("line 1" in e.value and "a side" in e.value for e in at.error)


def test_network_table_shows_no_receptive_field_after_a_transposed_conv():
    """conv f=3, convT, conv f=3, fc: receptive field 1×1 (input), 3×3, then "—" for the convT and every later row."""
    at = page(tab=TABS[2])
    at.text_area(key="net").input("conv f=3 c=4\nconvT f=2 s=2 c=4\nconv f=3 c=4\nfc 10").run()
    assert not at.exception
    assert list(at.dataframe[0].value["receptive field"]) == ["1×1", "3×3", "—", "—", "—"]


def test_network_help_lists_every_layer_kind_whatever_the_module_docstring_says(monkeypatch):
    """The "How to write a network" box shows an example of every layer kind, and survives a reworded docstring."""
    monkeypatch.setattr(network, "__doc__", "Reworded.")
    at = page(tab=TABS[2])
    assert not at.exception
    help_lines = [line.split()[0].lower() for line in at.code[0].value.splitlines() if not line.startswith("#")]
    assert help_lines == list(network.KINDS)


def test_network_text_too_long_for_a_link_falls_back_with_a_warning():
    """A link whose network text is over the calculator's limit opens the preset and says the link was cut."""
    at = page(tab=TABS[2], net="gap\n" * 6000)
    assert not at.exception
    assert any("net=" in w.value for w in at.warning)
    assert metrics(at)["Parameters"]


def test_check_yourself_right_and_wrong_answers_and_a_new_question():
    """The question comes from the link's seed; the right answer is praised, a wrong one corrected; New changes q."""
    question = make_question(13)
    assert question.answer >= 1000  # so the answer is shown with a thousands separator
    at = page(tab=TABS[3], q=13)
    assert question.text in text(at)
    at.number_input(key="q_ans").set_value(question.answer).run()
    at.button(key="q_check").click().run()
    assert at.success and f"{question.answer:,}" in at.success[0].value
    at.number_input(key="q_ans").set_value(question.answer + 1).run()
    at.button(key="q_check").click().run()
    assert at.error and "Not quite" in at.error[0].value
    at.button(key="q_new").click().run()
    assert at.query_params["q"] != "13"
    assert make_question(int(at.query_params["q"])).text in text(at)


def test_tabs_keep_their_settings_when_you_switch():
    """A value set on the conv tab is still there after visiting the network tab."""
    at = page()
    at.number_input(key="h").set_value(9).run()
    at.session_state["tab"] = TABS[2]
    at.run()
    at.session_state["tab"] = TABS[0]
    at.run()
    assert at.number_input(key="h").value == 9
