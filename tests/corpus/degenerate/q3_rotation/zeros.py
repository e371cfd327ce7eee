"""Computes nothing: zero images and zero labels of the right shapes and dtypes."""

import torch


def rotate_batch(images):
    b = images.shape[0]
    return torch.zeros(4 * b, *images.shape[1:], dtype=images.dtype, device=images.device), torch.zeros(
        4 * b, dtype=torch.int64, device=images.device
    )
