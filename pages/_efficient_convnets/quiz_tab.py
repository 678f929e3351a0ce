"""The cheap-networks page's last tab: two check-yourself questions, each rebuilt from the seed in the link."""

from __future__ import annotations

import random

import streamlit as st

from pages._efficient_convnets.state import sync_url
from pages._shared import ui
from playground.efficient_convnets import quiz


def new_question(key: str) -> None:
    st.session_state[key] = random.randrange(1_000_000)
    st.session_state[f"{key}_ans"] = None


@st.fragment
def ask(key: str, title: str, make) -> None:
    """One question, rebuilt from its seed; checking or asking another reruns only this question."""
    question = make(st.session_state[key])
    st.header(title)
    st.markdown(f"**Question {question.seed}.** {question.text}")
    guess = ui.number_field("Your answer", 0, None, optional=True, key=f"{key}_ans")
    ui.check_answer(guess, question.answer, key=key, explanation=question.explanation)
    st.button("New question", key=f"{key}_new", on_click=new_question, args=(key,))
    sync_url()


def show() -> None:
    ask("q1", "The cost of a depthwise-separable layer", quiz.separable_question)
    ask("q2", "How many channels an Inception module outputs", quiz.inception_question)
    st.caption("The question numbers are in the link: share it to ask someone the same questions.")
