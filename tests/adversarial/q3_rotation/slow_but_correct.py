"""Attack (or just a very slow student): a correct rotate_batch that takes 4.5 s
per call, under the 5 s call deadline. Every call succeeds, so without a
budget the question would run for hundreds of calls: past Gradescope's 10
minutes, with no results at all.

Stopped by: each question's time in the worker is capped (Limits.budget_seconds);
when it is used up, the remaining properties fail at once with a message that
says so, and the other questions are graded as usual.
Honest score: 0 (it imports time, which the assignment's rule forbids).
"""

import time

import torch


def rotate_batch(images):
    time.sleep(4.5)
    if images.shape[-1] != images.shape[-2]:
        raise ValueError("images must be square")
    rotated = torch.stack([torch.rot90(images, k, dims=(-2, -1)) for k in range(4)], dim=1)
    labels = torch.arange(4, device=images.device).repeat(images.shape[0])
    return rotated.flatten(0, 1), labels
