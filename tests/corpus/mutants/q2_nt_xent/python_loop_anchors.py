"""Bug: loops over the 2N anchors in Python (right value, not vectorized)."""

import torch
import torch.nn.functional as F


def nt_xent_loss(z1, z2, temperature=0.5):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    if z1.dim() != 2 or z1.shape != z2.shape:
        raise ValueError("z1 and z2 must both be (N, D) with the same shape")
    n = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2]), dim=1, eps=1e-8)
    logits = z @ z.T / temperature
    losses = []
    for k in range(2 * n):
        others = torch.cat([logits[k, :k], logits[k, k + 1 :]])
        losses.append(torch.logsumexp(others, dim=0) - logits[k, (k + n) % (2 * n)])
    return torch.stack(losses).mean()
