"""q3_rotation, hidden properties: agreement with the reference, composition, order, gradients."""

import torch
from hypothesis import given

from checker import common, expect
from checker import strategies as s
from checker.properties import PropertyList
from checker.questions.q3_rotation import images, rotate
from solutions import rotation as reference

PROPERTIES = PropertyList("q3_rotation", hidden=True)


@PROPERTIES.add("rotate_batch agrees exactly with rot90(images[b], k) and labels k, interleaved per image (float32 and float64)", points=3)
@given(x=images(random_values=True), dtype=s.float_dtypes())
def agrees_with_definition(student, x, dtype):
    x = x.to(dtype)
    expected_rotated, expected_labels = reference.rotate_batch(*common.float64(x))
    rotated, labels = rotate(student, x)
    expect.equal(rotated, expected_rotated, "rotated")
    expect.equal(labels, expected_labels, "labels")


@PROPERTIES.add("rotations compose: rotating the 90-degree images again gives the 90, 180, 270 and 360 (original) degree ones", points=1)
@given(x=images())
def rotations_compose(student, x):
    b, c, h, w = x.shape
    rotated = expect.shape(rotate(student, x)[0], (4 * b, c, h, w), "rotated")
    again = rotate(student, rotated[1::4])[0]
    shifted = torch.tensor([4 * i + (k + 1) % 4 for i in range(b) for k in range(4)])
    expect.equal(again, rotated[shifted], "rotate_batch(rotated[1::4]), compared with rotated[4*b + (k+1) % 4],")


@PROPERTIES.add("rotated[4*b + k] holds the pixels of images[b] (interleaved per image, not blocked by rotation)", points=2)
@given(x=images())
def interleaved_order(student, x):
    b, c, h, w = x.shape
    rotated = expect.shape(rotate(student, x)[0], (4 * b, c, h, w), "rotated")
    for j in range(4 * b):
        i, k = divmod(j, 4)
        same_pixels = torch.equal(rotated[j].flatten().sort().values, x[i].to(rotated.dtype).flatten().sort().values)
        expect.holds(same_pixels, f"rotated[{j}] should be images[{i}] rotated by {k * 90} degrees, but it holds other pixels")


@PROPERTIES.add("the gradient with respect to images equals the reference's (rotated is differentiable)", points=2)
@given(x=images())
def gradients(student, x):
    common.gradients_match(student, "rotate_batch", reference.rotate_batch, (x,), {}, (0,), grad_output_index=0)
