"""Correct: norms guarded as ||u|| + eps; the matrix uses einsum and torch.outer."""

import torch


def cosine_similarity(u, v, eps=1e-8):
    dot = (u * v).sum(dim=-1)
    u_norm = torch.linalg.vector_norm(u, dim=-1) + eps
    v_norm = torch.linalg.vector_norm(v, dim=-1) + eps
    return dot / (u_norm * v_norm)


def cosine_similarity_matrix(a, b, eps=1e-8):
    dots = torch.einsum("nd,md->nm", a, b)
    a_norm = torch.linalg.vector_norm(a, dim=1) + eps
    b_norm = torch.linalg.vector_norm(b, dim=1) + eps
    return dots / torch.outer(a_norm, b_norm)
