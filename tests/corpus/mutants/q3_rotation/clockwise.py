"""Bug: rotates clockwise (rot90 by -k), so the labels 1 and 3 are swapped."""

import torch


def rotate_batch(images):
    if images.dim() != 4 or images.shape[-1] != images.shape[-2]:
        raise ValueError("images must be (B, C, H, W) with H == W")
    rotated = torch.stack([torch.rot90(images, -k, dims=(-2, -1)) for k in range(4)], dim=1)
    labels = torch.arange(4, device=images.device).repeat(images.shape[0])
    return rotated.flatten(0, 1), labels
