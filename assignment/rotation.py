"""Q3: RotNet's rotation pretext task.

A pretext task manufactures labels from the data itself. RotNet rotates every
image by 0, 90, 180 and 270 degrees and asks the network which rotation it sees.
To answer, the network has to know what upright objects look like (where heads,
wheels and horizons go), so its features become useful for real tasks later.
This question builds the labelled pretext batch; any classifier can train on it.

Allowed imports: ``torch``, ``torch.nn.functional`` and ``math``.
"""

import torch


def rotate_batch(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Build RotNet's pretext batch: four rotations of every image, with labels.

    Shapes: ``images`` is ``(B, C, H, W)`` with ``H == W`` (else ``ValueError``).
    Returns ``(rotated, labels)``: ``rotated`` is ``(4B, C, H, W)`` with the
    images' dtype and device; ``labels`` is int64 ``(4B,)`` on the same device.

    Order (interleaved per image, as in RotNet)::

        rotated[4*b + k] == torch.rot90(images[b], k, dims=(-2, -1))   # k*90 deg CCW
        labels[4*b + k]  == k                                          # k in 0..3

    Rules: inputs not modified; ``rotated`` is differentiable with respect to
    ``images``. ``torch.rot90`` is allowed, and a loop over the four rotations (or
    even over the batch) is fine: the exercise is building the batch.

    Worked example, one 2x2 image::

        >>> rotated, labels = rotate_batch(torch.tensor([[[[1., 2.], [3., 4.]]]]))
        >>> rotated[:, 0]
        tensor([[[1., 2.], [3., 4.]],      # k=0: unchanged
                [[2., 4.], [1., 3.]],      # k=1: 90 deg counter-clockwise
                [[4., 3.], [2., 1.]],      # k=2: 180 deg
                [[3., 1.], [4., 2.]]])     # k=3: 270 deg counter-clockwise
        >>> labels
        tensor([0, 1, 2, 3])

    Hint: stack the four rotations along a new dimension 1 to get
    ``(B, 4, C, H, W)``, then flatten the first two dimensions.
    """
    raise NotImplementedError("rotate_batch is not implemented yet")
