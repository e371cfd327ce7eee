"""Bug: rotates the input in place with copy_, leaving the caller's images rotated 270 degrees."""

import torch


def rotate_batch(images):
    if images.dim() != 4 or images.shape[-1] != images.shape[-2]:
        raise ValueError("images must be (B, C, H, W) with H == W")
    rots = [images.clone()]
    for _ in range(3):
        images.copy_(torch.rot90(images, 1, dims=(-2, -1)))
        rots.append(images.clone())
    rotated = torch.stack(rots, dim=1)
    labels = torch.arange(4, device=images.device).repeat(images.shape[0])
    return rotated.flatten(0, 1), labels
