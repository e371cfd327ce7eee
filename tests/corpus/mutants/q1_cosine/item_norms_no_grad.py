"""Bug: cosine_similarity takes norms via .item(): no gradient through them, one norm per batch."""

import math

import torch


def cosine_similarity(u, v, eps=1e-8):
    u_norm = max(math.sqrt((u * u).sum().item()), eps)
    v_norm = max(math.sqrt((v * v).sum().item()), eps)
    return (u * v).sum(dim=-1) / (u_norm * v_norm)


def cosine_similarity_matrix(a, b, eps=1e-8):
    a_hat = a / torch.linalg.vector_norm(a, dim=1, keepdim=True).clamp_min(eps)
    b_hat = b / torch.linalg.vector_norm(b, dim=1, keepdim=True).clamp_min(eps)
    return a_hat @ b_hat.T
