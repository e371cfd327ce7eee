"""Correct: norms are sqrt(||u||^2 + eps^2); matrix broadcasts cosine_similarity."""

import torch


def cosine_similarity(u, v, eps=1e-8):
    u_norm = torch.sqrt((u * u).sum(dim=-1) + eps * eps)
    v_norm = torch.sqrt((v * v).sum(dim=-1) + eps * eps)
    return (u * v).sum(dim=-1) / (u_norm * v_norm)


def cosine_similarity_matrix(a, b, eps=1e-8):
    return cosine_similarity(a[:, None, :], b[None, :, :], eps)
