"""Attack: os._exit() while being imported (no exception to catch).

Stopped by: the grader sees the worker's pipe close, reports "the process
running your code died while importing your module", and fails the question.
Honest score: 0.
"""

import os

os._exit(0)


def patchify(imgs, patch_size):
    raise NotImplementedError


def unpatchify(x, patch_size, channels=3):
    raise NotImplementedError


def random_masking(x, mask_ratio, noise=None):
    raise NotImplementedError


def mae_loss(pred, target, mask, norm_pix_loss=False):
    raise NotImplementedError
