"""Bug: no H == W check; non-square images raise RuntimeError from torch.stack, not ValueError."""

import torch


def rotate_batch(images):
    rotated = torch.stack([torch.rot90(images, k, dims=(-2, -1)) for k in range(4)], dim=1)
    labels = torch.arange(4, device=images.device).repeat(images.shape[0])
    return rotated.flatten(0, 1), labels
