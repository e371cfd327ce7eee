"""Attack: hold memory that RLIMIT_DATA does not count: an anonymous shared
mapping (mmap(-1, n)) of 3 GiB, every page touched, kept across calls.

Stopped by: RLIMIT_AS caps everything the worker maps (shared mappings
included) at what it maps when it starts plus Limits.memory_bytes, so the
mapping fails inside the call; and oom_score_adj 1000 makes a worker the
first process the kernel kills if a container runs out of memory anyway.
Honest score: 0.
"""

import mmap

HOARD = []


def _bomb():
    size = 3 * 2**30
    block = mmap.mmap(-1, size)
    for offset in range(0, size, 4096):
        block[offset] = 1
    HOARD.append(block)


def patchify(imgs, patch_size):
    _bomb()


def unpatchify(x, patch_size, channels=3):
    _bomb()


def random_masking(x, mask_ratio, noise=None):
    _bomb()


def mae_loss(pred, target, mask, norm_pix_loss=False):
    _bomb()
