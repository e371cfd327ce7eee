"""Bug: divides the summed 2N anchor losses by N (TF official value, twice the paper's)."""

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
    self_mask = torch.eye(2 * n, dtype=torch.bool, device=z.device)
    logits = logits.masked_fill(self_mask, float("-inf"))
    positives = (torch.arange(2 * n, device=z.device) + n) % (2 * n)
    return F.cross_entropy(logits, positives, reduction="sum") / n
