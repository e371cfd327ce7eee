"""Q2: SimCLR's NT-Xent loss (normalized temperature-scaled cross entropy).

SimCLR turns "two augmented views of one image should agree" into a
classification problem: among the other 2N-1 embeddings in the batch, each
view must pick out its partner. The logits are cosine similarities divided by
a temperature; the loss is the cross entropy of picking the right partner.
Minimizing it pulls positive pairs together and pushes every other image in
the batch away, which is what makes the representation useful without labels.

Allowed imports: ``torch``, ``torch.nn.functional`` and ``math``.
"""

import torch
import torch.nn.functional as F


def nt_xent_loss(z1: torch.Tensor, z2: torch.Tensor, temperature: float = 0.5) -> torch.Tensor:
    """Mean NT-Xent loss over all 2N anchors of a batch of positive pairs.

    Shapes: ``z1`` and ``z2`` are ``(N, D)`` projections of two augmented views;
    row ``i`` of ``z1`` and row ``i`` of ``z2`` are a positive pair. Returns a
    0-d tensor of the inputs' dtype on their device.

    Definition: let ``z = cat([z1, z2])`` (2N rows) and ``s[k, j]`` be the cosine
    similarity of rows ``k`` and ``j`` divided by ``temperature``. The positive of
    anchor ``k`` is ``(k + N) mod 2N``, and its loss is::

        loss_k = -log( exp(s[k, pos]) / sum_{j != k} exp(s[k, j]) )

    Return the mean over the 2N anchors (the SimCLR paper's value; lightly's
    ``NTXentLoss`` gives the same, TensorFlow's official code twice it).

    Raises ``ValueError`` if ``temperature <= 0``, if ``z1`` and ``z2`` have
    different shapes, or if they are not 2-D.

    Rules: vectorized (no Python loop over anchors or rows), finite in float32
    down to ``temperature=0.01`` even when positives are nearly identical (so
    never ``exp`` then ``log``: use ``torch.logsumexp`` or ``F.cross_entropy``),
    inputs not modified, differentiable.

    Worked example (CS231n's sanity check)::

        >>> z1 = torch.tensor([[1., 2., 3.], [4., 5., 6.]])
        >>> z2 = torch.tensor([[0., 8., 3.], [10., 4., 9.]])
        >>> nt_xent_loss(z1, z2, temperature=0.5)
        tensor(1.0241)

    Collapse check: if every row is the same vector, every logit is equal and the
    loss is ``log(2N - 1)`` whatever the temperature.

    Hint: build the ``(2N, 2N)`` similarity matrix, put ``-inf`` on its diagonal
    (a row never competes with itself), and the row-wise cross entropy with
    targets ``[N, ..., 2N-1, 0, ..., N-1]`` is the whole loss.
    """
    raise NotImplementedError("nt_xent_loss is not implemented yet")
