"""Export the pages' sample photos and textures: public-domain / CC0 images shipped in scikit-image.

Usage: python -m export.sample_images

Copies a few images from ``skimage.data`` (no download: they are inside the
scikit-image wheel) into ``onnx_models/samples/``, scaled so the longer side
is at most 512 px, greyscale ones as PNG (JPEG for the noisy gravel texture,
whose PNG would be 1.8 times larger) and colour photos as JPEG (quality 90)
to keep the repository small. Only images whose scikit-image docstring
states CC0 or the public domain are copied; the licence text is recorded in
the manifest next to each file. The pages load them through
``playground.images.load_image``, the same path as an upload. Nothing here
is random, so unlike the model exports there is no seed.
"""

from __future__ import annotations

import argparse
import io

import numpy as np
from PIL import Image

from export.common import save_artifact

PRODUCES = ("sample_camera", "sample_astronaut", "sample_coffee", "sample_chelsea", "sample_brick",
            "sample_rocket", "sample_immunohistochemistry", "sample_hubble_deep_field", "sample_gravel")
MAX_SIDE = 512
JPEG_QUALITY = 90

# artifact name -> (skimage.data function, licence as its docstring states it)
SAMPLES = {
    "sample_camera": ("camera", "CC0 by the photographer (Lav Varshney); 'No copyright restrictions.'"),
    "sample_astronaut": ("astronaut", "NASA photograph of Eileen Collins; 'No known copyright restrictions, "
                                      "released into the public domain.'"),
    "sample_coffee": ("coffee", "CC0 by the photographer (Rachel Michetti); 'No copyright restrictions.'"),
    "sample_chelsea": ("chelsea", "CC0 by the photographer (Stefan van der Walt); 'No copyright restrictions.'"),
    "sample_brick": ("brick", "CC0 (CC0Textures, Bricks25), transformed by scikit-image"),
    "sample_rocket": ("rocket", "SpaceX launch photo of DSCOVR, released into the public domain by SpaceX"),
    "sample_immunohistochemistry": ("immunohistochemistry", "Center for Microscopy And Molecular Imaging (CMMI); "
                                                            "'No known copyright restrictions.'"),
    "sample_hubble_deep_field": ("hubble_deep_field", "NASA (HubbleSite, Hubble eXtreme Deep Field, 2012); 'may be "
                                                      "freely used in the public domain'"),
    "sample_gravel": ("gravel", "CC0 (CC0Textures, Gravel04), rescaled, cropped and made grey by scikit-image"),
}
AS_JPEG = {"gravel"}  # greyscale, but noise-like: its PNG is 1.8× the JPEG (193 kB vs 109 kB)


def encode(array: np.ndarray, jpeg: bool = False) -> tuple[bytes, str]:
    """uint8 (H, W) or (H, W, 3) -> (file bytes, extension), longer side ≤ MAX_SIDE; grey as PNG unless ``jpeg``."""
    img = Image.fromarray(array)
    if max(img.size) > MAX_SIDE:
        scale = MAX_SIDE / max(img.size)
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    if img.mode == "L" and not jpeg:
        img.save(buf, format="PNG", optimize=True)
        return buf.getvalue(), "png"
    img.save(buf, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buf.getvalue(), "jpg"


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    import skimage
    from skimage import data

    for name, (function, licence) in SAMPLES.items():
        array = getattr(data, function)()
        payload, ext = encode(array, jpeg=function in AS_JPEG)
        check = np.asarray(Image.open(io.BytesIO(payload)))  # decodes, and has the size we meant
        assert max(check.shape[:2]) <= MAX_SIDE and check.ndim == array.ndim
        save_artifact(
            name, f"samples/{function}.{ext}", payload, export="sample_images",
            description=f"skimage.data.{function}() as {ext.upper()}, longer side ≤ {MAX_SIDE} px "
                        f"({check.shape[1]}×{check.shape[0]}); a sample image of the pages.",
            provenance={"command": "python -m export sample_images", "script": "export/sample_images.py",
                        "source": f"scikit-image {skimage.__version__}, skimage.data.{function}",
                        "licence": licence},
        )


if __name__ == "__main__":
    main()
