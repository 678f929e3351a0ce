"""Section 7 of the triplet-loss page: check yourself on a random triplet (its kind, then its loss)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._shared import format as fmt
from pages._shared import ui
from pages._triplet_loss import figures, state
from playground.triplet_loss import ALPHA, KINDS, hinge, triplet_kind
from playground.triplet_loss import study as ts

KEYS = ("qseed",)
MAX_SEED = 9999
DIGITS = 3  # distances are shown to 3 significant digits; the loss is checked to that precision
TOLERANCE = 0.002
DRAWS = 10_000  # question k draws with seed DRAWS + k, so it is not the triplet of section 1's draw number k


def link(data: state.Shared) -> None:
    """Seed this section's URL key (from the link, or the default) before any section runs."""
    ui.url_int("qseed", 1, 1, MAX_SEED)


def _next_question() -> None:
    st.session_state["qseed"] = (st.session_state["qseed"] or 0) % MAX_SEED + 1  # None: the field's text is not valid
    st.session_state.pop("qkind", None)
    st.session_state.pop("qloss", None)


def question(data: state.Shared, seed: int) -> ts.Triplet:
    """The question's triplet: its kind is drawn first (seeded), then a held-out triplet of that kind at α = 0.2."""
    kind = KINDS[int(np.random.default_rng(seed).integers(len(KINDS)))]
    held = np.flatnonzero(~data.glyphs.seen)
    for attempt in range(len(KINDS)):  # a kind that cannot be found falls back to the next
        found = ts.pick_triplet(data.trained, data.glyphs.labels, KINDS[(KINDS.index(kind) + attempt) % 3], ALPHA,
                                DRAWS + seed, among=held)
        if found is not None:
            return found
    raise RuntimeError("no triplet of any kind in the held-out set")


@st.fragment
def show(all_keys: list[str]) -> None:
    data = state.shared(ui.provider())
    st.header("Check yourself")
    cols = st.columns([1, 1, 4])
    seed = ui.number_field("question", 1, MAX_SEED, key="qseed", container=cols[0])
    cols[1].button("New question", key="qnew", on_click=_next_question)
    if ui.missing(seed):
        ui.sync_url(all_keys)
        return
    triplet = question(data, int(seed))
    shown = [float(fmt.num(v, DIGITS)) for v in (triplet.d_ap, triplet.d_an)]
    pictures = st.columns(3)
    for col, (role, index) in zip(pictures, (("A", triplet.anchor), ("P", triplet.positive), ("N", triplet.negative))):
        col.image(figures.upscale(data.glyphs.images[index], 3), width=96, output_format="PNG", caption=role,
                  alt=f"The {dict(A='anchor', P='positive', N='negative')[role]} glyph of the question")
    st.markdown(f"With **d(A, P) = {fmt.num(shown[0], DIGITS)}**, **d(A, N) = {fmt.num(shown[1], DIGITS)}** and "
                f"**α = {fmt.num(ALPHA)}**:")
    left, right = st.columns(2)
    with left:
        guess = st.radio("Is this triplet easy, semi-hard or hard?", KINDS, index=None, key="qkind", horizontal=True)
        if st.button("Check the kind", key="qkind_check"):
            truth = triplet_kind(shown[0], shown[1], ALPHA)  # from the numbers shown, as the learner sees them
            m = shown[1] - shown[0]
            why = f"m = d(A, N) − d(A, P) = {fmt.num(m)}, and α = {fmt.num(ALPHA)}."
            if guess is None:
                st.warning("Choose an answer first.")
            elif guess == truth:
                st.success(f"Right: **{truth}**. {why}")
            else:
                st.error(f"Not quite: you said {guess}, it is **{truth}**. {why}")
    with right:
        loss_guess = ui.number_field("What is its loss L?", 0.0, None, whole=False, optional=True, key="qloss")
        expected = float(hinge(shown[0], shown[1], ALPHA))
        ui.check_answer(loss_guess, round(expected, DIGITS), "qloss", tolerance=TOLERANCE,
                        explanation=f"L = max({fmt.num(shown[0])} − {fmt.num(shown[1])} + {fmt.num(ALPHA)}, 0).")
    ui.sync_url(all_keys)
