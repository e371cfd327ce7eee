"""Correct: loops over images and rotations in Python and concatenates with torch.cat."""

import torch


def rotate_batch(images):
    if images.dim() != 4 or images.shape[-1] != images.shape[-2]:
        raise ValueError("images must be (B, C, H, W) with H == W")
    pieces, labels = [], []
    for b in range(images.shape[0]):
        for k in range(4):
            pieces.append(torch.rot90(images[b], k, dims=(-2, -1)).unsqueeze(0))
            labels.append(k)
    rotated = torch.cat(pieces, dim=0)
    return rotated, torch.tensor(labels, dtype=torch.int64, device=images.device)
