"""q2_nt_xent, public properties: the CS231n sanity values, collapse, errors, conventions."""

import math

import torch
from hypothesis import given
from hypothesis import strategies as st

from checker import common, expect
from checker import strategies as s
from checker.properties import PropertyList

PROPERTIES = PropertyList("q2_nt_xent", hidden=False)

# CS231n 2021 A3's sanity-check inputs and the values the spec gives (7 significant digits).
Z1 = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
Z2 = [[0.0, 8.0, 3.0], [10.0, 4.0, 9.0]]
ANCHORS = [(5.0, 1.0883455), (1.0, 1.0537996), (0.5, 1.0241141)]

FLOAT32_SAFE_TEMPERATURE = 0.1  # exp(1 / 0.1) is far from float32's limit; exp(1 / 0.01) = exp(100) is past it
OVERFLOW = "exp() of similarities divided by a small temperature overflows in float32 (exp(100) > 3.4e38): compute the loss with torch.logsumexp or F.cross_entropy"

BAD_SHAPES = [
    ((2, 3), (3, 3)),  # different N
    ((2, 3), (2, 4)),  # different D
    ((3,), (3,)),  # 1-D
    ((2, 3, 4), (2, 3, 4)),  # 3-D
]


@st.composite
def pair(draw, n_max=6, d_max=5):
    """Two ``(N, D)`` float64 views with row norms at least 0.1."""
    n, d = draw(s.sizes(1, n_max)), draw(s.sizes(1, d_max))
    return draw(s.rows(n, d, allow_zero=False)), draw(s.rows(n, d, allow_zero=False))


@PROPERTIES.add(
    "nt_xent_loss gives CS231n's sanity values 1.0883455 (τ=5), 1.0537996 (τ=1), 1.0241141 (τ=0.5, the default)",
    points=3,
    about=("nt_xent_loss",),
)
@given(dtype=s.float_dtypes())
def anchor_values(student, dtype):
    z1, z2 = torch.tensor(Z1, dtype=dtype), torch.tensor(Z2, dtype=dtype)
    for temperature, loss in ANCHORS:
        got = student.call("nt_xent_loss", z1, z2, temperature=temperature).value
        expect.close(got, torch.tensor(loss, dtype=torch.float64), f"the loss at temperature={temperature}", dtype=dtype, atol=1e-6)
    default = torch.tensor(ANCHORS[-1][1], dtype=torch.float64)
    expect.close(student.call("nt_xent_loss", z1, z2).value, default, "the loss at the default temperature (0.5)", dtype=dtype, atol=1e-6)


@PROPERTIES.add(
    "when every row is the same vector (collapse), the loss is log(2N - 1) whatever the temperature", points=2, about=("nt_xent_loss",)
)
@given(n=s.sizes(1, 6), d=s.sizes(1, 5), temperature=st.floats(0.01, 5.0), dtype=s.float_dtypes(), data=st.data())
def collapse(student, n, d, temperature, dtype, data):
    if dtype == torch.float32:  # below, exp() overflows in float32: that is stable_in_float32's to judge, not this law's
        temperature = max(temperature, FLOAT32_SAFE_TEMPERATURE)
    z = data.draw(s.rows(1, d, allow_zero=False)).repeat(n, 1).to(dtype)
    got = student.call("nt_xent_loss", z, z, temperature=temperature).value
    expect.close(got, torch.tensor(math.log(2 * n - 1), dtype=torch.float64), "the loss of collapsed embeddings", dtype=dtype, atol=1e-6)


@PROPERTIES.gate("nt_xent_loss", "nt_xent_loss computes something: different views and temperatures give different losses")
def nt_xent_loss_computes(student):
    z1, z2 = torch.tensor(Z1), torch.tensor(Z2)
    values = [student.call("nt_xent_loss", z1, z2, temperature=t).value for t, _ in ANCHORS]
    values.append(student.call("nt_xent_loss", z1, z1.clone(), temperature=1.0).value)
    common.computes_something("nt_xent_loss", values, "the sanity-check views at three temperatures and a collapsed pair")


@PROPERTIES.add("nt_xent_loss raises ValueError when temperature <= 0", points=1, about=("nt_xent_loss",), law=True)
@given(temperature=st.floats(-2.0, 0.0))
def bad_temperature(student, temperature):
    z1, z2 = torch.tensor(Z1), torch.tensor(Z2)
    common.raises_value_error(student, "nt_xent_loss", (z1, z2), f"for temperature={temperature}", {"temperature": temperature})


@PROPERTIES.add(
    "nt_xent_loss raises ValueError when z1 and z2 have different shapes or are not 2-D", points=1, about=("nt_xent_loss",), law=True
)
@given(shapes=st.sampled_from(BAD_SHAPES))
def bad_shapes(student, shapes):
    z1, z2 = (torch.ones(shape) for shape in shapes)
    common.raises_value_error(student, "nt_xent_loss", (z1, z2), f"for shapes {shapes[0]} and {shapes[1]}")


@PROPERTIES.add("the loss is a 0-d tensor of the inputs' dtype (float32 or float64)", points=1, about=("nt_xent_loss",), law=True)
@given(views=pair(), dtype=s.float_dtypes())
def scalar_of_input_dtype(student, views, dtype):
    got = student.call("nt_xent_loss", *(v.to(dtype) for v in views)).value
    expect.shape(got, (), "the loss")
    expect.dtype(got, dtype, "the loss")


@PROPERTIES.add("inputs are never modified in place", points=1, about=("nt_xent_loss",), law=True)
@given(views=pair())
def inputs_unchanged(student, views):
    common.inputs_unchanged(student, "nt_xent_loss", views, {"temperature": 0.5})


@PROPERTIES.add("the loss is on the inputs' device, and no tensor is created on another one", points=1, about=("nt_xent_loss",), law=True)
def same_device(student):
    common.same_device(student, "nt_xent_loss", (torch.tensor(Z1), torch.tensor(Z2)), {"temperature": 0.5})
