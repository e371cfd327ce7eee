"""Attack: all four functions loop forever (four deadlines to sit through).

Stopped by: the per-call wall-clock deadline (Limits.call_seconds), once per
function: a function that timed out is never called again.
Honest score: 0.
"""


def patchify(imgs, patch_size):
    while True:
        pass


def unpatchify(x, patch_size, channels=3):
    while True:
        pass


def random_masking(x, mask_ratio, noise=None):
    while True:
        pass


def mae_loss(pred, target, mask, norm_pix_loss=False):
    while True:
        pass
