"""Bug: cosine_similarity divides by the norm of u only and forgets the norm of v."""

import torch


def cosine_similarity(u, v, eps=1e-8):
    u_norm = torch.linalg.vector_norm(u, dim=-1).clamp_min(eps)
    return (u * v).sum(dim=-1) / u_norm


def cosine_similarity_matrix(a, b, eps=1e-8):
    a_hat = a / torch.linalg.vector_norm(a, dim=1, keepdim=True).clamp_min(eps)
    b_hat = b / torch.linalg.vector_norm(b, dim=1, keepdim=True).clamp_min(eps)
    return a_hat @ b_hat.T
