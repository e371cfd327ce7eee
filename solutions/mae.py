"""Q4: the data side of a Masked Autoencoder (MAE).

Masked image modeling hides most of an image and asks the network to paint it
back. MAE cuts the image into patches, keeps a random 25% for the encoder and
scores the decoder only on the patches it never saw: reconstructing them needs
an understanding of shapes and context, not copying. These four functions are
the exact tensor plumbing of the official MAE code (``models_mae.py``).

Allowed imports: ``torch``, ``torch.nn.functional`` and ``math``.
"""

import math

import torch


def patchify(imgs: torch.Tensor, patch_size: int) -> torch.Tensor:
    """Cut images into flattened non-overlapping square patches.

    Shapes: ``imgs`` is ``(N, C, H, W)`` with ``H`` and ``W`` divisible by
    ``p = patch_size`` (else ``ValueError``); returns ``(N, L, p*p*C)`` with
    ``L = (H/p) * (W/p)``, the input's dtype and device. Any number of channels.
    (MAE uses square images; the grader only uses square ones.)

    Layout, as in MAE: patches in row-major order over the patch grid; each patch
    flattened in ``(row-in-patch, column-in-patch, channel)`` order, channel last,
    i.e. ``einsum('nchpwq->nhwpqc')``.

    Worked example::

        >>> patchify(torch.arange(96.).reshape(2, 3, 4, 4), 2)[0, 0]
        tensor([ 0., 16., 32.,  1., 17., 33.,  4., 20., 36.,  5., 21., 37.])

    Hint: ``reshape`` to ``(N, C, h, p, w, p)``, move the axes, ``reshape`` again.
    """
    # BEGIN SOLUTION
    n, c, height, width = imgs.shape
    p = patch_size
    if height % p or width % p:
        raise ValueError(f"image size {height}x{width} is not divisible by patch size {p}")
    h, w = height // p, width // p
    x = imgs.reshape(n, c, h, p, w, p)
    x = torch.einsum("nchpwq->nhwpqc", x)
    return x.reshape(n, h * w, p * p * c)  # (N, L, p*p*C)
    # END SOLUTION


def unpatchify(x: torch.Tensor, patch_size: int, channels: int = 3) -> torch.Tensor:
    """Exact inverse of ``patchify`` for square images.

    Shapes: ``x`` is ``(N, L, p*p*C)`` with ``C = channels``; ``L`` must be a
    perfect square (else ``ValueError``). Returns ``(N, C, H, W)`` with
    ``H = W = sqrt(L) * p``, the input's dtype and device, so that
    ``unpatchify(patchify(imgs, p), p, C)`` equals ``imgs`` exactly.

    Hint: undo ``patchify`` step by step in reverse order (``'nhwpqc->nchpwq'``).
    ``math.isqrt`` tells you whether ``L`` is a perfect square.
    """
    # BEGIN SOLUTION
    n, length, _ = x.shape
    p, c = patch_size, channels
    h = w = math.isqrt(length)
    if h * w != length:
        raise ValueError(f"the number of patches {length} is not a perfect square")
    x = x.reshape(n, h, w, p, p, c)
    x = torch.einsum("nhwpqc->nchpwq", x)
    return x.reshape(n, c, h * p, w * p)  # (N, C, H, W)
    # END SOLUTION


def random_masking(
    x: torch.Tensor, mask_ratio: float, noise: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Keep a random subset of patches per sample, as MAE's encoder sees them.

    Shapes: ``x`` is ``(N, L, D)``; ``0 <= mask_ratio < 1`` (else ``ValueError``);
    ``noise`` is ``(N, L)`` or ``None``. Returns ``(x_masked, mask, ids_restore)``:

    - ``len_keep = int(L * (1 - mask_ratio))``, computed exactly like that;
    - ``noise``: when ``None``, draw ``torch.rand(N, L)`` on ``x``'s device (a
      fresh random row per sample, so every sample gets its own mask);
    - ``ids_shuffle = argsort(noise, dim=1)``: the ``len_keep`` patches with the
      smallest noise are kept;
    - ``x_masked`` is ``(N, len_keep, D)`` with ``x_masked[n, i] = x[n, ids_shuffle[n, i]]``
      (noise order, not position order), ``x``'s dtype and device;
    - ``mask`` is a float tensor ``(N, L)`` in the original patch order, 0 = kept,
      1 = removed (``x``'s dtype; float32 is accepted too, as in the MAE code);
    - ``ids_restore = argsort(ids_shuffle, dim=1)``, int64 ``(N, L)``: it undoes
      the shuffle, so ``gather(cat([x_masked, zeros]), ids_restore)`` puts every
      kept patch back in place.

    Worked example, ``L = 4`` and ``mask_ratio = 0.5``::

        noise[0]       = [0.7, 0.1, 0.9, 0.3]  ->  ids_shuffle[0] = [1, 3, 0, 2]
        x_masked[0]    = x[0, [1, 3]]
        mask[0]        = [1., 0., 1., 0.]
        ids_restore[0] = [2, 0, 3, 1]

    Hint: ``torch.gather`` with the index expanded to ``(N, len_keep, D)`` picks
    the kept patches; build ``mask`` in shuffled order (zeros then ones) and
    gather it with ``ids_restore``.
    """
    # BEGIN SOLUTION
    if not 0 <= mask_ratio < 1:
        raise ValueError(f"mask_ratio must be in [0, 1), got {mask_ratio}")
    n, length, d = x.shape
    len_keep = int(length * (1 - mask_ratio))
    if noise is None:
        noise = torch.rand(n, length, device=x.device)  # (N, L) in [0, 1)
    ids_shuffle = torch.argsort(noise, dim=1)  # ascending: small noise is kept
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    ids_keep = ids_shuffle[:, :len_keep]  # (N, len_keep)
    x_masked = torch.gather(x, 1, ids_keep.unsqueeze(-1).expand(-1, -1, d))
    mask = torch.ones(n, length, dtype=x.dtype, device=x.device)
    mask[:, :len_keep] = 0
    mask = torch.gather(mask, 1, ids_restore)  # back to the original patch order
    return x_masked, mask, ids_restore
    # END SOLUTION


def mae_loss(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor, norm_pix_loss: bool = False) -> torch.Tensor:
    """MAE's reconstruction loss: mean squared error on the removed patches only.

    Shapes: ``pred`` and ``target`` are ``(N, L, P)``, ``mask`` is ``(N, L)`` with
    1 = removed and 0 = kept. Returns a 0-d tensor of the inputs' dtype.

    Definition::

        per_patch = ((pred - target) ** 2).mean(dim=-1)       # (N, L)
        loss      = (per_patch * mask).sum() / mask.sum()

    With ``norm_pix_loss=True`` each target patch is first normalized over its
    ``P`` values: ``(t - mean) / sqrt(var + 1e-6)``, with the *unbiased* variance
    (``Tensor.var``'s default), as in MAE.

    Rules: inputs not modified; differentiable with respect to ``pred``.

    Worked example::

        pred = zeros(1, 2, 2); target = [[[1, 1], [3, 3]]]; mask = [[0, 1]]
        per_patch = [1, 9]  ->  loss = (0*1 + 1*9) / 1 = 9

    Hint: kept patches are visible to the encoder, so they carry no learning
    signal; that is why they are multiplied by zero.
    """
    # BEGIN SOLUTION
    if norm_pix_loss:
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1e-6) ** 0.5
    per_patch = ((pred - target) ** 2).mean(dim=-1)  # (N, L)
    return (per_patch * mask).sum() / mask.sum()
    # END SOLUTION
