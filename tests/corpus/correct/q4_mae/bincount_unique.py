"""Correct: the mask built from the kept ids with torch.bincount, the loss validating its mask
with torch.unique and averaging with boolean-mask indexing (none of these has a meta kernel)."""

import math

import torch


def patchify(imgs, patch_size):
    n, c, h, w = imgs.shape
    p = patch_size
    if h % p or w % p:
        raise ValueError("H and W must be divisible by patch_size")
    x = imgs.reshape(n, c, h // p, p, w // p, p)
    return torch.einsum("nchpwq->nhwpqc", x).reshape(n, (h // p) * (w // p), p * p * c)


def unpatchify(x, patch_size, channels=3):
    n, length, _ = x.shape
    g = math.isqrt(length)
    if g * g != length:
        raise ValueError("the number of patches must be a perfect square")
    p = patch_size
    x = x.reshape(n, g, g, p, p, channels)
    return torch.einsum("nhwpqc->nchpwq", x).reshape(n, channels, g * p, g * p)


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
    offsets = (torch.arange(n, device=x.device) * length)[:, None]
    kept = torch.bincount((ids_keep + offsets).reshape(-1), minlength=n * length).reshape(n, length)
    return x_masked, (1 - kept).to(x.dtype), ids_restore


def mae_loss(pred, target, mask, norm_pix_loss=False):
    if not set(torch.unique(mask).tolist()) <= {0.0, 1.0}:
        raise ValueError("mask must hold only 0 and 1")
    if norm_pix_loss:
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1e-6) ** 0.5
    per_patch = ((pred - target) ** 2).mean(dim=-1)
    return per_patch[mask.bool()].mean()
