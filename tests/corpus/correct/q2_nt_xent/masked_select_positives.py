"""Correct, written as CS231n's A3 template suggests: the positives' similarities picked with
torch.masked_select (no meta kernel: the device check must stay inconclusive on meta, not fail),
the denominator with logsumexp over the similarities with the diagonal removed by a boolean mask."""

import torch
import torch.nn.functional as F


def nt_xent_loss(z1, z2, temperature=0.5):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    if z1.dim() != 2 or z1.shape != z2.shape:
        raise ValueError("z1 and z2 must be (N, D) of the same shape")
    n = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2]), dim=1, eps=1e-8)
    sim = z @ z.T / temperature  # (2N, 2N)
    idx = torch.arange(2 * n, device=z.device)
    pos_mask = idx[None, :] == ((idx + n) % (2 * n))[:, None]
    positives = torch.masked_select(sim, pos_mask)  # (2N,), in row order
    not_self = ~torch.eye(2 * n, dtype=torch.bool, device=z.device)
    others = sim[not_self].reshape(2 * n, 2 * n - 1)  # boolean-mask indexing
    return (torch.logsumexp(others, dim=1) - positives).mean()
