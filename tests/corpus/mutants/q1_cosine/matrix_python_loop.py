"""Bug: cosine_similarity_matrix loops over the rows of a in Python (not vectorized)."""

import torch


def cosine_similarity(u, v, eps=1e-8):
    u_norm = torch.linalg.vector_norm(u, dim=-1).clamp_min(eps)
    v_norm = torch.linalg.vector_norm(v, dim=-1).clamp_min(eps)
    return (u * v).sum(dim=-1) / (u_norm * v_norm)


def cosine_similarity_matrix(a, b, eps=1e-8):
    rows = []
    for i in range(a.shape[0]):
        rows.append(cosine_similarity(a[i].unsqueeze(0), b, eps))
    return torch.stack(rows)
