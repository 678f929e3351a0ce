"""Train the same triplet-loss embedding on scikit-learn's digits: few identities, and what unseen ones get.

Usage: python -m export.triplet_digits [--steps 800] [--quick]

The glyph embedding (``export/triplet_glyphs.py``) learns from 2,000 identities.
This one learns from seven: the digits 0–6. The digits 7, 8 and 9 are never
seen in training, so the page can put "many identities" beside "few" on seen
and on unseen identities. Same method: ``export/triplet_training.py`` (semi-hard
mining, α = 0.2 on squared distances, Adam with cosine decay), a smaller net
for 8 × 8 pictures, a 32-number encoding.

Split (seeded): of the digits 0–6, 1,000 pictures train and the rest are the
"seen" evaluation set; every picture of 7–9 is the "unseen" set. τ is chosen
on the training pictures. What is written:

* ``triplet_digits.onnx``: x (N, 1, 8, 8) in [0, 1] (pixel / 16) → encoding (N, 32), unit length;
* ``triplet_digits_eval.npz``: the three sets (images 0…16 uint8, labels);
* ``triplet_digits.json``: the model card (split, training, quality, timings).
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import time

import numpy as np
import onnx
import sklearn
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from export import triplet_training as tt
from export.common import save_artifact, save_model
from playground.triplet_loss import encoders, verification
from playground.triplet_loss.digits_data import DIGITS_EVAL_ARTIFACT, DIGITS_RECORD_ARTIFACT, SEEN_DIGITS

PRODUCES = ("triplet_digits", "triplet_digits_eval", "triplet_digits_record")
SCRIPT = "export/triplet_digits.py"
COMMAND = "python -m export triplet_digits"

SEED = 0  # split, initial weights, batches, noise
TRAIN_PICTURES = 1000  # of the digits 0–6, stratified; the rest of 0–6 is the "seen" evaluation set
CHANNELS, DIM = (32, 64, 64), 32  # 8 → 4 → 2 pixels; encoding size
STEPS = 800
P_IDENTITIES, K_PICTURES = len(SEEN_DIGITS), 16  # every seen digit in every batch
LR = 1e-3
ALPHA = 0.2
TORCH_THREADS = 2  # OMP_WAIT_POLICY=PASSIVE is set in export/__init__.py: see there

DATA_PROVENANCE = (
    "sklearn.datasets.load_digits(), bundled with scikit-learn: a copy of the test set of the UCI ML 'Optical "
    "Recognition of Handwritten Digits' data (E. Alpaydin, C. Kaynak, 1998; https://archive.ics.uci.edu/dataset/80), "
    "1,797 pictures 8x8, values 0..16. scikit-learn's description states no licence; UCI distributes the data "
    "under CC BY 4.0 according to its dataset page (not re-checked from the offline build machine)")


def split() -> dict[str, np.ndarray]:
    """Training, seen and unseen pictures (N, 8, 8) uint8 0…16 with their labels."""
    digits = load_digits()
    images, labels = digits.images.astype(np.uint8), digits.target.astype(np.int64)
    seen = np.flatnonzero(np.isin(labels, SEEN_DIGITS))
    train, rest = train_test_split(seen, train_size=TRAIN_PICTURES, stratify=labels[seen], random_state=SEED)
    train, rest = np.sort(train), np.sort(rest)
    unseen = np.flatnonzero(~np.isin(labels, SEEN_DIGITS))
    return {"train_images": images[train], "train_labels": labels[train], "seen_images": images[rest],
            "seen_labels": labels[rest], "unseen_images": images[unseen], "unseen_labels": labels[unseen],
            "train_indices": train, "seen_indices": rest, "unseen_indices": unseen}


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Training-time changes of a batch (B, 1, 8, 8): shift ±1 px, noise σ 0.03."""
    padded = torch.nn.functional.pad(x, (1, 1, 1, 1))
    shifts = torch.randint(0, 3, (len(x), 2), generator=gen)
    x = torch.stack([padded[i, :, r:r + 8, c:c + 8] for i, (r, c) in enumerate(shifts.tolist())])
    return (x + 0.03 * torch.randn(x.shape, generator=gen)).clamp(0.0, 1.0)


def measure(enc: dict[str, np.ndarray], data: dict[str, np.ndarray]) -> dict:
    """τ chosen on the training pictures; quality on the seen and the unseen evaluation sets."""
    pairs = verification.verification_pairs(data["train_labels"])
    tau, _ = verification.best_threshold(verification.pair_distances(enc["train"], pairs), pairs.same)
    return {"tau_chosen_on_training_pictures": tau,
            **{name: verification.quality(enc[name], data[f"{name}_labels"], tau).as_dict()
               for name in ("train", "seen", "unseen")}}


def run(steps: int, save: bool) -> dict:
    start = time.perf_counter()
    torch.set_num_threads(TORCH_THREADS)
    data = split()
    x = {name: encoders.digit_input(data[f"{name}_images"]) for name in ("train", "seen", "unseen")}
    setup = tt.TrainingSetup(steps, P_IDENTITIES, K_PICTURES, LR, ALPHA, SEED, (0, steps))
    torch.manual_seed(SEED)
    model = tt.EmbeddingNet(CHANNELS, DIM)
    untrained = {name: tt.encode(model, v) for name, v in x.items()}
    record = tt.train(model, x["train"], data["train_labels"], setup, augment, x["seen"], log_every=200)
    onnx_model = tt.export_onnx(model, torch.from_numpy(x["seen"][:2]))
    everything = np.concatenate([x["train"], x["seen"], x["unseen"]])
    verification_numbers = tt.verify(model, onnx_model, everything, f"all {len(everything)} digits")
    session = tt.cpu_session(onnx_model)
    enc = {name: session.run(["encoding"], {"x": v})[0] for name, v in x.items()}
    pixels = {name: encoders.pixel_encodings(data[f"{name}_images"]) for name in x}
    quality = {"trained": measure(enc, data), "untrained": measure(untrained, data),
               "raw_pixels": measure(pixels, data)}
    q = quality["trained"]
    print(f"digits: seen AUC {q['seen']['auc']:.4f} one-shot {q['seen']['one_shot_all']:.3f}; unseen AUC "
          f"{q['unseen']['auc']:.4f} one-shot {q['unseen']['one_shot_all']:.3f}; {record.seconds:.0f} s", flush=True)
    card = {
        "description": "The triplet-loss embedding trained on few identities (the digits 0-6). "
                       "Written by export/triplet_digits.py.",
        "command": COMMAND, "script": SCRIPT,
        "data": {"source": DATA_PROVENANCE, "seen_digits": list(SEEN_DIGITS), "split_seed": SEED,
                 "sizes": {name: int(len(data[f"{name}_labels"])) for name in ("train", "seen", "unseen")},
                 "split": "sklearn train_test_split of the digits 0-6, stratified, random_state = seed; "
                          "every picture of 7-9 is unseen"},
        "architecture": {"channels": list(CHANNELS), "encoding": DIM, "parameters": tt.parameter_count(model)},
        "training": {"alpha": ALPHA, "batch": f"P = {P_IDENTITIES} identities x K = {K_PICTURES} pictures",
                     "steps": steps, "optimizer": f"Adam, lr {LR}, cosine decay to 0", "seed": SEED,
                     "mining": "online semi-hard (export/triplet_training.py)", "augmentation": augment.__doc__,
                     "seconds": record.seconds, "cpu_seconds": record.cpu_seconds, "torch_threads": torch.get_num_threads(),
                     "final_loss_mean_last_50": float(np.mean(record.loss[-50:]))},
        "quality": quality,
        "verification": verification_numbers,
        "versions": {"torch": torch.__version__, "sklearn": sklearn.__version__, "onnx": onnx.__version__,
                     "python": platform.python_version()},
        "total_seconds": time.perf_counter() - start,
    }
    if save:
        provenance = {"command": COMMAND, "script": SCRIPT, "data": DATA_PROVENANCE, "seed": SEED}
        save_model(encoders.DIGITS_MODEL, onnx_model,
                   description="Triplet-loss embedding of 8x8 digits: x (N,1,8,8) in [0,1] -> encoding (N,32), "
                               "unit length. Trained on the digits 0-6 only.",
                   provenance={**provenance, "weights": "trained here from scratch (no pretrained weights)",
                               "card": {"seen": q["seen"], "unseen": q["unseen"], "full_card": DIGITS_RECORD_ARTIFACT}},
                   verification=verification_numbers)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **data)
        save_artifact(DIGITS_EVAL_ARTIFACT, "triplet_digits_eval.npz", buffer.getvalue(), export="triplet_digits",
                      description="The digits split of the digits embedding: train / seen / unseen images (N,8,8) "
                                  "uint8 0..16, labels, indices into load_digits().", provenance=provenance)
        save_artifact(DIGITS_RECORD_ARTIFACT, "triplet_digits.json", (json.dumps(card, indent=1) + "\n").encode(),
                      export="triplet_digits", description="Model card of the digits embedding.", provenance=provenance)
    return card


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--quick", action="store_true", help="40 steps, nothing saved")
    args = parser.parse_args(argv)
    card = run(40 if args.quick else args.steps, save=not args.quick)
    print(f"total {card['total_seconds']:.0f} s")


if __name__ == "__main__":
    main()
