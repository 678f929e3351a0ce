"""Section 6 of the triplet-loss page: your own picture, cropped like the training data, matched to the enrolled set."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._shared import format as fmt
from pages._shared import ui
from pages._triplet_loss import figures, state
from playground import runtime
from playground.images import ImageError, load_image
from playground.triplet_loss import GlyphError, encode_glyphs, enrolment, glyph_from_picture, glyph_image
from playground.triplet_loss.verification import nearest_enrolled

KEYS = ("src", "did", "dpic", "rot", "stroke", "noise")
SOURCES = {"distort": "a picture from the set, changed by you", "upload": "your upload"}
UPLOAD_TYPES = sorted({"png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff"})
NEAREST = 5  # enrolled identities listed
PICTURES = 10
STROKES = {-1: "thinner", 0: "as drawn", 1: "thicker", 2: "much thicker"}


def link(data: state.Shared) -> None:
    """Seed this section's URL keys (from the link, or the defaults) before any section runs."""
    ui.url_choice("src", "distort", list(SOURCES))
    ui.url_int("did", 1, 1, len(data.glyphs.chars))
    ui.url_int("dpic", 2, 1, PICTURES)
    ui.url_int("rot", 20, -glyph_image.MAX_ROTATION, glyph_image.MAX_ROTATION)
    ui.url_int("stroke", 0, min(STROKES), max(STROKES))
    ui.url_float("noise", 0.0, 0.0, glyph_image.MAX_NOISE)


def _select_upload() -> None:
    if st.session_state.get("upload") is not None:
        st.session_state["src"] = "upload"


def _uploaded() -> tuple[np.ndarray, str] | None:
    """The upload as a grey picture in [0, 1] and its name, decoded once per file; None (with a message) if unusable."""
    upload = st.session_state.get("upload")
    if upload is None:
        st.info("No picture uploaded yet: upload a glyph (dark on light or light on dark), or change a picture "
                "from the set instead.")
        return None
    cached = st.session_state.get("_triplet_upload")
    if cached is None or cached[0] != upload.file_id:  # decode once per upload, not on every rerun
        try:
            cached = (upload.file_id, load_image(upload.getvalue()))
        except ImageError as exc:
            cached = (upload.file_id, exc)
        st.session_state["_triplet_upload"] = cached
    if isinstance(cached[1], ImageError):
        st.error(f"{fmt.escape(cached[1], limit=400)} Upload another picture.")
        st.text(f"File: {upload.name}")
        return None
    for notice in cached[1].notices:
        st.info(notice)
    return cached[1].gray, upload.name


def _distorted(data: state.Shared) -> tuple[np.ndarray, str] | None:
    glyphs = data.glyphs
    ids = len(glyphs.chars)
    cols = st.columns([3, 1, 2, 2, 2])
    identity = cols[0].selectbox("identity", list(range(1, ids + 1)), key="did",
                                 format_func=lambda k: f"{glyphs.char(k - 1)} (#{k})") - 1
    picture = ui.number_field("picture", 1, PICTURES, key="dpic", container=cols[1])
    rotation = cols[2].slider("rotate (degrees)", -glyph_image.MAX_ROTATION, glyph_image.MAX_ROTATION,
                              key="rot")
    stroke = cols[3].select_slider("strokes", list(STROKES), format_func=STROKES.get,
                                   key="stroke")
    noise = cols[4].slider("noise", 0.0, glyph_image.MAX_NOISE, step=0.05,
                           key="noise")
    if ui.missing(picture):
        return None
    index = int(glyphs.members(identity)[picture - 1])
    changed = glyph_image.distort(glyphs.images[index], float(rotation), int(stroke), float(noise))
    return changed, f"picture {picture} of {glyphs.char(identity)} (#{identity + 1}), changed"


def _keep(keys) -> None:
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


@st.fragment
def show(all_keys: list[str]) -> None:
    """Upload or change a picture; crop and resize it like the training data; embed it; name its nearest identities."""
    data = state.shared(ui.provider())
    glyphs = data.glyphs
    st.header("6 · Your own picture")
    st.markdown("Any picture goes through the steps the training pictures went through: grey, ink made bright, "
                "the ink's box cut out (Otsu's threshold), its longer side scaled to "
                f"{glyph_image.INK_SIDE // 2} of {glyph_image.SIDE} pixels and centred, then shrunk to "
                f"{glyph_image.SIDE} × {glyph_image.SIDE}. Its encoding is compared with the enrolled picture "
                f"(picture 1) of each of the {len(glyphs.chars)} identities.")
    source = st.radio("picture", list(SOURCES), format_func=SOURCES.get, horizontal=True,
                      key="src")
    if source == "upload":
        _keep(["did", "dpic", "rot", "stroke", "noise"])
        st.file_uploader("a picture of one glyph", type=UPLOAD_TYPES, key="upload", on_change=_select_upload)
        got = _uploaded()
    else:
        got = _distorted(data)
    if got is None:
        ui.sync_url(all_keys)
        return
    picture, name = got
    try:
        glyph = glyph_from_picture(picture)
    except GlyphError as exc:
        st.error(f"{exc} Try a picture with one dark glyph on a light background (or the reverse).")
        ui.sync_url(all_keys)
        return
    with runtime.record_runs() as runs:
        encoding = encode_glyphs(glyph[None], ui.provider())[0]
    identities, enrolled = enrolment(glyphs.labels)
    nearest = nearest_enrolled(encoding, data.trained[enrolled], NEAREST)
    tau = data.studies["trained"].tau
    cols = st.columns([1, 1, 4])
    given = glyph_image.to_uint8(picture)
    small = max(given.shape) <= glyph_image.WORK_SIDE
    cols[0].image(figures.upscale(given, 4) if small else given, width=128, caption="as given",
                  output_format="PNG" if small else "JPEG",  # an upload is a photo: JPEG is much faster
                  alt="Your picture, as given")
    cols[1].image(figures.upscale(glyph, 4), width=128, output_format="PNG", caption="as the network sees it (32 × 32)",
                  alt="Your picture as the network sees it: grey, 32 × 32, enlarged")
    with cols[2]:
        st.text(f"Picture: {name}")
        best = nearest[0]
        best_id = int(identities[best.index])
        verdict = (f"closest: {glyphs.char(best_id)} (#{best_id + 1}), d = {fmt.num(best.distance)} "
                   + (f"< τ = {fmt.num(tau)}: verified as the same identity." if best.distance < tau else
                      f"≥ τ = {fmt.num(tau)}: not close enough to any enrolled identity to be verified."))
        (st.success if best.distance < tau else st.warning)(verdict)
    st.caption(f"The {NEAREST} nearest enrolled identities (squared distance; τ is the one chosen on the seen "
               "identities):")
    row = st.columns(NEAREST)
    for col, match in zip(row, nearest):
        identity = int(identities[match.index])
        col.image(figures.upscale(glyphs.images[enrolled[match.index]], 3), width=96, output_format="PNG",
                  caption=f"{glyphs.char(identity)} (#{identity + 1}): d = {fmt.num(match.distance)}"
                          + (", seen" if glyphs.seen[enrolled[match.index]] else ", never seen"),
                  alt=f"Enrolled glyph {glyphs.char(identity)}, number {identity + 1} of the nearest")
    ui.show_runs(runs, "What ran for your picture")
    ui.sync_url(all_keys)
