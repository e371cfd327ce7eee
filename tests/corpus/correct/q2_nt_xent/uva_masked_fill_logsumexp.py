"""Correct: UvA style, diagonal masked_fill with -9e15, rolled positive mask, logsumexp."""

import torch


def nt_xent_loss(z1, z2, temperature=0.5):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    if z1.dim() != 2 or z1.shape != z2.shape:
        raise ValueError("z1 and z2 must both be (N, D) with the same shape")
    n = z1.shape[0]
    feats = torch.cat([z1, z2])
    feats = feats / torch.linalg.vector_norm(feats, dim=1, keepdim=True).clamp_min(1e-8)
    cos_sim = feats @ feats.T / temperature
    self_mask = torch.eye(2 * n, dtype=torch.bool, device=feats.device)
    cos_sim = cos_sim.masked_fill(self_mask, -9e15)
    pos_mask = self_mask.roll(shifts=n, dims=0)
    nll = -cos_sim[pos_mask] + torch.logsumexp(cos_sim, dim=-1)
    return nll.mean()
