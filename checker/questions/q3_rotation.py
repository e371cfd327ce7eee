"""q3_rotation, public properties: the docstring example, shapes, labels, errors, conventions."""

import math

import torch
from hypothesis import given
from hypothesis import strategies as st

from checker import common, expect
from checker import strategies as s
from checker.properties import PropertyFailed, PropertyList
from checker.student import Other

PROPERTIES = PropertyList("q3_rotation", hidden=False)

# One 2x2 image [[1, 2], [3, 4]] turned k quarter turns counter-clockwise, by hand.
EXAMPLE = [[[1.0, 2.0], [3.0, 4.0]]]
EXAMPLE_ROTATED = [
    [[1.0, 2.0], [3.0, 4.0]],  # k=0: unchanged
    [[2.0, 4.0], [1.0, 3.0]],  # k=1: 90 deg counter-clockwise
    [[4.0, 3.0], [2.0, 1.0]],  # k=2: 180 deg
    [[3.0, 1.0], [4.0, 2.0]],  # k=3: 270 deg counter-clockwise
]


@st.composite
def images(draw, random_values=False, b_max=3, c_max=3, h_max=5):
    """``(B, C, H, H)`` float64 images; pixels 0, 1, 2, ... (all distinct, so every rotation shows) unless ``random_values``."""
    b, c, h = draw(s.sizes(1, b_max)), draw(s.sizes(1, c_max)), draw(s.sizes(1, h_max))
    shape = (b, c, h, h)
    if random_values:
        return draw(s.arrays(shape))
    return torch.arange(math.prod(shape), dtype=torch.float64).reshape(shape)


def rotate(student, x) -> tuple[torch.Tensor, torch.Tensor]:
    """The student's ``(rotated, labels)``, checked to be a pair of tensors."""
    got = student.call("rotate_batch", x).value
    if not isinstance(got, tuple) or len(got) != 2:
        shown = f"a {got.type}" if isinstance(got, Other) else got  # a list's repr would span many lines
        raise PropertyFailed("rotate_batch should return a tuple (rotated, labels)", "a tuple of 2", shown)
    return expect.tensor(got[0], "rotated"), expect.tensor(got[1], "labels")


@PROPERTIES.add(
    "rotate_batch gives the docstring's 2x2 example: 0, 90, 180, 270 degrees counter-clockwise, labels [0, 1, 2, 3]",
    points=3,
    about=("rotate_batch",),
)
@given(dtype=s.float_dtypes())
def worked_example(student, dtype):
    rotated, labels = rotate(student, torch.tensor([EXAMPLE], dtype=dtype))
    expect.equal(rotated, torch.tensor(EXAMPLE_ROTATED, dtype=dtype)[:, None], "rotated")
    expect.equal(labels, torch.tensor([0, 1, 2, 3]), "labels")


@PROPERTIES.gate("rotate_batch", "rotate_batch rotates: the docstring's image turned 90, 180 and 270 degrees is not left as it was")
def rotate_batch_rotates(student):
    image = torch.tensor([EXAMPLE])
    got = student.call("rotate_batch", image).value
    rotated = got[0] if isinstance(got, tuple) and got else got
    common.computes_something("rotate_batch", [rotated], "an image of four different pixels")
    if isinstance(rotated, torch.Tensor) and rotated.shape[:1] == (4,) and rotated.shape[1:] == image.shape[1:]:
        unrotated = all(torch.equal(rotated[k].to(image.dtype), image[0]) for k in (1, 2, 3))
        expect.holds(
            not unrotated, "rotate_batch returns the image unrotated for k = 1, 2, 3: it computes nothing yet", EXAMPLE_ROTATED, rotated
        )


@PROPERTIES.add("rotated has shape (4B, C, H, W) and labels has shape (4B,)", points=1, about=("rotate_batch",), law=True)
@given(x=images())
def shapes(student, x):
    b, c, h, w = x.shape
    rotated, labels = rotate(student, x)
    expect.shape(rotated, (4 * b, c, h, w), "rotated")
    expect.shape(labels, (4 * b,), "labels")


@PROPERTIES.add("labels are [0, 1, 2, 3] repeated once per image (labels[4*b + k] == k)", points=2, about=("rotate_batch",))
@given(x=images())
def labels_interleaved(student, x):
    _, labels = rotate(student, x)
    expect.equal(labels, torch.arange(4).repeat(len(x)), "labels")


@PROPERTIES.add("rotated keeps the images' dtype (float32 or float64) and labels are int64", points=2, about=("rotate_batch",), law=True)
@given(x=images(), dtype=s.float_dtypes())
def dtypes(student, x, dtype):
    rotated, labels = rotate(student, x.to(dtype))
    expect.dtype(rotated, dtype, "rotated")
    expect.dtype(labels, torch.int64, "labels")


@PROPERTIES.add("rotate_batch raises ValueError when the images are not square (H != W)", points=2, about=("rotate_batch",), law=True)
@given(b=s.sizes(1, 2), c=s.sizes(1, 2), h=s.sizes(1, 5), w=s.sizes(1, 5))
def not_square(student, b, c, h, w):
    if h == w:
        w = h + 1
    common.raises_value_error(student, "rotate_batch", (torch.zeros(b, c, h, w),), f"for H={h}, W={w}")


@PROPERTIES.add("inputs are never modified in place", points=1, about=("rotate_batch",), law=True)
@given(x=images())
def inputs_unchanged(student, x):
    common.inputs_unchanged(student, "rotate_batch", (x,), {})


@PROPERTIES.add("outputs are on the inputs' device, and no tensor is created on another one", points=1, about=("rotate_batch",), law=True)
def same_device(student):
    common.same_device(student, "rotate_batch", (torch.arange(96.0).reshape(2, 3, 4, 4),), {})
