"""The model cards of the two embeddings, as the export recorded them."""

from __future__ import annotations

import streamlit as st

from pages._shared import format as fmt
from playground.triplet_loss import digits_data, glyph_data

QUALITY_ROWS = (("trained", "the trained network"), ("untrained", "the untrained network"), ("raw_pixels", "raw pixels"))


def _quality_rows(quality: dict) -> list[dict]:
    rows = []
    for key, name in QUALITY_ROWS:
        for where, words in (("held_out", "200 held-out identities"), ("training_identities", "100 training identities")):
            q = quality[key][where]
            rows.append({"encoder": name, "identities": words, "ROC AUC": f"{q['auc']:.4f}",
                         "τ (squared, from training identities)": fmt.num(q["tau"]),
                         "accuracy at τ": fmt.percent(q["accuracy_at_tau"]),
                         f"one-shot {q['ways']}-way": fmt.percent(q["one_shot_ways"]),
                         "one-shot all-way": f"{fmt.percent(q['one_shot_all'])} ({q['identities']}-way)"})
    return rows


def show() -> None:
    card, digits = glyph_data.model_card(), digits_data.model_card()
    with st.expander("About the models: data, fonts and licences, training, measured quality"):
        data, training = card["data"], card["training"]
        st.markdown(
            f"**Glyph embedding** (`triplet_glyphs`). {data['source']}\n\n"
            f"**Faces:** {', '.join(data['fonts'])}.\n\n**Rendering:** {data['rendering']}\n\n"
            f"**Network:** {card['architecture']['layers']}; widths {card['architecture']['channels']}, "
            f"{card['architecture']['encoding']} numbers, {card['architecture']['parameters']:,} parameters.\n\n"
            f"**Training:** {training['loss']}, α = {training['alpha']}; mining: {training['mining']}; "
            f"{training['batch']}; {training['steps']:,} steps; {training['optimizer']}; seed {training['seed']}; "
            f"{training['seconds']:.0f} s wall ({training['cpu_seconds']:.0f} s CPU) on {training['machine']}.\n\n"
            f"**ORT against torch:** largest difference {card['verification']['max_abs_error_encoding']:.2g} on "
            f"{card['verification']['inputs']}.\n\n"
            f"**Rebuild:** `{card['command']}` after `{card['fonts_apt']}`.")
        st.dataframe(_quality_rows(card["quality"]), hide_index=True, key="card_table")
        st.caption("Measured by the export with playground.triplet_loss on the committed pictures (the page's "
                   "figures above are computed again from the same files). " + card["measures"]["one_shot"] + ".")
        dtrain = digits["training"]
        st.markdown(
            f"**Digits embedding** (`triplet_digits`). {digits['data']['source']}. Split: {digits['data']['split']}; "
            f"sizes {digits['data']['sizes']}. Widths {digits['architecture']['channels']}, "
            f"{digits['architecture']['encoding']} numbers; {dtrain['batch']}, {dtrain['steps']} steps, "
            f"{dtrain['optimizer']}, {dtrain['seconds']:.0f} s. Rebuild: `{digits['command']}`.")
