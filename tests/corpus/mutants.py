"""The mutant corpus: one realistic bug per mutant, written as an edit of the reference solution.

Each mutant names its question and its bug, and replaces text of the reference that must
occur exactly once (``source`` raises otherwise: a change to a solution that breaks a
mutant shows here, not as a mutant silently graded on the wrong code). Every mutant must
lose points in its own question and nowhere else (``tests/test_corpus.py``); which
properties it fails is in ``tests/corpus/KILL_MATRIX.md``.
"""

from dataclasses import dataclass

from autograder.paths import SOLUTIONS
from checker.registry import question


@dataclass(frozen=True)
class Mutant:
    question: str
    name: str
    bug: str
    edits: tuple[tuple[str, str], ...]  # (text of the reference, its replacement)

    def source(self) -> str:
        text = (SOLUTIONS / question(self.question).file).read_text()
        for old, new in self.edits:
            if text.count(old) != 1:
                raise ValueError(f"mutant {self.name}: the reference holds {old!r} {text.count(old)} times, not once")
            text = text.replace(old, new)
        return f'"""Mutant {self.name}: {self.bug}"""\n\n' + text


MUTANTS = (
    Mutant(
        "q1_cosine",
        "calls_builtin",
        "cosine_similarity calls the forbidden built-in torch.nn.functional.cosine_similarity.",
        (
            ("import torch\n", ("import torch\nimport torch.nn.functional as F\n")),
            (
                (
                    "    u_norm = torch.linalg.vector_norm(u, dim=-1).clamp_min(eps)  # (...)\n"
                    "    v_norm = torch.linalg.vector_norm(v, dim=-1).clamp_min(eps)  # (...)\n"
                    "    return (u * v).sum(dim=-1) / (u_norm * v_norm)"
                ),
                "    return F.cosine_similarity(u, v, dim=-1, eps=eps)",
            ),
        ),
    ),
    Mutant(
        "q1_cosine",
        "casts_to_float32",
        "cosine_similarity casts inputs with .float(): float64 inputs give float32.",
        (
            (
                "    u_norm = torch.linalg.vector_norm(u, dim=-1).clamp_min(eps)  # (...)",
                ("    u, v = u.float(), v.float()\n    u_norm = torch.linalg.vector_norm(u, dim=-1).clamp_min(eps)  # (...)"),
            ),
        ),
    ),
    Mutant(
        "q1_cosine",
        "item_norms_no_grad",
        "cosine_similarity takes norms via .item(): no gradient through them, one norm per batch.",
        (
            ("import torch\n", ("import math\n\nimport torch\n")),
            (
                (
                    "    u_norm = torch.linalg.vector_norm(u, dim=-1).clamp_min(eps)  # (...)\n"
                    "    v_norm = torch.linalg.vector_norm(v, dim=-1).clamp_min(eps)  # (...)"
                ),
                ("    u_norm = max(math.sqrt((u * u).sum().item()), eps)\n    v_norm = max(math.sqrt((v * v).sum().item()), eps)"),
            ),
        ),
    ),
    Mutant(
        "q1_cosine",
        "matrix_b_not_normalized",
        "cosine_similarity_matrix normalizes the rows of a but not the rows of b.",
        (
            (
                (
                    "    b_hat = b / torch.linalg.vector_norm(b, dim=1, keepdim=True).clamp_min(eps)  # (M, D)\n"
                    "    return a_hat @ b_hat.T  # (N, M)"
                ),
                "    return a_hat @ b.T",
            ),
        ),
    ),
    Mutant(
        "q1_cosine",
        "matrix_column_norms",
        "cosine_similarity_matrix normalizes columns (dim=0) instead of rows.",
        (
            (
                (
                    "    a_hat = a / torch.linalg.vector_norm(a, dim=1, keepdim=True).clamp_min(eps)  # (N, D)\n"
                    "    b_hat = b / torch.linalg.vector_norm(b, dim=1, keepdim=True).clamp_min(eps)  # (M, D)"
                ),
                (
                    "    a_hat = a / torch.linalg.vector_norm(a, dim=0, keepdim=True).clamp_min(eps)\n"
                    "    b_hat = b / torch.linalg.vector_norm(b, dim=0, keepdim=True).clamp_min(eps)"
                ),
            ),
        ),
    ),
    Mutant(
        "q1_cosine",
        "matrix_inplace_normalize",
        "cosine_similarity_matrix normalizes a and b in place (/=), mutating the inputs.",
        (
            (
                (
                    "    a_hat = a / torch.linalg.vector_norm(a, dim=1, keepdim=True).clamp_min(eps)  # (N, D)\n"
                    "    b_hat = b / torch.linalg.vector_norm(b, dim=1, keepdim=True).clamp_min(eps)  # (M, D)\n"
                    "    return a_hat @ b_hat.T  # (N, M)"
                ),
                (
                    "    a /= torch.linalg.vector_norm(a, dim=1, keepdim=True).clamp_min(eps)\n"
                    "    b /= torch.linalg.vector_norm(b, dim=1, keepdim=True).clamp_min(eps)\n"
                    "    return a @ b.T"
                ),
            ),
        ),
    ),
    Mutant(
        "q1_cosine",
        "matrix_python_loop",
        "cosine_similarity_matrix loops over the rows of a in Python (not vectorized).",
        (
            (
                (
                    "    a_hat = a / torch.linalg.vector_norm(a, dim=1, keepdim=True).clamp_min(eps)  # (N, D)\n"
                    "    b_hat = b / torch.linalg.vector_norm(b, dim=1, keepdim=True).clamp_min(eps)  # (M, D)\n"
                    "    return a_hat @ b_hat.T  # (N, M)"
                ),
                (
                    "    rows = []\n"
                    "    for i in range(a.shape[0]):\n"
                    "        rows.append(cosine_similarity(a[i].unsqueeze(0), b, eps))\n"
                    "    return torch.stack(rows)"
                ),
            ),
        ),
    ),
    Mutant(
        "q1_cosine",
        "matrix_transposed",
        "cosine_similarity_matrix returns the (M, N) transpose (b_hat @ a_hat.T).",
        (("    return a_hat @ b_hat.T  # (N, M)", "    return b_hat @ a_hat.T"),),
    ),
    Mutant(
        "q1_cosine",
        "no_eps",
        "cosine_similarity divides by the raw norms (no eps): a zero vector gives NaN.",
        (
            (
                (
                    "    u_norm = torch.linalg.vector_norm(u, dim=-1).clamp_min(eps)  # (...)\n"
                    "    v_norm = torch.linalg.vector_norm(v, dim=-1).clamp_min(eps)  # (...)"
                ),
                ("    u_norm = torch.linalg.vector_norm(u, dim=-1)\n    v_norm = torch.linalg.vector_norm(v, dim=-1)"),
            ),
        ),
    ),
    Mutant(
        "q1_cosine",
        "reduce_dim0",
        "cosine_similarity reduces dim 0 instead of the last dim (right only for 1-D).",
        (
            (
                (
                    "    u_norm = torch.linalg.vector_norm(u, dim=-1).clamp_min(eps)  # (...)\n"
                    "    v_norm = torch.linalg.vector_norm(v, dim=-1).clamp_min(eps)  # (...)\n"
                    "    return (u * v).sum(dim=-1) / (u_norm * v_norm)"
                ),
                (
                    "    u_norm = torch.linalg.vector_norm(u, dim=0).clamp_min(eps)\n"
                    "    v_norm = torch.linalg.vector_norm(v, dim=0).clamp_min(eps)\n"
                    "    return (u * v).sum(dim=0) / (u_norm * v_norm)"
                ),
            ),
        ),
    ),
    Mutant(
        "q1_cosine",
        "returns_python_float",
        "cosine_similarity returns .item(), a Python float (crashes for batched inputs).",
        (("    return (u * v).sum(dim=-1) / (u_norm * v_norm)", "    return ((u * v).sum(dim=-1) / (u_norm * v_norm)).item()"),),
    ),
    Mutant(
        "q1_cosine",
        "squared_norms",
        "cosine_similarity divides by the squared norms (sums of squares, no square root).",
        (
            (
                (
                    "    u_norm = torch.linalg.vector_norm(u, dim=-1).clamp_min(eps)  # (...)\n"
                    "    v_norm = torch.linalg.vector_norm(v, dim=-1).clamp_min(eps)  # (...)\n"
                    "    return (u * v).sum(dim=-1) / (u_norm * v_norm)"
                ),
                (
                    "    u_sq = (u * u).sum(dim=-1).clamp_min(eps)\n"
                    "    v_sq = (v * v).sum(dim=-1).clamp_min(eps)\n"
                    "    return (u * v).sum(dim=-1) / (u_sq * v_sq)"
                ),
            ),
        ),
    ),
    Mutant(
        "q1_cosine",
        "torch_dot_no_broadcast",
        "cosine_similarity uses torch.dot, so only 1-D vectors work (no broadcasting).",
        (("    return (u * v).sum(dim=-1) / (u_norm * v_norm)", "    return torch.dot(u, v) / (u_norm * v_norm)"),),
    ),
    Mutant(
        "q1_cosine",
        "v_not_normalized",
        "cosine_similarity divides by the norm of u only and forgets the norm of v.",
        (
            (
                (
                    "    v_norm = torch.linalg.vector_norm(v, dim=-1).clamp_min(eps)  # (...)\n"
                    "    return (u * v).sum(dim=-1) / (u_norm * v_norm)"
                ),
                "    return (u * v).sum(dim=-1) / u_norm",
            ),
        ),
    ),
    Mutant(
        "q2_nt_xent",
        "exp_then_log",
        "exp then log instead of log-sum-exp; NaN in float32 at temperature 0.01.",
        (
            (
                (
                    "    logits = z @ z.T / temperature  # (2N, 2N)\n"
                    "    self_mask = torch.eye(2 * n, dtype=torch.bool, device=z.device)\n"
                    '    logits = logits.masked_fill(self_mask, float("-inf"))\n'
                    "    positives = (torch.arange(2 * n, device=z.device) + n) % (2 * n)  # (2N,)\n"
                    "    return F.cross_entropy(logits, positives)"
                ),
                (
                    "    sim = torch.exp(z @ z.T / temperature)\n"
                    "    not_self = 1 - torch.eye(2 * n, dtype=sim.dtype, device=z.device)\n"
                    "    denominator = (sim * not_self).sum(dim=1)\n"
                    "    positives = (torch.arange(2 * n, device=z.device) + n) % (2 * n)  # (2N,)\n"
                    "    numerator = sim[torch.arange(2 * n, device=z.device), positives]\n"
                    "    return -torch.log(numerator / denominator).mean()"
                ),
            ),
        ),
    ),
    Mutant(
        "q2_nt_xent",
        "mean_over_n",
        "divides the summed 2N anchor losses by N (TF official value, twice the paper's).",
        (("    return F.cross_entropy(logits, positives)", '    return F.cross_entropy(logits, positives, reduction="sum") / n'),),
    ),
    Mutant(
        "q2_nt_xent",
        "no_normalization",
        "uses raw dot products z @ z.T instead of cosine similarities (rows never normalized).",
        (("    z = F.normalize(torch.cat([z1, z2]), dim=1, eps=1e-8)  # (2N, D)", "    z = torch.cat([z1, z2])"),),
    ),
    Mutant(
        "q2_nt_xent",
        "no_self_mask",
        "the diagonal (each row's similarity with itself) is left in the softmax denominator.",
        (
            (
                (
                    "    self_mask = torch.eye(2 * n, dtype=torch.bool, device=z.device)\n"
                    '    logits = logits.masked_fill(self_mask, float("-inf"))'
                ),
                "",
            ),
        ),
    ),
    Mutant(
        "q2_nt_xent",
        "no_shape_check",
        "no shape check; mismatched or non-2-D inputs raise RuntimeError, not ValueError.",
        (
            (
                (
                    '        raise ValueError(f"temperature must be positive, got {temperature}")\n'
                    "    if z1.dim() != 2 or z1.shape != z2.shape:\n"
                    '        raise ValueError(f"z1 and z2 must both be (N, D); got {tuple(z1.shape)} and {tuple(z2.shape)}")\n'
                    "    n = z1.shape[0]\n"
                    "    z = F.normalize(torch.cat([z1, z2]), dim=1, eps=1e-8)  # (2N, D)\n"
                    "    logits = z @ z.T / temperature  # (2N, 2N)"
                ),
                (
                    '        raise ValueError("temperature must be positive")\n'
                    "    n = z1.shape[0]\n"
                    "    z = F.normalize(torch.cat([z1, z2]), dim=-1, eps=1e-8)\n"
                    "    logits = z @ z.transpose(-2, -1) / temperature"
                ),
            ),
        ),
    ),
    Mutant(
        "q2_nt_xent",
        "no_temperature_check",
        "never raises ValueError for temperature <= 0.",
        ((('    if temperature <= 0:\n        raise ValueError(f"temperature must be positive, got {temperature}")'), ""),),
    ),
    Mutant(
        "q2_nt_xent",
        "numpy_detached",
        "masks the diagonal on a .detach().numpy() copy, so the loss has no gradient.",
        (
            (
                (
                    "    self_mask = torch.eye(2 * n, dtype=torch.bool, device=z.device)\n"
                    '    logits = logits.masked_fill(self_mask, float("-inf"))'
                ),
                ('    logits = torch.from_numpy(logits.detach().numpy().copy())\n    logits.fill_diagonal_(float("-inf"))'),
            ),
        ),
    ),
    Mutant(
        "q2_nt_xent",
        "one_direction",
        "averages only the N anchors of z1 (the z2 -> z1 direction is dropped).",
        (("    return F.cross_entropy(logits, positives)", "    return F.cross_entropy(logits[:n], positives[:n])"),),
    ),
    Mutant(
        "q2_nt_xent",
        "positive_next_row",
        "the positive of anchor k is taken as (k + 1) mod 2N instead of (k + N) mod 2N.",
        (
            (
                "    positives = (torch.arange(2 * n, device=z.device) + n) % (2 * n)  # (2N,)",
                "    positives = (torch.arange(2 * n, device=z.device) + 1) % (2 * n)",
            ),
        ),
    ),
    Mutant(
        "q2_nt_xent",
        "python_loop_anchors",
        "loops over the 2N anchors in Python (right value, not vectorized).",
        (
            (
                (
                    "    self_mask = torch.eye(2 * n, dtype=torch.bool, device=z.device)\n"
                    '    logits = logits.masked_fill(self_mask, float("-inf"))\n'
                    "    positives = (torch.arange(2 * n, device=z.device) + n) % (2 * n)  # (2N,)\n"
                    "    return F.cross_entropy(logits, positives)"
                ),
                (
                    "    losses = []\n"
                    "    for k in range(2 * n):\n"
                    "        others = torch.cat([logits[k, :k], logits[k, k + 1 :]])\n"
                    "        losses.append(torch.logsumexp(others, dim=0) - logits[k, (k + n) % (2 * n)])\n"
                    "    return torch.stack(losses).mean()"
                ),
            ),
        ),
    ),
    Mutant(
        "q2_nt_xent",
        "small_constant_mask",
        "masks self-similarity by subtracting 2 from the cosine (not -inf): exp(-1/T) counts.",
        (
            (
                (
                    "    logits = z @ z.T / temperature  # (2N, 2N)\n"
                    "    self_mask = torch.eye(2 * n, dtype=torch.bool, device=z.device)\n"
                    '    logits = logits.masked_fill(self_mask, float("-inf"))'
                ),
                ("    sim = z @ z.T - 2 * torch.eye(2 * n, dtype=z.dtype, device=z.device)\n    logits = sim / temperature"),
            ),
        ),
    ),
    Mutant(
        "q2_nt_xent",
        "sum_not_mean",
        "returns the sum of the 2N anchor losses instead of their mean.",
        (("    return F.cross_entropy(logits, positives)", '    return F.cross_entropy(logits, positives, reduction="sum")'),),
    ),
    Mutant(
        "q2_nt_xent",
        "temperature_multiplied",
        "similarities are multiplied by the temperature instead of divided by it.",
        (("    logits = z @ z.T / temperature  # (2N, 2N)", "    logits = z @ z.T * temperature"),),
    ),
    Mutant(
        "q2_nt_xent",
        "zero_diagonal",
        "sets the diagonal logits to 0 instead of -inf, so exp(0) = 1 stays in every denominator.",
        (('    logits = logits.masked_fill(self_mask, float("-inf"))', "    logits = logits.masked_fill(self_mask, 0.0)"),),
    ),
    Mutant(
        "q3_rotation",
        "blocked_order",
        "blocked order (all k=0 images, then all k=1, ...) instead of interleaved per image.",
        (
            (
                (
                    '        raise ValueError(f"images must be (B, C, H, W) with H == W; got {tuple(images.shape)}")\n'
                    "    rotated = torch.stack([torch.rot90(images, k, dims=(-2, -1)) for k in range(4)], dim=1)\n"
                    "    labels = torch.arange(4, device=images.device).repeat(images.shape[0])  # (4B,)\n"
                    "    return rotated.flatten(0, 1), labels  # (4B, C, H, W), (4B,)"
                ),
                (
                    '        raise ValueError("images must be (B, C, H, W) with H == W")\n'
                    "    rotated = torch.cat([torch.rot90(images, k, dims=(-2, -1)) for k in range(4)], dim=0)\n"
                    "    labels = torch.arange(4, device=images.device).repeat_interleave(images.shape[0])\n"
                    "    return rotated, labels"
                ),
            ),
        ),
    ),
    Mutant(
        "q3_rotation",
        "clockwise",
        "rotates clockwise (rot90 by -k), so the labels 1 and 3 are swapped.",
        (
            (
                (
                    '        raise ValueError(f"images must be (B, C, H, W) with H == W; got {tuple(images.shape)}")\n'
                    "    rotated = torch.stack([torch.rot90(images, k, dims=(-2, -1)) for k in range(4)], dim=1)"
                ),
                (
                    '        raise ValueError("images must be (B, C, H, W) with H == W")\n'
                    "    rotated = torch.stack([torch.rot90(images, -k, dims=(-2, -1)) for k in range(4)], dim=1)"
                ),
            ),
        ),
    ),
    Mutant(
        "q3_rotation",
        "detached_output",
        "detaches the images first ('labels need no gradient'), so rotated is not differentiable.",
        (
            (
                '        raise ValueError(f"images must be (B, C, H, W) with H == W; got {tuple(images.shape)}")',
                ('        raise ValueError("images must be (B, C, H, W) with H == W")\n    images = images.detach()'),
            ),
        ),
    ),
    Mutant(
        "q3_rotation",
        "float_labels",
        "labels have the images' floating dtype instead of int64.",
        (
            (
                "    labels = torch.arange(4, device=images.device).repeat(images.shape[0])  # (4B,)",
                "    labels = torch.arange(4, dtype=images.dtype, device=images.device).repeat(images.shape[0])",
            ),
        ),
    ),
    Mutant(
        "q3_rotation",
        "inplace_input",
        "rotates the input in place with copy_, leaving the caller's images rotated 270 degrees.",
        (
            (
                (
                    '        raise ValueError(f"images must be (B, C, H, W) with H == W; got {tuple(images.shape)}")\n'
                    "    rotated = torch.stack([torch.rot90(images, k, dims=(-2, -1)) for k in range(4)], dim=1)"
                ),
                (
                    '        raise ValueError("images must be (B, C, H, W) with H == W")\n'
                    "    rots = [images.clone()]\n"
                    "    for _ in range(3):\n"
                    "        images.copy_(torch.rot90(images, 1, dims=(-2, -1)))\n"
                    "        rots.append(images.clone())\n"
                    "    rotated = torch.stack(rots, dim=1)"
                ),
            ),
        ),
    ),
    Mutant(
        "q3_rotation",
        "labels_blocked",
        "images interleaved correctly but labels in blocked order (repeat_interleave).",
        (
            (
                "    labels = torch.arange(4, device=images.device).repeat(images.shape[0])  # (4B,)",
                "    labels = torch.arange(4, device=images.device).repeat_interleave(images.shape[0])",
            ),
        ),
    ),
    Mutant(
        "q3_rotation",
        "labels_degrees",
        "labels are the angles in degrees (0, 90, 180, 270) instead of the class index k.",
        (
            (
                "    labels = torch.arange(4, device=images.device).repeat(images.shape[0])  # (4B,)",
                "    labels = torch.arange(0, 360, 90, device=images.device).repeat(images.shape[0])",
            ),
        ),
    ),
    Mutant(
        "q3_rotation",
        "labels_int32",
        "labels are int32 instead of int64.",
        (
            (
                "    labels = torch.arange(4, device=images.device).repeat(images.shape[0])  # (4B,)",
                "    labels = torch.arange(4, dtype=torch.int32, device=images.device).repeat(images.shape[0])",
            ),
        ),
    ),
    Mutant(
        "q3_rotation",
        "no_square_check",
        "no H == W check; non-square images raise RuntimeError from torch.stack, not ValueError.",
        (
            (
                (
                    "    if images.dim() != 4 or images.shape[-1] != images.shape[-2]:\n"
                    '        raise ValueError(f"images must be (B, C, H, W) with H == W; got {tuple(images.shape)}")'
                ),
                "",
            ),
        ),
    ),
    Mutant(
        "q3_rotation",
        "rot_dims_1_2",
        "rot90 with dims=(1, 2) on the 4-D batch rotates the C-H plane, not H-W.",
        (
            (
                (
                    '        raise ValueError(f"images must be (B, C, H, W) with H == W; got {tuple(images.shape)}")\n'
                    "    rotated = torch.stack([torch.rot90(images, k, dims=(-2, -1)) for k in range(4)], dim=1)"
                ),
                (
                    '        raise ValueError("images must be (B, C, H, W) with H == W")\n'
                    "    rotated = torch.stack([torch.rot90(images, k, dims=(1, 2)) for k in range(4)], dim=1)"
                ),
            ),
        ),
    ),
    Mutant(
        "q3_rotation",
        "transpose_only",
        "treats a 90-degree rotation as a transpose applied k times (k=2 is the identity).",
        (
            (
                (
                    '        raise ValueError(f"images must be (B, C, H, W) with H == W; got {tuple(images.shape)}")\n'
                    "    rotated = torch.stack([torch.rot90(images, k, dims=(-2, -1)) for k in range(4)], dim=1)"
                ),
                (
                    '        raise ValueError("images must be (B, C, H, W) with H == W")\n'
                    "    rots = []\n"
                    "    x = images\n"
                    "    for _ in range(4):\n"
                    "        rots.append(x)\n"
                    "        x = x.transpose(-2, -1)\n"
                    "    rotated = torch.stack(rots, dim=1)"
                ),
            ),
        ),
    ),
    Mutant(
        "q4_mae",
        "descending_argsort",
        "random_masking sorts the noise in descending order, keeping the largest-noise patches.",
        (
            (
                "    ids_shuffle = torch.argsort(noise, dim=1)  # ascending: small noise is kept",
                "    ids_shuffle = torch.argsort(noise, dim=1, descending=True)",
            ),
        ),
    ),
    Mutant(
        "q4_mae",
        "ids_restore_not_inverted",
        "random_masking returns ids_shuffle as ids_restore (forgets the second argsort).",
        (("    ids_restore = torch.argsort(ids_shuffle, dim=1)", "    ids_restore = ids_shuffle"),),
    ),
    Mutant(
        "q4_mae",
        "inverted_mask",
        "random_masking's mask is inverted (1 = kept, 0 = removed).",
        (
            (
                ("    mask = torch.ones(n, length, dtype=x.dtype, device=x.device)\n    mask[:, :len_keep] = 0"),
                ("    mask = torch.zeros(n, length, dtype=x.dtype, device=x.device)\n    mask[:, :len_keep] = 1"),
            ),
        ),
    ),
    Mutant(
        "q4_mae",
        "keep_count_swapped",
        "random_masking keeps int(L * mask_ratio) patches instead of int(L * (1 - mask_ratio)).",
        (("    len_keep = int(length * (1 - mask_ratio))", "    len_keep = int(length * mask_ratio)"),),
    ),
    Mutant(
        "q4_mae",
        "len_keep_subtract",
        "random_masking keeps L - int(L * mask_ratio) (8, not 7, for L=10, ratio 0.29).",
        (("    len_keep = int(length * (1 - mask_ratio))", "    len_keep = length - int(length * mask_ratio)"),),
    ),
    Mutant(
        "q4_mae",
        "loss_all_patches",
        "mae_loss averages over all patches, ignoring the mask.",
        (("    return (per_patch * mask).sum() / mask.sum()", "    return per_patch.mean()"),),
    ),
    Mutant(
        "q4_mae",
        "loss_biased_var",
        "mae_loss normalizes targets with the biased variance (unbiased=False).",
        (("        var = target.var(dim=-1, keepdim=True)", "        var = target.var(dim=-1, keepdim=True, unbiased=False)"),),
    ),
    Mutant(
        "q4_mae",
        "loss_divides_numel",
        "mae_loss divides the masked sum by mask.numel() instead of mask.sum().",
        (("    return (per_patch * mask).sum() / mask.sum()", "    return (per_patch * mask).sum() / mask.numel()"),),
    ),
    Mutant(
        "q4_mae",
        "mask_bool",
        "random_masking returns a bool mask (True = removed) instead of a float tensor.",
        (
            (
                ("    mask = torch.ones(n, length, dtype=x.dtype, device=x.device)\n    mask[:, :len_keep] = 0"),
                ("    mask = torch.ones(n, length, dtype=torch.bool, device=x.device)\n    mask[:, :len_keep] = False"),
            ),
        ),
    ),
    Mutant(
        "q4_mae",
        "mask_shuffled_order",
        "random_masking's mask stays in shuffled order (never gathered with ids_restore).",
        (("    mask = torch.gather(mask, 1, ids_restore)  # back to the original patch order", ""),),
    ),
    Mutant(
        "q4_mae",
        "no_ratio_check",
        "random_masking never raises ValueError for mask_ratio outside [0, 1).",
        ((('    if not 0 <= mask_ratio < 1:\n        raise ValueError(f"mask_ratio must be in [0, 1), got {mask_ratio}")'), ""),),
    ),
    Mutant(
        "q4_mae",
        "noise_ignored",
        "random_masking ignores the noise argument and always draws its own torch.rand noise.",
        (
            (
                ("    if noise is None:\n        noise = torch.rand(n, length, device=x.device)  # (N, L) in [0, 1)"),
                "    noise = torch.rand(n, length, device=x.device)",
            ),
        ),
    ),
    Mutant(
        "q4_mae",
        "norm_pix_no_eps",
        "mae_loss divides by sqrt(var) with no 1e-6: a constant target patch gives NaN.",
        (("        target = (target - mean) / (var + 1e-6) ** 0.5", "        target = (target - mean) / var.sqrt()"),),
    ),
    Mutant(
        "q4_mae",
        "patchify_channel_first",
        "patchify flattens patches channel first (einsum 'nchpwq->nhwcpq').",
        (('    x = torch.einsum("nchpwq->nhwpqc", x)', '    x = torch.einsum("nchpwq->nhwcpq", x)'),),
    ),
    Mutant(
        "q4_mae",
        "patchify_no_divisibility_check",
        "patchify has no divisibility check; H % p != 0 raises RuntimeError, not ValueError.",
        (
            (
                (
                    "    if height % p or width % p:\n"
                    '        raise ValueError(f"image size {height}x{width} is not divisible by patch size {p}")'
                ),
                "",
            ),
        ),
    ),
    Mutant(
        "q4_mae",
        "patchify_no_permute",
        "patchify is a plain reshape to (N, L, p*p*C) with no axis permutation.",
        (
            (
                (
                    "    x = imgs.reshape(n, c, h, p, w, p)\n"
                    '    x = torch.einsum("nchpwq->nhwpqc", x)\n'
                    "    return x.reshape(n, h * w, p * p * c)  # (N, L, p*p*C)"
                ),
                "    return imgs.reshape(n, h * w, p * p * c)",
            ),
        ),
    ),
    Mutant(
        "q4_mae",
        "same_noise_batch",
        "random_masking draws torch.rand(1, L) for the whole batch: every sample, same mask.",
        (
            (
                "        noise = torch.rand(n, length, device=x.device)  # (N, L) in [0, 1)",
                "        noise = torch.rand(1, length, device=x.device).expand(n, length)",
            ),
        ),
    ),
    Mutant(
        "q4_mae",
        "unpatchify_no_square_check",
        "unpatchify uses int(sqrt(L)) unchecked; non-square L raises RuntimeError.",
        (
            ("import math\n", ""),
            (
                (
                    "    h = w = math.isqrt(length)\n"
                    "    if h * w != length:\n"
                    '        raise ValueError(f"the number of patches {length} is not a perfect square")'
                ),
                "    h = w = int(length**0.5)",
            ),
        ),
    ),
    Mutant(
        "q4_mae",
        "unpatchify_wrong_einsum",
        "unpatchify uses einsum 'nhwpqc->ncphqw', so it does not invert patchify.",
        (('    x = torch.einsum("nhwpqc->nchpwq", x)', '    x = torch.einsum("nhwpqc->ncphqw", x)'),),
    ),
    Mutant(
        "q4_mae",
        "x_masked_position_order",
        "random_masking sorts the kept indices: x_masked in position order, not noise order.",
        (("    ids_keep = ids_shuffle[:, :len_keep]  # (N, len_keep)", "    ids_keep = ids_shuffle[:, :len_keep].sort(dim=1).values"),),
    ),
    Mutant(
        "q5_moco",
        "positive_last",
        "moco_logits puts the positive after the negatives (column K, not 0).",
        (
            (
                "    logits = torch.cat([positives, negatives], dim=1) / temperature",
                "    logits = torch.cat([negatives, positives], dim=1) / temperature",
            ),
        ),
    ),
    Mutant(
        "q5_moco",
        "queue_not_normalized",
        "moco_logits normalizes q and k but not the queue.",
        (("    queue = F.normalize(queue.detach(), dim=1)  # (K, D)\n", "    queue = queue.detach()\n"),),
    ),
    Mutant(
        "q5_moco",
        "key_gradient",
        "moco_logits does not detach k: a gradient flows into the key encoder.",
        (("    k = F.normalize(k.detach(), dim=1)", "    k = F.normalize(k, dim=1)"),),
    ),
    Mutant(
        "q5_moco",
        "queue_gradient",
        "moco_logits does not detach the queue: a gradient flows into the stored keys.",
        (("    queue = F.normalize(queue.detach(), dim=1)", "    queue = F.normalize(queue, dim=1)"),),
    ),
    Mutant(
        "q5_moco",
        "moco_temperature_multiplied",
        "moco_logits multiplies by the temperature instead of dividing.",
        (("dim=1) / temperature  # (N, 1 + K)", "dim=1) * temperature  # (N, 1 + K)"),),
    ),
    Mutant(
        "q5_moco",
        "labels_arange",
        "moco_logits labels row i with class i (in-batch habit), not 0.",
        (
            (
                "    labels = torch.zeros(q.shape[0], dtype=torch.long, device=q.device)",
                "    labels = torch.arange(q.shape[0], device=q.device)",
            ),
        ),
    ),
    Mutant(
        "q5_moco",
        "labels_on_cpu",
        "moco_logits creates the labels without device=: they stay on the CPU.",
        (
            (
                "    labels = torch.zeros(q.shape[0], dtype=torch.long, device=q.device)",
                "    labels = torch.zeros(q.shape[0], dtype=torch.long)",
            ),
        ),
    ),
    Mutant(
        "q5_moco",
        "moco_exp_then_log",
        "moco_loss computes log(sum(exp(logits))) directly: exp(100) overflows in float32.",
        (
            (
                "    logits, labels = moco_logits(q, k, queue, temperature)\n    return F.cross_entropy(logits, labels)",
                "    logits, labels = moco_logits(q, k, queue, temperature)\n    return (torch.log(torch.exp(logits).sum(dim=1)) - logits[:, 0]).mean()",
            ),
        ),
    ),
    Mutant(
        "q5_moco",
        "moco_loss_summed",
        "moco_loss sums the cross entropy over the batch instead of averaging it.",
        (("    return F.cross_entropy(logits, labels)", '    return F.cross_entropy(logits, labels, reduction="sum")'),),
    ),
    Mutant(
        "q5_moco",
        "moco_no_temperature_check",
        "moco_logits accepts temperature <= 0.",
        (
            (
                '    if temperature <= 0:\n        raise ValueError(f"temperature must be positive, got {temperature}")\n    if q.dim() != 2 or q.shape != k.shape:',
                "    if q.dim() != 2 or q.shape != k.shape:",
            ),
        ),
    ),
    Mutant(
        "q5_moco",
        "pointer_never_wraps",
        "dequeue_and_enqueue returns ptr + N without the modulo: the pointer runs past the end.",
        (("    return new_queue, (ptr + n) % size", "    return new_queue, ptr + n"),),
    ),
    Mutant(
        "q5_moco",
        "slice_without_wrap",
        "dequeue_and_enqueue writes queue[ptr:ptr + N] (the official code's slice): past the end, keys are lost.",
        (
            (
                "    rows = (ptr + torch.arange(n, device=queue.device)) % size  # (N,)",
                "    rows = torch.arange(ptr, min(ptr + n, size), device=queue.device)",
            ),
            ("    new_queue[rows] = keys.detach().to(queue.dtype)", "    new_queue[rows] = keys.detach().to(queue.dtype)[: len(rows)]"),
        ),
    ),
    Mutant(
        "q5_moco",
        "writes_after_ptr",
        "dequeue_and_enqueue starts writing one row after ptr, overwriting the wrong rows.",
        (
            (
                "    rows = (ptr + torch.arange(n, device=queue.device)) % size",
                "    rows = (ptr + 1 + torch.arange(n, device=queue.device)) % size",
            ),
        ),
    ),
    Mutant(
        "q5_moco",
        "enqueue_in_place",
        "dequeue_and_enqueue writes into the caller's queue (as MoCo's buffer does) and returns it.",
        (("    new_queue = queue.detach().clone()  # (K, D)", "    new_queue = queue"),),
    ),
    Mutant(
        "q5_moco",
        "enqueue_loop",
        "dequeue_and_enqueue writes the keys one at a time in a Python loop.",
        (
            (
                "    new_queue[rows] = keys.detach().to(queue.dtype)",
                "    for i in range(n):\n        new_queue[(ptr + i) % size] = keys[i].detach().to(queue.dtype)",
            ),
        ),
    ),
    Mutant(
        "q5_moco",
        "no_ptr_check",
        "dequeue_and_enqueue accepts a ptr outside [0, K).",
        (
            (
                '    if not 0 <= ptr < size:\n        raise ValueError(f"ptr must be in [0, {size}), got {ptr}")\n',
                "",
            ),
        ),
    ),
    Mutant(
        "q6_byol",
        "missing_factor_2",
        "byol_loss is 1 - cos (the factor 2 is missing).",
        (("    return (2 - 2 * (p * z).sum(dim=1)).mean()", "    return (1 - (p * z).sum(dim=1)).mean()"),),
    ),
    Mutant(
        "q6_byol",
        "plus_cos",
        "byol_loss is 2 + 2 cos: it rewards opposite directions.",
        (("    return (2 - 2 * (p * z).sum(dim=1)).mean()", "    return (2 + 2 * (p * z).sum(dim=1)).mean()"),),
    ),
    Mutant(
        "q6_byol",
        "no_stop_gradient",
        "byol_loss does not detach z: gradients flow into the target network.",
        (("    z = F.normalize(z.detach(), dim=1)", "    z = F.normalize(z, dim=1)"),),
    ),
    Mutant(
        "q6_byol",
        "not_normalized",
        "byol_loss is the squared distance of the raw vectors, without normalizing.",
        (
            (
                "    p = F.normalize(p, dim=1)  # (N, D)\n    z = F.normalize(z.detach(), dim=1)  # (N, D)\n    return (2 - 2 * (p * z).sum(dim=1)).mean()",
                "    return ((p - z.detach()) ** 2).sum(dim=1).mean()",
            ),
        ),
    ),
    Mutant(
        "q6_byol",
        "normalized_over_batch",
        "byol_loss normalizes along dim 0 (over the batch) instead of each row.",
        (
            ("    p = F.normalize(p, dim=1)  # (N, D)", "    p = F.normalize(p, dim=0)"),
            ("    z = F.normalize(z.detach(), dim=1)  # (N, D)", "    z = F.normalize(z.detach(), dim=0)"),
        ),
    ),
    Mutant(
        "q6_byol",
        "byol_loss_summed",
        "byol_loss sums over rows instead of averaging.",
        (("    return (2 - 2 * (p * z).sum(dim=1)).mean()", "    return (2 - 2 * (p * z).sum(dim=1)).sum()"),),
    ),
    Mutant(
        "q6_byol",
        "ema_wrong_side",
        "ema_update puts the momentum on the online parameters: m * o + (1 - m) * t.",
        (
            (
                "        return [momentum * t + (1 - momentum) * o for o, t in zip(online, target)]",
                "        return [momentum * o + (1 - momentum) * t for o, t in zip(online, target)]",
            ),
        ),
    ),
    Mutant(
        "q6_byol",
        "ema_with_history",
        "ema_update runs without torch.no_grad(): the new target carries the online network's autograd history.",
        (
            (
                "    with torch.no_grad():\n        return [momentum * t + (1 - momentum) * o for o, t in zip(online, target)]",
                "    return [momentum * t + (1 - momentum) * o for o, t in zip(online, target)]",
            ),
        ),
    ),
    Mutant(
        "q6_byol",
        "ema_in_place",
        "ema_update updates the target tensors in place (as BYOL's training loop does) and returns them.",
        (
            (
                "        return [momentum * t + (1 - momentum) * o for o, t in zip(online, target)]",
                "        return [t.mul_(momentum).add_((1 - momentum) * o) for o, t in zip(online, target)]",
            ),
        ),
    ),
    Mutant(
        "q6_byol",
        "no_momentum_check",
        "ema_update accepts a momentum outside [0, 1].",
        (('    if not 0 <= momentum <= 1:\n        raise ValueError(f"momentum must be in [0, 1], got {momentum}")\n', ""),),
    ),
    Mutant(
        "q6_byol",
        "loss_row_loop",
        "byol_loss computes each row's cosine in a Python loop.",
        (
            (
                "    return (2 - 2 * (p * z).sum(dim=1)).mean()",
                "    return torch.stack([2 - 2 * (p[i] * z[i]).sum() for i in range(len(p))]).mean()",
            ),
        ),
    ),
    Mutant(
        "q7_dino",
        "own_crop_paired",
        "dino_loss also pairs each teacher crop with the same student crop (t == v).",
        (
            (
                "    pairs = 1 - torch.eye(2, n_crops, dtype=cross_entropy.dtype, device=cross_entropy.device)  # t != v",
                "    pairs = torch.ones(2, n_crops, dtype=cross_entropy.dtype, device=cross_entropy.device)",
            ),
        ),
    ),
    Mutant(
        "q7_dino",
        "no_centering",
        "dino_loss does not subtract the center from the teacher's outputs.",
        (
            (
                "    target = F.softmax((teacher_out - center.reshape(1, k)).detach() / teacher_temp",
                "    target = F.softmax(teacher_out.detach() / teacher_temp",
            ),
        ),
    ),
    Mutant(
        "q7_dino",
        "center_after_softmax",
        "dino_loss subtracts the center from the teacher's probabilities, after the softmax.",
        (
            (
                "    target = F.softmax((teacher_out - center.reshape(1, k)).detach() / teacher_temp, dim=-1).reshape(2, batch, k)",
                "    target = (F.softmax(teacher_out.detach() / teacher_temp, dim=-1) - center.detach().reshape(1, k)).reshape(2, batch, k)",
            ),
        ),
    ),
    Mutant(
        "q7_dino",
        "temperatures_swapped",
        "dino_loss sharpens the student with teacher_temp and the teacher with student_temp.",
        (
            (
                "    log_prob = F.log_softmax(student_out / student_temp, dim=-1)",
                "    log_prob = F.log_softmax(student_out / teacher_temp, dim=-1)",
            ),
            (").detach() / teacher_temp, dim=-1)", ").detach() / student_temp, dim=-1)"),
        ),
    ),
    Mutant(
        "q7_dino",
        "teacher_gradient",
        "dino_loss does not detach the teacher's targets: a gradient flows into the teacher.",
        (
            (
                "    target = F.softmax((teacher_out - center.reshape(1, k)).detach() / teacher_temp",
                "    target = F.softmax((teacher_out - center.reshape(1, k)) / teacher_temp",
            ),
        ),
    ),
    Mutant(
        "q7_dino",
        "log_of_softmax",
        "dino_loss takes log(softmax(x)): -inf in float32 once outputs spread out.",
        (
            (
                "    log_prob = F.log_softmax(student_out / student_temp, dim=-1)",
                "    log_prob = torch.log(F.softmax(student_out / student_temp, dim=-1))",
            ),
        ),
    ),
    Mutant(
        "q7_dino",
        "batch_major_crops",
        "dino_loss splits the student's rows batch-major (row b*n_crops + v), not crop-major.",
        (
            (
                "    log_prob = F.log_softmax(student_out / student_temp, dim=-1).reshape(n_crops, batch, k)",
                "    log_prob = F.log_softmax(student_out / student_temp, dim=-1).reshape(batch, n_crops, k).transpose(0, 1)",
            ),
        ),
    ),
    Mutant(
        "q7_dino",
        "divides_by_all_pairs",
        "dino_loss divides by 2 * n_crops (every pair) instead of the 2 * (n_crops - 1) it sums.",
        (("    return (cross_entropy * pairs).sum() / pairs.sum()", "    return (cross_entropy * pairs).sum() / (2 * n_crops)"),),
    ),
    Mutant(
        "q7_dino",
        "teacher_softmax_over_batch",
        "dino_loss takes the teacher's softmax over the batch (dim 0) instead of the K prototypes.",
        (
            (
                "    target = F.softmax((teacher_out - center.reshape(1, k)).detach() / teacher_temp, dim=-1)",
                "    target = F.softmax((teacher_out - center.reshape(1, k)).detach() / teacher_temp, dim=0)",
            ),
        ),
    ),
    Mutant(
        "q7_dino",
        "no_n_crops_check",
        "dino_loss accepts n_crops < 2.",
        (('    if n_crops < 2:\n        raise ValueError(f"n_crops must be at least 2, got {n_crops}")\n', ""),),
    ),
    Mutant(
        "q7_dino",
        "center_in_place",
        "update_center updates the center in place (as DINO's own code does) and returns it.",
        (
            (
                "        return center.reshape(1, -1) * momentum + batch_mean * (1 - momentum)",
                "        return center.mul_(momentum).add_(batch_mean.reshape(center.shape) * (1 - momentum)).reshape(1, -1)",
            ),
        ),
    ),
    Mutant(
        "q7_dino",
        "center_momentum_wrong_side",
        "update_center puts the momentum on the batch mean: m * mean + (1 - m) * center.",
        (
            (
                "        return center.reshape(1, -1) * momentum + batch_mean * (1 - momentum)",
                "        return center.reshape(1, -1) * (1 - momentum) + batch_mean * momentum",
            ),
        ),
    ),
    Mutant(
        "q7_dino",
        "center_sum_not_mean",
        "update_center sums the teacher's rows instead of averaging them.",
        (("        batch_mean = teacher_out.mean(dim=0, keepdim=True)", "        batch_mean = teacher_out.sum(dim=0, keepdim=True)"),),
    ),
    Mutant(
        "q7_dino",
        "center_without_keepdim",
        "update_center averages without keepdim: a (K,) center gives a (K,) result, not (1, K).",
        (
            ("        batch_mean = teacher_out.mean(dim=0, keepdim=True)  # (1, K)", "        batch_mean = teacher_out.mean(dim=0)"),
            (
                "        return center.reshape(1, -1) * momentum + batch_mean * (1 - momentum)",
                "        return center * momentum + batch_mean * (1 - momentum)",
            ),
        ),
    ),
    Mutant(
        "q7_dino",
        "center_with_history",
        "update_center runs without torch.no_grad(): the center carries the teacher's autograd history.",
        (
            (
                "    with torch.no_grad():\n        batch_mean = teacher_out.mean(dim=0, keepdim=True)  # (1, K)\n        return center.reshape(1, -1) * momentum + batch_mean * (1 - momentum)",
                "    batch_mean = teacher_out.mean(dim=0, keepdim=True)  # (1, K)\n    return center.reshape(1, -1) * momentum + batch_mean * (1 - momentum)",
            ),
        ),
    ),
    Mutant(
        "q7_dino",
        "loss_batch_loop",
        "dino_loss computes each image's cross entropy in a Python loop over the batch.",
        (
            (
                "    cross_entropy = -(target[:, None] * log_prob[None]).sum(dim=-1).mean(dim=-1)  # (2, n_crops)",
                "    cross_entropy = torch.stack([-(target[:, None, b] * log_prob[None, :, b]).sum(dim=-1) for b in range(batch)], dim=-1).mean(dim=-1)",
            ),
        ),
    ),
)


def mutant(name: str) -> Mutant:
    return next(m for m in MUTANTS if m.name == name)
