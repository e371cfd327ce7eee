"""Q5: MoCo's contrastive loss against a queue of negatives, and the queue itself.

SimCLR's negatives are the other images of the batch, so more negatives need a
bigger batch. MoCo keeps the keys of earlier batches in a queue instead: the
number of negatives (the queue length K) no longer depends on the batch size.
The keys come from a momentum encoder, a slowly moving copy of the query
encoder, so keys computed a few batches apart stay consistent with each other;
it is updated by a moving average, never by backpropagation.

Allowed imports: ``torch``, ``torch.nn.functional`` and ``math``.
"""

import torch
import torch.nn.functional as F


def moco_logits(q: torch.Tensor, k: torch.Tensor, queue: torch.Tensor, temperature: float = 0.07) -> tuple[torch.Tensor, torch.Tensor]:
    """The logits of MoCo's (1 + K)-way classification, and its labels.

    Shapes: ``q`` and ``k`` are ``(N, D)`` query and key embeddings (row ``i`` of
    each is a positive pair); ``queue`` is ``(K, D)``, keys of earlier batches (the
    negatives). Returns ``logits`` ``(N, 1 + K)`` of the inputs' dtype and
    ``labels`` ``(N,)`` int64 zeros, both on the inputs' device.

    Conventions: every row of ``q``, ``k`` and ``queue`` is L2-normalized first
    (norm clamped at 1e-12, like ``F.normalize``). Column 0 is the positive,
    ``q_i · k_i``; columns ``1..K`` are ``q_i · queue_j``; all are divided by
    ``temperature``. So the right class is always 0. No gradient flows into ``k``
    or ``queue``: the key encoder is not trained by backpropagation.

    Raises ``ValueError`` if ``temperature <= 0``, if ``q`` and ``k`` are not the
    same ``(N, D)`` shape, or if ``queue`` is not ``(K, D)``.

    Worked example::

        >>> q = torch.tensor([[1., 0.], [0., 1.]])
        >>> k = torch.tensor([[3., 0.], [0., 2.]])
        >>> queue = torch.tensor([[0., 1.], [-1., 0.]])
        >>> moco_logits(q, k, queue, temperature=0.5)
        (tensor([[ 2.,  0., -2.],
                 [ 2.,  2.,  0.]]), tensor([0, 0]))

    Hint: ``(q * k).sum(1, keepdim=True)`` gives the positives, ``q @ queue.T`` the
    negatives; ``.detach()`` stops the gradient.
    """
    raise NotImplementedError("moco_logits is not implemented yet")


def moco_loss(q: torch.Tensor, k: torch.Tensor, queue: torch.Tensor, temperature: float = 0.07) -> torch.Tensor:
    """MoCo's InfoNCE loss: the mean cross entropy of ``moco_logits`` with its labels.

    Shapes as in ``moco_logits``; returns a 0-d tensor of the inputs' dtype. Finite
    in float32 down to ``temperature=0.01`` (logits up to 100: never ``exp`` then
    ``log``). Same ``ValueError`` cases as ``moco_logits``.

    Worked example: for the example of ``moco_logits``, row 0 has logits
    ``[2, 0, -2]`` and row 1 ``[2, 2, 0]``, so the loss is the mean of
    ``log(e^2 + e^0 + e^-2) - 2`` and ``log(2 e^2 + 1) - 2``, about 0.4508.

    Hint: ``F.cross_entropy`` does the rest.
    """
    raise NotImplementedError("moco_loss is not implemented yet")


def dequeue_and_enqueue(queue: torch.Tensor, keys: torch.Tensor, ptr: int) -> tuple[torch.Tensor, int]:
    """Push a batch of keys into the ring buffer of negatives; the oldest ones leave.

    Shapes: ``queue`` is ``(K, D)``, ``keys`` ``(N, D)`` with ``N <= K``, ``ptr`` a
    Python int in ``[0, K)``: the row the next key goes to. Returns a new queue
    ``(K, D)`` and the new pointer ``(ptr + N) % K`` (a Python int).

    Conventions: rows ``ptr, ptr + 1, ..., ptr + N - 1`` of a copy of ``queue``,
    taken modulo ``K`` (so a batch that runs past the last row wraps around to row
    0), are replaced by the ``N`` rows of ``keys``, in order. ``queue`` itself is
    not modified. After ``K / N`` calls with ``N`` keys each, the queue holds exactly
    the last ``K`` keys. No Python loop over keys or rows.

    Raises ``ValueError`` if ``N > K``, if the ``D`` of ``keys`` and ``queue`` differ,
    or unless ``0 <= ptr < K``.

    Worked example (K = 4, wrapping)::

        >>> queue = torch.zeros(4, 1)
        >>> dequeue_and_enqueue(queue, torch.tensor([[1.], [2.]]), ptr=3)
        (tensor([[2.], [0.], [0.], [1.]]), 1)

    Hint: the rows to write are ``(ptr + torch.arange(N)) % K``.
    """
    raise NotImplementedError("dequeue_and_enqueue is not implemented yet")
