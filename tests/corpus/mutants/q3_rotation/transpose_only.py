"""Bug: treats a 90-degree rotation as a transpose applied k times (k=2 is the identity)."""

import torch


def rotate_batch(images):
    if images.dim() != 4 or images.shape[-1] != images.shape[-2]:
        raise ValueError("images must be (B, C, H, W) with H == W")
    rots = []
    x = images
    for _ in range(4):
        rots.append(x)
        x = x.transpose(-2, -1)
    rotated = torch.stack(rots, dim=1)
    labels = torch.arange(4, device=images.device).repeat(images.shape[0])
    return rotated.flatten(0, 1), labels
