"""Render thousands of CJK glyphs as identities, train a triplet-loss embedding on them, export it.

Usage: python -m export.triplet_glyphs [--steps 2000] [--quick] [--data-only PATH | --data PATH]

Needs Debian's CJK fonts at export time only (the app and the tests read the committed files):

    apt-get install -y fonts-noto-cjk fonts-noto-cjk-extra fonts-wqy-microhei fonts-hanazono

Why glyphs: the FaceNet promise is recognising identities never seen in
training, and that needs many identities; no face set with identity labels can
be had offline. Each of the 3,755 GB2312 level-1 characters is an identity;
each picture of it is one rendering in a random typeface with random
distortions (a "photo" of that identity). A seeded shuffle gives 2,000
training identities and 200 held out entirely.

One picture (every draw from ``numpy.random.default_rng([DATA_SEED, identity, picture])``,
so the data do not depend on the order they are made in):

* a random face of :data:`FACES` (Noto Sans / Serif CJK SC in six weights each,
  WenQuanYi Micro Hei, HanaMinA; the Black weights are left out: near-solid blobs);
  the glyph at 50 px on a 128 × 128 black canvas, white, with 0–2 px of extra
  stroke for the light faces only;
* ``playground.triplet_loss.glyph_image.centre_ink``: ink box cut out, longer side
  scaled to 44 px, centred on 64 × 64 (the same step an upload goes through);
* a random affine about the centre (rotation ±12°, scale 0.85–1.08, shear ±0.18,
  aspect 0.92–1.08, shift ±4 px); one picture in six thickened by a 3 × 3 max
  filter, and one in six thinned by a min filter unless its face is light;
* Lanczos down to 32 × 32, Gaussian blur σ 0–0.7 px, contrast × 0.7–1.0; stored as uint8.

During training, noise, a ±2 px shift and a contrast change are added to each
batch (not stored). The training itself is ``export/triplet_training.py``.

What is written (``python -m export triplet_glyphs``):

* ``triplet_glyphs.onnx``: x (N, 1, 32, 32) in [0, 1] → encoding (N, 64), unit length;
* ``triplet_glyph_eval.npz``: the 200 held-out identities × 10 pictures (the
  evaluation set) and 100 training identities × 10 pictures (the "seen" sample);
* ``triplet_glyph_history.npz``: loss, fraction of active triplets and the
  fractions of hard / semi-hard / easy triplets per step; the encodings of both
  sets at the checkpoints (int8, × 1/127);
* ``triplet_glyphs.json``: the model card (data, fonts and their licences,
  training, measured quality on held-out and seen identities, raw pixels and the
  untrained network, timings).

``--data-only PATH`` renders the whole data set (2,200 identities × 10) to an
.npz and prints its sha256, so a rebuild can be checked to make the same data.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import platform
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import onnx
import PIL
import torch
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from export import triplet_training as tt
from export.common import save_artifact, save_model
from playground.triplet_loss import encoders, glyph_image, verification
from playground.triplet_loss.glyph_data import EVAL_ARTIFACT, HISTORY_ARTIFACT, HISTORY_SCALE, RECORD_ARTIFACT

PRODUCES = ("triplet_glyphs", "triplet_glyph_eval", "triplet_glyph_history", "triplet_glyphs_record")
SCRIPT = "export/triplet_glyphs.py"
COMMAND = "python -m export triplet_glyphs"
APT_LINE = "apt-get install -y fonts-noto-cjk fonts-noto-cjk-extra fonts-wqy-microhei fonts-hanazono"

DATA_SEED = 0  # the shuffle of the characters and every random draw of the rendering
TRAIN_SEED = 0  # initial weights, batch order, training-time noise
TRAIN_IDENTITIES = 2000
HELD_OUT_IDENTITIES = 200
SEEN_SAMPLE = 100  # training identities committed for the "seen" figures and the choice of τ
PICTURES = 10  # per identity
CANVAS, FONT_SIZE = 128, 50  # the glyph is drawn at 50 px on a 128 × 128 canvas
CHANNELS, DIM = (32, 64, 128, 128), 64  # conv widths; encoding size
STEPS = 2000  # P·K = 128 pictures per step
P_IDENTITIES, K_PICTURES = 32, 4
LR = 1e-3
ALPHA = 0.2  # = playground.triplet_loss.ALPHA; the margin on squared distances
CHECKPOINTS = (0, 20, 50, 100, 200, 500, 1000, STEPS)  # steps at which the evaluation sets are encoded
TORCH_THREADS = 2  # OMP_WAIT_POLICY=PASSIVE is set in export/__init__.py: see there

NOTO = "/usr/share/fonts/opentype/noto/Noto{family}CJK-{weight}.ttc"
NOTO_SC = 2  # face index of the Simplified Chinese face in each Noto .ttc


@dataclass(frozen=True)
class Face:
    """One typeface: file, face index, name, and whether it is light enough to take extra stroke."""

    path: str
    index: int
    name: str
    light: bool


FACES = tuple(
    [Face(NOTO.format(family="Sans", weight=w), NOTO_SC, f"Noto Sans CJK SC {w}", w in ("Thin", "Light", "DemiLight"))
     for w in ("Thin", "Light", "DemiLight", "Regular", "Medium", "Bold")]
    + [Face(NOTO.format(family="Serif", weight=w), NOTO_SC, f"Noto Serif CJK SC {w}", w in ("ExtraLight", "Light"))
       for w in ("ExtraLight", "Light", "Regular", "Medium", "SemiBold", "Bold")]
    + [Face("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0, "WenQuanYi Micro Hei", False),
       Face("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf", 0, "HanaMinA", True)])

FONT_LICENCES = {  # from /usr/share/doc/<package>/copyright on the build machine
    "fonts-noto-cjk": "SIL Open Font License 1.1 (Noto Sans CJK SC)",
    "fonts-noto-cjk-extra": "SIL Open Font License 1.1 (the extra weights of Noto Sans and Serif CJK SC)",
    "fonts-wqy-microhei": "Apache-2.0 or GPL-3+ with font exception; used under Apache-2.0 (WenQuanYi Micro Hei)",
    "fonts-hanazono": "Hanazono Font License or SIL Open Font License; used under the OFL (HanaMinA)",
}
DATA_PROVENANCE = (
    "Rendered by export/triplet_glyphs.py from Debian's fonts (" + "; ".join(
        f"{k}: {v}" for k, v in FONT_LICENCES.items()) + "). The pictures are renderings of the 3,755 GB2312 "
    "level-1 characters made by this script; no picture was downloaded.")


# ---------------------------------------------------------------- the identities
def gb2312_level1() -> list[str]:
    """The GB2312 level-1 characters: byte pairs 0xB0–0xD7 × 0xA1–0xFE that the codec decodes (3,755)."""
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def identities() -> tuple[list[str], list[str]]:
    """(training characters, held-out characters) after the seeded shuffle."""
    chars = gb2312_level1()
    order = np.random.default_rng(DATA_SEED).permutation(len(chars))
    shuffled = [chars[k] for k in order]
    return shuffled[:TRAIN_IDENTITIES], shuffled[TRAIN_IDENTITIES:TRAIN_IDENTITIES + HELD_OUT_IDENTITIES]


# ---------------------------------------------------------------- one picture
@cache
def _font(path: str, index: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, FONT_SIZE, index=index)


def _affine(rng: np.random.Generator, side: int) -> tuple[float, ...]:
    """Pillow's inverse affine coefficients for a random rotation, scale, shear, aspect and shift about the centre."""
    angle = np.radians(rng.uniform(-12, 12))
    scale, shear, aspect = rng.uniform(0.85, 1.08), rng.uniform(-0.18, 0.18), rng.uniform(0.92, 1.08)
    shift = rng.uniform(-4, 4, size=2)
    c = (side - 1) / 2
    rotate = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1]])
    forward = (np.array([[1, 0, c + shift[0]], [0, 1, c + shift[1]], [0, 0, 1]]) @ rotate
               @ np.array([[1, shear, 0], [0, 1, 0], [0, 0, 1]])
               @ np.diag([scale * aspect, scale / aspect, 1]) @ np.array([[1, 0, -c], [0, 1, -c], [0, 0, 1]]))
    inverse = np.linalg.inv(forward)  # Pillow maps each output pixel back to the input
    return tuple(inverse[:2].ravel())


def _blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur of (H, W), zeros outside, kernel radius 2."""
    if sigma < 0.05:
        return image
    taps = np.exp(-0.5 * (np.arange(-2, 3) / sigma) ** 2)
    taps /= taps.sum()
    padded = np.pad(image, 2)
    rows = sum(t * padded[:, k:k + image.shape[1]] for k, t in enumerate(taps))
    return sum(t * rows[k:k + image.shape[0], :] for k, t in enumerate(taps))


def render(char: str, identity: int, picture: int) -> tuple[np.ndarray, int]:
    """One picture of ``char``: (32, 32) uint8, white on black, and the index of its face in :data:`FACES`."""
    rng = np.random.default_rng([DATA_SEED, identity, picture])
    face_index = int(rng.integers(len(FACES)))
    face = FACES[face_index]
    canvas = Image.new("L", (CANVAS, CANVAS), 0)
    stroke = int(rng.integers(0, 3)) if face.light else 0
    ImageDraw.Draw(canvas).text((CANVAS / 2, CANVAS / 2), char, fill=255, font=_font(face.path, face.index),
                                anchor="mm", stroke_width=stroke, stroke_fill=255)
    work = glyph_image.centre_ink(np.asarray(canvas, np.float32) / 255)  # (64, 64)
    side = glyph_image.WORK_SIDE
    img = Image.fromarray(glyph_image.to_uint8(work)).transform(
        (side, side), Image.Transform.AFFINE, _affine(rng, side), resample=Image.Resampling.BICUBIC)
    stroke_filter = rng.integers(6)  # 0: thinner, 1: thicker, else as drawn
    if stroke_filter == 0 and not face.light:  # thinning a light face would leave almost nothing
        img = img.filter(ImageFilter.MinFilter(3))
    elif stroke_filter == 1:
        img = img.filter(ImageFilter.MaxFilter(3))
    small = glyph_image.shrink(np.asarray(img, np.float32) / 255)
    small = _blur(small, rng.uniform(0, 0.7)) * rng.uniform(0.7, 1.0)
    return glyph_image.to_uint8(small), face_index


def render_set(chars: list[str], first_identity: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PICTURES renderings of each char: images (n·10, 32, 32) uint8, labels (n·10,), faces (n·10,)."""
    images, faces = [], []
    for k, char in enumerate(chars):
        for picture in range(PICTURES):
            image, face = render(char, first_identity + k, picture)
            images.append(image)
            faces.append(face)
    labels = np.repeat(np.arange(len(chars)), PICTURES)
    return np.stack(images), labels, np.array(faces, np.int8)


def dataset() -> dict[str, np.ndarray]:
    """Every picture: training and held-out images, labels, faces and the characters."""
    train_chars, held_chars = identities()
    x_train, y_train, f_train = render_set(train_chars, 0)
    x_held, y_held, f_held = render_set(held_chars, TRAIN_IDENTITIES)
    return {"train_images": x_train, "train_labels": y_train, "train_faces": f_train,
            "train_chars": np.array(train_chars), "held_images": x_held, "held_labels": y_held,
            "held_faces": f_held, "held_chars": np.array(held_chars)}


def content_digest(arrays: dict[str, np.ndarray]) -> str:
    """sha256 of the arrays' names, shapes, dtypes and bytes (an .npz's own bytes hold timestamps)."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        value = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}{value.shape}{value.dtype}".encode())
        digest.update(value.tobytes())
    return digest.hexdigest()


def npz_bytes(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


# ---------------------------------------------------------------- training
def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Training-time changes of a batch (B, 1, 32, 32): shift ±2 px, contrast × 0.8–1.2, noise σ ≤ 0.05."""
    b = len(x)
    padded = F_pad(x, 2)
    shifts = torch.randint(0, 5, (b, 2), generator=gen)
    x = torch.stack([padded[i, :, r:r + 32, c:c + 32] for i, (r, c) in enumerate(shifts.tolist())])
    x = x * (0.8 + 0.4 * torch.rand(b, 1, 1, 1, generator=gen))
    x = x + torch.randn(x.shape, generator=gen) * 0.05 * torch.rand(b, 1, 1, 1, generator=gen)
    return x.clamp(0.0, 1.0)


def F_pad(x: torch.Tensor, p: int) -> torch.Tensor:  # noqa: N802 (mirrors torch.nn.functional.pad)
    return torch.nn.functional.pad(x, (p, p, p, p))


def quantise(encodings: np.ndarray) -> np.ndarray:
    """Unit-vector encodings as int8 (× HISTORY_SCALE); components lie in [−1, 1]."""
    return np.round(np.clip(encodings, -1, 1) / HISTORY_SCALE).astype(np.int8)


def measure(enc_held: np.ndarray, enc_seen: np.ndarray, y_held: np.ndarray, y_seen: np.ndarray) -> dict:
    """Quality on held-out and seen identities, τ chosen on the seen sample (both through playground)."""
    pairs = verification.verification_pairs(y_seen)
    tau, _ = verification.best_threshold(verification.pair_distances(enc_seen, pairs), pairs.same)
    return {"tau_chosen_on_training_identities": tau,
            "held_out": verification.quality(enc_held, y_held, tau).as_dict(),
            "training_identities": verification.quality(enc_seen, y_seen, tau).as_dict()}


def load_rendered(path: Path) -> dict[str, np.ndarray]:
    """A data set written by ``--data-only`` (the card records its content sha256 either way)."""
    with np.load(path) as stored:
        return {k: stored[k] for k in stored.files}


def run(steps: int, save: bool, data_path: Path | None = None) -> dict:
    start = time.perf_counter()
    torch.set_num_threads(TORCH_THREADS)
    data = load_rendered(data_path) if data_path else dataset()
    render_seconds = time.perf_counter() - start
    data_digest = content_digest(data)
    print(f"rendered {len(data['train_images']) + len(data['held_images'])} pictures in {render_seconds:.0f} s", flush=True)
    seen_ids = np.sort(np.random.default_rng(DATA_SEED).choice(TRAIN_IDENTITIES, SEEN_SAMPLE, replace=False))
    seen = np.flatnonzero(np.isin(data["train_labels"], seen_ids))
    x_train = encoders.glyph_input(data["train_images"])
    x_eval = encoders.glyph_input(np.concatenate([data["held_images"], data["train_images"][seen]]))
    n_held = len(data["held_images"])
    checkpoints = tuple(sorted({min(c, steps) for c in CHECKPOINTS}))
    setup = tt.TrainingSetup(steps, P_IDENTITIES, K_PICTURES, LR, ALPHA, TRAIN_SEED, checkpoints)
    torch.manual_seed(TRAIN_SEED)
    model = tt.EmbeddingNet(CHANNELS, DIM)
    record = tt.train(model, x_train, data["train_labels"], setup, augment, x_eval)
    print(f"trained {steps} steps in {record.seconds:.0f} s", flush=True)

    onnx_model = tt.export_onnx(model, torch.from_numpy(x_eval[:2]))
    verification_numbers = tt.verify(model, onnx_model, x_eval, f"the {len(x_eval)} evaluation pictures "
                                     f"({n_held} held-out, {len(seen)} seen)")
    enc = tt.cpu_session(onnx_model).run(["encoding"], {"x": x_eval})[0]  # what the page computes
    y_held, y_seen = data["held_labels"], data["train_labels"][seen]
    history = [quantise(e) * HISTORY_SCALE for e in record.checkpoint_encodings]  # what the page reads back
    pixels = encoders.pixel_encodings(np.concatenate([data["held_images"], data["train_images"][seen]]))
    quality = {
        "trained": measure(enc[:n_held], enc[n_held:], y_held, y_seen),
        "untrained": measure(history[0][:n_held], history[0][n_held:], y_held, y_seen),
        "raw_pixels": measure(pixels[:n_held], pixels[n_held:], y_held, y_seen),
    }
    held = quality["trained"]["held_out"]
    print(f"held-out: AUC {held['auc']:.4f}, accuracy at tau {held['accuracy_at_tau']:.4f}, "
          f"one-shot {held['ways']}-way {held['one_shot_ways']:.4f}, all-way {held['one_shot_all']:.4f}; "
          f"pixels AUC {quality['raw_pixels']['held_out']['auc']:.4f}, "
          f"untrained AUC {quality['untrained']['held_out']['auc']:.4f}", flush=True)
    card = {
        "description": "A triplet-loss embedding of rendered CJK glyphs (FaceNet's recipe at toy scale). "
                       "Written by export/triplet_glyphs.py.",
        "command": COMMAND, "script": SCRIPT, "fonts_apt": APT_LINE,
        "data": {"source": DATA_PROVENANCE, "fonts": [f.name for f in FACES], "font_licences": FONT_LICENCES,
                 "identities": "GB2312 level-1 characters, shuffled with numpy default_rng(DATA_SEED).permutation",
                 "training_identities": TRAIN_IDENTITIES, "held_out_identities": HELD_OUT_IDENTITIES,
                 "seen_sample_identities": SEEN_SAMPLE, "pictures_per_identity": PICTURES, "data_seed": DATA_SEED,
                 "rendering": __doc__.split("One picture")[1].split("During training")[0].strip(),
                 "render_seconds": render_seconds, "content_sha256": data_digest,
                 "rendered_by": f"--data {data_path} (written by --data-only)" if data_path else "this run",
                 "content_sha256_of": "every rendered array, as python -m export.triplet_glyphs --data-only prints it"},
        "architecture": {"channels": list(CHANNELS), "encoding": DIM, "parameters": tt.parameter_count(model),
                         "layers": "conv3x3-BN-ReLU per width, max-pool 2 after all but the last, global average "
                                   "pool, linear, L2 normalisation; BN folded into the convs in the ONNX file"},
        "training": {"loss": "mean over the mined triplets of max(d(a,p) - d(a,n) + alpha, 0), squared L2",
                     "alpha": ALPHA, "mining": "online semi-hard: per (anchor, positive) the closest negative "
                     "farther than the positive; if none, the closest negative",
                     "batch": f"P = {P_IDENTITIES} identities x K = {K_PICTURES} pictures", "steps": steps,
                     "optimizer": f"Adam, lr {LR}, cosine decay to 0", "seed": TRAIN_SEED,
                     "augmentation": augment.__doc__, "checkpoints": list(record.checkpoint_steps),
                     "seconds": record.seconds, "cpu_seconds": record.cpu_seconds, "torch_threads": torch.get_num_threads(),
                     "machine": "2 shared CPU cores (other jobs were running)"},
        "quality": quality,
        "measures": {"pairs": "every same-identity pair and as many different-identity pairs drawn with seed "
                              f"{verification.PAIR_SEED} (playground.triplet_loss.verification_pairs)",
                     "tau": "on the squared distance; the accuracy-maximising tau on the seen sample's pairs",
                     "one_shot": "picture 1 of each identity enrolled, the other 9 named by the nearest enrolled "
                                 f"encoding; {verification.WAYS}-way: among the true identity and 19 others drawn "
                                 "per query", "untrained": "the network before any update (checkpoint 0, as "
                                 "stored in the history)", "raw_pixels": "each picture flattened to unit length"},
        "verification": verification_numbers,
        "versions": {"torch": torch.__version__, "onnx": onnx.__version__, "pillow": PIL.__version__,
                     "numpy": np.__version__, "python": platform.python_version()},
        "total_seconds": time.perf_counter() - start,
    }
    if save:
        provenance = {"command": COMMAND, "script": SCRIPT, "data": DATA_PROVENANCE, "seed": TRAIN_SEED,
                      "data_seed": DATA_SEED, "fonts_apt": APT_LINE}
        save_model(encoders.GLYPH_MODEL, onnx_model,
                   description="Triplet-loss embedding of 32x32 glyph pictures: x (N,1,32,32) in [0,1] -> "
                               "encoding (N,64), unit length. Trained on 2,000 rendered CJK characters.",
                   provenance={**provenance, "weights": "trained here from scratch (no pretrained weights)",
                               "card": {"held_out": held, "seen": quality["trained"]["training_identities"],
                                        "raw_pixels_held_out_auc": quality["raw_pixels"]["held_out"]["auc"],
                                        "untrained_held_out_auc": quality["untrained"]["held_out"]["auc"],
                                        "full_card": f"{RECORD_ARTIFACT} artifact"}},
                   verification=verification_numbers)
        save_artifact(EVAL_ARTIFACT, "triplet_glyph_eval.npz", npz_bytes(
            held_images=data["held_images"], held_labels=y_held, held_faces=data["held_faces"],
            held_chars=data["held_chars"], seen_images=data["train_images"][seen],
            seen_labels=y_seen, seen_faces=data["train_faces"][seen], seen_chars=data["train_chars"][seen_ids],
            face_names=np.array([f.name for f in FACES])),
            export="triplet_glyphs", description="Evaluation pictures: 200 held-out identities x 10 and 100 "
            "training identities x 10, uint8 (N,32,32), labels, faces, characters.", provenance=provenance)
        save_artifact(HISTORY_ARTIFACT, "triplet_glyph_history.npz", npz_bytes(
            loss=np.array(record.loss, np.float32), active=np.array(record.active, np.float32),
            kinds=np.array(record.kinds, np.float32), checkpoint_steps=np.array(record.checkpoint_steps),
            encodings=np.stack([quantise(e) for e in record.checkpoint_encodings])),
            export="triplet_glyphs", description="Per step: loss, fraction of active triplets, fractions of "
            "hard/semi-hard/easy triplets; encodings (checkpoints, N_eval, 64) int8 x 1/127 of the evaluation "
            "pictures (held-out first, then seen).", provenance=provenance)
        save_artifact(RECORD_ARTIFACT, "triplet_glyphs.json", (json.dumps(card, indent=1) + "\n").encode(),
                      export="triplet_glyphs", description="Model card of the glyph embedding.", provenance=provenance)
    return card


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--quick", action="store_true", help="60 steps, nothing saved")
    parser.add_argument("--data-only", type=Path, metavar="PATH", help="render the data set to PATH (.npz) and stop")
    parser.add_argument("--data", type=Path, metavar="PATH", help="train on a data set written by --data-only")
    args = parser.parse_args(argv)
    if args.data_only:
        start = time.perf_counter()
        arrays = dataset()
        payload = npz_bytes(**arrays)
        args.data_only.write_bytes(payload)
        print(f"wrote {args.data_only} ({len(payload) / 1e6:.1f} MB) in {time.perf_counter() - start:.0f} s; "
              f"content sha256 {content_digest(arrays)}")
        return
    card = run(60 if args.quick else args.steps, save=not args.quick, data_path=args.data)
    print(f"total {card['total_seconds']:.0f} s")


if __name__ == "__main__":
    main()
