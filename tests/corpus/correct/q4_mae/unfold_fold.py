"""Correct: patchify with F.unfold and unpatchify with F.fold."""

import math

import torch
import torch.nn.functional as F


def patchify(imgs, patch_size):
    n, c, height, width = imgs.shape
    p = patch_size
    if height % p != 0 or width % p != 0:
        raise ValueError("H and W must be divisible by patch_size")
    cols = F.unfold(imgs, kernel_size=p, stride=p)
    length = cols.shape[-1]
    return cols.reshape(n, c, p * p, length).permute(0, 3, 2, 1).reshape(n, length, p * p * c)


def unpatchify(x, patch_size, channels=3):
    n, length, _ = x.shape
    p, c = patch_size, channels
    side = math.isqrt(length)
    if side * side != length:
        raise ValueError("L must be a perfect square")
    cols = x.reshape(n, length, p * p, c).permute(0, 3, 2, 1).reshape(n, c * p * p, length)
    return F.fold(cols, output_size=(side * p, side * p), kernel_size=p, stride=p)


def random_masking(x, mask_ratio, noise=None):
    if not 0 <= mask_ratio < 1:
        raise ValueError("mask_ratio must be in [0, 1)")
    n, length, d = x.shape
    len_keep = int(length * (1 - mask_ratio))
    if noise is None:
        noise = torch.rand(n, length, device=x.device)
    ids_shuffle = torch.argsort(noise, dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    ids_keep = ids_shuffle[:, :len_keep]
    x_masked = torch.gather(x, 1, ids_keep.unsqueeze(-1).expand(-1, -1, d))
    mask = torch.ones(n, length, dtype=x.dtype, device=x.device)
    mask[:, :len_keep] = 0
    mask = torch.gather(mask, 1, ids_restore)
    return x_masked, mask, ids_restore


def mae_loss(pred, target, mask, norm_pix_loss=False):
    if norm_pix_loss:
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1e-6) ** 0.5
    per_patch = ((pred - target) ** 2).mean(dim=-1)
    return (per_patch * mask).sum() / mask.sum()
