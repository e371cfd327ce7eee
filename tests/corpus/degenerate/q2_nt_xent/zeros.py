"""Computes nothing: a zero loss of the inputs' dtype."""

import torch


def nt_xent_loss(z1, z2, temperature=0.5):
    return torch.zeros((), dtype=z1.dtype, device=z1.device)
