"""Correct: scatter-built mask and ids_restore, indexed x_masked, explicit unbiased variance."""

import math

import torch


def patchify(imgs, patch_size):
    n, c, height, width = imgs.shape
    p = patch_size
    if height % p or width % p:
        raise ValueError("image size is not divisible by the patch size")
    h, w = height // p, width // p
    x = imgs.reshape(n, c, h, p, w, p)
    x = torch.einsum("nchpwq->nhwpqc", x)
    return x.reshape(n, h * w, p * p * c)


def unpatchify(x, patch_size, channels=3):
    n, length, _ = x.shape
    p, c = patch_size, channels
    h = w = math.isqrt(length)
    if h * w != length:
        raise ValueError("the number of patches is not a perfect square")
    x = x.reshape(n, h, w, p, p, c)
    x = torch.einsum("nhwpqc->nchpwq", x)
    return x.reshape(n, c, h * p, w * p)


def random_masking(x, mask_ratio, noise=None):
    if mask_ratio < 0 or mask_ratio >= 1:
        raise ValueError("mask_ratio must be in [0, 1)")
    n, length = x.shape[:2]
    len_keep = int(length * (1 - mask_ratio))
    if noise is None:
        noise = torch.rand(n, length, device=x.device)
    ids_shuffle = noise.argsort(dim=1)
    positions = torch.arange(length, device=x.device).expand(n, length)
    ids_restore = torch.empty_like(ids_shuffle).scatter(1, ids_shuffle, positions)
    ids_keep = ids_shuffle[:, :len_keep]
    rows = torch.arange(n, device=x.device)[:, None]
    x_masked = x[rows, ids_keep]
    mask = torch.ones(n, length, dtype=x.dtype, device=x.device)
    mask = mask.scatter(1, ids_keep, 0.0)
    return x_masked, mask, ids_restore


def mae_loss(pred, target, mask, norm_pix_loss=False):
    if norm_pix_loss:
        p = target.shape[-1]
        centered = target - target.mean(dim=-1, keepdim=True)
        var = (centered**2).sum(dim=-1, keepdim=True) / (p - 1)
        target = centered / (var + 1e-6).sqrt()
    per_patch = (pred - target).pow(2).mean(dim=-1)
    return (per_patch * mask).sum() / mask.sum()
