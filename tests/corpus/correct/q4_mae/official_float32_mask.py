"""Correct: official MAE code: float32 mask, repeat() index, per-sample torch.rand(L) loop."""

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
    if not (0 <= mask_ratio < 1):
        raise ValueError("mask_ratio must be in [0, 1)")
    N, L, D = x.shape
    len_keep = int(L * (1 - mask_ratio))
    if noise is None:
        noise = torch.stack([torch.rand(L, device=x.device) for _ in range(N)])
    ids_shuffle = torch.argsort(noise, dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    ids_keep = ids_shuffle[:, :len_keep]
    x_masked = torch.gather(x, dim=1, index=ids_keep.unsqueeze(-1).repeat(1, 1, D))
    mask = torch.ones([N, L], device=x.device)
    mask[:, :len_keep] = 0
    mask = torch.gather(mask, dim=1, index=ids_restore)
    return x_masked, mask, ids_restore


def mae_loss(pred, target, mask, norm_pix_loss=False):
    if norm_pix_loss:
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1.0e-6) ** 0.5
    loss = (pred - target) ** 2
    loss = loss.mean(dim=-1)
    loss = (loss * mask).sum() / mask.sum()
    return loss
