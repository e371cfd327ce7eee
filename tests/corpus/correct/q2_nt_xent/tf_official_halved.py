"""Correct: TF-official LARGE_NUM masks, CE on [ab, aa] and [ba, bb], halved."""

import torch
import torch.nn.functional as F


def nt_xent_loss(z1, z2, temperature=0.5):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    if z1.dim() != 2 or z1.shape != z2.shape:
        raise ValueError("z1 and z2 must both be (N, D) with the same shape")
    n = z1.shape[0]
    large_num = 1e9
    a = F.normalize(z1, dim=1, eps=1e-8)
    b = F.normalize(z2, dim=1, eps=1e-8)
    labels = torch.arange(n, device=z1.device)
    masks = torch.eye(n, dtype=a.dtype, device=z1.device) * large_num
    logits_aa = a @ a.T / temperature - masks
    logits_bb = b @ b.T / temperature - masks
    logits_ab = a @ b.T / temperature
    logits_ba = b @ a.T / temperature
    loss_a = F.cross_entropy(torch.cat([logits_ab, logits_aa], dim=1), labels)
    loss_b = F.cross_entropy(torch.cat([logits_ba, logits_bb], dim=1), labels)
    return (loss_a + loss_b) / 2
