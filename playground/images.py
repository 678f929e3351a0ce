"""Turning uploaded bytes into a safe RGB array, or a plain refusal.

Uploads come from strangers on a hosted demo, so the loader trusts nothing:
only known formats are decoded, decompression bombs are refused before they
are decoded, truncated files fail here rather than later, EXIF rotation is
applied, odd modes (16-bit, CMYK, palette, alpha) become plain RGB, and big
images are scaled down with a notice.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # matches server.maxUploadSize in .streamlit/config.toml
MAX_PIXELS = 40_000_000  # refuse anything that would decode to more pixels than this
MAX_SIDE = 1024  # longer side after loading; larger images are scaled down
SNIFF_BYTES = 1024  # how much of the start of a file is read to recognise an SVG drawing
END_MARKERS = {"PNG": (b"IEND", 8), "JPEG": (b"\xff\xd9", 2)}  # last chunk's tag, and the bytes from it to the end


class ImageError(ValueError):
    """An upload that cannot be used; the message is meant for the learner."""


@dataclass
class LoadedImage:
    """An image ready for the pages, and what was done to it on the way."""

    rgb: np.ndarray  # (H, W, 3) float32 in [0, 1]
    notices: list[str] = field(default_factory=list)
    source_size: tuple[int, int] = (0, 0)  # (width, height) as uploaded

    @property
    def gray(self) -> np.ndarray:
        """(H, W) float32 luminance in [0, 1] (ITU-R 601-2 weights, as Pillow's "L")."""
        return rgb_to_gray(self.rgb)


def rgb_to_gray(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) -> (H, W) luminance with Pillow's "L" weights 0.299, 0.587, 0.114."""
    return (rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)).astype(np.float32)


def _without_palette(img: Image.Image) -> Image.Image:
    """Palette (P, PA) and bilevel (1) images as RGB(A) or L, keeping transparency only where there is some.

    Done before resizing: Pillow resizes P and 1 images by nearest neighbour, whatever filter is asked.
    """
    if img.mode == "1":
        return img.convert("L")
    if img.mode == "P":
        return img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode == "PA":
        return img.convert("RGBA")
    return img


def _stretch(arr: np.ndarray) -> np.ndarray:
    """Darkest value to 0, lightest to 1 (all zeros for a flat image), float32."""
    lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
    return (np.zeros_like(arr) if hi <= lo else np.nan_to_num((arr - lo) / (hi - lo))).astype(np.float32)


def _to_rgb_array(img: Image.Image, notices: list[str], bits16: bool) -> np.ndarray:
    """Any Pillow mode -> (H, W, 3) float32 in [0, 1]."""
    mode = img.mode
    if mode.startswith("I"):  # convert("L") would clip these at 255
        arr = np.asarray(img, dtype=np.float64)
        if bits16:
            gray = np.clip(arr / 65535.0, 0.0, 1.0).astype(np.float32)
            notices.append("16-bit greyscale image: scaled to 0–1.")
        else:  # 32-bit integers have no standard white level: use the image's own range, as for float images
            gray = _stretch(arr)
            notices.append("32-bit integer image: stretched from its darkest to its lightest value, 0–1.")
        return np.repeat(gray[..., None], 3, axis=2)
    if mode == "F":
        notices.append("Floating-point image: stretched to 0–1.")
        return np.repeat(_stretch(np.asarray(img, dtype=np.float32))[..., None], 3, axis=2)
    if mode == "CMYK":
        notices.append("CMYK image: converted to RGB.")
    img = _without_palette(img)
    if img.mode in ("RGBA", "LA", "La", "RGBa") and img.getextrema()[-1][0] < 255:  # some alpha below opaque
        notices.append("Transparent areas were placed on a white background.")
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img.convert("RGBA"))
    return np.asarray(img.convert("RGB"), dtype=np.float32) / 255.0


def _looks_like_svg(data: bytes) -> bool:
    """An SVG drawing (XML text), which Pillow cannot open: it deserves its own message."""
    head = data[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) and b"<svg" in head


def _trailing_bytes(data: bytes, fmt: str | None) -> int:
    """Bytes after the image's own end (a PNG's IEND chunk, a JPEG's last EOI marker): 0 when there are none.

    A polyglot file hides a script or an archive there; only the decoded pixels are ever used, so the
    extra bytes are reported and dropped.
    """
    if fmt not in END_MARKERS:
        return 0
    marker, length = END_MARKERS[fmt]
    end = data.rfind(marker)
    return max(0, len(data) - (end + length)) if end >= 0 else 0


def load_image(data: bytes, max_side: int = MAX_SIDE) -> LoadedImage:
    """Decode an uploaded image safely.

    Parameters
    ----------
    data : bytes
        The file's contents.
    max_side : int
        Longer side of the result; larger images are scaled down (aspect kept).

    Returns
    -------
    LoadedImage
        ``rgb`` of shape (H, W, 3), float32 in [0, 1], plus notices.

    Raises
    ------
    ImageError
        With a message for the learner: empty, too large, not an image,
        truncated, or too many pixels.
    """
    if not data:
        raise ImageError("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageError(f"The file is {len(data) / 2**20:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 2**20} MB.")
    if _looks_like_svg(data):
        raise ImageError("This file is an SVG drawing (shapes written as text), not a picture made of pixels. "
                         f"Upload one of: {', '.join(ALLOWED_FORMATS)}.")
    notices: list[str] = []
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; make it a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS)) as img:
                width, height = img.size
                bits16 = img.mode.startswith("I;16")
                if width * height > MAX_PIXELS:
                    raise ImageError(
                        f"The image is {width}×{height} = {width * height / 1e6:.0f} megapixels; "
                        f"the limit is {MAX_PIXELS / 1e6:.0f}.")
                if getattr(img, "n_frames", 1) > 1:
                    notices.append("Animated or multi-page image: only the first frame is used.")
                img.load()  # lazy decoders fail here on truncated data
                extra = _trailing_bytes(data, img.format)
                if extra:
                    notices.append(f"The file has {extra:,} bytes after the end of the image; they were ignored "
                                   "(only the pixels are used).")
                img = ImageOps.exif_transpose(img)
                if img.size != (width, height):
                    notices.append("Rotated to match the photo's EXIF orientation.")
                img = _without_palette(img)
                if max(img.size) > max_side:
                    scale = max_side / max(img.size)
                    new = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
                    notices.append(f"Scaled down from {img.width}×{img.height} to {new[0]}×{new[1]}.")
                    if img.mode.startswith("I;16"):
                        img = img.convert("I")  # Pillow resizes 32-bit integer images, not I;16
                    img = img.resize(new, Image.Resampling.LANCZOS)
                rgb = _to_rgb_array(img, notices, bits16)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))  # Pillow's message gives the image's pixel count
        size = f"{int(found[1]):,} pixels" if found else "too many pixels"
        raise ImageError(f"The image has {size}; the limit is {MAX_PIXELS / 1e6:.0f} megapixels "
                         "(a guard against decompression bombs).") from None
    except UnidentifiedImageError:
        raise ImageError(
            f"This file is not an image we can read. Upload one of: {', '.join(ALLOWED_FORMATS)}.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(f"The image could not be decoded (it may be truncated or damaged): {exc}") from None
    return LoadedImage(rgb=rgb, notices=notices, source_size=(width, height))
