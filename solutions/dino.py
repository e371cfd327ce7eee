"""Q7: DINO's self-distillation loss, with centering and sharpening of the teacher.

DINO trains a student network to match a teacher's output distribution over K
prototypes, across crops of one image: the teacher sees the two global crops,
the student every crop, and each student crop must predict the teacher's
distribution for the other crops. The teacher is a moving average of the
student, so nothing but the targets' shape keeps both from collapsing.
Centering (subtracting a running mean of the teacher's outputs) stops one
prototype from winning for every image; sharpening (a low teacher temperature)
stops the opposite collapse, to the uniform distribution.

Allowed imports: ``torch``, ``torch.nn.functional`` and ``math``.
"""

import torch
import torch.nn.functional as F


def dino_loss(
    student_out: torch.Tensor,
    teacher_out: torch.Tensor,
    center: torch.Tensor,
    n_crops: int,
    student_temp: float = 0.1,
    teacher_temp: float = 0.04,
) -> torch.Tensor:
    """DINO's loss: the teacher's centered, sharpened distributions as targets for the student's.

    Shapes: ``student_out`` is ``(n_crops * B, K)``, crop-major (rows ``v*B`` to
    ``v*B + B - 1`` are crop ``v``); ``teacher_out`` is ``(2 * B, K)``, the two global
    crops, which are student crops 0 and 1; ``center`` is ``(K,)`` or ``(1, K)``.
    Returns a 0-d tensor of the inputs' dtype on their device.

    Definition: targets ``softmax((teacher_out - center) / teacher_temp)`` (carrying
    no gradient) and student log-probabilities ``log_softmax(student_out /
    student_temp)``. For every teacher crop ``t`` in {0, 1} and student crop
    ``v != t``, take the batch mean of the cross entropy
    ``sum_k -target[t][b, k] * log_prob[v][b, k]``; the loss is the mean over those
    ``2 * (n_crops - 1)`` pairs. A crop is never paired with itself. No gradient
    flows into ``teacher_out`` or ``center``. Finite in float32 at the default
    temperatures (use ``log_softmax``, not ``log(softmax)``).

    Raises ``ValueError`` if ``n_crops < 2``, if the rows of ``student_out`` do not
    split into ``n_crops`` crops of the teacher's ``B``, if the ``K``s differ, if
    ``center`` is not ``(K,)`` or ``(1, K)``, or if a temperature is not positive.

    Worked example: when ``teacher_out`` equals the center, every target is uniform
    (``1/K``); if the student's rows are all equal too, every log-probability is
    ``-log K`` and the loss is ``log K``::

        >>> dino_loss(torch.zeros(6, 4), torch.ones(4, 4), torch.ones(4), n_crops=3)
        tensor(1.3863)

    Hint: reshape to ``(n_crops, B, K)`` and ``(2, B, K)``; all the cross entropies at
    once are a ``(2, n_crops)`` table, and a mask drops the diagonal ``t == v``.
    """
    # BEGIN SOLUTION
    if n_crops < 2:
        raise ValueError(f"n_crops must be at least 2, got {n_crops}")
    if student_temp <= 0 or teacher_temp <= 0:
        raise ValueError(f"temperatures must be positive, got {student_temp} and {teacher_temp}")
    if student_out.dim() != 2 or teacher_out.dim() != 2 or student_out.shape[1] != teacher_out.shape[1]:
        raise ValueError(f"outputs must be (rows, K) with one K; got {tuple(student_out.shape)} and {tuple(teacher_out.shape)}")
    batch, k = teacher_out.shape[0] // 2, teacher_out.shape[1]
    if teacher_out.shape[0] != 2 * batch or student_out.shape[0] != n_crops * batch or batch == 0:
        raise ValueError(f"student_out needs {n_crops} crops of the teacher's {teacher_out.shape[0]} / 2 rows")
    if center.shape not in ((k,), (1, k)):
        raise ValueError(f"center must be ({k},) or (1, {k}), got {tuple(center.shape)}")
    log_prob = F.log_softmax(student_out / student_temp, dim=-1).reshape(n_crops, batch, k)
    target = F.softmax((teacher_out - center.reshape(1, k)).detach() / teacher_temp, dim=-1).reshape(2, batch, k)
    cross_entropy = -(target[:, None] * log_prob[None]).sum(dim=-1).mean(dim=-1)  # (2, n_crops)
    pairs = 1 - torch.eye(2, n_crops, dtype=cross_entropy.dtype, device=cross_entropy.device)  # t != v
    return (cross_entropy * pairs).sum() / pairs.sum()
    # END SOLUTION


def update_center(center: torch.Tensor, teacher_out: torch.Tensor, momentum: float = 0.9) -> torch.Tensor:
    """The new center: a moving average of the teacher's batch mean.

    Shapes: ``center`` is ``(K,)`` or ``(1, K)``, ``teacher_out`` ``(2 * B, K)``.
    Returns ``center * momentum + teacher_out.mean(dim=0, keepdim=True) * (1 - momentum)``
    of shape ``(1, K)``, with no autograd history; ``center`` is not modified
    (DINO's own code updates it in place; here you return a new tensor).

    Worked example::

        >>> update_center(torch.zeros(2), torch.tensor([[1., 3.], [3., 5.]]), momentum=0.5)
        tensor([[1., 2.]])

    Hint: ``momentum=1`` must give back the center, ``momentum=0`` the batch mean.
    """
    # BEGIN SOLUTION
    with torch.no_grad():
        batch_mean = teacher_out.mean(dim=0, keepdim=True)  # (1, K)
        return center.reshape(1, -1) * momentum + batch_mean * (1 - momentum)
    # END SOLUTION
