"""Pre-training an encoder without labels, one function per method.

Each function takes a fresh copy of the same randomly initialised encoder, trains it
on the unlabeled training digits with the student's own functions, and returns it.
"""

import time

import torch
import torch.nn.functional as F

from . import augment
from .config import Config
from .model import Encoder, mlp


def _batches(n: int, batch_size: int, generator: torch.Generator):
    """Shuffled index batches; the last, partial one is dropped (BatchNorm and NT-Xent like full batches)."""
    order = torch.randperm(n, generator=generator)
    for start in range(0, n - batch_size + 1, batch_size):
        yield order[start : start + batch_size]


def _train(name, encoder, head, images, epochs, config, generator, step, log):
    """The loop all three methods share: Adam, ``epochs`` passes, about ten progress lines."""
    params = list(encoder.parameters()) + list(head.parameters())
    optimizer = torch.optim.Adam(params, lr=config.lr)
    batch_size = min(config.batch_size, len(images))
    encoder.train()
    head.train()
    every = max(1, epochs // 10)
    for epoch in range(1, epochs + 1):
        start, total, count = time.perf_counter(), 0.0, 0
        for idx in _batches(len(images), batch_size, generator):
            loss = step(images[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total, count = total + loss.item(), count + 1
        if epoch == 1 or epoch == epochs or epoch % every == 0:
            log(f"  [{name}] epoch {epoch:2d}/{epochs}  loss {total / count:.4f}  ({time.perf_counter() - start:.1f}s/epoch)")
    encoder.eval()
    return encoder


def simclr(encoder: Encoder, images, config: Config, generator, nt_xent_loss, log=print) -> Encoder:
    """SimCLR: two random views per digit; NT-Xent pulls each pair together."""
    head = mlp(encoder.dim, encoder.dim, 64)  # projection head g(.), thrown away afterwards

    def step(batch):
        z1 = head(encoder(augment.random_view(batch, generator)))
        z2 = head(encoder(augment.random_view(batch, generator)))
        return nt_xent_loss(z1, z2, temperature=config.temperature)

    return _train("SimCLR", encoder, head, images, config.epochs_simclr, config, generator, step, log)


def rotnet(encoder: Encoder, images, config: Config, generator, rotate_batch, log=print) -> Encoder:
    """RotNet: by which of 0/90/180/270 degrees was this (augmented) digit turned? 4-way classification."""
    head = mlp(encoder.dim, encoder.dim, 4)  # an MLP, like SimCLR's: keeps the features less task-specific

    def step(batch):
        batch = augment.random_view(batch, generator)  # no solving it from pixel statistics alone
        rotated, labels = rotate_batch(batch)  # (4B, 1, 8, 8), (4B,)
        return F.cross_entropy(head(encoder(rotated)), labels)

    return _train("RotNet", encoder, head, images, config.epochs_rotnet, config, generator, step, log)


def masked_input(x_masked, ids_restore, length, patch_size, unpatchify):
    """Put the kept patches back where they came from, zeros where patches were removed.

    This is how MAE's decoder un-shuffles its tokens (with mask tokens instead of zeros);
    ``unpatchify`` then turns the patch sequence back into an image a CNN can read.
    """
    n, keep, dim = x_masked.shape
    filled = torch.cat([x_masked, x_masked.new_zeros(n, length - keep, dim)], dim=1)
    filled = torch.gather(filled, 1, ids_restore.unsqueeze(-1).expand(-1, -1, dim))  # (N, L, D)
    return unpatchify(filled, patch_size, 1)


def mae(encoder: Encoder, images, config: Config, generator, functions, log=print) -> Encoder:
    """MAE-style: hide ``mask_ratio`` of the 2x2 patches, reconstruct them from the rest.

    ``functions`` holds the student's ``patchify``, ``random_masking``, ``unpatchify`` and
    ``mae_loss``. The loss counts the removed patches only.
    """
    p = config.patch_size
    length = (images.shape[-1] // p) ** 2
    decoder = mlp(encoder.dim, 2 * encoder.dim, length * p * p)

    def step(batch):
        patches = functions["patchify"](batch, p)  # (B, 16, 4): the targets
        x_masked, mask, ids_restore = functions["random_masking"](patches, config.mask_ratio)
        visible = masked_input(x_masked, ids_restore, length, p, functions["unpatchify"])
        pred = decoder(encoder(visible)).view_as(patches)
        return functions["mae_loss"](pred, patches, mask, norm_pix_loss=config.norm_pix_loss)

    return _train("MAE", encoder, decoder, images, config.epochs_mae, config, generator, step, log)
