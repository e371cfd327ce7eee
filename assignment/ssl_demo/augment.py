"""SimCLR's data augmentations, scaled down to 8x8 digits and written with torch ops.

One random view = a small rotation, a small zoom and a shift of up to about a pixel
(one affine warp), then a random 3x3 cut-out and pixel noise. Two views of the same
digit still show the same digit; the encoder must learn to ignore everything else.
"""

import math

import torch
import torch.nn.functional as F


def random_view(
    images: torch.Tensor,
    generator: torch.Generator | None = None,
    max_degrees: float = 15.0,
    max_shift: float = 1.25,
    scale_range: tuple[float, float] = (0.85, 1.15),
    cutout: int = 3,
    noise_std: float = 0.1,
) -> torch.Tensor:
    """One augmented view of every image in ``images`` ``(B, C, H, W)``, values kept in [0, 1]."""
    b, _, h, w = images.shape

    def uniform(low: float, high: float) -> torch.Tensor:
        return low + (high - low) * torch.rand(b, generator=generator)

    angle = uniform(-max_degrees, max_degrees) * math.pi / 180
    scale = uniform(*scale_range)
    shift_x = uniform(-max_shift, max_shift) * 2 / w  # pixels -> normalized [-1, 1] units
    shift_y = uniform(-max_shift, max_shift) * 2 / h
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack(
        [torch.stack([cos, -sin, shift_x], 1), torch.stack([sin, cos, shift_y], 1)], 1
    )  # (B, 2, 3): output pixel -> input location
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    views = F.grid_sample(images, grid, padding_mode="zeros", align_corners=False)

    if cutout:  # blank a random cutout x cutout square (may hang off the edge)
        top = torch.randint(-1, h - cutout + 2, (b, 1, 1), generator=generator)
        left = torch.randint(-1, w - cutout + 2, (b, 1, 1), generator=generator)
        rows = torch.arange(h).view(1, h, 1)
        cols = torch.arange(w).view(1, 1, w)
        hole = (rows >= top) & (rows < top + cutout) & (cols >= left) & (cols < left + cutout)
        views = views * (~hole).unsqueeze(1)

    views = views + noise_std * torch.randn(views.shape, generator=generator)
    return views.clamp(0, 1)
