"""Correct: old PyTorch convention u.v / max(||u|| * ||v||, eps)."""

import torch


def cosine_similarity(u, v, eps=1e-8):
    norms = torch.linalg.vector_norm(u, dim=-1) * torch.linalg.vector_norm(v, dim=-1)
    return (u * v).sum(dim=-1) / norms.clamp_min(eps)


def cosine_similarity_matrix(a, b, eps=1e-8):
    a_norm = torch.linalg.vector_norm(a, dim=1)
    b_norm = torch.linalg.vector_norm(b, dim=1)
    norms = a_norm[:, None] * b_norm[None, :]
    return (a @ b.T) / norms.clamp_min(eps)
