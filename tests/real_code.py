"""Grade public code nobody here wrote, wrapped into the assignment's signatures.

    python -m tests.real_code --cache DIR [--mirror DIR] [--write]

Each case names real code by repository, path and commit, the functions or
methods it uses, and a thin adapter of ours that gives them the spec's
signatures (building a fake ``self``, reshaping, adding the spec's input checks)
without touching their math. The real code itself never enters this
repository (the tool library's rule for public code): it is read at run time
from ``--mirror`` (git snapshots, ``OWNER+NAME/repo``) or ``--cache`` (files at
``OWNER+NAME/PATH``), the wrapped module is written to a temporary folder and
graded like a submission. Each case states its expected outcome: full marks, or
a bug and the properties that must fail; ``--write`` records the table in
``tests/real_code_RESULTS.md``. Exits 1 when an outcome differs.
"""

import argparse
import ast
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from autograder.paths import ROOT

RESULTS = ROOT / "tests" / "real_code_RESULTS.md"

PRELUDE = '''\
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


def check_views(z1, z2, temperature):
    """The spec's input checks for nt_xent_loss (the adapter's, not the real code's)."""
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    if z1.dim() != 2 or z1.shape != z2.shape:
        raise ValueError("z1 and z2 must be (N, D) of the same shape")


def rows(u, v):
    """u and v broadcast against each other, as rows of their last dimension, and the shape of the result."""
    shape = torch.broadcast_shapes(u.shape, v.shape)
    return u.expand(shape).reshape(-1, shape[-1]), v.expand(shape).reshape(-1, shape[-1]), shape[:-1]


def checks_images(imgs, p):
    if imgs.shape[2] % p or imgs.shape[3] % p:
        raise ValueError("H and W must be divisible by patch_size")


def checks_patches(x):
    if math.isqrt(x.shape[1]) ** 2 != x.shape[1]:
        raise ValueError("L must be a perfect square")


def checks_ratio(mask_ratio):
    if not 0 <= mask_ratio < 1:
        raise ValueError("mask_ratio must be in [0, 1)")


def checks_moco(q, k, queue, temperature):
    if temperature <= 0 or q.dim() != 2 or q.shape != k.shape or queue.dim() != 2 or queue.shape[1] != q.shape[1]:
        raise ValueError("moco: bad temperature or shapes")


def checks_enqueue(queue, keys, ptr):
    if queue.dim() != 2 or keys.dim() != 2 or keys.shape[1] != queue.shape[1] or len(keys) > len(queue) or not 0 <= ptr < len(queue):
        raise ValueError("dequeue_and_enqueue: bad shapes or ptr")


def checks_ema(online, target, momentum):
    if not 0 <= momentum <= 1 or len(online) != len(target) or any(o.shape != t.shape for o, t in zip(online, target)):
        raise ValueError("ema_update: bad momentum or lists")


def checks_dino(student_out, teacher_out, center, n_crops, student_temp, teacher_temp):
    rows, k = teacher_out.shape if teacher_out.dim() == 2 else (0, 0)
    if n_crops < 2 or student_temp <= 0 or teacher_temp <= 0 or rows == 0 or rows % 2 or student_out.dim() != 2:
        raise ValueError("dino_loss: bad n_crops, temperature or teacher rows")
    if student_out.shape != (n_crops * rows // 2, k) or tuple(center.shape) not in ((k,), (1, k)):
        raise ValueError("dino_loss: rows do not split into crops, or a bad center")
'''

CS231N_Q1 = """
def cosine_similarity(u, v, eps=1e-8):
    a, b, shape = rows(u, v)
    return torch.stack([sim(x, y) for x, y in zip(a, b)]).reshape(shape) if len(a) else a.new_zeros(shape)


def cosine_similarity_matrix(a, b, eps=1e-8):
    return compute_sim_matrix(torch.cat([a, b]))[: len(a), len(a) :]
"""
CS231N_Q2 = """
def nt_xent_loss(z1, z2, temperature=0.5):
    check_views(z1, z2, temperature)
    return simclr_loss_vectorized(z1, z2, temperature, device=z1.device)
"""
CS231N_NAMES = ("sim", "sim_positive_pairs", "compute_sim_matrix", "simclr_loss_vectorized")
CS231N_PATH = "assignment3/cs231n/simclr/contrastive_loss.py"
CS231N_CHANGES = "q1 from the student's sim (over broadcast rows) and compute_sim_matrix (the off-diagonal block of cat([a, b])); q2 calls simclr_loss_vectorized(z1, z2, tau, device=z1.device) after the spec's checks"


@dataclass(frozen=True)
class Source:
    repo: str
    path: str
    commit: str
    names: tuple[str, ...]  # functions, classes, or Class.method (extracted as a function taking self)


@dataclass(frozen=True)
class Case:
    name: str
    question: str
    sources: tuple[Source, ...]
    adapter: str
    changes: str  # what the adapter does, in one line
    must_fail: frozenset[str] = field(default_factory=frozenset)  # empty: full marks expected
    why: str = ""  # the real bug, when there is one


def student(name, repo, commit, q1_fail=(), q2_fail=(), why1="", why2="") -> list[Case]:
    source = (Source(repo, CS231N_PATH, commit, CS231N_NAMES),)
    return [
        Case(f"{name} (q1)", "q1_cosine", source, CS231N_Q1, CS231N_CHANGES, frozenset(q1_fail), why1),
        Case(f"{name} (q2)", "q2_nt_xent", source, CS231N_Q2, CS231N_CHANGES, frozenset(q2_fail), why2),
    ]


NO_EPS = "divides by the norms with no eps: a zero vector gives NaN"
EXP_LOG = "exp() then log(): overflows in float32 at temperature 0.01"

CASES = [
    Case(
        "sentence-transformers cos_sim / pairwise_cos_sim",
        "q1_cosine",
        (
            Source(
                "UKPLab/sentence-transformers",
                "sentence_transformers/util/similarity.py",
                "85ec64559f44",
                ("cos_sim", "pairwise_cos_sim", "pairwise_dot_score"),
            ),
            Source(
                "UKPLab/sentence-transformers",
                "sentence_transformers/util/tensor.py",
                "85ec64559f44",
                ("_convert_to_tensor", "_convert_to_batch_tensor", "normalize_embeddings"),
            ),
        ),
        """
def cosine_similarity(u, v, eps=1e-8):
    a, b, shape = rows(u, v)
    return pairwise_cos_sim(a, b).reshape(shape)


def cosine_similarity_matrix(a, b, eps=1e-8):
    return cos_sim(a, b)
""",
        "pairwise_cos_sim over broadcast rows; cos_sim as the matrix",
    ),
    Case(
        "torchmetrics pairwise cosine similarity",
        "q1_cosine",
        (
            Source(
                "Lightning-AI/torchmetrics",
                "src/torchmetrics/functional/pairwise/cosine.py",
                "dab033394560",
                ("_pairwise_cosine_similarity_update",),
            ),
            Source("Lightning-AI/torchmetrics", "src/torchmetrics/functional/pairwise/helpers.py", "dab033394560", ("_check_input",)),
            Source("Lightning-AI/torchmetrics", "src/torchmetrics/utilities/compute.py", "dab033394560", ("_safe_matmul",)),
        ),
        """
def cosine_similarity(u, v, eps=1e-8):
    a, b, shape = rows(u, v)
    return torch.diagonal(_pairwise_cosine_similarity_update(a, b, zero_diagonal=False)).reshape(shape)


def cosine_similarity_matrix(a, b, eps=1e-8):
    return _pairwise_cosine_similarity_update(a, b, zero_diagonal=False)
""",
        "the pairwise matrix as is; its diagonal over broadcast rows for cosine_similarity",
        frozenset({"zero_vector", "agrees_with_definition", "matrix_agrees"}),
        NO_EPS,
    ),
    Case(
        "PyTorch's own F.cosine_similarity",
        "q1_cosine",
        (),
        """
def cosine_similarity(u, v, eps=1e-8):
    return F.cosine_similarity(u, v, dim=-1, eps=eps)


def cosine_similarity_matrix(a, b, eps=1e-8):
    return F.cosine_similarity(a[:, None], b[None], dim=-1, eps=eps)
""",
        "calls the built-in (torch 2.13.0's C++ kernel), broadcasting rows against columns for the matrix",
        frozenset({"no_builtin"}),
        "the exercise forbids the built-in; nothing else is wrong with it",
    ),
    *student(
        "CS231n A3, Tomer0013",
        "Tomer0013/cs231n-spring21-solutions",
        "b5f0779b4a9b",
        q1_fail={"zero_vector", "agrees_with_definition", "matrix_agrees"},
        q2_fail={"stable_in_float32"},
        why1=NO_EPS,
        why2=EXP_LOG,
    ),
    *student(
        "CS231n A3, AnirudhM1",
        "AnirudhM1/CS231n-2022-Solutions",
        "1308eeedf663",
        q1_fail={"zero_vector", "agrees_with_definition", "matrix_agrees"},
        q2_fail={"stable_in_float32"},
        why1=NO_EPS,
        why2=EXP_LOG,
    ),
    *student(
        "CS231n A3, anenbergb",
        "anenbergb/stanford_cs231n",
        "408fdb767d1f",
        q1_fail={"zero_vector", "agrees_with_definition", "matrix_agrees"},
        q2_fail={"stable_in_float32"},
        why1=NO_EPS,
        why2=EXP_LOG
        + " (its numerator (2N, 1) over denom (2N,) broadcasts to (2N, 2N), harmlessly: the mean of log den_j - log num_i over all (i, j) is the loss)",
    ),
    *student(
        "CS231n A3, Sihan0229",
        "Sihan0229/cs231n_assignment_2023",
        "042d53823804",
        q1_fail={"zero_vector", "agrees_with_definition", "matrix_agrees"},
        q2_fail={"stable_in_float32"},
        why1=NO_EPS,
        why2=EXP_LOG,
    ),
    *student(
        "CS231n A3, Tomsawyerhu",
        "Tomsawyerhu/cs231n",
        "3df0ca26219a",
        q1_fail={"zero_vector", "keeps_dtype", "agrees_with_definition", "matrix_agrees", "matrix_vectorized"},
        q2_fail={"vectorized", "stable_in_float32"},
        why1="compute_sim_matrix fills a float32 CPU matrix entry by entry in two Python loops (on meta, assigning into it raises: "
        "same_device cannot tell, a GPU would); " + NO_EPS,
        why2="the same loops inside the loss, and " + EXP_LOG,
    ),
    Case(
        "lightly NTXentLoss",
        "q2_nt_xent",
        (Source("lightly-ai/lightly", "lightly/loss/ntx_ent_loss.py", "e8d317fc5a87", ("NTXentLoss",)),),
        """
class MemoryBankModule(nn.Module):
    \"\"\"Stands for lightly's memory bank at size 0 (SimCLR): no negatives from a bank.\"\"\"

    def __init__(self, size=0, gather_distributed=False):
        super().__init__()

    def forward(self, output, update=False):
        return output, None


def nt_xent_loss(z1, z2, temperature=0.5):
    check_views(z1, z2, temperature)
    return NTXentLoss(temperature=temperature)(z1, z2)
""",
        "the class with its memory bank at size 0 (a stand-in returning no bank), after the spec's checks",
    ),
    Case(
        "sthalles/SimCLR info_nce_loss",
        "q2_nt_xent",
        (Source("sthalles/SimCLR", "simclr.py", "1848fc934ad8", ("SimCLR.info_nce_loss",)),),
        """
def nt_xent_loss(z1, z2, temperature=0.5):
    check_views(z1, z2, temperature)
    args = type("Args", (), {"batch_size": len(z1), "n_views": 2, "device": z1.device, "temperature": temperature})
    logits, labels = info_nce_loss(type("Self", (), {"args": args})(), torch.cat([z1, z2]))
    return F.cross_entropy(logits, labels)  # the repository's training step: CrossEntropyLoss on these
""",
        "the method with a self holding its args; cross entropy of its logits, as the repository's training step does",
    ),
    Case(
        "Spijkervet/SimCLR NT_Xent",
        "q2_nt_xent",
        (Source("Spijkervet/SimCLR", "simclr/modules/nt_xent.py", "2738efae85b3", ("NT_Xent",)),),
        """
def nt_xent_loss(z1, z2, temperature=0.5):
    check_views(z1, z2, temperature)
    return NT_Xent(len(z1), temperature, 1)(z1, z2)
""",
        "the class built for the batch size at hand (world size 1), after the spec's checks",
        frozenset({"vectorized"}),
        "mask_correlated_samples loops over the batch in Python (once per batch size)",
    ),
    Case(
        "UvA DL tutorial 17 (SimCLR) info_nce_loss",
        "q2_nt_xent",
        (Source("phlippe/uvadlc_notebooks", "docs/tutorial_notebooks/tutorial17/SimCLR.ipynb", "0da8037c7abc", ("SimCLR.info_nce_loss",)),),
        """
def nt_xent_loss(z1, z2, temperature=0.5):
    check_views(z1, z2, temperature)
    hparams = type("HParams", (), {"temperature": temperature})
    module = type("Self", (), {"convnet": staticmethod(lambda x: x), "hparams": hparams, "log": lambda self, *a, **k: None})()
    return info_nce_loss(module, ((z1, z2), None))
""",
        "the Lightning method with an identity encoder and no logging, the two views as its batch",
    ),
    Case(
        "Test-Time Training rotate_batch('expand')",
        "q3_rotation",
        (
            Source(
                "Simon4Yan/Accuracy-estimation-with-self-supervision",
                "utils/rotation.py",
                "cf286e8a2e27",
                ("tensor_rot_90", "tensor_rot_180", "tensor_rot_270", "rotate_batch_with_labels", "rotate_batch"),
            ),
        ),
        """
_rotate_batch = rotate_batch


def rotate_batch(images):
    if images.shape[-1] != images.shape[-2]:
        raise ValueError("images must be square")
    return _rotate_batch(images, "expand")
""",
        "its 'expand' mode (all four rotations of the batch), after the spec's check",
        frozenset({"labels_interleaved", "agrees_with_definition", "interleaved_order", "same_device"}),
        "blocked, not interleaved: all images at 0 degrees, then all at 90, ...; labels made on the CPU",
    ),
    Case(
        "official MAE (facebookresearch/mae models_mae.py)",
        "q4_mae",
        (
            Source(
                "facebookresearch/mae",
                "models_mae.py",
                "efb2a8062c20",
                (
                    "MaskedAutoencoderViT.patchify",
                    "MaskedAutoencoderViT.unpatchify",
                    "MaskedAutoencoderViT.random_masking",
                    "MaskedAutoencoderViT.forward_loss",
                ),
            ),
        ),
        """
_patchify, _unpatchify, _random_masking, _forward_loss = patchify, unpatchify, random_masking, forward_loss


def model(p=1, norm_pix_loss=False, target_is_patches=False):
    embed = type("PatchEmbed", (), {"patch_size": (p, p)})
    own = staticmethod(lambda imgs: imgs) if target_is_patches else _patchify
    return type("MAE", (), {"patch_embed": embed, "norm_pix_loss": norm_pix_loss, "patchify": own})()


def patchify(imgs, patch_size):
    checks_images(imgs, patch_size)
    return _patchify(model(patch_size), imgs)


def unpatchify(x, patch_size, channels=3):
    checks_patches(x)
    return _unpatchify(model(patch_size), x)


def random_masking(x, mask_ratio, noise=None):
    checks_ratio(mask_ratio)
    if noise is None:
        return _random_masking(model(), x, mask_ratio)
    draw = torch.rand
    torch.rand = lambda *size, device=None: noise.to(device)  # the given noise, where the method draws its own
    try:
        return _random_masking(model(), x, mask_ratio)
    finally:
        torch.rand = draw


def mae_loss(pred, target, mask, norm_pix_loss=False):
    return _forward_loss(model(norm_pix_loss=norm_pix_loss, target_is_patches=True), target, pred, mask)
""",
        "the model's methods on a stand-in self; given noise fed through the torch.rand the method calls; forward_loss on patches",
        frozenset({"patchify_agrees", "unpatchify_agrees", "unpatchify_inverts_patchify", "shapes_and_dtypes"}),
        "patchify and unpatchify assume 3 channels (the spec: any C; unpatchify has no channels argument)",
    ),
    Case(
        "Hugging Face ViTMAE",
        "q4_mae",
        (
            Source(
                "huggingface/transformers",
                "src/transformers/models/vit_mae/modeling_vit_mae.py",
                "015e68769f98",
                (
                    "ViTMAEForPreTraining.patchify",
                    "ViTMAEForPreTraining.unpatchify",
                    "ViTMAEEmbeddings.random_masking",
                    "ViTMAEForPreTraining.forward_loss",
                ),
            ),
        ),
        """
_patchify, _unpatchify, _random_masking, _forward_loss = patchify, unpatchify, random_masking, forward_loss


def model(p=1, c=3, mask_ratio=0.75, norm_pix_loss=False, target_is_patches=False):
    config = type("Config", (), {"patch_size": p, "num_channels": c, "mask_ratio": mask_ratio, "norm_pix_loss": norm_pix_loss, "image_size": 0})
    own = staticmethod(lambda imgs, interpolate_pos_encoding=False: imgs) if target_is_patches else _patchify
    return type("ViTMAE", (), {"config": config, "patchify": own})()


def patchify(imgs, patch_size):
    checks_images(imgs, patch_size)
    return _patchify(model(patch_size, imgs.shape[1]), imgs, interpolate_pos_encoding=imgs.shape[2] != imgs.shape[3])


def unpatchify(x, patch_size, channels=3):
    checks_patches(x)
    side = math.isqrt(x.shape[1]) * patch_size
    return _unpatchify(model(patch_size, channels), x, original_image_size=(side, side))


def random_masking(x, mask_ratio, noise=None):
    checks_ratio(mask_ratio)
    return _random_masking(model(mask_ratio=mask_ratio), x, noise)


def mae_loss(pred, target, mask, norm_pix_loss=False):
    return _forward_loss(model(norm_pix_loss=norm_pix_loss, target_is_patches=True), target, pred, mask)
""",
        "the model's methods on a stand-in self whose config carries p, C and the mask ratio; forward_loss on patches",
    ),
    Case(
        "official MoCo (facebookresearch/moco builder.py)",
        "q5_moco",
        (Source("facebookresearch/moco", "moco/builder.py", "132aea9da9bb", ("MoCo.forward", "MoCo._dequeue_and_enqueue")),),
        """
_forward, _enqueue = forward, _dequeue_and_enqueue


def concat_all_gather(tensor):
    return tensor  # one process: gathering from all GPUs is the identity


def builder(queue, temperature=0.07):
    identity = staticmethod(lambda x: x)
    members = {"encoder_q": identity, "encoder_k": identity, "T": temperature, "K": queue.shape[0]}
    members |= {"_momentum_update_key_encoder": lambda self: None, "_dequeue_and_enqueue": lambda self, keys: None}
    members |= {"_batch_shuffle_ddp": lambda self, x: (x, None), "_batch_unshuffle_ddp": lambda self, x, idx: x}
    module = type("MoCo", (), members)()
    module.queue = F.normalize(queue, dim=1).T  # (D, K): the buffer holds normalized keys
    return module


def moco_logits(q, k, queue, temperature=0.07):
    checks_moco(q, k, queue, temperature)
    return _forward(builder(queue, temperature), q, k)


def moco_loss(q, k, queue, temperature=0.07):
    return F.cross_entropy(*moco_logits(q, k, queue, temperature))  # main_moco.py: nn.CrossEntropyLoss()


def dequeue_and_enqueue(queue, keys, ptr):
    checks_enqueue(queue, keys, ptr)
    module = builder(queue)
    module.queue, module.queue_ptr = queue.T.clone(), torch.tensor([ptr])
    _enqueue(module, keys)
    return module.queue.T, int(module.queue_ptr)
""",
        "forward with identity encoders (the inputs are the features) and the queue as (D, K) normalized keys; "
        "_dequeue_and_enqueue on a copy of the queue, one process; loss: nn.CrossEntropyLoss as main_moco.py",
        frozenset({"worked_example", "enqueue_example", "enqueue_agrees"}),
        "labels made with .cuda(): every moco_logits call raises on a grader without a GPU; the queue asserts K % N == 0 "
        "and writes queue[:, ptr:ptr + N]: a pointer that is not a multiple of N runs past the end",
    ),
    Case(
        "BYOL, lucidrains/byol-pytorch cosine_loss_fn and EMA",
        "q6_byol",
        (Source("lucidrains/byol-pytorch", "byol_pytorch/byol_pytorch.py", "299312613c1f", ("l2norm", "cosine_loss_fn", "EMA")),),
        """
def byol_loss(p, z):
    if p.dim() != 2 or p.shape != z.shape:
        raise ValueError("p and z must be (N, D)")
    return cosine_loss_fn(p, z.detach()).mean()  # as BYOL.forward calls it: loss_fn(pred, target.detach()), then .mean()


def ema_update(online, target, momentum):
    checks_ema(online, target, momentum)
    updater = EMA(momentum)
    return [updater.update_average(t.data, o.data) for o, t in zip(online, target)]  # as update_moving_average calls it
""",
        "cosine_loss_fn called as BYOL.forward calls it (target detached, batch mean); EMA.update_average on .data as "
        "update_moving_average calls it, without writing back into the target",
    ),
    Case(
        "solo-learn mocov2plus_loss_func and MoCoV2Plus._dequeue_and_enqueue",
        "q5_moco",
        (
            Source("vturrisi/solo-learn", "solo/losses/mocov2plus.py", "9187ea39c2c3", ("mocov2plus_loss_func",)),
            Source("vturrisi/solo-learn", "solo/methods/mocov2plus.py", "9187ea39c2c3", ("MoCoV2Plus._dequeue_and_enqueue",)),
        ),
        """
def moco_logits(q, k, queue, temperature=0.07):
    raise NotImplementedError("solo-learn computes the loss only")


def moco_loss(q, k, queue, temperature=0.07):
    checks_moco(q, k, queue, temperature)
    with torch.no_grad():  # the keys come from momentum_forward, under @torch.no_grad()
        k = F.normalize(k, dim=-1)
    queue = F.normalize(queue, dim=1).T.clone().detach()  # (D, K) of normalized keys, as training_step passes it
    return mocov2plus_loss_func(F.normalize(q, dim=-1), k, queue, temperature)


def dequeue_and_enqueue(queue, keys, ptr):
    checks_enqueue(queue, keys, ptr)
    module = type("MoCoV2Plus", (), {"queue_size": queue.shape[0]})()
    module.queue, module.queue_ptr = queue.T[None].clone(), torch.tensor([ptr])  # (1, D, K): one view's queue
    _dequeue_and_enqueue(module, keys.detach()[None])
    return module.queue[0].T, int(module.queue_ptr)
""",
        "the loss called as training_step calls it (q and k normalized as forward does, k without gradient, the queue "
        "as (D, K) normalized keys); the queue method on a one-view copy; no logits function (left unimplemented)",
        frozenset({"worked_example", "logits_agree", "enqueue_example", "enqueue_agrees"}),
        "no function returns the logits; the queue asserts K % N == 0 and writes queue[:, :, ptr:ptr + N] (no wrap)",
    ),
    Case(
        "solo-learn byol_loss_func and MomentumUpdater.update",
        "q6_byol",
        (
            Source("vturrisi/solo-learn", "solo/losses/byol.py", "9187ea39c2c3", ("byol_loss_func",)),
            Source("vturrisi/solo-learn", "solo/utils/momentum.py", "9187ea39c2c3", ("MomentumUpdater.update",)),
        ),
        """
def byol_loss(p, z):
    if p.dim() != 2 or p.shape != z.shape:
        raise ValueError("p and z must be (N, D)")
    return byol_loss_func(p, z)


def network(params):
    return type("Net", (), {"parameters": lambda self: iter(params)})()


def ema_update(online, target, momentum):
    checks_ema(online, target, momentum)
    averaged = [t.clone() for t in target]  # the update rebinds the momentum network's .data: give it copies
    update(type("MomentumUpdater", (), {"cur_tau": momentum})(), network(online), network(averaged))
    return averaged
""",
        "byol_loss_func as is (simplified: F.cosine_similarity); MomentumUpdater.update at cur_tau = momentum on stand-in "
        "networks whose parameters are the online tensors and copies of the target's",
    ),
    Case(
        "official DINO (facebookresearch/dino main_dino.py DINOLoss)",
        "q7_dino",
        (Source("facebookresearch/dino", "main_dino.py", "7c446df5b9f4", ("DINOLoss.forward", "DINOLoss.update_center")),),
        """
_forward, _update_center = forward, torch.no_grad()(update_center)  # the @torch.no_grad() of the original
dist = type("OneProcess", (), {"all_reduce": staticmethod(lambda t: None), "get_world_size": staticmethod(lambda: 1)})


def loss_module(center, n_crops=2, student_temp=0.1, teacher_temp=0.04, momentum=0.9):
    members = {"student_temp": student_temp, "center_momentum": momentum, "ncrops": n_crops}
    members |= {"teacher_temp_schedule": [teacher_temp], "update_center": _update_center}
    module = type("DINOLoss", (), members)()
    module.center = center
    return module


def dino_loss(student_out, teacher_out, center, n_crops, student_temp=0.1, teacher_temp=0.04):
    checks_dino(student_out, teacher_out, center, n_crops, student_temp, teacher_temp)
    return _forward(loss_module(center, n_crops, student_temp, teacher_temp), student_out, teacher_out, 0)


def update_center(center, teacher_out, momentum=0.9):
    module = loss_module(center, momentum=momentum)
    _update_center(module, teacher_out)
    return module.center.reshape(1, -1)
""",
        "forward at epoch 0 of a one-entry temperature schedule, on a stand-in self holding the center; "
        "update_center with its @torch.no_grad() and a one-process dist",
    ),
    Case(
        "lightly DINOLoss.forward and center_momentum",
        "q7_dino",
        (
            Source("lightly-ai/lightly", "lightly/loss/dino_loss.py", "e8d317fc5a87", ("DINOLoss.forward",)),
            Source("lightly-ai/lightly", "lightly/models/modules/center.py", "e8d317fc5a87", ("center_momentum",)),
        ),
        """
_forward = forward


def dino_loss(student_out, teacher_out, center, n_crops, student_temp=0.1, teacher_temp=0.04):
    checks_dino(student_out, teacher_out, center, n_crops, student_temp, teacher_temp)
    module = type("DINOLoss", (), {"student_temp": student_temp, "teacher_temp": teacher_temp, "update_center": lambda self, t: None})()
    module.center = center
    return _forward(module, list(teacher_out.chunk(2)), list(student_out.chunk(n_crops)))


def update_center(center, teacher_out, momentum=0.9):
    return torch.no_grad()(center_momentum)(center.reshape(1, -1), teacher_out.mean(dim=0, keepdim=True), momentum)
""",
        "forward with the crops as lists and the center update left out (update_center is separate); "
        "center_momentum with its @torch.no_grad() on the batch mean (center_mean for one process)",
        frozenset({"stop_gradient"}),
        "the teacher's softmax is not detached: lightly leaves the stop-gradient to the caller (teacher under no_grad)",
    ),
]


# -- reading and wrapping ---------------------------------------------------------------------


def read_source(source: Source, mirror: Path | None, cache: Path | None) -> str:
    folder = source.repo.replace("/", "+")
    if mirror is not None and (mirror / folder / "repo").is_dir():
        git = ["git", f"--git-dir={mirror / folder / 'repo'}"]
        commit = subprocess.run([*git, "rev-parse", source.commit], capture_output=True, text=True).stdout.strip() or "HEAD"
        return subprocess.run([*git, "show", f"{commit}:{source.path}"], capture_output=True, text=True, check=True).stdout
    if cache is not None and (cache / folder / source.path).is_file():
        return (cache / folder / source.path).read_text()
    raise FileNotFoundError(f"{source.repo}/{source.path}: not in --mirror nor --cache")


def _code_of(text: str, path: str) -> str:
    """Python source of a file, or of a notebook's code cells (magics dropped)."""
    if not path.endswith(".ipynb"):
        return text
    cells = ["".join(c["source"]) for c in json.loads(text)["cells"] if c["cell_type"] == "code"]
    return "\n\n".join("\n".join(line for line in cell.splitlines() if not line.lstrip().startswith(("%", "!"))) for cell in cells)


def extract(text: str, name: str) -> str:
    """The source of a top-level function or class, or of a method as a function taking ``self``."""
    owner, _, member = name.rpartition(".")
    for node in ast.parse(text).body:
        if owner and isinstance(node, ast.ClassDef) and node.name == owner:
            for inner in node.body:
                if isinstance(inner, ast.FunctionDef) and inner.name == member:
                    return textwrap.dedent(_segment(text, inner))
        if not owner and isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == member:
            return _segment(text, node)
    raise KeyError(f"{name} not found")


def _segment(text: str, node) -> str:
    start = min([d.lineno for d in getattr(node, "decorator_list", [])] + [node.lineno])
    lines = text.splitlines()[start - 1 : node.end_lineno]
    keep = [line for line in lines if not line.lstrip().startswith("@")]  # decorators are the library's plumbing
    return "\n".join(keep)


def module(case: Case, mirror: Path | None, cache: Path | None) -> str:
    parts = [f'"""{case.name}: wrapped for grading, never committed."""\n', PRELUDE]
    for source in case.sources:
        code = _code_of(read_source(source, mirror, cache), source.path)
        parts += [f"\n# {source.repo}/{source.path} @ {source.commit}\n"] + [extract(code, name) + "\n\n" for name in source.names]
    parts.append(f"\n# adapter\n{case.adapter}")
    return "\n".join(parts)


# -- grading ---------------------------------------------------------------------------------


def grade(case: Case, text: str):
    from checker.grading import Session
    from checker.registry import question
    from grader.hidden import hidden_properties

    folder = Path(tempfile.mkdtemp(prefix="real-code-"))
    try:
        (folder / question(case.question).file).write_text(text)
        return Session(folder, hidden=hidden_properties([case.question])).grade(case.question)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def verdict(case: Case, result) -> str:
    failed = {p.key for p in result.failed}
    if not case.must_fail:
        return "ok" if not failed else f"expected full marks; failed {sorted(failed)}"
    if not failed:
        return "expected a bug; got full marks"
    missing = case.must_fail - failed
    return "ok" if not missing else f"expected to fail {sorted(missing)} too"


def table(rows) -> str:
    lines = [
        "# Real code, graded",
        "",
        "Written by `python -m tests.real_code --write` (see its docstring). Public implementations nobody here wrote, each "
        "wrapped by a thin adapter of ours (`tests/real_code.py`); the real code is read from its repository at the commit "
        "named and is never committed. Expected: full marks, or a bug and the properties that must fail.",
        "",
        "| case | source | question | score | properties failed | the real bug (expected) | verdict |",
        "| --- | --- | --- | ---: | --- | --- | --- |",
    ]
    for case, result, outcome in rows:
        sources = "; ".join(f"{s.repo} `{s.path}` @ {s.commit[:12]}" for s in dict.fromkeys(case.sources))
        failed = ", ".join(f"`{p.key}`" for p in result.failed) or "-"
        lines.append(
            f"| {case.name} | {sources} | {case.question} | {result.score:g}/{result.max_score:g} | {failed} | "
            f"{case.why or 'none: full marks'} | {outcome} |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, help="git snapshots, OWNER+NAME/repo (what the search tool's fetch brings)")
    parser.add_argument("--cache", type=Path, help="plain files, OWNER+NAME/PATH")
    parser.add_argument("--only", help="cases whose name contains this")
    parser.add_argument("--write", action="store_true", help=f"record the table in {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args()
    rows = []
    for case in CASES:
        if args.only and args.only not in case.name:
            continue
        result = grade(case, module(case, args.mirror, args.cache))
        outcome = verdict(case, result)
        rows.append((case, result, outcome))
        print(f"{case.name}: {result.score:g}/{result.max_score:g} {[p.key for p in result.failed]} -> {outcome}", flush=True)
    if args.write:
        RESULTS.write_text(table(rows))
    return 1 if any(outcome != "ok" for _, _, outcome in rows) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
