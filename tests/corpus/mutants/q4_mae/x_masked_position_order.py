"""Bug: random_masking sorts the kept indices: x_masked in position order, not noise order."""

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
    if not 0 <= mask_ratio < 1:
        raise ValueError("mask_ratio must be in [0, 1)")
    n, length, d = x.shape
    len_keep = int(length * (1 - mask_ratio))
    if noise is None:
        noise = torch.rand(n, length, device=x.device)
    ids_shuffle = torch.argsort(noise, dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    ids_keep = ids_shuffle[:, :len_keep].sort(dim=1).values
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
