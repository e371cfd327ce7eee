"""Bug: cosine_similarity reduces dim 0 instead of the last dim (right only for 1-D)."""

import torch


def cosine_similarity(u, v, eps=1e-8):
    u_norm = torch.linalg.vector_norm(u, dim=0).clamp_min(eps)
    v_norm = torch.linalg.vector_norm(v, dim=0).clamp_min(eps)
    return (u * v).sum(dim=0) / (u_norm * v_norm)


def cosine_similarity_matrix(a, b, eps=1e-8):
    a_hat = a / torch.linalg.vector_norm(a, dim=1, keepdim=True).clamp_min(eps)
    b_hat = b / torch.linalg.vector_norm(b, dim=1, keepdim=True).clamp_min(eps)
    return a_hat @ b_hat.T
