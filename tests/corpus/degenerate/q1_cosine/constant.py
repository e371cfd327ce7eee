"""Computes nothing: 1 everywhere (every pair perfectly aligned), differentiable in name only."""


def cosine_similarity(u, v, eps=1e-8):
    return (u * 0).sum(-1) + (v * 0).sum(-1) + 1


def cosine_similarity_matrix(a, b, eps=1e-8):
    return (a * 0).sum(-1)[:, None] + (b * 0).sum(-1)[None, :] + 1
