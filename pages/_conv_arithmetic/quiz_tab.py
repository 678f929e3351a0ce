"""The padding & stride page's last tab: a check-yourself question rebuilt from the seed in the link."""

from __future__ import annotations

import random

import streamlit as st

from pages._shared import ui
from playground.conv_arithmetic import make_question


def new_question() -> None:
    st.session_state["q"] = random.randrange(1_000_000)
    st.session_state["q_ans"] = None


@ui.section("Check yourself")
def quiz_tab() -> None:
    question = make_question(st.session_state["q"])
    st.markdown(f"**Question {question.seed}.** {question.text}")
    guess = ui.number_field("Your answer", 0, None, optional=True, key="q_ans")
    ui.check_answer(guess, question.answer, key="q", explanation=question.explanation)
    st.button("New question", key="q_new", on_click=new_question)
    st.caption("The question number is in the link: share it to ask someone the same question.")
