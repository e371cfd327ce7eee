"""The whole demo: pre-train with each method, probe every representation, report."""

import copy
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from matplotlib.figure import Figure

from . import augment, pretrain, probe, report, student
from . import data as digits_data
from .config import CORE_METHODS, EXTENSION_METHODS, METHODS, Config
from .model import Encoder

NAMES = {"simclr": "SimCLR", "rotnet": "RotNet", "mae": "MAE", "moco": "MoCo", "byol": "BYOL", "dino": "DINO"}
NEEDS = {  # the student functions each method trains with
    "simclr": [("nt_xent", "nt_xent_loss")],
    "rotnet": [("rotation", "rotate_batch")],
    "mae": [("mae", "patchify"), ("mae", "random_masking"), ("mae", "unpatchify"), ("mae", "mae_loss")],
    "moco": [("moco", "moco_loss"), ("moco", "dequeue_and_enqueue")],
    "byol": [("byol", "byol_loss"), ("byol", "ema_update")],
    "dino": [("dino", "dino_loss"), ("dino", "update_center")],
}
BASELINES = ("raw pixels", "random-init encoder")


def available_methods() -> tuple[str, ...]:
    """SimCLR, RotNet and MAE, and MoCo, BYOL and DINO where ``moco.py``, ``byol.py`` and ``dino.py`` are present."""
    return CORE_METHODS + tuple(m for m in EXTENSION_METHODS if student.present(m))


@dataclass
class DemoResult:
    results: dict  # results[row][fraction] = (mean accuracy, std) over label draws
    label_counts: dict  # fraction -> number of labels the probe gets
    encoders: dict  # row -> encoder, "random-init encoder" included
    skipped: dict  # method -> the one-line reason
    table: str
    figure: Figure
    plot_path: Path
    data: digits_data.Digits
    seconds: float


def _pretrain(method, encoder, images, config, generator, functions, log):
    if method == "simclr":
        return pretrain.simclr(encoder, images, config, generator, functions["nt_xent_loss"], log)
    if method == "rotnet":
        return pretrain.rotnet(encoder, images, config, generator, functions["rotate_batch"], log)
    return getattr(pretrain, method)(encoder, images, config, generator, functions, log)  # mae, moco, byol, dino


@torch.no_grad()
def _view_agreement(encoder, images, generator):
    """Mean cosine of two views of the same digit vs of different digits (student's cosine)."""
    similarity = student.get("cosine", "cosine_similarity_matrix")
    encoder.eval()
    sim = similarity(encoder(augment.random_view(images, generator)), encoder(augment.random_view(images, generator)))
    same = sim.diagonal().mean().item()
    different = (sim.sum() - sim.diagonal().sum()).item() / (sim.numel() - len(sim))
    return same, different


def run(config: Config = Config(), out: Path | str = "ssl_demo_out", log=print) -> DemoResult:
    """Run the demo with ``config``; print progress with ``log``; save the plot in ``out``."""
    start = time.perf_counter()
    torch.set_num_threads(config.threads)
    data = digits_data.load(config.seed, config.test_fraction)
    images = data.train_images
    log(f"{len(images)} unlabeled training digits, {len(data.test_images)} test digits, seed {config.seed}")

    torch.manual_seed(config.seed)
    initial = Encoder(config.width).eval()  # every method starts from these same weights
    encoders, skipped = {"random-init encoder": initial}, {}
    for method in config.methods:
        name = NAMES[method]
        seed = 1000 * config.seed + METHODS.index(method) + 1  # same numbers whatever --methods says
        torch.manual_seed(seed)
        generator = torch.Generator().manual_seed(seed)
        try:
            functions = {fn: student.get(module, fn) for module, fn in NEEDS[method]}
            log(f"Pre-training with {name} (no labels)")
            encoders[name] = _pretrain(method, copy.deepcopy(initial), images, config, generator, functions, log)
        except student.NotReady as why:
            skipped[method] = str(why)
        except NotImplementedError:
            skipped[method] = "a function it uses is still a stub (raised NotImplementedError)"
        if method in skipped:
            log(f"  {name} skipped: {skipped[method]}")
        elif method == "simclr":
            try:
                for row in ("random-init encoder", "SimCLR"):
                    same, different = _view_agreement(encoders[row], data.test_images, generator)
                    log(
                        f"  {row}: mean cosine of two views of the same test digit {same:.2f}, "
                        f"of different digits {different:.2f} (your cosine_similarity_matrix)"
                    )
            except student.NotReady as why:
                log(f"  (view-agreement check skipped: {why})")

    log("Linear probes on frozen features")
    fractions = config.label_fractions
    rng = np.random.default_rng(0)  # only the sizes matter here
    counts = {f: len(digits_data.label_subset(data.train_labels, f, rng)) for f in fractions}
    feats = {"raw pixels": (images.flatten(1).numpy(), data.test_images.flatten(1).numpy())}
    for row, encoder in encoders.items():
        feats[row] = (probe.features(encoder, images), probe.features(encoder, data.test_images))
    results = {}
    for row in [*BASELINES, *(NAMES[m] for m in config.methods if NAMES[m] in encoders)]:
        train_x, test_x = feats[row]
        results[row] = probe.linear_probe(
            train_x, data.train_labels, test_x, data.test_labels, fractions, config.probe_repeats, config.seed
        )

    text = report.table(results, counts, len(data.test_labels), config.probe_repeats, config.seed)
    plot_path = Path(out) / "ssl_demo.png"
    figure = report.plot(results, counts, plot_path, config.seed)
    seconds = time.perf_counter() - start
    log("")
    log(text)
    if skipped:
        log(f"Not in the table: {', '.join(NAMES[m] for m in skipped)} (see why above)")
    log(f"Plot saved to {plot_path}  ({seconds:.0f}s in all)")
    return DemoResult(results, counts, encoders, skipped, text, figure, plot_path, data, seconds)
