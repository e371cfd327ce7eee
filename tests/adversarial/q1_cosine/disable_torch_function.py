"""Attack: forge the worker's measurements. The built-in cosine similarity and a
Python loop over rows run inside torch._C.DisableTorchFunction(), which hides
them from the worker's torch-call counter: without the rule, no_builtin and
matrix_vectorized would pass and q1 would get 20/20 instead of 17.

Stopped by: the assignment's rule, read from the source in the grader
(checker.rules): torch._C is torch's private machinery, so the question earns
no points, and the feedback quotes the rule.
Honest score: 0 (the rule).
"""

import torch
import torch.nn.functional as F


def cosine_similarity(u, v, eps=1e-8):
    with torch._C.DisableTorchFunction():
        return F.cosine_similarity(u, v, dim=-1, eps=eps)


def cosine_similarity_matrix(a, b, eps=1e-8):
    with torch._C.DisableTorchFunction():
        rows = [F.cosine_similarity(a[i : i + 1], b, dim=-1, eps=eps) for i in range(a.shape[0])]
        return torch.stack(rows) if rows else a.new_zeros(0, b.shape[0])
