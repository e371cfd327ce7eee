"""The images: scikit-learn's 8x8 handwritten digits (shipped with the package, no download)."""

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


@dataclass(frozen=True)
class Digits:
    train_images: torch.Tensor  # (N, 1, 8, 8) float32 in [0, 1]: the unlabeled pool
    train_labels: np.ndarray  # (N,) hidden from pre-training, used only by the probe
    test_images: torch.Tensor
    test_labels: np.ndarray


def load(seed: int, test_fraction: float = 0.3) -> Digits:
    """All 1797 digits, scaled to [0, 1], split stratified into train and test."""
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]  # (1797, 1, 8, 8)
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=test_fraction, stratify=digits.target, random_state=seed
    )
    return Digits(torch.from_numpy(x_train), y_train, torch.from_numpy(x_test), y_test)


def label_subset(labels: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Indices of a stratified ``fraction`` of ``labels``, at least one example per class.

    Each class keeps ``max(1, round(fraction * class_size))`` of its examples, so 1% of
    the ~1250 training digits is 10 labels, one per class.
    """
    if fraction >= 1:
        return np.arange(len(labels))
    chosen = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        k = max(1, round(fraction * len(members)))
        chosen.append(rng.choice(members, size=k, replace=False))
    return np.sort(np.concatenate(chosen))
