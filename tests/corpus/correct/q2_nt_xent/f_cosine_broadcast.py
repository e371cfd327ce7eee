"""Correct: F.cosine_similarity on broadcast rows (allowed in q2), -inf diagonal, logsumexp."""

import torch
import torch.nn.functional as F


def nt_xent_loss(z1, z2, temperature=0.5):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    if z1.dim() != 2 or z1.shape != z2.shape:
        raise ValueError("z1 and z2 must both be (N, D) with the same shape")
    n = z1.shape[0]
    z = torch.cat([z1, z2])
    sim = F.cosine_similarity(z[:, None, :], z[None, :, :], dim=-1, eps=1e-8) / temperature
    sim = sim.masked_fill(torch.eye(2 * n, dtype=torch.bool, device=z.device), float("-inf"))
    idx = torch.arange(2 * n, device=z.device)
    return (torch.logsumexp(sim, dim=1) - sim[idx, (idx + n) % (2 * n)]).mean()
