"""Sections 1 and 2 of the triplet-loss page: one triplet with its loss, and where it sits in the embedding space.

One fragment for both, so the triplet drawn in the embedding space is always the one above it.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._shared import format as fmt
from pages._shared import plot, ui
from pages._triplet_loss import figures, state
from playground.triplet_loss import ALPHA, Pca, fit_pca, margin, triplet_losses
from playground.triplet_loss import study as ts

MODES = {"semi-hard": "a semi-hard one", "hard": "a hard one", "easy": "an easy one", "pick": "I pick A, P and N"}
PICTURES = 10  # per identity in the evaluation set
MAX_SEED = 9999
DEFAULT_SHOWN = 8  # identities in the embedding chart
MAX_SHOWN = 16
PICK_KEYS = ("aid", "apic", "ppic", "nid", "npic")
KEYS = ("tmode", "tseed", "alpha") + PICK_KEYS + ("ckpt", "nshow", "dim3")
VERDICT = {
    "easy": "The loss is **0**: the negative is already farther from the anchor than the positive, by more than α. "
            "Its gradient is 0, so the network **learns nothing from this triplet**: that is why training mines "
            "hard and semi-hard ones.",
    "semi-hard": "The order is right (N is farther than P) but by less than α, so the loss is above 0 and training "
                 "pulls P towards A and pushes N away until the gap is α.",
    "hard": "The negative is at least as close to the anchor as the positive: the network gets this one wrong, and "
            "the loss is at least α.",
}


def link(data: state.Shared) -> None:
    """Seed this section's URL keys (from the link, or the defaults) before any section runs."""
    ids = len(data.glyphs.chars)
    ui.url_choice("tmode", "semi-hard", list(MODES))
    ui.url_int("tseed", 1, 1, MAX_SEED)
    ui.url_float("alpha", ALPHA, 0.0, 1.0)
    for key, default, hi in (("aid", 1, ids), ("apic", 1, PICTURES), ("ppic", 2, PICTURES), ("nid", 2, ids),
                             ("npic", 1, PICTURES)):
        ui.url_int(key, default, 1, hi)
    steps = [str(int(s)) for s in data.history.checkpoint_steps]
    ui.url_choice("ckpt", steps[-1], steps)
    ui.url_int("nshow", DEFAULT_SHOWN, 3, MAX_SHOWN)
    ui.url_bool("dim3", False)


def identity_name(glyphs, label: int) -> str:
    """How an identity is written in pickers and legends: its character, numbered from 1, seen or not."""
    first = int(glyphs.members(label)[0])
    return f"{glyphs.char(label)} (#{label + 1}, {'seen in training' if glyphs.seen[first] else 'never seen'})"


def _next_draw() -> None:
    st.session_state["tseed"] = (st.session_state["tseed"] or 0) % MAX_SEED + 1  # None: the field's text is not valid


def _keep(keys) -> None:
    """Widgets not drawn this run would lose their value: keep it."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _picked(data: state.Shared) -> ts.Triplet | None:
    """The triplet of the five pick widgets (identities and pictures counted from 1); None while a field is not valid."""
    glyphs, ids = data.glyphs, len(data.glyphs.chars)
    st.caption("Pick the anchor's identity and picture, another picture of the same identity as the positive, "
               "and any picture of another identity as the negative.")
    cols = st.columns([3, 1, 1, 3, 1])
    options = list(range(1, ids + 1))
    a_id = cols[0].selectbox("A and P: identity", options, key="aid",
                             format_func=lambda k: identity_name(glyphs, k - 1)) - 1
    a_pic = ui.number_field("A: picture", 1, PICTURES, key="apic", container=cols[1])
    p_pic = ui.number_field("P: picture", 1, PICTURES, key="ppic", container=cols[2])
    n_id = cols[3].selectbox("N: identity", options, key="nid",
                             format_func=lambda k: identity_name(glyphs, k - 1)) - 1
    n_pic = ui.number_field("N: picture", 1, PICTURES, key="npic", container=cols[4])
    if ui.missing(a_pic, p_pic, n_pic):
        return None
    a_pic, p_pic, n_pic = a_pic - 1, p_pic - 1, n_pic - 1
    if p_pic == a_pic:
        st.warning("A and P are the same picture: d(A, P) = 0. Pick another picture for P to make a real triplet.")
    if n_id == a_id:
        st.warning("N has the same identity as A: it is not a negative. Pick another identity for N.")
    members = glyphs.members
    return ts.make_triplet(data.trained, int(members(a_id)[a_pic]), int(members(a_id)[p_pic]),
                           int(members(n_id)[n_pic]))


def _drawn(data: state.Shared, mode: str, alpha: float) -> ts.Triplet | None:
    """A triplet of the asked kind among the held-out pictures; the pick widgets are set to it."""
    cols = st.columns([1, 1, 3])
    seed = ui.number_field("draw number", 1, MAX_SEED, key="tseed", container=cols[0])
    cols[1].button("Draw another", key="tdraw", on_click=_next_draw)
    if ui.missing(seed):
        return None
    held = np.flatnonzero(~data.glyphs.seen)
    triplet = ts.pick_triplet(data.trained, data.glyphs.labels, mode, alpha, int(seed), among=held)
    if triplet is None:
        st.warning(f"No {mode} triplet was found among the held-out pictures at α = {alpha:g} in "
                   f"{ts.PICK_TRIES} draws: try another α or draw number. Showing your own pick instead.")
        return None
    glyphs = data.glyphs
    for key, index in (("apic", triplet.anchor), ("ppic", triplet.positive), ("npic", triplet.negative)):
        st.session_state[key] = int(np.flatnonzero(glyphs.members(glyphs.labels[index]) == index)[0]) + 1
    st.session_state["aid"] = int(glyphs.labels[triplet.anchor]) + 1
    st.session_state["nid"] = int(glyphs.labels[triplet.negative]) + 1
    return triplet


def _pictures(data: state.Shared, triplet: ts.Triplet) -> None:
    glyphs = data.glyphs
    cols = st.columns(3)
    for col, (role, index) in zip(cols, (("A", triplet.anchor), ("P", triplet.positive), ("N", triplet.negative))):
        label = int(glyphs.labels[index])
        picture = int(np.flatnonzero(glyphs.members(label) == index)[0]) + 1
        col.image(figures.upscale(glyphs.images[index], 4), width=128, output_format="PNG",
                  caption=f"{role}: {identity_name(glyphs, label)}, picture {picture} "
                          f"({glyphs.face_names[glyphs.faces[index]]})",
                  alt=f"The {dict(A='anchor', P='positive', N='negative')[role]}: glyph {identity_name(glyphs, label)}, "
                      f"picture {picture}")


def _loss(triplet: ts.Triplet, encodings: np.ndarray, alpha: float) -> None:
    """The two distances and the loss with the numbers substituted, and what kind of triplet it is."""
    d_ap, d_an = triplet.d_ap, triplet.d_an
    loss = float(triplet_losses(*encodings, alpha))
    inside = d_ap - d_an + alpha
    st.latex(r"d(A,P) = \lVert f(A) - f(P) \rVert^2 = \textstyle\sum_{k} (f_k(A) - f_k(P))^2 = "
             + fmt.latex_plain(d_ap))
    st.latex(r"d(A,N) = \lVert f(A) - f(N) \rVert^2 = " + fmt.latex_plain(d_an))
    st.latex(r"L = \max\big(d(A,P) - d(A,N) + \alpha,\ 0\big) = \max\big(" + fmt.latex_plain(d_ap) + " - "
             + fmt.latex_num(d_an) + " + " + fmt.latex_num(alpha) + r",\ 0\big) = \max\big("
             + fmt.latex_plain(inside) + r",\ 0\big) = " + fmt.latex_plain(loss))
    kind = triplet.kind(alpha)
    m = margin(d_ap, d_an)
    rule = {"hard": "m ≤ 0", "semi-hard": "0 < m ≤ α", "easy": "m > α"}[kind]
    text = (f"m = d(A, N) − d(A, P) = {fmt.num(d_an)} − {fmt.num(d_ap)} = {fmt.num(m)}, so {rule}: this triplet "
            f"is **{kind}** at α = {fmt.num(alpha)}. " + VERDICT[kind])
    (st.success if kind == "easy" else st.info if kind == "semi-hard" else st.warning)(text)


def _embedding(data: state.Shared, triplet: ts.Triplet) -> None:
    st.header("2 · The embedding space, as training went on")
    history, glyphs = data.history, data.glyphs
    steps = [int(s) for s in history.checkpoint_steps]
    names = {s: f"{s} (untrained)" if s == 0 else (f"{s} (end)" if s == steps[-1] else str(s)) for s in steps}
    cols = st.columns([4, 2, 1])
    options = [str(s) for s in steps]
    step = int(cols[0].select_slider("after training step", options, format_func=lambda s: names[int(s)],
                                     key="ckpt"))
    shown = cols[1].slider("identities shown", 3, MAX_SHOWN, key="nshow")
    three = cols[2].toggle("3-D", key="dim3")
    a_id, n_id = int(glyphs.labels[triplet.anchor]), int(glyphs.labels[triplet.negative])
    identities = list(dict.fromkeys([a_id, n_id] + list(_display_identities(glyphs))))[:shown]
    rows = np.flatnonzero(np.isin(glyphs.labels, identities))
    encodings = history.encodings[steps.index(step)][rows]
    pca = _pca(ui.provider(), steps.index(step), 3 if three else 2)
    points = pca.project(encodings)
    where = {int(r): k for k, r in enumerate(rows)}
    mark = {"A": where[triplet.anchor], "P": where[triplet.positive], "N": where[triplet.negative]}
    labels = glyphs.labels[rows]
    seen = {i: bool(glyphs.seen[glyphs.members(i)[0]]) for i in identities}
    title = (f"PCA of the 64-number encodings after step {names[step]}: {len(identities)} identities × {PICTURES} "
             f"pictures; ● seen in training, ◆ never seen")
    plot.chart(figures.embedding_scatter(points, labels, {i: identity_name(glyphs, i) for i in identities}, seen,
                                         mark, title), "embedding")
    st.caption(f"PCA: the {pca.components.shape[0]} directions of largest spread of the {2 * MAX_SHOWN} identities "
               f"this chart draws from ({MAX_SHOWN} never seen, {MAX_SHOWN} seen), fitted once per step, keep "
               f"{fmt.percent(float(pca.explained.sum()))} of their variance. "
               "Encodings recorded during training (stored to 1/127); the triplet above uses the exported model. "
               "Move the slider: before training the identities overlap; after it, each identity's pictures gather "
               "in a tight cluster, the unseen ones too.")


@st.cache_resource(show_spinner=False, max_entries=64)
def _pca(provider: str, checkpoint: int, k: int) -> Pca:
    """PCA of the display identities' encodings at one checkpoint (fixed, so fitted once per process)."""
    data = state.shared(provider)
    rows = np.flatnonzero(np.isin(data.glyphs.labels, _display_identities(data.glyphs)))
    return fit_pca(data.history.encodings[checkpoint][rows], k)


def _display_identities(glyphs) -> np.ndarray:
    """A fixed mix of never-seen and seen identities to draw beside the triplet's (held-out first)."""
    held = np.unique(glyphs.labels[~glyphs.seen])
    seen = np.unique(glyphs.labels[glyphs.seen])
    rng = np.random.default_rng(0)
    picks_held, picks_seen = rng.choice(held, MAX_SHOWN, replace=False), rng.choice(seen, MAX_SHOWN, replace=False)
    return np.ravel(np.column_stack([picks_held, picks_seen]))


@st.fragment
def show(all_keys: list[str]) -> None:
    """Sections 1 and 2, rerun on their own when one of their controls changes."""
    data = state.shared(ui.provider())
    st.header("1 · One triplet: anchor, positive, negative")
    cols = st.columns([3, 2])
    mode = cols[0].radio("Show me", list(MODES), format_func=MODES.get, horizontal=True,
                         key="tmode")
    alpha = cols[1].slider("margin α", 0.0, 1.0, step=0.01, key="alpha",
                           help="FaceNet uses α = 0.2 on squared distances between unit-length encodings; "
                                "the network here was trained with α = 0.2.")
    triplet = None
    if mode != "pick":
        triplet = _drawn(data, mode, alpha)
    else:
        _keep(["tseed"])
    if triplet is None and not (mode != "pick" and st.session_state["tseed"] is None):  # None: not valid text
        triplet = _picked(data)
    if triplet is None:  # a number field is not valid: it says so, and nothing is drawn for an old value
        ui.sync_url(all_keys)
        return
    _pictures(data, triplet)
    rows = data.trained[[triplet.anchor, triplet.positive, triplet.negative]]
    plot.chart(figures.encodings_heatmap(rows, ["f(A)", "f(P)", "f(N)"]), "encodings")
    st.caption(f"Each row is one encoding f(x): {rows.shape[1]} numbers of length ‖f(x)‖ = 1 (the network ends by "
               "dividing by the norm), so every squared distance lies between 0 and 4.")
    _loss(triplet, rows, alpha)
    _embedding(data, triplet)
    ui.sync_url(all_keys)
