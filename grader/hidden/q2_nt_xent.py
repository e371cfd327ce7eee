"""q2_nt_xent, hidden properties: agreement with the reference, stability, invariances, gradients."""

import torch
from hypothesis import given
from hypothesis import strategies as st

from checker import common, expect
from checker import strategies as s
from checker.properties import PropertyList
from checker.questions.q2_nt_xent import OVERFLOW, pair
from solutions import nt_xent as reference

PROPERTIES = PropertyList("q2_nt_xent", hidden=True)


def temperatures(low=0.05, high=2.0):
    return st.floats(low, high)


def loss(student, z1, z2, temperature, what="the loss") -> torch.Tensor:
    return expect.tensor(student.call("nt_xent_loss", z1, z2, temperature=temperature).value, what)


@PROPERTIES.add(
    "nt_xent_loss agrees with the definition (mean over the 2N anchors) in float32 and float64", points=6, about=("nt_xent_loss",)
)
@given(views=pair(), temperature=temperatures(), dtype=s.float_dtypes())
def agrees_with_definition(student, views, temperature, dtype):
    z1, z2 = (v.to(dtype) for v in views)
    expected = reference.nt_xent_loss(*common.float64(z1, z2), temperature=temperature)
    tolerance = (1e-4, 1e-4) if dtype == torch.float32 else (1e-6, 1e-6)
    got = student.call("nt_xent_loss", z1, z2, temperature=temperature).value
    expect.close(got, expected, "nt_xent_loss(z1, z2)", dtype=dtype, rtol=tolerance[0], atol=tolerance[1])


@PROPERTIES.add(
    "in float32 at temperature 0.01, with near-identical positive pairs, the loss is finite and matches float64",
    points=3,
    about=("nt_xent_loss",),
)
@given(n=s.sizes(1, 6), d=s.sizes(1, 5), data=st.data())
def stable_in_float32(student, n, d, data):
    z1, noise = data.draw(s.rows(n, d, allow_zero=False)), data.draw(s.arrays((n, d), -1e-3, 1e-3))
    z1, z2 = z1.to(torch.float32), (z1 + noise).to(torch.float32)
    expected = reference.nt_xent_loss(*common.float64(z1, z2), temperature=0.01)
    got = student.call("nt_xent_loss", z1, z2, temperature=0.01).value
    expect.finite(got, "the float32 loss at temperature 0.01", expected, cause=OVERFLOW)
    expect.close(got, expected, "the float32 loss at temperature 0.01", dtype=torch.float32, rtol=1e-3, atol=1e-3)


@PROPERTIES.add(
    "the two views play symmetric roles: nt_xent_loss(z1, z2) == nt_xent_loss(z2, z1)", points=1, about=("nt_xent_loss",), law=True
)
@given(views=pair(), temperature=temperatures())
def swap_views(student, views, temperature):
    z1, z2 = views
    forward = loss(student, z1, z2, temperature, "nt_xent_loss(z1, z2)")
    expect.close(loss(student, z2, z1, temperature), forward, "nt_xent_loss(z2, z1) compared with nt_xent_loss(z1, z2)", atol=1e-7)


@PROPERTIES.add(
    "reordering the pairs (the same permutation of the rows of z1 and z2) does not change the loss",
    points=1,
    about=("nt_xent_loss",),
    law=True,
)
@given(views=pair(), temperature=temperatures(), data=st.data())
def permutation_invariant(student, views, temperature, data):
    z1, z2 = views
    order = torch.tensor(data.draw(st.permutations(range(len(z1)))))
    base = loss(student, z1, z2, temperature, "nt_xent_loss(z1, z2)")
    reordered = loss(student, z1[order], z2[order], temperature)
    expect.close(reordered, base, "the loss of reordered pairs compared with the original", atol=1e-7)


@PROPERTIES.add(
    "the loss uses cosine similarity, so it ignores the length of each row: positive row scalings do not change it",
    points=1,
    about=("nt_xent_loss",),
    law=True,
)
@given(views=pair(), temperature=temperatures(), data=st.data())
def scale_invariant(student, views, temperature, data):
    z1, z2 = views
    a, b = data.draw(s.scales(len(z1))), data.draw(s.scales(len(z2)))
    base = loss(student, z1, z2, temperature, "nt_xent_loss(z1, z2)")
    expect.close(loss(student, z1 * a, z2 * b, temperature), base, "the loss of rescaled rows compared with the original", atol=1e-7)


@PROPERTIES.add(
    "gradients with respect to z1 and z2 equal the reference's (autograd, float64)", points=5, about=("nt_xent_loss",), law=True
)
@given(views=pair(), temperature=temperatures(0.1, 2.0))
def gradients(student, views, temperature):
    common.gradients_match(student, "nt_xent_loss", reference.nt_xent_loss, views, {"temperature": temperature}, (0, 1))


@PROPERTIES.add("nt_xent_loss is vectorized: its number of torch calls does not grow with N", points=3, about=("nt_xent_loss",), law=True)
def vectorized(student):
    common.vectorized(student, "nt_xent_loss")
