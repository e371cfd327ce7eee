"""Correct: the squared distance of normalized rows (BYOL's equation 2), and torch.lerp for the average."""

import torch
import torch.nn.functional as F


def byol_loss(p, z):
    if p.ndim != 2 or z.shape != p.shape:
        raise ValueError("p and z must be (N, D)")
    return (F.normalize(p, dim=-1) - F.normalize(z.detach(), dim=-1)).pow(2).sum(-1).mean()


def ema_update(online, target, momentum):
    if momentum < 0 or momentum > 1 or len(online) != len(target):
        raise ValueError("bad momentum or lists")
    for o, t in zip(online, target):
        if o.shape != t.shape:
            raise ValueError("shapes differ")
    return [torch.lerp(o.detach(), t.detach(), momentum) for o, t in zip(online, target)]
