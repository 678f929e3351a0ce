"""The edge-filter page through AppTest: controls change the numbers shown, links reproduce views, bad input is reported."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from playground import edge_filters
from tests.conftest import REPO_ROOT
from tests.references import loop_correlate_2d

PAGE = str(REPO_ROOT / "pages" / "edge_filters.py")
COURSE = np.array([[10, 10, 10, 0, 0, 0]] * 6, float)  # the course's 6×6 image, typed from the course


def page(**params: str) -> AppTest:
    """The page alone (no navigation), opened with the given link parameters."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params.update(params)
    return at.run()


def chart_values(at: AppTest, title: str) -> np.ndarray:
    """The z values of the annotated grid whose title starts with ``title``."""
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        if spec["layout"]["title"]["text"].startswith(title):
            z = spec["data"][0]["z"]
            if isinstance(z, dict):  # plotly's typed-array encoding
                return np.frombuffer(base64.b64decode(z["bdata"]), z["dtype"]).reshape(
                    [int(n) for n in z["shape"].split(",")])
            return np.array(z, float)
    raise AssertionError(f"no chart titled {title!r}")


def image_captions(at: AppTest) -> list[str]:
    """The captions of every st.image on the page."""
    return [img.caption for element in at.get("image") for img in element.proto.imgs]


def latex(at: AppTest) -> str:
    return "\n".join(element.value for element in at.latex)


def ok(at: AppTest) -> None:
    """No exception and no error box."""
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


# ---------------------------------------------------------------- the course's example
def test_default_view_is_the_course_example_with_30s():
    """Opening the page shows the 6×6 input, the vertical kernel and the 4×4 output with 30s in the middle."""
    at = page()
    ok(at)
    np.testing.assert_array_equal(chart_values(at, "Input 6×6"), COURSE)
    np.testing.assert_array_equal(chart_values(at, "Kernel"), [[1, 0, -1]] * 3)
    np.testing.assert_array_equal(chart_values(at, "Output 4×4"), [[0, 30, 30, 0]] * 4)
    text = latex(at)
    assert r"\text{output}_{1,2}" in text and text.count(r"\cdot") >= 9 and re.search(r"= 30\b", text)
    assert r"\frac{6 + 2\cdot0 - 3}{1} \right\rfloor + 1 = 4" in text


def test_mirrored_example_gives_minus_30():
    """The "more edge detection" toggle: dark on the left gives −30 in the middle columns."""
    at = page()
    at.toggle(key="dl").set_value(True).run()
    ok(at)
    np.testing.assert_array_equal(chart_values(at, "Output 4×4"), [[0, -30, -30, 0]] * 4)
    assert at.query_params["dl"] == "1"


@pytest.mark.parametrize("kern", ["horizontal", "sobel_x", "sobel_y", "scharr_x", "scharr_y"])
def test_each_named_kernel_gives_the_loop_reference_on_the_example(kern):
    """Choosing a kernel recomputes the 4×4 output; it equals the loop definition with that kernel."""
    at = page()
    at.selectbox(key="kern").select(kern).run()
    ok(at)
    np.testing.assert_allclose(chart_values(at, "Output 4×4"), loop_correlate_2d(COURSE, edge_filters.KERNELS[kern]))


@pytest.mark.parametrize("p, s", [(1, 1), (1, 2), (2, 3), (0, 2)])
def test_padding_and_stride_change_size_formula_and_values(p, s):
    """p and s give ⌊(6 + 2p − 3)/s⌋ + 1 in the formula, the output's title and its values."""
    at = page()
    at.slider(key="p").set_value(p).run()
    at.slider(key="s").set_value(s).run()
    ok(at)
    n = (6 + 2 * p - 3) // s + 1
    assert rf"\frac{{6 + 2\cdot{p} - 3}}{{{s}}} \right\rfloor + 1 = {n}" in latex(at)
    out = chart_values(at, f"Output {n}×{n}")
    np.testing.assert_allclose(out, loop_correlate_2d(COURSE, edge_filters.VERTICAL, (p, p), (s, s)))
    padded = chart_values(at, "Input")
    assert padded.shape == (6 + 2 * p,) * 2


@pytest.mark.parametrize("kern, f", [("vertical", 3), ("custom", 5)])
@pytest.mark.parametrize("s", [1, 2, 3])
def test_same_padding_caption_is_true_for_the_stride(kern, f, s):
    """The p the caption calls "same" gives a 6×6 output at s = 1; at s > 1 the caption says it gives ⌈6/s⌉,
    and that is the output the page shows."""
    typed = {"k": ";".join([",".join(["1"] * f)] * f)} if kern == "custom" else {}  # an f×f box
    at = page(kern=kern, s=str(s), **typed)
    caption = next(c.value for c in at.caption if c.value.startswith(f"f = {f}:"))
    p = int(re.search(r"= (\d+) keeps the size", caption).group(1))
    at.slider(key="p").set_value(p).run()
    ok(at)
    n = -(-6 // s)  # ⌈6/s⌉
    assert chart_values(at, f"Output {n}×{n}").shape == (n, n)
    assert ("only for s = 1" in caption) == (s > 1)
    if s > 1:
        assert f"⌈n/{s}⌉" in caption


def test_picker_writes_out_the_chosen_cell():
    """Picking output cell (4, 1), counted from 1 (array index [3, 0]), writes patch ⊙ kernel = sum with its numbers."""
    at = page(kern="sobel_x")
    at.number_input(key="pi").set_value(4).run()
    at.number_input(key="pj").set_value(1).run()
    ok(at)
    expected = loop_correlate_2d(COURSE, edge_filters.SOBEL_X)[3, 0]
    text = latex(at)
    assert r"\text{output}_{4,1}" in text
    assert re.search(rf"= {expected:.0f}\s*$", text.split(r"\text{output}_{4,1}")[1].split("$$")[0].strip())


def test_picker_follows_a_shrinking_output():
    """A picked column beyond a smaller output moves to its last column instead of failing."""
    at = page(pj="3")
    at.slider(key="s").set_value(3).run()
    ok(at)
    assert at.number_input(key="pj").value == 2  # (6 − 3)//3 + 1 = 2 columns: 1 and 2


def test_link_to_a_far_output_cell_reopens_it():
    """At p = 4 the example's output is (6 + 8 − 3) + 1 = 12 wide: a link to cell (12, 12) opens that cell, no warning."""
    at = page(p="4", pi="12", pj="12")
    ok(at)
    assert not at.warning, [w.value for w in at.warning]
    assert at.number_input(key="pi").value == 12 and at.number_input(key="pj").value == 12
    assert r"\text{output}_{12,12}" in latex(at)
    assert chart_values(at, "Output 12×12").shape == (12, 12)


def test_true_convolution_flips_the_chosen_kernel():
    """The flip toggle rotates the applied kernel 180°, so the course example gives −30; section 4 names
    only the sections that flip, and says which stay cross-correlation."""
    at = page()
    at.toggle(key="conv").set_value(True).run()
    ok(at)
    np.testing.assert_array_equal(chart_values(at, "Kernel applied"), [[-1, 0, 1]] * 3)
    np.testing.assert_array_equal(chart_values(at, "Output 4×4"), [[0, -30, -30, 0]] * 4)
    note = next(m.value for m in at.markdown if "toggle at the top is on" in m.value)
    assert "every section" not in note
    assert "learned filters and Check yourself stay cross-correlation" in note


@pytest.mark.parametrize("flip", ["0", "1"])
def test_edge_direction_does_not_turn_with_the_flip(flip):
    """On the "/" edge with light above, the strongest edge has Gx, Gy > 0 and θ = 45°, flip or not:
    the gradient pair is always the unflipped Sobel pair the direction legend describes."""
    at = page(img="diagonal", conv=flip)
    ok(at)
    text = latex(at)
    gx, gy = (float(v) for v in re.search(r"G_x = ([\d.-]+),\\ G_y = ([\d.-]+)", text).groups())
    assert gx > 0 and gy > 0
    assert r"\theta = \operatorname{atan2}(G_x, G_y) = 45^\circ" in text


# Small two-tone images on which each colour word is true; the output cell [1, 1] of a 3×3 kernel straddles the edge.
_LIGHT_LEFT = np.array([[10, 10, 10, 0, 0, 0]] * 6, float)
_DIAGONAL = 10.0 * (np.add.outer(np.arange(6), np.arange(6)) < 5)  # light above-left of a "/" edge
SIGN_IMAGES = {
    "light on the left": _LIGHT_LEFT, "light on the right": 10 - _LIGHT_LEFT,
    "light above": _LIGHT_LEFT.T, "light below": 10 - _LIGHT_LEFT.T,
    "light on your left walking along θ": _DIAGONAL, "light on your right walking along θ": 10 - _DIAGONAL,
}


@pytest.mark.parametrize("kern", ["vertical", "horizontal", "sobel_x", "sobel_y", "scharr_x", "scharr_y", "angle"])
@pytest.mark.parametrize("flip", ["0", "1"])
def test_colour_words_say_what_the_applied_kernel_computes(kern, flip):
    """Where the page says red (> 0) means some light side, the applied kernel really is positive on an edge
    with that light side, and negative where it says blue: with and without the flip (θ = 45° for the angle)."""
    at = page(kern=kern, conv=flip)
    ok(at)
    applied = chart_values(at, "Kernel applied")
    captions = [c for c in image_captions(at) if c.startswith(("Filter response", "One map"))]
    words = [re.search(r"red > 0 \((.+?)\), white 0, blue < 0 \((.+?)\);", c).groups() for c in captions]
    words.append(re.search(r"red means (.+?), blue (.+?):", next(
        c.value for c in at.caption if c.value.startswith("Red > 0"))).groups())
    assert len(words) == 3
    for red, blue in words:
        assert loop_correlate_2d(SIGN_IMAGES[red], applied)[1, 1] > 0
        assert loop_correlate_2d(SIGN_IMAGES[blue], applied)[1, 1] < 0


def test_typed_kernels_get_no_light_dark_words():
    """The default typed kernel (a Laplacian) has no left/right meaning: its maps just say red > 0, blue < 0."""
    at = page(kern="custom")
    ok(at)
    captions = [c for c in image_captions(at) if c.startswith(("Filter response", "One map"))]
    assert len(captions) == 2 and all("red > 0, white 0, blue < 0;" in c for c in captions)
    assert not any("light" in c.value for c in at.caption if c.value.startswith("Red > 0"))


# ---------------------------------------------------------------- kernels typed or steered
def test_custom_kernel_from_a_link():
    """?kern=custom&k=1,0,-1;2,0,-2;1,0,-1 fills the text box and runs Sobel x: 40s on the example."""
    at = page(kern="custom", k="1,0,-1;2,0,-2;1,0,-1")
    ok(at)
    assert at.text_area(key="k_text").value == "1,0,-1\n2,0,-2\n1,0,-1"
    np.testing.assert_array_equal(chart_values(at, "Output 4×4"), [[0, 40, 40, 0]] * 4)
    assert at.query_params["k"] == "1,0,-1;2,0,-2;1,0,-1"


def test_bad_custom_kernel_names_the_row_and_the_page_keeps_working():
    """A ragged kernel gives an error naming row 2; the page falls back to the vertical kernel."""
    at = page(kern="custom")
    at.text_area(key="k_text").input("1 0 -1\n2 0\n1 0 -1").run()
    assert not at.exception
    assert any("Row 2 has 2 numbers" in e.value for e in at.error)
    np.testing.assert_array_equal(chart_values(at, "Output 4×4"), [[0, 30, 30, 0]] * 4)


def test_custom_5x5_kernel_gives_a_2x2_output():
    """A 5×5 box of ones on the example: (6 − 5) + 1 = 2, each cell the sum of a 5×5 patch."""
    at = page(kern="custom")
    at.text_area(key="k_text").input("\n".join(["1 1 1 1 1"] * 5)).run()
    ok(at)
    np.testing.assert_array_equal(chart_values(at, "Output 2×2"), loop_correlate_2d(COURSE, np.ones((5, 5))))


def test_kernel_larger_than_the_example_warns():
    """A 9×9 kernel does not fit the 6×6 example without padding: a warning, no crash."""
    at = page(kern="custom")
    at.text_area(key="k_text").input("\n".join(["1 " * 9] * 9)).run()
    assert not at.exception and not at.error
    assert any("does not fit" in w.value for w in at.warning)
    assert r"\frac{300 + 2\cdot0 - 9}{1}" in latex(at)  # the photo section still runs


def test_typed_kernel_survives_choosing_another_filter():
    """Type a 2×2 kernel, look at Sobel x, come back: the typed text and its 5×5 output are still there."""
    at = page(kern="custom")
    at.text_area(key="k_text").input("1 2\n3 4").run()
    at.selectbox(key="kern").select("sobel_x").run()
    ok(at)
    assert "k" not in at.query_params  # the link carries k only while the typed kernel is in use
    at.selectbox(key="kern").select("custom").run()
    ok(at)
    assert at.text_area(key="k_text").value == "1 2\n3 4"
    np.testing.assert_array_equal(chart_values(at, "Output 5×5"), loop_correlate_2d(COURSE, [[1, 2], [3, 4]]))
    assert at.query_params["k"] == "1,2;3,4"


def test_theta_survives_choosing_another_filter():
    """θ = 120° is kept while Sobel x is shown; back on the angle kernel it is sin 120°·Sobel x + cos 120°·Sobel y."""
    at = page(kern="angle")
    at.slider(key="theta").set_value(120).run()
    at.selectbox(key="kern").select("sobel_x").run()
    at.selectbox(key="kern").select("angle").run()
    ok(at)
    assert at.slider(key="theta").value == 120 and at.query_params["theta"] == "120"
    sobel_x = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    expected = np.sin(np.radians(120)) * sobel_x + np.cos(np.radians(120)) * sobel_x.T
    np.testing.assert_allclose(chart_values(at, "Kernel applied"), expected, atol=1e-6)


def test_fraction_typed_kernel_reopens_from_its_link_exactly():
    """A 1/9 box blur's link reopens with the same output values, to the last bit."""
    at = page(kern="custom")
    at.text_area(key="k_text").input("1/9 1/9 1/9\n1/9 1/9 1/9\n1/9 1/9 1/9").run()
    again = page(**dict(at.query_params))
    ok(again)
    np.testing.assert_array_equal(chart_values(again, "Output 4×4"), chart_values(at, "Output 4×4"))
    np.testing.assert_allclose(chart_values(at, "Output 4×4"), loop_correlate_2d(COURSE, np.full((3, 3), 1 / 9)),
                               rtol=1e-6)


def test_too_long_kernel_link_is_reported_not_cut():
    """A k longer than the text limit is refused with the bad-link warning; the default Laplacian is used."""
    at = page(kern="custom", k=";".join(["1,0,-1"] * 300))
    assert not at.exception
    assert any("k=1,0,\\-1;" in w.value for w in at.warning), [w.value for w in at.warning]
    np.testing.assert_array_equal(chart_values(at, "Kernel applied"), [[0, 1, 0], [1, -4, 1], [0, 1, 0]])


def test_angle_kernel_at_90_degrees_is_sobel_x():
    """θ = 90° steers to Sobel x: the example gives 40s, and the formula shows sin 90°."""
    at = page(kern="angle", theta="90")
    ok(at)
    np.testing.assert_allclose(chart_values(at, "Output 4×4"), [[0, 40, 40, 0]] * 4, atol=1e-4)
    assert r"\sin 90^\circ" in latex(at)


# ---------------------------------------------------------------- pictures
@pytest.mark.parametrize("img, h, w", [("brick", 512, 512), ("checkerboard", 256, 256), ("chelsea", 300, 451)])
def test_image_choice_changes_the_size_formula(img, h, w):
    """The picture's own n_H and n_W appear in the output-size formula."""
    at = page()
    at.selectbox(key="img").select(img).run()
    ok(at)
    assert rf"\frac{{{h} + 2\cdot0 - 3}}{{1}} \right\rfloor + 1 = {h - 2}" in latex(at)
    assert rf"\frac{{{w} + 2\cdot0 - 3}}{{1}} \right\rfloor + 1 = {w - 2}" in latex(at)


def test_gradient_pair_and_strongest_edge_on_the_disc():
    """On the drawn disc, the strongest Scharr edge is a step of 255: magnitude (3 + 10 + 3)·255 at most."""
    at = page(img="disc")
    at.radio(key="grad").set_value("scharr").run()
    ok(at)
    text = latex(at)
    assert "where Scharr gives" in text
    magnitude = float(re.search(r"\\sqrt\{[^}]*\} = ([\d.]+)", text).group(1))
    assert 0.9 * 16 * 255 <= magnitude <= 16 * 255 * np.sqrt(2)


def test_red_only_volume_filter_zeroes_green_and_blue():
    """Choosing "R only" shows W_G and W_B as zeros and W_R as the kernel."""
    at = page()
    at.radio(key="rgbw").set_value("r").run()
    ok(at)
    text = latex(at)
    zeros = r"\begin{bmatrix}0 & 0 & 0 \\ 0 & 0 & 0 \\ 0 & 0 & 0\end{bmatrix}"
    assert rf"W_G = {zeros}" in text and rf"W_B = {zeros}" in text
    assert r"W_R = \begin{bmatrix}1 & 0 & -1" in text


def what_ran(at: AppTest) -> list[list[str]]:
    """The (model, provider, latency) rows of every section's table in the "What ran" expander."""
    panel = next(e for e in at.expander if e.label == "What ran")
    lines = [line for md in panel.markdown for line in md.value.splitlines() if line.startswith("| `")]
    return [[cell.strip().strip("`") for cell in line.strip("|").split("|")] for line in lines]


def test_what_ran_lists_the_conv2d_model_on_each_call():
    """Every filter on the page ran through the conv2d model, listed in "What ran" with the provider that ran it."""
    at = page()
    rows = what_ran(at)
    assert len(rows) == 6  # 6×6 example, filter, gradient pair, learned, volume, quiz: one section each
    assert {model for model, _, _ in rows} == {"conv2d"}
    assert {provider for _, provider, _ in rows} <= {"CPUExecutionProvider", "CUDAExecutionProvider"}
    assert all(float(latency) >= 0 for _, _, latency in rows)


# ---------------------------------------------------------------- links and check yourself
def test_link_reproduces_the_view():
    """The query string after changes, opened fresh, shows the same output."""
    at = page()
    at.selectbox(key="kern").select("sobel_y").run()
    at.slider(key="p").set_value(2).run()
    params = dict(at.query_params)
    assert params["kern"] == "sobel_y" and params["p"] == "2"
    again = page(**params)
    ok(again)
    np.testing.assert_array_equal(chart_values(again, "Output"), chart_values(at, "Output"))


def test_bad_link_values_are_reported_and_defaults_used():
    """?p=99&kern=bogus falls back to defaults with a warning naming both."""
    at = page(p="99", kern="bogus")
    assert not at.exception
    assert "p=99" in at.warning[0].value and "kern=bogus" in at.warning[0].value
    np.testing.assert_array_equal(chart_values(at, "Output 4×4"), [[0, 30, 30, 0]] * 4)


def test_check_yourself_right_and_wrong_answers():
    """The right sum of patch ⊙ kernel is praised, a wrong one corrected, and New question changes the seed."""
    at = page(q="42")
    question = edge_filters.exercise(42)
    answer = float(np.sum(question.patch.astype(float) * question.kernel))
    at.number_input(key="q_guess").set_value(answer).run()
    at.button(key="q_check").click().run()
    assert at.success and f"Right: {answer:g}" in at.success[0].value
    at.number_input(key="q_guess").set_value(answer + 1).run()
    at.button(key="q_check").click().run()
    assert any("Not quite" in e.value for e in at.error)
    at.button(key="q_new").click().run()
    assert at.query_params["q"] != "42" and at.number_input(key="q_guess").value is None


# ---------------------------------------------------------------- uploads
def encode(img: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def gradient_image(w: int, h: int) -> Image.Image:
    x = np.linspace(0, 255, w, dtype=np.uint8)
    return Image.fromarray(np.stack([np.tile(x, (h, 1))] * 3, axis=2), "RGB")


def upload(at: AppTest, name: str, data: bytes, mime: str = "image/png") -> AppTest:
    at.file_uploader(key="upload").set_value((name, data, mime)).run()
    return at


@pytest.mark.parametrize("name, data, message", [
    ("notes.png", b"this is not an image at all", "not an image"),
    ("cut.png", encode(gradient_image(200, 200), "PNG")[:400], "truncated or damaged"),
    ("bomb.png", encode(Image.new("L", (8000, 6000)), "PNG"), "megapixels"),
    ("empty.png", b"", "empty"),
], ids=["not-an-image", "truncated", "decompression-bomb", "empty"])
def test_bad_upload_is_refused_and_the_page_keeps_working(name, data, message):
    """Broken files give an error naming the file and the problem; the cat is shown instead."""
    at = upload(page(), name, data)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(message in e and name.replace(".", "\\.") in e for e in errors), errors  # the name escaped
    assert r"\frac{300 + 2\cdot0 - 3}{1}" in latex(at)  # the default photo, 300 × 451
    np.testing.assert_array_equal(chart_values(at, "Output 4×4"), [[0, 30, 30, 0]] * 4)


def _rotated_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    return encode(gradient_image(40, 20), "JPEG", exif=exif)


def _palette_with_alpha() -> bytes:
    img = gradient_image(30, 30).convert("P")
    return encode(img, "PNG", transparency=0)


@pytest.mark.parametrize("name, data, notice, h, w", [
    ("deep.png", encode(Image.fromarray(np.full((20, 30), 40000, np.uint16)), "PNG"), "16-bit", 20, 30),
    ("print.jpg", encode(gradient_image(30, 20).convert("CMYK"), "JPEG"), "CMYK", 20, 30),
    ("palette.png", _palette_with_alpha(), "Transparent", 30, 30),
    ("phone.jpg", _rotated_jpeg(), "Rotated", 40, 20),
    ("huge.png", encode(gradient_image(1500, 1200), "PNG"), "Scaled down", 819, 1024),
], ids=["16-bit", "cmyk", "palette-alpha", "exif-rotated", "large"])
def test_odd_uploads_are_converted_with_a_notice(name, data, notice, h, w):
    """16-bit, CMYK, palette+alpha, EXIF-rotated and very large images are used, with a notice saying so."""
    at = upload(page(), name, data)
    ok(at)
    assert at.selectbox(key="img").value == "upload"
    assert any(notice in i.value for i in at.info), [i.value for i in at.info]
    assert rf"\frac{{{h} + 2\cdot0 - 3}}{{1}}" in latex(at) and rf"\frac{{{w} + 2\cdot0 - 3}}{{1}}" in latex(at)


def test_upload_choice_without_a_file_shows_the_default():
    """?img=upload with nothing uploaded says so and shows the cat."""
    at = page(img="upload")
    ok(at)
    assert any("No image uploaded yet" in i.value for i in at.info)
    assert r"\frac{300 + 2\cdot0 - 3}{1}" in latex(at)
