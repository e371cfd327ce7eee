"""Pre-training an encoder without labels, one function per method.

Each function takes a fresh copy of the same randomly initialised encoder, trains it
on the unlabeled training digits with the student's own functions, and returns it.
MoCo, BYOL and DINO also keep a slowly moving copy of the network (key encoder,
target, teacher) that is never trained by backpropagation.
"""

import copy
import time

import torch
import torch.nn.functional as F
from torch import nn

from . import augment
from .config import Config
from .model import Encoder, dino_head, mlp


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


@torch.no_grad()
def _follow(slow: nn.Module, fast: nn.Module, momentum: float):
    """``slow <- momentum * slow + (1 - momentum) * fast``, parameter by parameter (MoCo's key encoder, DINO's teacher)."""
    for s, f in zip(slow.parameters(), fast.parameters()):
        s.mul_(momentum).add_(f, alpha=1 - momentum)


def moco(encoder: Encoder, images, config: Config, generator, functions, log=print) -> Encoder:
    """MoCo: a query view against its key view and a queue of keys from earlier batches.

    ``functions`` holds the student's ``moco_loss`` and ``dequeue_and_enqueue``.
    """
    head = mlp(encoder.dim, encoder.dim, 64)
    query_net = nn.Sequential(encoder, head)
    key_net = copy.deepcopy(query_net).train()  # the momentum encoder
    state = {"queue": F.normalize(torch.randn(config.queue_size, 64, generator=generator), dim=1), "ptr": 0}

    def step(batch):
        q = query_net(augment.random_view(batch, generator))
        with torch.no_grad():
            _follow(key_net, query_net, config.momentum)
            k = key_net(augment.random_view(batch, generator))
        loss = functions["moco_loss"](q, k, state["queue"], temperature=config.moco_temperature)
        state["queue"], state["ptr"] = functions["dequeue_and_enqueue"](state["queue"], k, state["ptr"])
        return loss

    return _train("MoCo", encoder, head, images, config.epochs_moco, config, generator, step, log)


def byol(encoder: Encoder, images, config: Config, generator, functions, log=print) -> Encoder:
    """BYOL: the online network predicts the target network's projection of the other view.

    ``functions`` holds the student's ``byol_loss`` and ``ema_update`` (the target's update).
    """
    projector, predictor = mlp(encoder.dim, encoder.dim, 64), mlp(64, encoder.dim, 64)
    online = nn.Sequential(encoder, projector)
    target = copy.deepcopy(online).train()

    def step(batch):
        with torch.no_grad():
            averaged = functions["ema_update"](list(online.parameters()), list(target.parameters()), config.momentum)
            for t, new in zip(target.parameters(), averaged):
                t.copy_(new)
        v1, v2 = augment.random_view(batch, generator), augment.random_view(batch, generator)
        p1, p2 = predictor(online(v1)), predictor(online(v2))
        with torch.no_grad():
            z1, z2 = target(v1), target(v2)
        return functions["byol_loss"](p1, z2) + functions["byol_loss"](p2, z1)  # symmetrized, as in the paper

    return _train("BYOL", encoder, nn.ModuleList([projector, predictor]), images, config.epochs_byol, config, generator, step, log)


def dino(encoder: Encoder, images, config: Config, generator, functions, log=print) -> Encoder:
    """DINO: the student matches the centered, sharpened teacher across crops of one digit.

    ``functions`` holds the student's ``dino_loss`` and ``update_center``.
    """
    head = dino_head(encoder.dim, encoder.dim, 32, config.dino_prototypes)
    student = nn.Sequential(encoder, head)
    teacher = copy.deepcopy(student).train()
    state = {"center": torch.zeros(1, config.dino_prototypes)}

    def step(batch):
        crops = torch.cat([augment.random_view(batch, generator) for _ in range(config.dino_crops)])  # crop-major
        with torch.no_grad():
            _follow(teacher, student, config.momentum)
            teacher_out = teacher(crops[: 2 * len(batch)])  # the two global crops
        loss = functions["dino_loss"](student(crops), teacher_out, state["center"], config.dino_crops)
        state["center"] = functions["update_center"](state["center"], teacher_out)
        return loss

    return _train("DINO", encoder, head, images, config.epochs_dino, config, generator, step, log)
