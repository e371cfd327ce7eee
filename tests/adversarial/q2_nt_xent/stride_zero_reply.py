"""Attack: return a tensor that is small in memory but huge when copied: one
element expanded to 16384 x 16384 (a stride-0 view: 1 GiB of float32 once
materialized). A grader that rebuilt it from its storage and copied it would
allocate 1 GiB and be killed by the container's 768 MB limit, grading nobody.

Stopped by: the worker serializes plain contiguous bytes, inside its own
address-space limit, so the copy fails in the worker; and the grader never
reads more than Limits.reply_bytes nor builds more than a reply holds.
No import beyond torch: this module keeps the assignment's rule.
Honest score: 0 (the loss is never computed).
"""

import torch


def nt_xent_loss(z1, z2, temperature=0.5):
    return torch.zeros(1, dtype=z1.dtype).expand(16384, 16384)
