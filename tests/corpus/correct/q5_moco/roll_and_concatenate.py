"""Correct: F.normalize, matmul against the whole queue with the positive prepended, and a rolled queue."""

import torch
import torch.nn.functional as F


def moco_logits(q, k, queue, temperature=0.07):
    if not temperature > 0:
        raise ValueError("temperature must be positive")
    if len(q.shape) != 2 or q.shape != k.shape or len(queue.shape) != 2 or queue.shape[-1] != q.shape[-1]:
        raise ValueError("shapes disagree")
    q = F.normalize(q, dim=-1)
    keys = F.normalize(torch.cat([k.detach(), queue.detach()]), dim=-1)  # (N + K, D)
    similarity = q @ keys.T  # (N, N + K)
    n = q.shape[0]
    positives = similarity[:, :n].diagonal().unsqueeze(1)
    logits = torch.cat([positives, similarity[:, n:]], dim=1) / temperature
    return logits, torch.zeros_like(logits[:, 0], dtype=torch.int64)


def moco_loss(q, k, queue, temperature=0.07):
    return F.cross_entropy(*moco_logits(q, k, queue, temperature))


def dequeue_and_enqueue(queue, keys, ptr):
    if queue.ndim != 2 or keys.ndim != 2 or queue.shape[1] != keys.shape[1]:
        raise ValueError("D differs")
    size, n = len(queue), len(keys)
    if n > size or ptr < 0 or ptr >= size:
        raise ValueError("too many keys or ptr out of range")
    rolled = queue.roll(-ptr, dims=0)  # row ptr first
    rolled = torch.cat([keys.to(queue.dtype), rolled[n:]])
    return rolled.roll(ptr, dims=0), (ptr + n) % size
