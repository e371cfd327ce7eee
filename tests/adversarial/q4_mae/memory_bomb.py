"""Attack: every call keeps allocating memory, in tensors and in Python objects.

Stopped by: RLIMIT_AS (what the worker maps at start + Limits.memory_bytes):
the allocation fails inside the student's call (RuntimeError or MemoryError),
long before the grading machine runs out of memory.
Honest score: 0.
"""

import torch

HOARD = []


def _bomb():
    while True:
        HOARD.append(torch.ones(2**22, dtype=torch.float64))  # 32 MiB a step, kept across calls
        HOARD.append(bytearray(2**24))


def patchify(imgs, patch_size):
    _bomb()


def unpatchify(x, patch_size, channels=3):
    _bomb()


def random_masking(x, mask_ratio, noise=None):
    _bomb()


def mae_loss(pred, target, mask, norm_pix_loss=False):
    _bomb()
