"""Computes nothing: zeros of the right shapes and dtypes for all four functions (keeping every patch)."""

import math

import torch


def patchify(imgs, patch_size):
    n, c, h, w = imgs.shape
    return torch.zeros(n, (h // patch_size) * (w // patch_size), patch_size * patch_size * c, dtype=imgs.dtype, device=imgs.device)


def unpatchify(x, patch_size, channels=3):
    n, length, _ = x.shape
    side = math.isqrt(length) * patch_size
    return torch.zeros(n, channels, side, side, dtype=x.dtype, device=x.device)


def random_masking(x, mask_ratio, noise=None):
    n, length, d = x.shape
    len_keep = int(length * (1 - mask_ratio))
    ids = torch.arange(length, device=x.device).expand(n, length)
    return torch.zeros(n, len_keep, d, dtype=x.dtype, device=x.device), torch.zeros(n, length, dtype=x.dtype, device=x.device), ids


def mae_loss(pred, target, mask, norm_pix_loss=False):
    return torch.zeros((), dtype=pred.dtype, device=pred.device)
