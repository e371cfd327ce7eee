"""Computes nothing: zeros of the right shape and dtype, on the inputs' device, inputs untouched."""

import torch


def cosine_similarity(u, v, eps=1e-8):
    return torch.zeros(torch.broadcast_shapes(u.shape[:-1], v.shape[:-1]), dtype=u.dtype, device=u.device)


def cosine_similarity_matrix(a, b, eps=1e-8):
    return torch.zeros(a.shape[0], b.shape[0], dtype=a.dtype, device=a.device)
