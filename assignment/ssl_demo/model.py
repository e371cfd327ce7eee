"""The small convolutional encoder every method pre-trains, and the heads they put on it."""

import torch
from torch import nn


class Encoder(nn.Module):
    """8x8 digit -> ``dim``-dimensional representation (the features the linear probe sees).

    conv 3x3 -> conv 3x3 -> 2x2 max-pool (a 4x4 grid, one cell per 2x2 patch)
    -> conv 3x3 -> flatten -> linear. About 190k parameters.
    """

    def __init__(self, width: int = 32):
        super().__init__()
        self.dim = 4 * width
        self.convs = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1),
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.Conv2d(width, 2 * width, 3, padding=1),
            nn.BatchNorm2d(2 * width),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(2 * width, 2 * width, 3, padding=1),
            nn.BatchNorm2d(2 * width),
            nn.ReLU(),
        )
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(2 * width * 16, self.dim), nn.BatchNorm1d(self.dim), nn.ReLU())

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.fc(self.convs(images))  # (B, dim)


def mlp(dim_in: int, dim_hidden: int, dim_out: int) -> nn.Module:
    """SimCLR's projection head and MAE's decoder: one hidden layer."""
    return nn.Sequential(nn.Linear(dim_in, dim_hidden), nn.BatchNorm1d(dim_hidden), nn.ReLU(), nn.Linear(dim_hidden, dim_out))


class Unit(nn.Module):
    """Rows scaled to unit length."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.normalize(x, dim=1)


def dino_head(dim_in: int, dim_hidden: int, bottleneck: int, prototypes: int) -> nn.Module:
    """DINO's head: an MLP to a unit-length bottleneck, then weight-normalized prototypes (no bias).

    Without the normalized bottleneck, DINO on 8x8 digits did no better than a random encoder in our runs.
    """
    last = nn.utils.parametrizations.weight_norm(nn.Linear(bottleneck, prototypes, bias=False))
    return nn.Sequential(mlp(dim_in, dim_hidden, bottleneck), Unit(), last)
