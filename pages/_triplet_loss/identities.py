"""Section 5 of the triplet-loss page: many training identities against few, on seen and unseen identities."""

from __future__ import annotations

import streamlit as st

from pages._shared import format as fmt
from pages._shared import plot, ui
from pages._triplet_loss import figures, state
from playground.triplet_loss import confusion_at, digits_data

KEYS = ("fsq",)


def _row(net: str, identities: str, auc: float, accuracy: float, one_shot: float, ways: int, pixels_auc: float) -> dict:
    return {"embedding": net, "identities tested": identities, "ROC AUC": f"{auc:.4f}",
            "accuracy at τ (chosen on training identities)": fmt.percent(accuracy),
            "one-shot accuracy": f"{fmt.percent(one_shot)} ({ways}-way)", "raw pixels' ROC AUC": f"{pixels_auc:.4f}"}


def link(data) -> None:
    """Seed this section's URL keys (from the link, or the defaults) before any section runs."""
    ui.url_bool("fsq", True)


@st.cache_resource(show_spinner=False, max_entries=8)
def _histograms(provider: str, squared: bool) -> tuple:
    """The two unseen-identity histograms (fixed: built once per axis choice)."""
    glyphs, digits = state.shared(provider), state.shared_digits(provider)
    d, trained = digits.study, glyphs.studies["trained"]
    return tuple(figures.distance_histograms(pairs.same_distances, pairs.different_distances, tau, squared, name,
                                             height=300)
                 for name, pairs, tau in (("digits 7, 8, 9 (never seen by the digits net)", d.unseen, d.tau),
                                          ("200 glyphs never seen by the glyph net", trained.held, trained.tau)))


@ui.fragment  # names a missing model file instead of a redacted error box
def show(all_keys: list[str]) -> None:
    """The digits embedding (7 training identities) beside the glyph embedding (2,000)."""
    provider = ui.provider()
    glyphs, digits = state.shared(provider), state.shared_digits(provider)
    st.header("5 · Many identities against few")
    st.markdown(
        "The promise of the triplet loss is recognising identities **never seen in training**, from one picture. "
        "That needs many training identities. The same method, trained on scikit-learn's 8 × 8 digits with only "
        f"seven identities (the digits {', '.join(map(str, digits_data.SEEN_DIGITS))}), learns those seven well "
        "and generalises poorly to 7, 8 and 9; trained on 2,000 glyphs, it works on 200 glyphs it never saw.")
    trained, pixels = glyphs.studies["trained"], glyphs.studies["pixels"]
    rows = []
    for which, words in (("seen", "100 seen in training"), ("held", "200 never seen")):
        study, pix = getattr(trained, which), getattr(pixels, which)
        one = state.one_shot(provider, "trained", which == "held", 0, None)
        acc = confusion_at(study.distances, study.pairs.same, trained.tau).accuracy
        rows.append(_row("glyphs: 2,000 training identities", words, study.roc.auc, acc, one.accuracy, one.ways,
                         pix.roc.auc))
    d, dp = digits.study, digits.pixels
    for quality, pix, words in ((d.seen_quality, dp.seen_quality, "the 7 digits seen (other pictures)"),
                                (d.unseen_quality, dp.unseen_quality, "the 3 digits never seen (7, 8, 9)")):
        rows.append(_row("digits: 7 training identities", words, quality.auc, quality.accuracy_at_tau,
                         quality.one_shot_all, quality.identities, pix.auc))
    st.dataframe(rows, hide_index=True, key="identities_table")
    squared = st.toggle("squared axis", key="fsq")
    cols = st.columns(2)
    for col, fig, name in zip(cols, _histograms(provider, squared), ("digits", "glyphs")):
        with col:
            plot.chart(fig, f"hist_{name}")
    gap = d.seen_quality.auc - d.unseen_quality.auc
    st.caption(f"On unseen identities the digits net's AUC drops by {gap:.3f} (from {d.seen_quality.auc:.4f} to "
               f"{d.unseen_quality.auc:.4f}); the glyph net's by {trained.seen.roc.auc - trained.held.roc.auc:.4f}."
               " With seven identities the network can learn features that tell *those* seven apart; with thousands "
               "it has to learn what makes any two glyphs the same or different. One-shot accuracy is all-way here "
               "(the digits have only 3 unseen identities), so it is not comparable across rows.")
    ui.sync_url(all_keys)
