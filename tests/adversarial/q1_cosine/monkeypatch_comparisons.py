"""Attack: make every comparison succeed, then return nonsense.

Patches torch.allclose, torch.isclose, torch.equal, torch.eq, Tensor.__eq__,
torch.testing.assert_close, math.isclose and numpy's comparisons, as a
student would to fool a grader that compares in the student's process.
Stopped by: comparisons run only in the grader's process, which never
imports student code; the patches change the worker's torch only.
Honest score: 0: wrong values of the wrong shape and dtype, inputs modified,
the built-in cosine similarity called, one torch call per row.
"""

import math

import numpy
import torch
import torch.nn.functional as F


def _yes(*args, **kwargs):
    return True


def _all_true(a, b, *args, **kwargs):
    return torch.ones(torch.broadcast_shapes(a.shape, b.shape), dtype=torch.bool)


torch.allclose = torch.equal = math.isclose = numpy.allclose = _yes
torch.isclose = torch.eq = _all_true
torch.Tensor.__eq__ = _all_true
torch.testing.assert_close = numpy.testing.assert_allclose = lambda *a, **k: None


def _spoil(*inputs):
    """Every property an honest grader checks besides the values fails too: the inputs are
    modified, the result depends on them asymmetrically, has the wrong shape and dtype, is
    made on the CPU whatever the inputs' device, with one torch call per row."""
    tensors = [x for x in inputs if isinstance(x, torch.Tensor)]
    if tensors[0].device.type != "cpu":
        return torch.zeros(1, dtype=torch.float16)
    for row in tensors[0].detach().reshape(-1, tensors[0].shape[-1]):
        row.add_(1)
    for x in tensors[1:]:
        x.detach().add_(1)
    return torch.full((1,), float(sum((i + 1) ** 2 * x.sum() for i, x in enumerate(tensors))), dtype=torch.float16)


def cosine_similarity(u, v, eps=1e-8):
    F.cosine_similarity(u.detach(), v.detach(), dim=-1)
    return _spoil(u, v)


def cosine_similarity_matrix(a, b, eps=1e-8):
    F.cosine_similarity(a.detach()[:, None], b.detach()[None], dim=-1)
    return _spoil(a, b)
