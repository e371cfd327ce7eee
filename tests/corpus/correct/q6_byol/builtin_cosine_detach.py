"""Correct: BYOL's regression_loss with F.cosine_similarity, and an average of detached tensors."""

import torch.nn.functional as F


def byol_loss(p, z):
    if p.dim() != 2 or p.shape != z.shape:
        raise ValueError("p and z must have one (N, D) shape")
    return (2 - 2 * F.cosine_similarity(p, z.detach(), dim=-1, eps=1e-12)).mean()


def ema_update(online, target, momentum):
    if not 0.0 <= momentum <= 1.0:
        raise ValueError("momentum must be in [0, 1]")
    if len(online) != len(target) or any(o.shape != t.shape for o, t in zip(online, target)):
        raise ValueError("the networks do not match")
    return [t.detach() * momentum + o.detach() * (1.0 - momentum) for o, t in zip(online, target)]
