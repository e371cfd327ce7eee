"""Correct: builds the rotations from flip and transpose instead of torch.rot90."""

import torch


def rotate_batch(images):
    if images.dim() != 4 or images.shape[-1] != images.shape[-2]:
        raise ValueError("images must be (B, C, H, W) with H == W")
    r1 = images.flip(-1).transpose(-2, -1)
    r2 = images.flip(-2, -1)
    r3 = images.transpose(-2, -1).flip(-1)
    rotated = torch.stack([images, r1, r2, r3], dim=1).reshape(-1, *images.shape[1:])
    labels = torch.arange(4, dtype=torch.long, device=images.device).repeat(images.shape[0])
    return rotated, labels
