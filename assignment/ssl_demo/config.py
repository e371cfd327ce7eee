"""Every knob of the demo in one place: the full configuration and the fast one."""

from dataclasses import dataclass, replace

CORE_METHODS = ("simclr", "rotnet", "mae")
EXTENSION_METHODS = ("moco", "byol", "dino")  # run when their files (moco.py, byol.py, dino.py) are present
METHODS = CORE_METHODS + EXTENSION_METHODS


@dataclass(frozen=True)
class Config:
    seed: int = 0
    methods: tuple[str, ...] = CORE_METHODS
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
    epochs_moco: int = 40
    epochs_byol: int = 40
    epochs_dino: int = 40  # each step sees every digit in 4 crops
    # method settings
    temperature: float = 0.5  # NT-Xent
    moco_temperature: float = 0.2
    queue_size: int = 512  # MoCo's negatives: twice the batch, from the last two batches
    momentum: float = 0.99  # MoCo's key encoder, BYOL's target and DINO's teacher follow the online weights this slowly
    dino_crops: int = 4  # 2 global views (the teacher's) and 2 more for the student
    dino_prototypes: int = 64  # K, the size of DINO's output distribution
    # MAE hides 75% of 196 patches of a photo; an 8x8 digit has only 16 patches and
    # little redundancy, and hiding half of them gives better features here (try 0.75).
    mask_ratio: float = 0.5
    patch_size: int = 2  # 8x8 digits -> 4x4 grid of 16 patches
    norm_pix_loss: bool = False  # True made no clear difference on digits in our runs


def fast(config: Config) -> Config:
    """The reduced configuration the tests and the notebook's FAST flag use."""
    return replace(
        config, epochs_simclr=20, epochs_rotnet=4, epochs_mae=10, epochs_moco=10, epochs_byol=10, epochs_dino=10, probe_repeats=3
    )
