"""Uploads: odd but valid images become plain RGB; broken or hostile ones get a plain refusal."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from playground.images import MAX_SIDE, ImageError, load_image


def encode(img: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def gradient_rgb(w=40, h=30) -> Image.Image:
    x = np.linspace(0, 255, w, dtype=np.uint8)
    arr = np.stack([np.tile(x, (h, 1)), np.tile(x[::-1], (h, 1)), np.full((h, w), 128, np.uint8)], axis=2)
    return Image.fromarray(arr, "RGB")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "BMP", "TIFF", "GIF"])
def test_common_formats_load_as_rgb_in_unit_range(fmt):
    """Every allowed format gives (H, W, 3) float32 in [0, 1] of the right size."""
    out = load_image(encode(gradient_rgb(), fmt))
    assert out.rgb.shape == (30, 40, 3) and out.rgb.dtype == np.float32
    assert 0.0 <= out.rgb.min() and out.rgb.max() <= 1.0


def test_png_values_are_exact():
    """A lossless PNG round-trips: pixel value v becomes v / 255."""
    img = gradient_rgb()
    out = load_image(encode(img, "PNG"))
    np.testing.assert_allclose(out.rgb, np.asarray(img, np.float32) / 255, atol=1e-7)


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"this is not an image at all", "not an image"),
    (b"%PDF-1.7\n" + b"0" * 100, "not an image"),
])
def test_non_images_are_refused(data, message):
    """Empty and non-image files get a plain message."""
    with pytest.raises(ImageError, match=message):
        load_image(data)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_files_are_refused(fmt):
    """A file cut in half fails in the loader, with a message, not later in a page."""
    data = encode(gradient_rgb(200, 200), fmt)
    with pytest.raises(ImageError, match="truncated or damaged"):
        load_image(data[: len(data) // 2])


def test_decompression_bomb_is_refused_before_decoding():
    """A small file that would decode to 48 megapixels is refused from its header."""
    data = encode(Image.new("L", (8000, 6000)), "PNG")
    assert len(data) < 200_000  # tiny on disk, huge in memory
    with pytest.raises(ImageError, match="megapixels"):
        load_image(data)


def test_too_large_upload_is_refused():
    """Bytes over the upload limit are refused without decoding."""
    with pytest.raises(ImageError, match="limit is 10 MB"):
        load_image(b"\x89PNG" + b"\0" * (11 * 1024 * 1024))


def test_sixteen_bit_greyscale_is_scaled_not_clipped():
    """16-bit values map to v / 65535, so mid-grey stays mid-grey rather than clipping to white."""
    arr = np.array([[0, 32768, 65535]], np.uint16)
    out = load_image(encode(Image.fromarray(arr), "PNG"))  # uint16 -> mode I;16
    np.testing.assert_allclose(out.rgb[0, :, 0], [0.0, 32768 / 65535, 1.0], atol=1e-6)
    assert any("16-bit" in n for n in out.notices)


def test_sixteen_bit_greyscale_keeps_its_scale_when_scaled_down():
    """A 16-bit image resized on the way in is still divided by 65535 (it is resized as 32-bit integers)."""
    out = load_image(encode(Image.fromarray(np.full((64, 64), 40000, np.uint16)), "PNG"), max_side=32)
    assert out.rgb.shape == (32, 32, 3)
    np.testing.assert_allclose(out.rgb, 40000 / 65535, atol=1e-6)


def test_thirty_two_bit_greyscale_is_stretched_with_its_own_notice():
    """32-bit integers (up to 2·10⁹) are stretched from their darkest to their lightest value, and the
    notice says 32-bit, not 16-bit."""
    arr = np.array([[0, 250_000_000, 1_000_000_000]], np.int32)
    out = load_image(encode(Image.fromarray(arr), "TIFF"))  # int32 -> mode I
    np.testing.assert_allclose(out.rgb[0, :, 0], arr[0] / 1e9, atol=1e-6)
    assert any("32-bit" in n for n in out.notices) and not any("16-bit" in n for n in out.notices)


def _checkerboard(mode: str, side: int = 64) -> Image.Image:
    """One-pixel black and white squares, in a palette (P) or bilevel (1) image."""
    cells = (np.add.outer(np.arange(side), np.arange(side)) % 2 * 255).astype(np.uint8)
    return Image.fromarray(cells, "L").convert(mode)


@pytest.mark.parametrize("mode, fmt", [("P", "PNG"), ("P", "GIF"), ("P", "TIFF"), ("1", "PNG"), ("1", "BMP"),
                                       ("1", "TIFF")])
def test_palette_and_bilevel_images_are_scaled_down_smoothly(mode, fmt):
    """Halving a one-pixel checkerboard averages each 2×2 block to mid-grey, as a smooth filter does;
    nearest neighbour (what Pillow does to P and 1 images) would give all black or all white."""
    data = encode(_checkerboard(mode), fmt)
    assert Image.open(io.BytesIO(data)).mode == mode
    out = load_image(data, max_side=32)
    block_mean = (np.add.outer(np.arange(64), np.arange(64)) % 2).reshape(32, 2, 32, 2).mean((1, 3))  # all 0.5
    assert out.rgb.shape == (32, 32, 3)
    np.testing.assert_allclose(out.rgb, np.repeat(block_mean[..., None], 3, axis=2), atol=0.05)


@pytest.mark.parametrize("img, fmt", [
    (gradient_rgb().convert("P"), "PNG"),
    (gradient_rgb().convert("P"), "GIF"),
    (gradient_rgb().convert("RGBA"), "PNG"),  # an alpha band that is opaque everywhere
    (gradient_rgb().convert("LA"), "PNG"),
], ids=["palette-png", "palette-gif", "opaque-rgba", "opaque-la"])
def test_images_without_transparency_get_no_transparency_notice(img, fmt):
    """Only an image that has transparent pixels is told they went on white; the colours are unchanged."""
    out = load_image(encode(img, fmt))
    assert not any("Transparent" in n for n in out.notices), out.notices
    expected = np.asarray(Image.open(io.BytesIO(encode(img, fmt))).convert("RGB"), np.float32) / 255
    np.testing.assert_allclose(out.rgb, expected, atol=1e-7)


def test_cmyk_jpeg_becomes_rgb():
    """CMYK photos are converted: pure cyan ink gives no red."""
    cmyk = Image.new("CMYK", (16, 16), (255, 0, 0, 0))
    out = load_image(encode(cmyk, "JPEG", quality=95))
    assert out.rgb.shape == (16, 16, 3)
    assert out.rgb[..., 0].mean() < 0.1 and out.rgb[..., 1].mean() > 0.9
    assert any("CMYK" in n for n in out.notices)


def test_alpha_goes_on_white():
    """Transparent pixels of an RGBA PNG become white; opaque ones keep their colour."""
    rgba = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    rgba.paste((255, 0, 0, 255), (0, 0, 4, 8))
    out = load_image(encode(rgba, "PNG"))
    np.testing.assert_allclose(out.rgb[0, 0], [1, 0, 0])
    np.testing.assert_allclose(out.rgb[0, 7], [1, 1, 1])


def test_palette_with_transparency_goes_on_white():
    """A palette PNG with a transparent index: that index becomes white, the others their palette colour."""
    pal = Image.new("P", (8, 8), 0)
    pal.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    pal.paste(1, (0, 0, 4, 8))
    out = load_image(encode(pal, "PNG", transparency=0))
    np.testing.assert_allclose(out.rgb[0, 0], [1, 0, 0])
    np.testing.assert_allclose(out.rgb[0, 7], [1, 1, 1])
    assert any("Transparent" in n for n in out.notices)


def test_exif_rotation_is_applied():
    """A photo stored landscape with EXIF orientation 6 (rotate 90°) loads as portrait."""
    exif = Image.Exif()
    exif[0x0112] = 6
    out = load_image(encode(gradient_rgb(40, 30), "JPEG", exif=exif.tobytes()))
    assert out.rgb.shape[:2] == (40, 30)
    assert any("EXIF" in n for n in out.notices)


def test_large_images_are_scaled_down_with_notice():
    """A 3000×1500 image comes back with its longer side at MAX_SIDE and a notice."""
    out = load_image(encode(Image.new("RGB", (3000, 1500), (10, 20, 30)), "PNG"))
    assert out.rgb.shape == (MAX_SIDE // 2, MAX_SIDE, 3)
    assert out.source_size == (3000, 1500)
    assert any("Scaled down" in n for n in out.notices)


def test_animated_gif_uses_first_frame():
    """Only the first frame of an animation is used, and the learner is told."""
    frames = [Image.new("RGB", (10, 10), c) for c in [(255, 0, 0), (0, 0, 255)]]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    out = load_image(buf.getvalue())
    assert out.rgb[0, 0, 0] > 0.9 and out.rgb[0, 0, 2] < 0.1
    assert any("first frame" in n for n in out.notices)


def test_gray_uses_pillow_luminance_weights():
    """LoadedImage.gray agrees with Pillow's own L conversion to within rounding."""
    img = gradient_rgb()
    out = load_image(encode(img, "PNG"))
    np.testing.assert_allclose(out.gray, np.asarray(img.convert("L"), np.float32) / 255, atol=1 / 255 + 1e-6)


# ---------------------------------------------------------------- hostile and extreme files (issue #15)
@pytest.mark.parametrize("data", [
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script>alert(1)</script></svg>',
    b"\xef\xbb\xbf  <svg xmlns='http://www.w3.org/2000/svg'><rect width='5' height='5'/></svg>",
], ids=["xml-declaration", "bom-and-spaces"])
def test_svg_is_refused_as_a_drawing_not_a_picture(data):
    """An SVG (text describing shapes, possibly with a script) is refused with words that say what it is."""
    with pytest.raises(ImageError, match="SVG drawing .* not a picture made of pixels"):
        load_image(data)


SCRIPT = b"<script>alert(document.cookie)</script>"  # 39 bytes


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_polyglot_keeps_only_the_pixels_and_says_what_was_dropped(fmt):
    """A valid image with a script appended decodes to exactly the clean file's pixels; the notice counts the
    39 extra bytes. The clean file itself gets no such notice."""
    clean = encode(gradient_rgb(), fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    assert len(SCRIPT) == 39
    out = load_image(clean + SCRIPT)
    np.testing.assert_array_equal(out.rgb, load_image(clean).rgb)
    assert "The file has 39 bytes after the end of the image; they were ignored (only the pixels are used)." \
        in out.notices
    assert not any("after the end" in n for n in load_image(clean).notices)


def test_exif_rotated_jpeg_comes_out_upright():
    """Orientation 6 means "rotate 90° clockwise to display": stored 40 wide × 20 high with a red block in its
    top-left corner, it is shown 20 wide × 40 high with the block in the top-right corner."""
    stored = np.zeros((20, 40, 3), np.uint8)
    stored[:8, :8] = (255, 0, 0)
    exif = Image.Exif()
    exif[0x0112] = 6
    out = load_image(encode(Image.fromarray(stored), "JPEG", quality=95, exif=exif.tobytes()))
    assert out.rgb.shape == (40, 20, 3)
    corners = {"top-left": out.rgb[:6, :6], "top-right": out.rgb[:6, -6:],
               "bottom-left": out.rgb[-6:, :6], "bottom-right": out.rgb[-6:, -6:]}
    red = {name: bool(c[..., 0].mean() > 0.8 and c[..., 1].mean() < 0.2) for name, c in corners.items()}
    assert red == {"top-left": False, "top-right": True, "bottom-left": False, "bottom-right": False}


def test_huge_valid_image_is_scaled_down_and_says_from_what():
    """A 6000×4000 photo (24 megapixels, under the 40 limit) loads at 1024 × round(4000·1024/6000) = 1024 × 683."""
    out = load_image(encode(Image.new("RGB", (6000, 4000), (30, 60, 90)), "PNG"))
    assert out.rgb.shape == (683, 1024, 3) and out.source_size == (6000, 4000)
    assert "Scaled down from 6000×4000 to 1024×683." in out.notices
    np.testing.assert_allclose(out.rgb[340, 500], [30 / 255, 60 / 255, 90 / 255], atol=1e-6)


@pytest.mark.parametrize("side, pixels", [(40, "1,600"), (100, "10,000")], ids=["warning-range", "error-range"])
def test_pillow_bomb_guard_states_the_size_and_the_limit(monkeypatch, side, pixels):
    """Pillow's own guard (a warning from its limit, an error from twice it) is a refusal that states the image's
    pixel count and our limit; the limit is lowered to 1,000 pixels here so the files stay tiny."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ImageError, match=rf"^The image has {pixels} pixels; the limit is 40 megapixels"):
        load_image(encode(Image.new("L", (side, side)), "PNG"))
