"""Section 3 of the triplet-loss page: easy, semi-hard and hard triplets in a batch, and what training recorded."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._shared import format as fmt
from pages._shared import plot, ui
from pages._triplet_loss import figures, state
from playground.triplet_loss import ALPHA, glyph_data, mining_counts, triplet_losses, valid_triplets

KEYS = ("bseed", "bp", "bk", "malpha", "mckpt")
MAX_SEED = 9999
MAX_P, MAX_K = 16, 10  # identities and pictures per identity in a batch (10 pictures each in the set)


def _next_batch() -> None:
    st.session_state["bseed"] = (st.session_state["bseed"] or 0) % MAX_SEED + 1  # None: the field's text is not valid


def batch_indices(labels: np.ndarray, held: np.ndarray, p: int, k: int, seed: int) -> np.ndarray:
    """P held-out identities × K of their pictures, drawn like a training batch (seeded)."""
    rng = np.random.default_rng(seed)
    identities = rng.choice(np.unique(labels[held]), size=p, replace=False)
    return np.concatenate([rng.choice(np.flatnonzero(labels == i), size=k, replace=False) for i in identities])


def link(data: state.Shared) -> None:
    """Seed this section's URL keys (from the link, or the defaults) before any section runs."""
    steps = [str(int(s)) for s in data.history.checkpoint_steps]
    ui.url_int("bp", 8, 2, MAX_P)
    ui.url_int("bk", 4, 2, MAX_K)
    ui.url_int("bseed", 1, 1, MAX_SEED)
    ui.url_float("malpha", ALPHA, 0.0, 1.0)
    ui.url_choice("mckpt", steps[-1], steps)


@st.cache_resource(show_spinner=False, max_entries=4)
def _curves(provider: str, alpha: float):
    """The recorded training curves (built once: they never change).

    Kept as a plotly Figure, not a dict: Streamlit re-validates a dict on every rerun.
    """
    history = state.shared(provider).history
    return figures.training_curves(history.loss, history.active, history.kinds, alpha)


@st.fragment
def show(all_keys: list[str]) -> None:
    """Mining counts in a batch at the current α, the definitions, and the recorded training curves."""
    data = state.shared(ui.provider())
    history, glyphs = data.history, data.glyphs
    st.header("3 · Mining: most triplets are too easy")
    st.markdown(
        "With the margin **m = d(A, N) − d(A, P)**, a triplet is\n"
        "- **hard** when m ≤ 0: the negative is at least as close to the anchor as the positive;\n"
        "- **semi-hard** when 0 < m ≤ α: the order is right, but by less than the margin α;\n"
        "- **easy** when m > α: its loss is 0, and it teaches the network nothing.\n\n"
        "Only hard and semi-hard triplets have a loss above 0. Drawn at random, most triplets are easy once the "
        "network has learned a little, so training picks the triplets it learns from: here, for every anchor–positive "
        "pair of a batch of P identities × K pictures, the closest negative that is still farther than the positive "
        "(online semi-hard mining, FaceNet).")
    steps = [str(int(s)) for s in history.checkpoint_steps]
    cols = st.columns([1, 1, 1, 2, 2])
    p = ui.number_field("P identities", 2, MAX_P, key="bp", container=cols[0])
    k = ui.number_field("K pictures each", 2, MAX_K, key="bk", container=cols[1])
    seed = ui.number_field("batch number", 1, MAX_SEED, key="bseed", container=cols[2])
    cols[2].button("Another", key="bdraw", on_click=_next_batch, help="Draw another batch")
    alpha = cols[3].slider("margin α", 0.0, 1.0, step=0.01, key="malpha")
    step = cols[4].select_slider("network after step", steps, key="mckpt",
                                 format_func=lambda s: f"{s} (untrained)" if s == "0" else s)
    if ui.missing(p, k, seed):
        ui.sync_url(all_keys)
        return
    batch = batch_indices(glyphs.labels, np.flatnonzero(~glyphs.seen), int(p), int(k), int(seed))
    encodings = history.encodings[steps.index(step)][batch]
    labels = glyphs.labels[batch]
    counts = mining_counts(encodings, labels, alpha)
    a, pos, n = valid_triplets(labels)
    losses = triplet_losses(encodings[a], encodings[pos], encodings[n], alpha)
    metric_cols = st.columns(4)
    for col, (name, count, rule) in zip(metric_cols, (("hard", counts.hard, "m ≤ 0"),
                                                      ("semi-hard", counts.semi_hard, "0 < m ≤ α"),
                                                      ("easy", counts.easy, "m > α"))):
        col.metric(f"{name} ({rule})", f"{count:,}", f"{fmt.percent(count / counts.total)} of all", delta_color="off",
                   delta_arrow="off")
    metric_cols[3].metric("batch loss Σ L", fmt.num(float(losses.sum())),
                          f"{int(np.count_nonzero(losses > 0)):,} triplets with L > 0", delta_color="off",
                          delta_arrow="off")
    st.caption(f"All {counts.total:,} valid triplets of this batch of {len(batch)} held-out pictures: every anchor, "
               f"each of its {int(k) - 1} other pictures as the positive, each of the {(int(p) - 1) * int(k)} pictures "
               "of other identities as the negative = P·K·(K − 1)·(P − 1)·K. Encodings of the network after the "
               "chosen step (recorded during training).")
    st.subheader("What training recorded, step by step")
    plot.chart(_curves(ui.provider(), ALPHA), "curves")
    first, last = float(np.mean(history.active[:figures.SMOOTH])), float(np.mean(history.active[-figures.SMOOTH:]))
    batch_words = glyph_data.model_card()["training"]["batch"]
    st.caption(f"{history.steps:,} steps, each a batch of {batch_words}. The fraction of "
               f"mined triplets with a loss above 0 fell from {fmt.percent(first)} over the first {figures.SMOOTH} "
               f"steps to {fmt.percent(last)} over the last {figures.SMOOTH}: as the network improves, fewer triplets "
               "teach it anything, and random ones would teach it even less (right).")
    ui.sync_url(all_keys)
