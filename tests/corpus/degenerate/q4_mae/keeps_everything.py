"""Computes nothing of MAE: zero patches and images, a masking that keeps every patch in place,
and a zero loss; shapes, dtypes and errors as the spec asks."""

import math

import torch


def patchify(imgs, patch_size):
    n, c, h, w = imgs.shape
    if h % patch_size or w % patch_size:
        raise ValueError("H and W must be divisible by patch_size")
    return imgs.new_zeros(n, (h // patch_size) * (w // patch_size), patch_size * patch_size * c)


def unpatchify(x, patch_size, channels=3):
    n, length, _ = x.shape
    side = math.isqrt(length)
    if side * side != length:
        raise ValueError("L must be a perfect square")
    return x.new_zeros(n, channels, side * patch_size, side * patch_size)


def random_masking(x, mask_ratio, noise=None):
    if not 0 <= mask_ratio < 1:
        raise ValueError("mask_ratio must be in [0, 1)")
    n, length, _ = x.shape
    ids = torch.arange(length, device=x.device).expand(n, length).clone()
    return x.clone(), torch.zeros(n, length, dtype=x.dtype, device=x.device), ids


def mae_loss(pred, target, mask, norm_pix_loss=False):
    return (pred * 0).sum()
