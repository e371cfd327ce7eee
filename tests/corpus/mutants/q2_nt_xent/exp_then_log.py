"""Bug: exp then log instead of log-sum-exp; NaN in float32 at temperature 0.01."""

import torch
import torch.nn.functional as F


def nt_xent_loss(z1, z2, temperature=0.5):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    if z1.dim() != 2 or z1.shape != z2.shape:
        raise ValueError("z1 and z2 must both be (N, D) with the same shape")
    n = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2]), dim=1, eps=1e-8)
    sim = torch.exp(z @ z.T / temperature)
    not_self = 1 - torch.eye(2 * n, dtype=sim.dtype, device=z.device)
    denominator = (sim * not_self).sum(dim=1)
    positives = (torch.arange(2 * n, device=z.device) + n) % (2 * n)
    numerator = sim[torch.arange(2 * n, device=z.device), positives]
    return -torch.log(numerator / denominator).mean()
