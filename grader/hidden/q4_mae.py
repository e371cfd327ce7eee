"""q4_mae, hidden properties: agreement with the reference, exact counts, statistics, gradients."""

import torch
from hypothesis import given
from hypothesis import strategies as st

from checker import common, expect
from checker import strategies as s
from checker.properties import PropertyList
from checker.questions.q4_mae import SEED, images, keeps_len_keep, loss_inputs, masking, masking_inputs, patches, restored
from solutions import mae as reference

PROPERTIES = PropertyList("q4_mae", hidden=True)

# (L, mask_ratio) where int(L * (1 - mask_ratio)) in float arithmetic differs from
# L - int(L * mask_ratio), from round(...) or from exact arithmetic:
# L=10, 0.29 keeps int(7.1) = 7 (L - int(2.9) = 8); L=10, 0.9 keeps int(0.9999999999999998) = 0.
EDGE_CASES = [(10, 0.29), (10, 0.9), (10, 0.8), (4, 0.2), (16, 0.2), (9, 0.7), (7, 0.3), (49, 0.75), (196, 0.75), (10, 0.0), (1, 0.5)]

# Over SAMPLES masks, the removal frequency of each position may stray from (L - len_keep) / L
# by at most SLACK: by Hoeffding, a correct implementation strays further with probability
# at most 2 * L * exp(-2 * SAMPLES * SLACK**2) = 32 * exp(-23.04) < 1e-8.
SAMPLES, SLACK = 512, 0.15


@PROPERTIES.add(
    "patchify agrees exactly with the definition (patch order, (p, q, c) layout) on square images", points=2, about=("patchify",)
)
@given(setup=images(), dtype=s.float_dtypes())
def patchify_agrees(student, setup, dtype):
    imgs, p = setup
    expected = reference.patchify(imgs, p).to(dtype)
    expect.equal(student.call("patchify", imgs.to(dtype), p).value, expected, "patchify(imgs, p)")


@PROPERTIES.add(
    "unpatchify agrees exactly with the definition (the inverse of patchify), with channels given or left at 3",
    points=1,
    about=("unpatchify",),
)
@given(setup=patches(), dtype=s.float_dtypes())
def unpatchify_agrees(student, setup, dtype):
    x, p, c = setup
    expected = reference.unpatchify(x, p, c).to(dtype)
    args = (x.to(dtype), p) if c == 3 else (x.to(dtype), p, c)
    expect.equal(student.call("unpatchify", *args).value, expected, "unpatchify(x, p, C)")


@PROPERTIES.add(
    "gradients of patchify and unpatchify equal the reference's (autograd, float64)", points=1, about=("patchify", "unpatchify"), law=True
)
@given(setup=images(), unpatch=patches())
def patch_gradients(student, setup, unpatch):
    common.gradients_match(student, "patchify", reference.patchify, setup, {}, (0,))
    common.gradients_match(student, "unpatchify", reference.unpatchify, unpatch, {}, (0,))


@PROPERTIES.add(
    "random_masking with given noise agrees exactly with the definition: x_masked, mask and ids_restore",
    points=3,
    about=("random_masking",),
)
@given(inputs=masking_inputs(), dtype=s.float_dtypes())
def masking_agrees(student, inputs, dtype):
    x, mask_ratio, noise = inputs
    want_masked, want_mask, want_restore = reference.random_masking(x, mask_ratio, noise)
    x_masked, mask, ids_restore = masking(student, x.to(dtype), mask_ratio, noise.to(dtype))
    expect.equal(x_masked, want_masked.to(dtype), "x_masked")
    expect.equal(mask, want_mask.to(dtype), "mask")
    expect.equal(ids_restore, want_restore, "ids_restore")


@PROPERTIES.add(
    "len_keep is exactly int(L * (1 - mask_ratio)) in float arithmetic: L=10 keeps 7 for mask_ratio 0.29 and 0 for 0.9",
    points=1,
    about=("random_masking",),
)
@given(case=st.sampled_from(EDGE_CASES), n=s.sizes(1, 2), data=st.data())
def masking_len_keep(student, case, n, data):
    length, mask_ratio = case
    x = torch.arange(n * length, dtype=torch.float64).reshape(n, length, 1)
    x_masked, mask, _ = masking(student, x, mask_ratio, data.draw(s.distinct_noise(n, length)))
    keeps_len_keep(x_masked, mask, x.shape, mask_ratio)


@PROPERTIES.add(
    "without noise, random_masking still keeps int(L * (1 - mask_ratio)) patches per sample and its outputs fit together",
    points=1,
    about=("random_masking",),
)
@given(inputs=masking_inputs())
def masking_random_consistent(student, inputs):
    x, mask_ratio, _ = inputs
    x_masked, mask, ids_restore = masking(student, x, mask_ratio, seed=SEED)
    keeps_len_keep(x_masked, mask, x.shape, mask_ratio)
    expected = x * (1 - mask.to(torch.float64))[..., None]
    expect.equal(restored(x_masked, ids_restore, x.shape[1]), expected, "gather(cat([x_masked, zeros]), ids_restore)")


@PROPERTIES.add(
    f"without noise, every position is equally likely to be removed (frequencies over {SAMPLES} samples, L=16, mask_ratio 0.75)",
    points=2,
    about=("random_masking",),
)
def masking_uniform(student):
    length, mask_ratio = 16, 0.75
    _, mask, _ = masking(student, torch.zeros(SAMPLES, length, 1), mask_ratio, seed=SEED)
    frequency = mask.to(torch.float64).mean(dim=0)
    removed = (length - int(length * (1 - mask_ratio))) / length
    expect.holds(
        bool(((frequency - removed).abs() <= SLACK).all()),
        f"some positions are removed far more or less often than in {removed:.0%} of the samples, as a uniform random mask would "
        "(check that mask is 1 for removed patches, that it is put back in patch order, and that each sample gets its own noise)",
        torch.full((length,), removed, dtype=torch.float64),
        frequency,
    )


@st.composite
def even_masking_inputs(draw):
    """Like ``masking_inputs`` with L in {4, 8} and mask_ratio a multiple of 0.25, so the count is never in doubt."""
    n, length, d = draw(s.sizes(1, 3)), draw(st.sampled_from([4, 8])), draw(s.sizes(1, 3))
    x = torch.arange(n * length * d, dtype=torch.float64).reshape(n, length, d)
    return x, draw(st.sampled_from([0.0, 0.25, 0.5, 0.75])), draw(s.distinct_noise(n, length))


@PROPERTIES.add(
    "gradients of x_masked with respect to x equal the reference's (autograd, float64, given noise)",
    points=1,
    about=("random_masking",),
    law=True,
)
@given(inputs=even_masking_inputs())
def masking_gradients(student, inputs):
    common.gradients_match(student, "random_masking", reference.random_masking, inputs, {}, (0,), grad_output_index=0)


@PROPERTIES.add(
    "mae_loss agrees with the definition: per-patch mean squared error averaged over the removed patches", points=1, about=("mae_loss",)
)
@given(inputs=loss_inputs(), dtype=s.float_dtypes())
def loss_agrees(student, inputs, dtype):
    expected = reference.mae_loss(*inputs)
    got = student.call("mae_loss", *(t.to(dtype) for t in inputs)).value
    expect.close(got, expected, "mae_loss(pred, target, mask)", dtype=dtype)


@PROPERTIES.add(
    "mae_loss with norm_pix_loss agrees with the definition: each target patch normalized with its unbiased variance + 1e-6",
    points=1,
    about=("mae_loss",),
)
@given(inputs=loss_inputs(p_min=2), dtype=s.float_dtypes())
def loss_agrees_norm_pix(student, inputs, dtype):
    expected = reference.mae_loss(*inputs, norm_pix_loss=True)
    got = student.call("mae_loss", *(t.to(dtype) for t in inputs), norm_pix_loss=True).value
    expect.close(got, expected, "mae_loss(pred, target, mask, norm_pix_loss=True)", dtype=dtype)


@PROPERTIES.add(
    "gradients of mae_loss with respect to pred equal the reference's (autograd, float64, with and without norm_pix_loss)",
    points=1,
    about=("mae_loss",),
    law=True,
)
@given(inputs=loss_inputs(p_min=2), norm_pix_loss=st.booleans())
def loss_gradients(student, inputs, norm_pix_loss):
    common.gradients_match(student, "mae_loss", reference.mae_loss, inputs, {"norm_pix_loss": norm_pix_loss}, (0,))
