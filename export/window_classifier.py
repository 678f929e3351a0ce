"""Train the course's 14×14×3 sliding-window classifier; export it with FC layers and converted to convolutions.

Usage: python -m export.window_classifier [--epochs N] [--quick]

The network of the course's "convolutional implementation of sliding windows"::

    14×14×3 ─conv 5×5, 16, ReLU─▶ 10×10×16 ─max-pool 2×2 s 2─▶ 5×5×16
            ─FC 400, ReLU─▶ FC 400, ReLU─▶ FC 4 ─▶ softmax      (background, ellipse, rectangle, triangle)

trained here on 14×14 crops drawn by ``playground.anchor_boxes.scenes.render``:
a crop whose window centre is within CENTRED_PX of a small shape's midpoint
is that shape; an empty crop, or one whose shapes are all at least
OFF_CENTRE_PX away, is background. It is exported twice with the same
weights:

* ``window_classifier_fc``: input ``crop`` (N, 3, 14, 14), output ``probs`` (N, 4);
* ``window_classifier_conv``: FC 400 → conv 5×5 with 400 filters (the FC
  weights (400, 400) reshaped to (400, 16, 5, 5), the order torch flattens
  C, H, W in), FC → 1×1 convs; input ``image`` (N, 3, H, W) with H, W ≥ 14,
  output ``probs`` (N, 4, (H − 14)/2 + 1, (W − 14)/2 + 1), softmax over the 4.

The export checks each against torch, and the converted one against the FC
one on every 14×14 window (2 pixels apart) of test images of 16, 28 and 40 px.
"""

from __future__ import annotations

import argparse
import io
import logging
import time

import numpy as np
import onnx
import torch
from torch import nn
from torch.nn import functional as F

from export.anchor_detector import strip_debug_metadata
from export.common import OPSET, check_close, cpu_session, finalize, save_model
from playground.anchor_boxes.scenes import CLASS_NAMES, SceneObject, random_colour, render
from playground.anchor_boxes.sliding import CONV_MODEL, CROP, FC_MODEL, OBJECT_SCALE_PX, WINDOW_CLASSES, crops, window_image

PRODUCES = ("window_classifier_fc", "window_classifier_conv")  # FC_MODEL, CONV_MODEL (a literal: read without importing)
SCRIPT = "export/window_classifier.py"
COMMAND = "python -m export window_classifier"

SEED = 0
N_TRAIN, N_TEST = 24000, 2000  # crops
BACKGROUND_SHARE = 0.4  # of the crops are background
CENTRED_PX = 1.5  # a shape whose midpoint is this close to the window's centre (per axis) names the crop
OFF_CENTRE_PX = 3.5  # background crops only hold shapes at least this far from the centre (on some axis)
NEIGHBOUR_PX = 9.0  # a neighbour beside a centred shape is at least this far from the centre (on some axis)
EPOCHS = 12
BATCH = 128
LR = 2e-3
TEST_SIDES = (16, 28, 40)  # images on which the converted model is checked against the FC one, window by window
DATA = ("14x14 crops drawn by playground/anchor_boxes/scenes.py's render (numpy): small ellipses, rectangles "
        f"and triangles ({OBJECT_SCALE_PX[0]:g}-{OBJECT_SCALE_PX[1]:g} px) on a noisy dark background, "
        "with neighbouring shapes partly in view. No external data.")


class WindowFC(nn.Module):
    """The classifier with fully connected layers: (N, 3, 14, 14) → probabilities (N, 4)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 400), nn.Linear(400, 400), nn.Linear(400, len(WINDOW_CLASSES))

    def logits(self, crop: torch.Tensor) -> torch.Tensor:
        a = F.max_pool2d(F.relu(self.conv1(crop)), 2).flatten(1)  # (N, 5·5·16) in C, H, W order
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(a)))))

    def forward(self, crop: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.logits(crop), dim=1)


class WindowConv(nn.Module):
    """The same classifier with every FC layer as a convolution: (N, 3, H, W) → (N, 4, (H−14)/2+1, (W−14)/2+1)."""

    def __init__(self, fc: WindowFC) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 5)
        self.conv2, self.conv3 = nn.Conv2d(16, 400, 5), nn.Conv2d(400, 400, 1)
        self.conv4 = nn.Conv2d(400, len(WINDOW_CLASSES), 1)
        with torch.no_grad():
            self.conv1.load_state_dict(fc.conv1.state_dict())
            for conv, dense, shape in ((self.conv2, fc.fc1, (400, 16, 5, 5)), (self.conv3, fc.fc2, (400, 400, 1, 1)),
                                       (self.conv4, fc.fc3, (len(WINDOW_CLASSES), 400, 1, 1))):
                conv.weight.copy_(dense.weight.view(shape))  # FC 400 on 5×5×16 ≡ a 5×5 conv with 400 filters
                conv.bias.copy_(dense.bias)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        a = F.max_pool2d(F.relu(self.conv1(image)), 2)
        return torch.softmax(self.conv4(F.relu(self.conv3(F.relu(self.conv2(a))))), dim=1)


def draw_crops(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n crops (n, 3, 14, 14) float32 and labels (n,) int64 (0 background, 1 + shape class)."""
    rng = np.random.default_rng([23, seed])
    centre = CROP / 2  # the window's centre in pixel coordinates
    x = np.empty((n, 3, CROP, CROP), np.float32)
    labels = np.empty(n, np.int64)

    def shape(cls: int, cx: float, cy: float) -> SceneObject:
        scale = np.exp(rng.uniform(*np.log(OBJECT_SCALE_PX)))
        aspect = np.exp(rng.uniform(np.log(0.6), np.log(1 / 0.6)))
        return SceneObject(cls, cx, cy, scale * np.sqrt(aspect), scale / np.sqrt(aspect), random_colour(rng),
                           int(rng.integers(4)), float(rng.uniform(0.2, 0.8)))

    def away(at_least: float) -> tuple[float, float]:
        """A midpoint at least ``at_least`` pixels from the window's centre along x or y."""
        while True:
            dx, dy = rng.uniform(-12, 12, 2)
            if max(abs(dx), abs(dy)) >= at_least:
                return centre + dx, centre + dy

    for i in range(n):
        kinds = rng.integers(len(CLASS_NAMES), size=3)
        if rng.random() < BACKGROUND_SHARE:  # empty, or shapes the window is not centred on
            labels[i] = 0
            objects = [shape(int(k), *away(OFF_CENTRE_PX)) for k in kinds[:rng.integers(0, 3)]]
        else:  # a centred shape, maybe a neighbour partly in view
            dx, dy = rng.uniform(-CENTRED_PX, CENTRED_PX, 2)
            objects = [shape(int(k), *away(NEIGHBOUR_PX)) for k in kinds[1:1 + rng.integers(0, 2)]]
            objects.append(shape(int(kinds[0]), centre + dx, centre + dy))
            labels[i] = 1 + int(kinds[0])
        x[i] = render(objects, CROP, int(rng.integers(1 << 30))).image.transpose(2, 0, 1)
    return x, labels


def train(model: WindowFC, x: np.ndarray, labels: np.ndarray, epochs: int) -> list[dict]:
    xt, yt = torch.from_numpy(x), torch.from_numpy(labels)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    steps = epochs * ((len(xt) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=steps, pct_start=0.2)
    gen = torch.Generator().manual_seed(SEED)
    curve = []
    for epoch in range(epochs):
        model.train()
        perm, total, wrong = torch.randperm(len(xt), generator=gen), 0.0, 0
        for i in range(0, len(xt), BATCH):
            idx = perm[i:i + BATCH]
            logits = model.logits(xt[idx])
            loss = F.cross_entropy(logits, yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
            total += float(loss.detach()) * len(idx)
            wrong += int((logits.argmax(1) != yt[idx]).sum())
        curve.append({"epoch": epoch + 1, "loss": total / len(xt), "running_error": wrong / len(xt)})
        print(curve[-1], flush=True)
    return curve


def export(module: nn.Module, example: torch.Tensor, input_name: str, dynamic: dict) -> onnx.ModelProto:
    program = torch.onnx.export(module.eval(), (example,), input_names=[input_name], output_names=["probs"],
                                dynamic_shapes={input_name: dynamic}, opset_version=OPSET, dynamo=True, verbose=False)
    buffer = io.BytesIO()
    program.save(buffer)
    return finalize(strip_debug_metadata(onnx.load_from_string(buffer.getvalue())))


def run(epochs: int, n_train: int, save: bool) -> None:
    start = time.perf_counter()
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    x, labels = draw_crops(n_train, SEED)
    x_test, labels_test = draw_crops(N_TEST, SEED + 1)
    print(f"{n_train} + {N_TEST} crops drawn in {time.perf_counter() - start:.0f} s", flush=True)
    fc = WindowFC()
    curve = train(fc, x, labels, epochs)
    fc.eval()
    conv = WindowConv(fc).eval()
    with torch.no_grad():
        test_probs = fc(torch.from_numpy(x_test)).numpy()
    accuracy = float((test_probs.argmax(1) == labels_test).mean())
    fc_onnx = export(fc, torch.from_numpy(x_test[:2]), "crop", {0: torch.export.Dim("N", min=1, max=65536)})
    conv_onnx = export(conv, torch.zeros(1, 3, 28, 28), "image",
                       {0: torch.export.Dim("N", min=1, max=1024), 2: torch.export.Dim("H", min=CROP, max=4096),
                        3: torch.export.Dim("W", min=CROP, max=4096)})
    fc_session, conv_session = cpu_session(fc_onnx), cpu_session(conv_onnx)
    fc_error = check_close("fc probs", fc_session.run(None, {"crop": x_test})[0], test_probs, atol=1e-5)
    conv_errors, window_errors = {}, {}
    for side in TEST_SIDES:
        image = window_image(SEED, side)
        batch = image.transpose(2, 0, 1)[None].copy()
        with torch.no_grad():
            ref = conv(torch.from_numpy(batch)).numpy()
        ours = conv_session.run(None, {"image": batch})[0]
        conv_errors[f"{side}x{side}"] = check_close("conv probs", ours, ref, atol=1e-5)
        windows = crops(image)  # (G, G, 3, 14, 14)
        g = windows.shape[0]
        per_crop = fc_session.run(None, {"crop": windows.reshape(-1, 3, CROP, CROP)})[0].reshape(g, g, -1)
        window_errors[f"{side}x{side} ({g}x{g} windows)"] = check_close(
            "conv vs fc", ours[0].transpose(1, 2, 0), per_crop, atol=1e-5)
    card = {"data": DATA, "training_crops": n_train, "test_crops": N_TEST,
            "test_accuracy": accuracy, "classes": list(WINDOW_CLASSES),
            "training": {"optimizer": "Adam", "lr": LR, "schedule": "one-cycle", "batch": BATCH, "epochs": epochs,
                         "seconds": round(time.perf_counter() - start, 1),
                         "machine": "2 CPU cores shared with other jobs (wall time)"},
            "curve": curve,
            "licence": "trained here from scratch on data drawn here; same licence as the project's code"}
    print(f"test accuracy {accuracy:.4f}; fc error {fc_error:.2g}; conv {conv_errors}; windows {window_errors}")
    if not save:
        return
    provenance = {"command": COMMAND, "script": SCRIPT, "data": DATA, "seed": SEED,
                  "weights": "trained here from scratch by the script (no pretrained weights)",
                  "torch": torch.__version__, "card": card}
    save_model(FC_MODEL, fc_onnx,
               description="The course's 14x14x3 sliding-window classifier with FC layers (conv 5x5 16, max-pool, "
                           "FC 400, FC 400, softmax 4): one crop at a time.",
               provenance=provenance,
               verification={"reference": "torch (export/window_classifier.py)",
                             "inputs": f"{N_TEST} held-out test crops", "max_abs_error_probs": fc_error})
    save_model(CONV_MODEL, conv_onnx,
               description="The same classifier with FC 400 as a 5x5 conv and the other FC layers as 1x1 convs: any "
                           "input size H, W >= 14 gives every 14x14 window's probabilities, windows 2 px apart.",
               provenance=provenance,
               verification={"reference": "torch (export/window_classifier.py), and window_classifier_fc on every "
                                          "14x14 window", "max_abs_error_probs_vs_torch": conv_errors,
                             "max_abs_error_vs_fc_crop_by_crop": window_errors})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--quick", action="store_true", help="2,000 crops, 1 epoch, nothing saved")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.quick:
        run(1, 2000, save=False)
    else:
        run(args.epochs, N_TRAIN, save=True)
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
