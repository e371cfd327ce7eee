"""Bug: cosine_similarity calls the forbidden built-in torch.nn.functional.cosine_similarity."""

import torch
import torch.nn.functional as F


def cosine_similarity(u, v, eps=1e-8):
    return F.cosine_similarity(u, v, dim=-1, eps=eps)


def cosine_similarity_matrix(a, b, eps=1e-8):
    a_hat = a / torch.linalg.vector_norm(a, dim=1, keepdim=True).clamp_min(eps)
    b_hat = b / torch.linalg.vector_norm(b, dim=1, keepdim=True).clamp_min(eps)
    return a_hat @ b_hat.T
