"""q4_mae, public properties: the worked examples, shapes, counts, conventions, errors."""

import torch
from hypothesis import given
from hypothesis import strategies as st

from checker import common, expect
from checker import strategies as s
from checker.properties import PropertyList
from checker.student import CallOptions

PROPERTIES = PropertyList("q4_mae", hidden=False)
SEED = 1234

# The spec's example: patchify(arange(96).reshape(2, 3, 4, 4), 2)[0, 0], written out.
PATCH_EXAMPLE = [0.0, 16.0, 32.0, 1.0, 17.0, 33.0, 4.0, 20.0, 36.0, 5.0, 21.0, 37.0]

# The random_masking docstring example: L = 4 and mask_ratio = 0.5 keep 2 patches.
NOISE_EXAMPLE = [[0.7, 0.1, 0.9, 0.3]]  # ids_shuffle = [1, 3, 0, 2]
MASK_EXAMPLE = [[1.0, 0.0, 1.0, 0.0]]
RESTORE_EXAMPLE = [[2, 0, 3, 1]]

# mae_loss by hand, pred = zeros. Plain: per-patch MSE [1, 9], only patch 1 is removed -> 9.
# norm_pix: the removed patch [0, 2, 4, 6] has mean 3 and unbiased variance
# (9 + 1 + 1 + 9) / 3 = 20/3, so its loss is mean((t - 3)^2) / (20/3 + 1e-6)
# = 5 / (20/3 + 1e-6) ~ 0.75 (the biased variance 5 would give ~ 1.0).
LOSS_EXAMPLES = [
    ([[[1.0, 1.0], [3.0, 3.0]]], [[0.0, 1.0]], False, 9.0),
    ([[[0.0, 2.0, 4.0, 6.0], [1.0, 1.0, 1.0, 1.0]]], [[1.0, 0.0]], True, 5.0 / (20.0 / 3.0 + 1e-6)),
]


@st.composite
def images(draw):
    """``(imgs, p)``: ``(N, C, g*p, g*p)`` float64 images of distinct values 0, 1, 2, ..."""
    n, c, p, g = draw(s.sizes(1, 2)), draw(s.sizes(1, 3)), draw(s.sizes(1, 3)), draw(s.sizes(1, 3))
    return torch.arange(n * c * (g * p) ** 2, dtype=torch.float64).reshape(n, c, g * p, g * p), p


@st.composite
def patches(draw):
    """``(x, p, C)``: ``(N, g*g, p*p*C)`` float64 patches of distinct values 0, 1, 2, ..."""
    n, c, p, g = draw(s.sizes(1, 2)), draw(s.sizes(1, 3)), draw(s.sizes(1, 3)), draw(s.sizes(1, 3))
    return torch.arange(n * g * g * p * p * c, dtype=torch.float64).reshape(n, g * g, p * p * c), p, c


@st.composite
def masking_inputs(draw):
    """``(x, mask_ratio, noise)``: ``x`` is ``(N, L, D)`` of distinct values, ``noise`` has no ties."""
    n, length, d = draw(s.sizes(1, 3)), draw(s.sizes(1, 10)), draw(s.sizes(1, 3))
    x = torch.arange(n * length * d, dtype=torch.float64).reshape(n, length, d)
    return x, draw(st.floats(0.0, 1.0, exclude_max=True)), draw(s.distinct_noise(n, length))


@st.composite
def loss_inputs(draw, p_min=1):
    """``(pred, target, mask)`` in float64: ``(N, L, P)`` twice and ``(N, L)`` with at least one 1.

    Values are multiples of 0.25, so a patch that is not constant has a variance far from 0.
    """
    n, length, p = draw(s.sizes(1, 3)), draw(s.sizes(1, 4)), draw(s.sizes(p_min, 4))
    pred, target = ((draw(s.arrays((n, length, p))) * 4).round() / 4 for _ in range(2))
    mask = draw(s.arrays((n, length), 0.0, 1.0)).round()
    mask.view(-1)[draw(st.integers(0, n * length - 1))] = 1.0
    return pred, target, mask


def masking(student, x, mask_ratio, *noise, seed=None):
    """The student's ``(x_masked, mask, ids_restore)``, checked to be usable together.

    ``x_masked`` is ``(N, K, D)`` with ``K <= L``, ``mask`` is ``(N, L)`` of 0 and 1, and each
    row of ``ids_restore`` is a permutation of ``0..L-1`` (of an integer dtype).
    """
    n, length, d = x.shape
    got = common.outputs(student.call_with(CallOptions(seed=seed), "random_masking", x, mask_ratio, *noise).value)
    expect.holds(len(got) == 3, "random_masking should return three values (x_masked, mask, ids_restore)", 3, len(got))
    x_masked, mask, ids_restore = (expect.tensor(t, name) for t, name in zip(got, ("x_masked", "mask", "ids_restore")))
    shape_ok = x_masked.dim() == 3 and x_masked.shape[0] == n and x_masked.shape[1] <= length and x_masked.shape[2] == d
    expect.holds(shape_ok, "x_masked should have shape (N, len_keep, D)", f"shape ({n}, len_keep, {d})", f"shape {tuple(x_masked.shape)}")
    expect.shape(mask, (n, length), "mask")
    expect.holds(bool(((mask == 0) | (mask == 1)).all()), "mask should hold only 0 (kept) and 1 (removed)", "only 0. and 1.", mask)
    expect.shape(ids_restore, (n, length), "ids_restore")
    rows_sorted = ids_restore.to(torch.int64).sort(dim=1).values
    is_permutation = not ids_restore.is_floating_point() and torch.equal(rows_sorted, torch.arange(length).expand(n, length))
    expect.holds(is_permutation, "each row of ids_restore should be a permutation of 0..L-1", "permutations of 0..L-1", ids_restore)
    return x_masked, mask, ids_restore


def keeps_len_keep(x_masked, mask, x_shape, mask_ratio):
    """``x_masked`` is ``(N, len_keep, D)`` and each row of ``mask`` removes ``L - len_keep`` patches."""
    n, length, d = x_shape
    len_keep = int(length * (1 - mask_ratio))
    expect.shape(x_masked, (n, len_keep, d), f"x_masked (len_keep = int({length} * (1 - {mask_ratio!r})) = {len_keep})")
    removed = torch.full((n,), float(length - len_keep), dtype=torch.float64)
    expect.equal(mask.sum(dim=1), removed, "the number of removed patches (ones) in each row of mask")


def restored(x_masked, ids_restore, length):
    """MAE's decoder step: append zeros for the removed patches, then unshuffle with ``ids_restore``."""
    n, kept, d = x_masked.shape
    padded = torch.cat([x_masked.to(torch.float64), torch.zeros(n, length - kept, d, dtype=torch.float64)], dim=1)
    return torch.gather(padded, 1, ids_restore.to(torch.int64)[..., None].expand(-1, -1, d))


@PROPERTIES.add(
    "patchify gives the spec's example: patchify(arange(96).reshape(2, 3, 4, 4), 2)[0, 0] is [0, 16, 32, 1, 17, 33, 4, ...]",
    points=1,
    about=("patchify",),
)
@given(dtype=s.float_dtypes())
def patchify_example(student, dtype):
    imgs = torch.arange(96, dtype=dtype).reshape(2, 3, 4, 4)
    got = expect.shape(student.call("patchify", imgs, 2).value, (2, 4, 12), "patchify(imgs, 2)")
    expect.equal(got[0, 0], torch.tensor(PATCH_EXAMPLE, dtype=dtype), "patchify(imgs, 2)[0, 0]")


@PROPERTIES.gate("patchify", "patchify computes something: different images give different patches")
def patchify_computes(student):
    imgs = torch.arange(96.0).reshape(2, 3, 4, 4)
    common.computes_something("patchify", [student.call("patchify", imgs, 2).value, student.call("patchify", -imgs, 2).value], "two images")


@PROPERTIES.gate("unpatchify", "unpatchify computes something: different patches give different images")
def unpatchify_computes(student):
    x = torch.arange(96.0).reshape(2, 4, 12)
    common.computes_something(
        "unpatchify", [student.call("unpatchify", x, 2, 3).value, student.call("unpatchify", -x, 2, 3).value], "two inputs"
    )


@PROPERTIES.gate("random_masking", "random_masking computes something: it removes patches, and keeps different ones of different inputs")
def random_masking_computes(student):
    noise = torch.tensor(NOISE_EXAMPLE)
    got = [
        common.outputs(student.call("random_masking", x, 0.5, noise).value)
        for x in (torch.arange(8.0).reshape(1, 4, 2), -torch.ones(1, 4, 2))
    ]
    common.computes_something("random_masking", [g[0] for g in got], "two inputs (x_masked)")
    mask = got[0][1] if len(got[0]) > 1 else None
    if isinstance(mask, torch.Tensor) and mask.shape == (1, 4):
        expect.holds(
            bool((mask != 0).any()),
            "random_masking removes no patch at mask_ratio 0.5 (mask is all 0): it computes nothing yet",
            MASK_EXAMPLE,
            mask,
        )


@PROPERTIES.gate("mae_loss", "mae_loss computes something: predictions at different distances from the target give different losses")
def mae_loss_computes(student):
    target, mask = torch.zeros(1, 2, 2), torch.ones(1, 2)
    values = [student.call("mae_loss", target + shift, target, mask).value for shift in (1.0, 2.0, 3.0)]
    common.computes_something("mae_loss", values, "three predictions")


@PROPERTIES.add("patchify raises ValueError when H or W is not divisible by patch_size", points=1, about=("patchify",), law=True)
@given(p=s.sizes(2, 4), h=s.sizes(1, 8), w=s.sizes(1, 8))
def patchify_not_divisible(student, p, h, w):
    if h % p == 0 and w % p == 0:
        w += 1
    common.raises_value_error(student, "patchify", (torch.zeros(1, 3, h, w), p), f"for a {h}x{w} image and patch_size {p}")


@PROPERTIES.add(
    "unpatchify undoes patchify exactly: unpatchify(patchify(imgs, p), p, C) == imgs", points=1, about=("patchify", "unpatchify")
)
@given(setup=images(), dtype=s.float_dtypes())
def unpatchify_inverts_patchify(student, setup, dtype):
    imgs, p = setup
    n, c, h, w = imgs.shape
    x = expect.shape(student.call("patchify", imgs.to(dtype), p).value, (n, (h // p) * (w // p), p * p * c), "patchify(imgs, p)")
    expect.equal(student.call("unpatchify", x, p, c).value, imgs.to(dtype), "unpatchify(patchify(imgs, p), p, C)")


@PROPERTIES.add(
    "unpatchify raises ValueError when the number of patches L is not a perfect square", points=1, about=("unpatchify",), law=True
)
@given(length=s.sizes(2, 15).filter(lambda n: n not in (4, 9)), p=s.sizes(1, 2))
def unpatchify_not_square(student, length, p):
    common.raises_value_error(student, "unpatchify", (torch.zeros(1, length, p * p * 3), p, 3), f"for L={length} patches")


@PROPERTIES.add(
    "random_masking gives the docstring's example: noise [0.7, 0.1, 0.9, 0.3] with mask_ratio 0.5 keeps patches 1 and 3",
    points=1,
    about=("random_masking",),
)
@given(dtype=s.float_dtypes())
def masking_example(student, dtype):
    x = torch.arange(8, dtype=dtype).reshape(1, 4, 2)
    x_masked, mask, ids_restore = masking(student, x, 0.5, torch.tensor(NOISE_EXAMPLE, dtype=dtype))
    expect.equal(x_masked, x[:, [1, 3]], "x_masked")
    expect.equal(mask, torch.tensor(MASK_EXAMPLE, dtype=dtype), "mask")
    expect.equal(ids_restore, torch.tensor(RESTORE_EXAMPLE), "ids_restore")


@PROPERTIES.add(
    "random_masking keeps len_keep = int(L * (1 - mask_ratio)) patches per sample; the other L - len_keep are 1 in mask",
    points=1,
    about=("random_masking",),
)
@given(inputs=masking_inputs())
def masking_counts(student, inputs):
    x, mask_ratio, noise = inputs
    x_masked, mask, _ = masking(student, x, mask_ratio, noise)
    keeps_len_keep(x_masked, mask, x.shape, mask_ratio)


@PROPERTIES.add(
    "x_masked holds the kept patches in increasing noise order: x_masked[n, i] == x[n, argsort(noise)[n, i]]",
    points=1,
    about=("random_masking",),
)
@given(inputs=masking_inputs())
def masking_noise_order(student, inputs):
    x, mask_ratio, noise = inputs
    x_masked, _, _ = masking(student, x, mask_ratio, noise)
    kept = min(x_masked.shape[1], int(x.shape[1] * (1 - mask_ratio)))  # the count is masking_counts' business
    ids_keep = torch.argsort(noise, dim=1)[:, :kept]
    expected = torch.gather(x, 1, ids_keep[..., None].expand(-1, -1, x.shape[2]))
    expect.equal(x_masked[:, :kept], expected, "x_masked")


@PROPERTIES.add(
    "the outputs fit together: gathering cat([x_masked, zeros]) with ids_restore gives x * (1 - mask)",
    points=1,
    about=("random_masking",),
    law=True,
)
@given(inputs=masking_inputs(), dtype=s.float_dtypes())
def masking_restores_kept_patches(student, inputs, dtype):
    x, mask_ratio, noise = inputs
    x_masked, mask, ids_restore = masking(student, x.to(dtype), mask_ratio, noise.to(dtype))
    expected = x * (1 - mask.to(torch.float64))[..., None]
    expect.equal(restored(x_masked, ids_restore, x.shape[1]), expected, "gather(cat([x_masked, zeros]), ids_restore)")


@PROPERTIES.add("random_masking raises ValueError when mask_ratio < 0 or mask_ratio >= 1", points=1, about=("random_masking",), law=True)
@given(mask_ratio=st.sampled_from([1.0, -0.25, 1.5, -1.0]), with_noise=st.booleans())
def masking_bad_ratio(student, mask_ratio, with_noise):
    x = torch.zeros(1, 4, 2)
    args = (x, mask_ratio, torch.tensor(NOISE_EXAMPLE)) if with_noise else (x, mask_ratio)
    common.raises_value_error(student, "random_masking", args, f"for mask_ratio={mask_ratio}")


@PROPERTIES.add(
    "without noise, random_masking draws a fresh random mask for every sample (the rows of mask are not all equal)",
    points=1,
    about=("random_masking",),
)
def masking_fresh_per_sample(student):
    _, mask, _ = masking(student, torch.zeros(64, 16, 1), 0.75, seed=SEED)
    all_equal = bool((mask == mask[:1]).all())
    expect.holds(
        not all_equal, "all 64 rows of mask are equal: draw noise of shape (N, L), a random row per sample", "different rows", mask
    )


@PROPERTIES.add(
    "mae_loss gives the hand-computed examples: 9 for the docstring's example, and about 0.75 with norm_pix_loss",
    points=1,
    about=("mae_loss",),
)
@given(dtype=s.float_dtypes())
def loss_examples(student, dtype):
    for target, mask, norm_pix_loss, value in LOSS_EXAMPLES:
        target, mask = torch.tensor(target, dtype=dtype), torch.tensor(mask, dtype=dtype)
        got = student.call("mae_loss", torch.zeros_like(target), target, mask, norm_pix_loss=norm_pix_loss).value
        what = f"mae_loss(zeros, target, mask, norm_pix_loss={norm_pix_loss})"
        expect.close(got, torch.tensor(value, dtype=torch.float64), what, dtype=dtype)


@PROPERTIES.add(
    "mae_loss ignores the kept patches: changing pred where mask == 0 does not change the loss", points=1, about=("mae_loss",), law=True
)
@given(inputs=loss_inputs(p_min=2), change=st.integers(-12, 12).filter(bool), norm_pix_loss=st.booleans(), dtype=s.float_dtypes())
def loss_ignores_kept_patches(student, inputs, change, norm_pix_loss, dtype):
    pred, target, mask = (t.to(dtype) for t in inputs)
    base = expect.shape(student.call("mae_loss", pred, target, mask, norm_pix_loss=norm_pix_loss).value, (), "the loss")
    expect.finite(base, "the loss")
    moved = pred + change / 4 * (1 - mask)[..., None]
    got = expect.shape(student.call("mae_loss", moved, target, mask, norm_pix_loss=norm_pix_loss).value, (), "the loss")
    rtol, atol = expect.TOLERANCE[dtype]
    same = bool(torch.isclose(got.to(torch.float64), base.to(torch.float64), rtol=rtol, atol=atol))
    expect.holds(same, "changing pred on kept patches (mask == 0) changed the loss: only removed patches (mask == 1) count", base, got)


@PROPERTIES.add(
    "every function returns the documented shape in the input's dtype (mask: x's dtype or float32; ids_restore: int64; mae_loss: 0-d)",
    points=1,
    about=("patchify", "unpatchify", "random_masking", "mae_loss"),
    law=True,
)
@given(setup=images(), dtype=s.float_dtypes())
def shapes_and_dtypes(student, setup, dtype):
    imgs, p = setup
    n, c, h, w = imgs.shape
    x = expect.shape(student.call("patchify", imgs.to(dtype), p).value, (n, (h // p) * (w // p), p * p * c), "patchify(imgs, p)")
    expect.dtype(x, dtype, "the result of patchify")
    expect.dtype(
        expect.shape(student.call("unpatchify", x, p, c).value, (n, c, h, w), "unpatchify(x, p, C)"), dtype, "the result of unpatchify"
    )
    noise = torch.rand(n, x.shape[1], generator=torch.Generator().manual_seed(0)).to(dtype)
    x_masked, mask, ids_restore = masking(student, x, 0.5, noise)
    expect.dtype(x_masked, dtype, "x_masked")
    allowed = " or ".join(sorted({str(dtype), str(torch.float32)}))
    expect.holds(mask.dtype in (dtype, torch.float32), "mask should be a float tensor of x's dtype (or float32)", allowed, str(mask.dtype))
    expect.dtype(ids_restore, torch.int64, "ids_restore")
    loss = expect.shape(student.call("mae_loss", x, x + 1, torch.ones(n, x.shape[1], dtype=dtype)).value, (), "the result of mae_loss")
    expect.dtype(loss, dtype, "the result of mae_loss")


@PROPERTIES.add("inputs are never modified in place", points=1, about=("patchify", "unpatchify", "random_masking", "mae_loss"), law=True)
@given(setup=images(), unpatch=patches(), masked=masking_inputs(), loss=loss_inputs(p_min=2), norm_pix_loss=st.booleans())
def inputs_unchanged(student, setup, unpatch, masked, loss, norm_pix_loss):
    common.inputs_unchanged(student, "patchify", setup, {})
    common.inputs_unchanged(student, "unpatchify", unpatch, {})
    common.inputs_unchanged(student, "random_masking", masked, {})
    common.inputs_unchanged(student, "mae_loss", loss, {"norm_pix_loss": norm_pix_loss})


@PROPERTIES.add(
    "outputs are on the inputs' device, and no tensor (random_masking's noise included) is created on another one",
    points=1,
    about=("patchify", "unpatchify", "random_masking", "mae_loss"),
    law=True,
)
def same_device(student):
    generator = torch.Generator().manual_seed(0)
    imgs, x = torch.randn(2, 3, 4, 4, generator=generator), torch.randn(2, 4, 12, generator=generator)
    common.same_device(student, "patchify", (imgs, 2), {})
    common.same_device(student, "unpatchify", (x, 2, 3), {})
    common.same_device(student, "random_masking", (x, 0.5, torch.rand(2, 4, generator=generator)), {})
    common.same_device(student, "random_masking", (x, 0.5), {})
    for norm_pix_loss in (False, True):
        common.same_device(student, "mae_loss", (x, x + 1, torch.ones(2, 4)), {"norm_pix_loss": norm_pix_loss})
