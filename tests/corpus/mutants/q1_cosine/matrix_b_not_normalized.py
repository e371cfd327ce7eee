"""Bug: cosine_similarity_matrix normalizes the rows of a but not the rows of b."""

import torch


def cosine_similarity(u, v, eps=1e-8):
    u_norm = torch.linalg.vector_norm(u, dim=-1).clamp_min(eps)
    v_norm = torch.linalg.vector_norm(v, dim=-1).clamp_min(eps)
    return (u * v).sum(dim=-1) / (u_norm * v_norm)


def cosine_similarity_matrix(a, b, eps=1e-8):
    a_hat = a / torch.linalg.vector_norm(a, dim=1, keepdim=True).clamp_min(eps)
    return a_hat @ b.T
