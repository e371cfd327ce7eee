"""Bug: labels are the angles in degrees (0, 90, 180, 270) instead of the class index k."""

import torch


def rotate_batch(images):
    if images.dim() != 4 or images.shape[-1] != images.shape[-2]:
        raise ValueError("images must be (B, C, H, W) with H == W")
    rotated = torch.stack([torch.rot90(images, k, dims=(-2, -1)) for k in range(4)], dim=1)
    labels = torch.arange(0, 360, 90, device=images.device).repeat(images.shape[0])
    return rotated.flatten(0, 1), labels
