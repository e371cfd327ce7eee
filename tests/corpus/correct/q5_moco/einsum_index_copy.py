"""Correct: the official MoCo einsums, a hand-written log-sum-exp loss, and index_copy for the ring buffer."""

import torch


def _unit(x):
    return x / torch.linalg.vector_norm(x, dim=1, keepdim=True).clamp_min(1e-12)


def moco_logits(q, k, queue, temperature=0.07):
    if temperature <= 0 or q.dim() != 2 or k.shape != q.shape or queue.dim() != 2 or queue.shape[1] != q.shape[1]:
        raise ValueError("bad shapes or temperature")
    q, k, queue = _unit(q), _unit(k).detach(), _unit(queue).detach()
    l_pos = torch.einsum("nc,nc->n", q, k).unsqueeze(-1)
    l_neg = torch.einsum("nc,ck->nk", q, queue.T)
    return torch.cat([l_pos, l_neg], dim=1) / temperature, q.new_zeros(q.shape[0], dtype=torch.long)


def moco_loss(q, k, queue, temperature=0.07):
    logits, _ = moco_logits(q, k, queue, temperature)
    return (torch.logsumexp(logits, dim=1) - logits[:, 0]).mean()


def dequeue_and_enqueue(queue, keys, ptr):
    size, n = queue.shape[0], keys.shape[0]
    if keys.dim() != 2 or queue.dim() != 2 or keys.shape[1] != queue.shape[1] or n > size or not 0 <= ptr < size:
        raise ValueError("bad queue, keys or ptr")
    rows = torch.remainder(torch.arange(ptr, ptr + n, device=queue.device), size)
    return queue.detach().index_copy(0, rows, keys.detach().to(queue.dtype)), (ptr + n) % size
