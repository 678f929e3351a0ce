"""The triplet-loss page through the app's entry point: controls change what it shows, and the numbers are right."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from pages._triplet_loss.mining import batch_indices
from playground.triplet_loss import encoders, glyph_data, verification_pairs
from tests.conftest import REPO_ROOT
from tests.references import loop_accuracy, loop_mining_counts, loop_one_shot, loop_triplet_loss

PAGE = "pages/triplet_loss.py"
PICTURES = 10


def open_page(**query) -> AppTest:
    """The page as a visitor arriving from a link with ``query`` sees it."""
    at = AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=120)
    at.query_params.update({k: str(v) for k, v in query.items()})
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def encodings() -> np.ndarray:
    """ORT's encodings of the whole evaluation set, as the page computes them."""
    return encoders.encode_glyphs(glyph_data.evaluation_set().images, "cpu")


def triplet_rows(at: AppTest) -> tuple[int, int, int]:
    """The evaluation-set rows of A, P and N from the page's link state (identities and pictures from 1)."""
    q = at.query_params
    glyphs = glyph_data.evaluation_set()
    def row(identity, picture):
        return int(glyphs.members(int(identity) - 1)[int(picture) - 1])
    return row(q["aid"], q["apic"]), row(q["aid"], q["ppic"]), row(q["nid"], q["npic"])


def latex_lines(at: AppTest) -> list[str]:
    """Every st.latex body, without the $$ around it."""
    return [latex.value.strip().strip("$").strip() for latex in at.latex]


def loss_line(at: AppTest) -> str:
    return next(line for line in latex_lines(at) if line.startswith("L = "))


def number_after_last_equals(text: str) -> float:
    return float(text.rsplit("=", 1)[1].strip().replace("−", "-"))


@pytest.mark.parametrize("mode", ["semi-hard", "hard", "easy"])
def test_drawn_triplet_has_the_asked_kind_and_the_reference_loss(mode, encodings):
    """A drawn triplet is of the kind asked, its three pictures are A, P (same identity) and N (another),
    and the loss shown equals the loop reference on the ORT encodings."""
    at = open_page(tmode=mode, tseed=3)
    a, p, n = triplet_rows(at)
    labels = glyph_data.evaluation_set().labels
    assert labels[a] == labels[p] and labels[a] != labels[n] and a != p
    expected = loop_triplet_loss(encodings[a], encodings[p], encodings[n], 0.2)
    assert number_after_last_equals(loss_line(at)) == pytest.approx(expected, abs=1.5e-3)
    kind_box = next(box.value for box in list(at.success) + list(at.info) + list(at.warning)
                    if "this triplet is" in box.value)
    assert f"is **{mode}** at α = 0.2" in kind_box
    if mode == "easy":
        assert "learns nothing from this triplet" in kind_box and expected == 0.0


def test_picked_triplet_and_margin_change(encodings):
    """A linked pick (identity 3, pictures 1 and 2; identity 5, picture 4) with α = 0.5: the page shows
    d(A,P), d(A,N) and the loss of the loop reference."""
    at = open_page(tmode="pick", aid=3, apic=1, ppic=2, nid=5, npic=4, alpha=0.5)
    a, p, n = triplet_rows(at)
    assert (a, p, n) == (20, 21, 43)  # identity 3 starts at row 20, identity 5 at row 40
    d_ap = float(np.sum((encodings[a].astype(np.float64) - encodings[p]) ** 2))
    lines = latex_lines(at)
    assert number_after_last_equals(lines[0]) == pytest.approx(d_ap, rel=5e-3)
    expected = loop_triplet_loss(encodings[a], encodings[p], encodings[n], 0.5)
    assert number_after_last_equals(loss_line(at)) == pytest.approx(expected, abs=1.5e-3)
    at.slider(key="alpha").set_value(0.0).run()
    assert number_after_last_equals(loss_line(at)) == pytest.approx(
        loop_triplet_loss(encodings[a], encodings[p], encodings[n], 0.0), abs=1.5e-3)


def test_same_picture_as_positive_is_flagged():
    """Picking the anchor's own picture as P warns that d(A, P) = 0."""
    at = open_page(tmode="pick", apic=2, ppic=2)
    assert any("A and P are the same picture" in w.value for w in at.warning)


@pytest.mark.parametrize("p, k, seed, alpha", [(8, 4, 1, 0.2), (4, 3, 7, 0.5), (3, 2, 2, 0.0)])
def test_mining_counts_are_those_of_the_triple_loop(p, k, seed, alpha):
    """The hard / semi-hard / easy metrics equal the brute-force count on the same batch and checkpoint."""
    at = open_page(bp=p, bk=k, bseed=seed, malpha=alpha)
    glyphs, history = glyph_data.evaluation_set(), glyph_data.history()
    batch = batch_indices(glyphs.labels, np.flatnonzero(~glyphs.seen), p, k, seed)
    expected = loop_mining_counts(history.encodings[-1][batch], glyphs.labels[batch], alpha)
    shown = {m.label.split(" (")[0]: int(m.value.replace(",", "")) for m in at.metric
             if m.label.split(" (")[0] in ("hard", "semi-hard", "easy")}
    assert (shown["hard"], shown["semi-hard"], shown["easy"]) == expected


@pytest.mark.parametrize("tau", [0.3, 0.8, 1.4])
def test_accuracy_at_tau_matches_the_pair_by_pair_count(tau, encodings):
    """The accuracy metric at τ equals the loop count of "same when d < τ" over the held-out pairs."""
    at = open_page(tau=tau)
    glyphs = glyph_data.evaluation_set()
    held = ~glyphs.seen
    pairs = verification_pairs(glyphs.labels[held])
    e = encodings[held].astype(np.float64)
    d = np.sum((e[pairs.first] - e[pairs.second]) ** 2, axis=1)
    metric = next(m for m in at.metric if m.label.startswith("accuracy at τ"))
    assert metric.value == f"{loop_accuracy(d, pairs.same, tau):.1%}"
    assert at.query_params["tau"] == str(tau)


def test_one_shot_all_way_matches_the_loop(encodings):
    """All-way one-shot with picture 3 enrolled equals the loop reference on the held-out encodings."""
    at = open_page(ways="all", enrol=3)
    glyphs = glyph_data.evaluation_set()
    held = ~glyphs.seen
    metric = next(m for m in at.metric if m.label.startswith("one-shot accuracy"))
    assert metric.label == "one-shot accuracy, 200-way"
    assert metric.value == f"{loop_one_shot(encodings[held], glyphs.labels[held], 2):.1%}"


def test_squared_and_plain_thresholds_are_named():
    """The page says τ applies to the squared distance and converts the course's 0.7 to 0.49."""
    at = open_page()
    text = " ".join(m.value for m in at.markdown)
    assert "τ always applies to the squared distance" in text and "τ = 0.49" in text


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def test_uploaded_glyph_is_recognised():
    """A held-out picture, enlarged 8× and inverted to dark ink on white, is named after its own identity."""
    glyphs = glyph_data.evaluation_set()
    row = int(glyphs.members(7)[4])  # identity 8, picture 5 (not the enrolled picture 1)
    big = 255 - np.kron(glyphs.images[row], np.ones((8, 8), np.uint8))
    at = open_page(src="upload")
    at.file_uploader(key="upload").set_value(("glyph.png", _png(big), "image/png")).run()
    assert not at.exception
    verdict = next(box.value for box in list(at.success) + list(at.warning) if box.value.startswith("closest:"))
    assert verdict.startswith(f"closest: {glyphs.char(7)} (#8)")


@pytest.mark.parametrize("name, data, message", [
    ("empty.png", b"", "empty"),
    ("notes.png", b"not an image at all", "not an image"),
    ("flat.png", _png(np.full((40, 40), 200, np.uint8)), "one flat colour"),
])
def test_bad_uploads_get_a_message_in_words(name, data, message):
    """Empty, non-image and blank uploads are refused with a message, not a traceback."""
    at = open_page(src="upload")
    at.file_uploader(key="upload").set_value((name, data, "image/png")).run()
    assert not at.exception
    assert any(message in e.value for e in at.error)


def test_distorted_picture_is_matched_with_distances():
    """Rotated by 20°: the page lists five nearest identities with squared distances in increasing order."""
    at = open_page(src="distort", did=4, dpic=3, rot=20)
    captions = [image.caption for element in at.get("image") for image in element.proto.imgs]
    distances = [float(m.group(1)) for c in captions if (m := re.search(r"\): d = ([0-9.]+)", c))]
    assert len(distances) == 5 and distances == sorted(distances)


@pytest.mark.parametrize("right", [True, False])
def test_check_yourself_on_the_loss(right):
    """The loss question is checked against max(d(A,P) − d(A,N) + α, 0) of the distances shown."""
    at = open_page(qseed=4)
    shown = next(m.value for m in at.markdown if m.value.startswith("With **d(A, P) = "))
    d_ap, d_an = (float(v) for v in re.findall(r"= ([0-9.]+)\*\*", shown)[:2])
    expected = round(max(d_ap - d_an + 0.2, 0.0), 3)
    at.text_input(key="qloss__typed").input(str(expected if right else expected + 0.5)).run()
    at.button(key="qloss_check").click().run()
    if right:
        assert any("Right" in s.value for s in at.success)
    else:
        assert any("Not quite" in e.value for e in at.error)


def test_check_yourself_on_the_kind():
    """Answering the kind of the question's triplet is marked right or corrected, naming the margin m."""
    at = open_page(qseed=2)
    at.radio(key="qkind").set_value("hard").run()
    at.button(key="qkind_check").click().run()
    feedback = [s.value for s in at.success] + [e.value for e in at.error]
    assert any("m = d(A, N) − d(A, P)" in f for f in feedback)


def test_bad_link_values_fall_back_with_a_warning():
    """?tmode=nope&alpha=7&ckpt=3 are refused, reported, and the defaults shown."""
    at = open_page(tmode="nope", alpha=7, ckpt=3)
    warning = at.warning[0].value
    assert "tmode=nope" in warning and "alpha=7" in warning and "ckpt=3" in warning
    assert at.radio(key="tmode").value == "semi-hard"
