"""Correct: lightly style, cross entropy over [positive, negatives] logits, target 0."""

import torch
import torch.nn.functional as F


def nt_xent_loss(z1, z2, temperature=0.5):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    if z1.dim() != 2 or z1.shape != z2.shape:
        raise ValueError("z1 and z2 must both be (N, D) with the same shape")
    n = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2]), dim=1, eps=1e-8)
    sim = z @ z.T / temperature
    idx = torch.arange(2 * n, device=z.device)
    pos_idx = (idx + n) % (2 * n)
    pos_mask = torch.zeros(2 * n, 2 * n, dtype=torch.bool, device=z.device)
    pos_mask[idx, pos_idx] = True
    neg_mask = ~(pos_mask | torch.eye(2 * n, dtype=torch.bool, device=z.device))
    positives = sim[pos_mask].view(2 * n, 1)
    negatives = sim[neg_mask].view(2 * n, 2 * n - 2)
    logits = torch.cat([positives, negatives], dim=1)
    target = torch.zeros(2 * n, dtype=torch.long, device=z.device)
    return F.cross_entropy(logits, target)
