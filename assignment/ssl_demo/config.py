"""Every knob of the demo in one place: the full configuration and the fast one."""

from dataclasses import dataclass, replace

METHODS = ("simclr", "rotnet", "mae")


@dataclass(frozen=True)
class Config:
    seed: int = 0
    methods: tuple[str, ...] = METHODS
    threads: int = 2  # torch threads: the demo is sized for 2 CPU cores
    # data: scikit-learn's 8x8 digits, split once into unlabeled-train / test
    test_fraction: float = 0.3
    label_fractions: tuple[float, ...] = (0.01, 0.05, 0.10, 1.0)
    probe_repeats: int = 5  # label draws averaged for every fraction below 100%
    # encoder and optimisation
    width: int = 32  # channels of the first conv; the representation has 4x that
    batch_size: int = 256
    lr: float = 2e-3
    # epochs per method
    epochs_simclr: int = 50
    epochs_rotnet: int = 30  # each epoch sees every digit 4 times (4 rotations)
    epochs_mae: int = 60
    # method settings
    temperature: float = 0.5  # NT-Xent
    # MAE hides 75% of 196 patches of a photo; an 8x8 digit has only 16 patches and
    # little redundancy, and hiding half of them gives better features here (try 0.75).
    mask_ratio: float = 0.5
    patch_size: int = 2  # 8x8 digits -> 4x4 grid of 16 patches
    norm_pix_loss: bool = False  # True made no clear difference on digits in our runs


def fast(config: Config) -> Config:
    """The reduced configuration the tests and the notebook's FAST flag use."""
    return replace(config, epochs_simclr=20, epochs_rotnet=4, epochs_mae=10, probe_repeats=3)
