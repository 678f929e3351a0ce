"""Section 4 of the triplet-loss page: verification at a threshold τ, the ROC curve, one-shot recognition."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._shared import format as fmt
from pages._shared import plot, ui
from pages._triplet_loss import figures, state
from playground.triplet_loss import WAYS, confusion_at, squared_threshold
from playground.triplet_loss.study import ENCODERS

KEYS = ("enc", "vset", "tau", "sq", "enrol", "ways")
ENCODER_NAMES = {"trained": "the trained network", "untrained": "the untrained network (step 0)",
                 "pixels": "raw pixels"}
SETS = {"held": "the 200 identities never seen in training", "seen": "100 identities seen in training"}
WAY_CHOICES = (str(WAYS), "all")
MAX_TAU = 2.0  # squared distance; unit vectors at right angles are 2 apart, opposite ones 4
COURSE_DISTANCE = 0.7  # the course's assignment: same person when ‖f(x_i) − f(x_j)‖ < 0.7 (not squared)
PICTURES = 10


def link(data: state.Shared) -> None:
    """Seed this section's URL keys (from the link, or the defaults) before any section runs."""
    ui.url_choice("enc", "trained", list(ENCODERS))
    ui.url_choice("vset", "held", list(SETS))
    ui.url_float("tau", round(data.studies["trained"].tau, 2), 0.0, MAX_TAU)
    ui.url_bool("sq", True)
    ui.url_int("enrol", 1, 1, PICTURES)
    ui.url_choice("ways", WAY_CHOICES[0], WAY_CHOICES)


def _use_chosen(tau: float) -> None:
    st.session_state["tau"] = round(tau, 2)


def _one_shot(data: state.Shared, encoder: str, held: bool) -> None:
    st.subheader("One-shot recognition: one picture per identity is enough")
    cols = st.columns([1, 1, 3])
    enrol = ui.number_field("enrol picture", 1, PICTURES, key="enrol", container=cols[0])
    ways = cols[1].radio("choose among", WAY_CHOICES, key="ways",
                         format_func=lambda w: f"{w} identities" if w != "all" else "every enrolled identity",
                         horizontal=True)
    if ui.missing(enrol):
        return
    result = state.one_shot(ui.provider(), encoder, held, int(enrol) - 1, None if ways == "all" else int(ways))
    cols[2].metric(f"one-shot accuracy, {result.ways}-way", fmt.percent(result.accuracy),
                   f"{int(round(result.accuracy * result.queries)):,} of {result.queries:,} pictures named right",
                   delta_color="off", delta_arrow="off")
    chance = 1 / result.ways
    st.caption(f"Picture {int(enrol)} of each of the {len(result.identities)} identities is enrolled (its encoding "
               f"stored); every other picture is named by the nearest enrolled encoding"
               + (f" among its own identity and {result.ways - 1} others drawn at random" if ways != "all" else "")
               + f". Guessing would be right {fmt.percent(chance)} of the time. No retraining is needed to add an "
               "identity: enrol one picture.")


@st.fragment
def show(all_keys: list[str]) -> None:
    """τ, histograms, ROC and accuracy for the chosen encoder and identities; one-shot; the logistic units."""
    data = state.shared(ui.provider())
    st.header("4 · Verification and one-shot recognition")
    st.markdown(
        "**Verification:** two pictures are called the *same* identity when d = ‖f(x_i) − f(x_j)‖² < τ. "
        f"**Here τ always applies to the squared distance.** The course's assignment compares the distance itself, "
        f"‖f(x_i) − f(x_j)‖ < {COURSE_DISTANCE}: that is τ = {fmt.num(squared_threshold(COURSE_DISTANCE))} on this "
        "scale. Other tools' thresholds mean different things again (non-squared distances, cosine similarity, "
        "other margins), so a threshold only means something with the distance it was chosen for.")
    cols = st.columns([2, 2, 3, 1.3])
    encoder = cols[0].radio("encoder", ENCODERS, format_func=ENCODER_NAMES.get,
                            key="enc")
    which = cols[1].radio("identities", list(SETS), format_func=SETS.get, key="vset")
    chosen = data.studies[encoder].tau
    tau = cols[2].slider("τ (on the squared distance)", 0.0, MAX_TAU, step=0.01,
                         key="tau")
    cols[2].button(f"Use τ = {fmt.num(chosen)}", key="tau_chosen", on_click=_use_chosen, args=(chosen,),
                   help="The most accurate τ on the pairs of the 100 seen identities, for this encoder.")
    squared = cols[3].toggle("squared", key="sq",
                             help="Off: the histograms show ‖·‖ and the threshold √τ. The rule is the same.")
    pairs = data.studies[encoder].held if which == "held" else data.studies[encoder].seen
    counts = confusion_at(pairs.distances, pairs.pairs.same, tau)
    n_same, n_diff = counts.true_same + counts.false_different, counts.false_same + counts.true_different
    m = st.columns(4)
    m[0].metric("ROC AUC", f"{pairs.roc.auc:.4f}", "1 = perfect, 0.5 = chance", delta_color="off", delta_arrow="off")
    m[1].metric(f"accuracy at τ = {fmt.num(tau)}", fmt.percent(counts.accuracy),
                f"on {len(pairs.pairs):,} pairs, half of them same", delta_color="off", delta_arrow="off")
    m[2].metric("same pairs called same", fmt.percent(counts.true_same / n_same),
                f"{counts.true_same:,} of {n_same:,}", delta_color="off", delta_arrow="off")
    m[3].metric("different pairs called same", fmt.percent(counts.false_same / n_diff),
                f"{counts.false_same:,} of {n_diff:,}", delta_color="off", delta_arrow="off")
    left, right = st.columns(2)
    with left:
        plot.chart(figures.distance_histograms(pairs.same_distances, pairs.different_distances, tau, squared,
                                               f"Pair distances, {ENCODER_NAMES[encoder]}"), "histograms")
    with right:
        curves = [(ENCODER_NAMES[e], s.roc.fpr, s.roc.tpr, s.roc.auc) for e in [encoder] +
                  [e for e in ENCODERS if e != encoder]
                  for s in [data.studies[e].held if which == "held" else data.studies[e].seen]]
        plot.chart(figures.roc_figure(curves, (counts.false_same / n_diff, counts.true_same / n_same)), "roc")
    st.caption(f"Pairs: every same-identity pair of {SETS[which]} ({n_same:,}) and as many different-identity pairs "
               f"drawn at random. The AUC is the chance that a random same pair is closer than a random different "
               f"pair. {ENCODER_NAMES[encoder].capitalize()}: τ chosen on the seen identities {fmt.num(chosen)} "
               f"(√τ = {fmt.num(float(np.sqrt(chosen)))} on the non-squared distance).")
    _one_shot(data, encoder, which == "held")
    _logistic(data)
    ui.sync_url(all_keys)


def _logistic(data: state.Shared) -> None:
    trained = data.studies["trained"]
    st.subheader("Verification as classification: a logistic unit")
    st.markdown(
        "DeepFace (Taigman et al. 2014) poses verification as a binary classification of the pair: "
        r"ŷ = σ(Σₖ wₖ·|f(x_i)ₖ − f(x_j)ₖ| + b), or with the χ² terms (f(x_i)ₖ − f(x_j)ₖ)² / (f(x_i)ₖ + f(x_j)ₖ) "
        "in place of the absolute differences. Each unit below was fitted on the pairs of the 100 seen identities "
        "(Newton's method) and is scored on the held-out pairs, the same pairs as the distance rule.")
    held = trained.held
    rows = [{"rule": f"d < τ = {fmt.num(trained.tau)} (τ chosen on the seen pairs)",
             "ROC AUC": f"{held.roc.auc:.4f}",
             "accuracy": fmt.percent(confusion_at(held.distances, held.pairs.same, trained.tau).accuracy)}]
    for unit in trained.logistic:
        rows.append({"rule": f"logistic on {unit.features} ({len(unit.unit.weights)} weights + b), ŷ > 0.5",
                     "ROC AUC": f"{unit.auc:.4f}", "accuracy": fmt.percent(unit.accuracy)})
    st.dataframe(rows, hide_index=True, key="logistic_table")
    st.caption("χ² needs components ≥ 0 (DeepFace's come after a ReLU). These encodings are signed, so each "
               "component is split into max(f, 0) and max(−f, 0) first: 2 × 64 terms. A term whose two parts are 0 "
               "counts 0.")
