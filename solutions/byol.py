"""Q6: BYOL's regression loss and the moving-average target network.

BYOL learns without negatives: the online network predicts the target network's
projection of another view of the same image, and that is the whole loss.
Nothing in the loss stops every image from mapping to one constant vector; what
prevents that collapse in practice is the asymmetry: a predictor on the online
side only, a stop-gradient on the target side, and a target network that is a
slow moving average of the online one instead of being trained.

Allowed imports: ``torch``, ``torch.nn.functional`` and ``math``.
"""

import torch
import torch.nn.functional as F


def byol_loss(p: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """BYOL's loss: mean over rows of ``2 - 2 * cos(p_i, z_i)``.

    Shapes: ``p`` is ``(N, D)`` online predictions, ``z`` ``(N, D)`` target
    projections of the other view; row ``i`` of each comes from the same image.
    Returns a 0-d tensor of the inputs' dtype on their device.

    Conventions: cosines use norms clamped at 1e-12 (like ``F.normalize``), so the
    loss equals the mean squared distance between the normalized rows and lies in
    ``[0, 4]``: 0 when ``p_i`` and ``z_i`` point the same way, 4 when opposite.
    Stop-gradient: no gradient flows into ``z`` (the target network is not trained
    by backpropagation).

    Raises ``ValueError`` if ``p`` and ``z`` have different shapes or are not 2-D.

    Worked example::

        >>> p = torch.tensor([[1., 0.], [0., 1.]])
        >>> z = torch.tensor([[2., 0.], [1., 1.]])
        >>> byol_loss(p, z)   # rows: 2 - 2*1 = 0 and 2 - 2/sqrt(2); mean (2 - sqrt(2)) / 2
        tensor(0.2929)

    Hint: normalize both, and ``.detach()`` the target.
    """
    # BEGIN SOLUTION
    if p.dim() != 2 or p.shape != z.shape:
        raise ValueError(f"p and z must both be (N, D); got {tuple(p.shape)} and {tuple(z.shape)}")
    p = F.normalize(p, dim=1)  # (N, D)
    z = F.normalize(z.detach(), dim=1)  # (N, D)
    return (2 - 2 * (p * z).sum(dim=1)).mean()
    # END SOLUTION


def ema_update(online: list[torch.Tensor], target: list[torch.Tensor], momentum: float) -> list[torch.Tensor]:
    """The target network's new parameters: an exponential moving average of the online ones.

    Shapes: ``online`` and ``target`` are lists of the same length whose tensors
    pair up with equal shapes (the parameters of two networks). Returns a new
    list: ``momentum * t + (1 - momentum) * o`` for each pair, in order.

    Conventions: ``momentum`` weighs the old target (BYOL uses 0.99 to 0.996), so
    ``momentum=1`` keeps the target and ``momentum=0`` copies the online network.
    The results carry no autograd history (compute them under ``torch.no_grad()``),
    and no input tensor is modified.

    Raises ``ValueError`` unless ``0 <= momentum <= 1``, the lists have the same
    length and each pair has the same shape.

    Worked example::

        >>> ema_update([torch.tensor([1., 1.])], [torch.tensor([0., 2.])], momentum=0.9)
        [tensor([0.1000, 1.9000])]

    Hint: one list comprehension over ``zip(online, target)``.
    """
    # BEGIN SOLUTION
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1], got {momentum}")
    if len(online) != len(target) or any(o.shape != t.shape for o, t in zip(online, target)):
        raise ValueError("online and target must be lists of tensors with matching shapes")
    with torch.no_grad():
        return [momentum * t + (1 - momentum) * o for o, t in zip(online, target)]
    # END SOLUTION
