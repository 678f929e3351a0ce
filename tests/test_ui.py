"""Shared page widgets: URL state round-trips and bad links are reported, not crashed on."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def url_page():
    import streamlit as st

    from pages._shared import ui as _ui

    st.slider("n", 1, 64, key=_ui.url_int("n", 6, 1, 64))
    st.selectbox("mode", ["max", "avg"], key=_ui.url_choice("mode", "max", ["max", "avg"]))
    st.checkbox("flip", key=_ui.url_bool("flip", False))
    _ui.url_notice()
    _ui.sync_url(["n", "mode", "flip"])


def test_link_values_seed_the_widgets():
    """Opening a link with ?n=9&mode=avg&flip=1 shows exactly that view."""
    at = AppTest.from_function(url_page)
    at.query_params.update({"n": "9", "mode": "avg", "flip": "1"})
    at.run()
    assert at.slider(key="n").value == 9
    assert at.selectbox(key="mode").value == "avg"
    assert at.checkbox(key="flip").value is True
    assert not at.warning


def test_changing_a_widget_updates_the_link():
    """After moving the slider, the query parameters hold the new value."""
    at = AppTest.from_function(url_page).run()
    at.slider(key="n").set_value(17).run()
    assert at.query_params["n"] == "17"
    assert at.query_params["mode"] == "max"


def test_bad_link_values_fall_back_with_a_warning():
    """?n=abc&mode=sum&flip=maybe uses the defaults and says which settings were ignored."""
    at = AppTest.from_function(url_page)
    at.query_params.update({"n": "abc", "mode": "sum", "flip": "maybe"})
    at.run()
    assert not at.exception
    assert at.slider(key="n").value == 6 and at.selectbox(key="mode").value == "max"
    assert "n=abc" in at.warning[0].value and "mode=sum" in at.warning[0].value


def test_out_of_range_link_value_is_refused():
    """?n=100000 is outside the slider's range: default used, no StreamlitAPIException."""
    at = AppTest.from_function(url_page)
    at.query_params["n"] = "100000"
    at.run()
    assert not at.exception
    assert at.slider(key="n").value == 6


def empty_answer_page():
    import streamlit as st

    from pages._shared import ui as _ui

    st.number_input("guess", value=None, key=_ui.url_float("guess", None, -10.0, 10.0))
    _ui.sync_url(["guess"])


def test_an_empty_widget_is_left_out_of_the_link():
    """An empty number box is not written as guess=None (which the next visit would call a bad link)."""
    at = AppTest.from_function(empty_answer_page).run()
    assert "guess" not in at.query_params
    at.number_input(key="guess").set_value(2.5).run()
    assert at.query_params["guess"] == "2.5"


def quiz_page():
    import streamlit as st

    from pages._shared import ui as _ui

    guess = st.number_input("guess", value=None, step=1.0, key="guess")
    _ui.check_answer(guess, 138_357_544, key="vgg")


def test_feedback_writes_big_answers_in_full():
    """A wrong guess about VGG-16's parameters reads 138,357,544, not 1.38358e+08."""
    at = AppTest.from_function(quiz_page).run()
    at.number_input(key="guess").set_value(1000.0).run()
    at.button(key="vgg_check").click().run()
    assert "the answer is 138,357,544" in at.error[0].value
    assert "you said 1,000" in at.error[0].value
