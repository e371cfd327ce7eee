"""Correct: fills a new tensor with rotated[k::4] = rot90(images, k); input untouched."""

import torch


def rotate_batch(images):
    if images.dim() != 4 or images.shape[-1] != images.shape[-2]:
        raise ValueError("images must be (B, C, H, W) with H == W")
    b = images.shape[0]
    rotated = images.new_empty((4 * b, *images.shape[1:]))
    for k in range(4):
        rotated[k::4] = torch.rot90(images, k, dims=(2, 3))
    labels = torch.arange(4 * b, device=images.device) % 4
    return rotated, labels
