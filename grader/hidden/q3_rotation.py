"""q3_rotation, hidden properties: agreement with the reference, composition, order, gradients."""

import torch
from hypothesis import given

from checker import common, expect
from checker import strategies as s
from checker.properties import PropertyList
from checker.questions.q3_rotation import images, rotate
from solutions import rotation as reference

PROPERTIES = PropertyList("q3_rotation", hidden=True)


@PROPERTIES.add(
    "rotate_batch agrees exactly with rot90(images[b], k) and labels k, interleaved per image (float32 and float64)",
    points=3,
    about=("rotate_batch",),
)
@given(x=images(random_values=True), dtype=s.float_dtypes())
def agrees_with_definition(student, x, dtype):
    x = x.to(dtype)
    expected_rotated, expected_labels = reference.rotate_batch(*common.float64(x))
    rotated, labels = rotate(student, x)
    expect.equal(rotated, expected_rotated, "rotated")
    expect.equal(labels, expected_labels, "labels")


@PROPERTIES.add(
    "rotations compose: rotating the 90-degree images again gives the 90, 180, 270 and 360 (original) degree ones",
    points=1,
    about=("rotate_batch",),
    law=True,
)
@given(x=images())
def rotations_compose(student, x):
    b, c, h, w = x.shape
    rotated, labels = rotate(student, x)
    expect.shape(rotated, (4 * b, c, h, w), "rotated")
    quarter = rows_of(labels, 1, b)  # the 90-degree images, found by the student's own labels
    again, again_labels = rotate(student, rotated[quarter])
    expect.shape(again, (4 * b, c, h, w), "rotate_batch(the 90-degree images)")
    for k in range(4):  # k more quarter turns of the 90-degree images are the (k + 1)-quarter-turn images
        expect.equal(
            again[rows_of(again_labels, k, b)], rotated[rows_of(labels, (k + 1) % 4, b)], f"{k * 90 + 90} degrees reached in two steps"
        )


def rows_of(labels, k: int, b: int) -> torch.Tensor:
    """The rows labelled ``k``, one per image in image order; interleaved rows when the labels cannot say."""
    found = (labels == k).nonzero().flatten() if labels.shape == (4 * b,) and not labels.is_floating_point() else None
    return found if found is not None and len(found) == b else torch.arange(b) * 4 + k


@PROPERTIES.add(
    "rotated[4*b + k] holds the pixels of images[b] (interleaved per image, not blocked by rotation)",
    points=2,
    about=("rotate_batch",),
    law=True,
)
@given(x=images())
def interleaved_order(student, x):
    b, c, h, w = x.shape
    rotated = expect.shape(rotate(student, x)[0], (4 * b, c, h, w), "rotated")
    for j in range(4 * b):
        i, k = divmod(j, 4)
        same_pixels = torch.equal(rotated[j].flatten().sort().values, x[i].to(rotated.dtype).flatten().sort().values)
        expect.holds(same_pixels, f"rotated[{j}] should be images[{i}] rotated by {k * 90} degrees, but it holds other pixels")


@PROPERTIES.add(
    "the gradient with respect to images equals the reference's (rotated is differentiable)", points=2, about=("rotate_batch",), law=True
)
@given(x=images())
def gradients(student, x):
    common.gradients_match(student, "rotate_batch", reference.rotate_batch, (x,), {}, (0,), grad_output_index=0)
