"""Q1: cosine similarity, the quantity contrastive learning optimizes.

Contrastive methods such as SimCLR never compare raw feature vectors: they compare
their *directions*. Two views of the same image should point the same way
(cosine near 1), views of different images should not (cosine near 0 or below).
Cosine similarity ignores length, so the encoder cannot win by inflating norms.

Allowed imports: ``torch``, ``torch.nn.functional`` and ``math``. You may NOT call
``torch.nn.functional.cosine_similarity``, ``torch.cosine_similarity`` or
``torch.nn.CosineSimilarity``: writing them is the exercise.
"""

import torch


def cosine_similarity(u: torch.Tensor, v: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Cosine similarity of ``u`` and ``v`` along the last dimension.

    Definition (as in current PyTorch)::

        cos(u, v) = u·v / (max(‖u‖, eps) · max(‖v‖, eps))

    Shapes: ``u`` is ``(..., D)``, ``v`` is ``(..., D)``; the leading dimensions
    broadcast like ``u + v`` does, and the last one is reduced:
    ``(5, 1, 8)`` with ``(1, 7, 8)`` gives ``(5, 7)``; two ``(D,)`` vectors give a
    0-d tensor. Returns the inputs' dtype (float32 or float64) on their device.

    Conventions: a zero vector has cosine 0 with everything (never NaN). How you
    guard small norms is up to you (``max(‖u‖, eps)``, ``‖u‖ + eps``, ...); the
    grader only asks for a finite result when ``0 < ‖u‖ < 1e-3``. Do not modify
    the inputs; the result must be differentiable.

    Worked example (the lesson's positive pair)::

        >>> cosine_similarity(torch.tensor([1., 0.]), torch.tensor([0.9, 0.4]))
        tensor(0.9138)          # 0.9 / (1 * sqrt(0.81 + 0.16)) = 0.9 / 0.985

    Hint: ``(u * v).sum(-1)`` broadcasts for free; so does ``torch.linalg.vector_norm``
    with ``dim=-1``. Clamp the norms with ``.clamp_min(eps)`` before dividing.
    """
    # BEGIN SOLUTION
    u_norm = torch.linalg.vector_norm(u, dim=-1).clamp_min(eps)  # (...)
    v_norm = torch.linalg.vector_norm(v, dim=-1).clamp_min(eps)  # (...)
    return (u * v).sum(dim=-1) / (u_norm * v_norm)
    # END SOLUTION


def cosine_similarity_matrix(a: torch.Tensor, b: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """All pairwise cosine similarities between the rows of ``a`` and of ``b``.

    Shapes: ``a`` is ``(N, D)``, ``b`` is ``(M, D)``; the result is ``(N, M)`` with
    ``result[i, j] == cosine_similarity(a[i], b[j])`` (same eps convention, a zero
    row gives a row or column of zeros). Returns the inputs' dtype on their device.

    This is the similarity matrix SimCLR builds for a whole batch at once, so it
    must be vectorized: no Python loop whose number of iterations grows with
    ``N`` or ``M`` (the grader counts torch calls for a small and a large batch).

    Worked example::

        >>> cosine_similarity_matrix(torch.tensor([[1., 0.], [0., 2.]]),
        ...                          torch.tensor([[3., 0.], [1., 1.], [0., -1.]]))
        tensor([[ 1.0000,  0.7071,  0.0000],
                [ 0.0000,  0.7071, -1.0000]])

    Hint: normalize every row once, then a single matrix product ``a_hat @ b_hat.T``
    gives every dot product of unit vectors.
    """
    # BEGIN SOLUTION
    a_hat = a / torch.linalg.vector_norm(a, dim=1, keepdim=True).clamp_min(eps)  # (N, D)
    b_hat = b / torch.linalg.vector_norm(b, dim=1, keepdim=True).clamp_min(eps)  # (M, D)
    return a_hat @ b_hat.T  # (N, M)
    # END SOLUTION
