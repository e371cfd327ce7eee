"""q6_byol, hidden properties: agreement with the reference, stop-gradient, no autograd history, vectorization."""

import torch
from hypothesis import given
from hypothesis import strategies as st

from checker import common, expect
from checker import strategies as s
from checker.properties import PropertyList
from checker.questions.q6_byol import averaged, networks, pair
from solutions import byol as reference

PROPERTIES = PropertyList("q6_byol", hidden=True)


@PROPERTIES.add("byol_loss agrees with the definition in float32 and float64", points=2, about=("byol_loss",))
@given(views=pair(), dtype=s.float_dtypes())
def loss_agrees(student, views, dtype):
    p, z = (v.to(dtype) for v in views)
    expected = reference.byol_loss(*common.float64(p, z))
    tolerance = {"rtol": 1e-4, "atol": 1e-5} if dtype == torch.float32 else {}
    expect.close(student.call("byol_loss", p, z).value, expected, "byol_loss(p, z)", dtype=dtype, **tolerance)


@PROPERTIES.add("ema_update agrees with the definition for every momentum in [0, 1]", points=1, about=("ema_update",))
@given(nets=networks(), momentum=st.floats(0.0, 1.0), dtype=s.float_dtypes())
def ema_agrees(student, nets, momentum, dtype):
    online, target = ([t.to(dtype) for t in net] for net in nets)
    expected = reference.ema_update(common.float64(*online), common.float64(*target), momentum)
    got, _ = averaged(student, online, target, momentum)
    for i, (g, e) in enumerate(zip(got, expected)):
        expect.close(g, e, f"parameter {i} at momentum {momentum:g}", dtype=dtype)


@PROPERTIES.add(
    "stop-gradient: the gradient with respect to p equals the reference's, and none flows into z",
    points=2,
    about=("byol_loss",),
    law=True,
)
@given(views=pair())
def stop_gradient(student, views):
    common.gradients_match(student, "byol_loss", reference.byol_loss, views, {}, (0, 1), detached=(1,))


@PROPERTIES.add(
    "ema_update's results carry no autograd history, even though the online parameters require gradients",
    points=1,
    about=("ema_update",),
    law=True,
)
@given(nets=networks())
def no_history(student, nets):
    _, reply = averaged(student, *nets, 0.9, requires_grad=(0,))
    expect.holds(not reply.history, "the new target parameters require gradients: compute them under torch.no_grad()", False, True)


@PROPERTIES.add("byol_loss is vectorized: its number of torch calls does not grow with N", points=1, about=("byol_loss",), law=True)
def vectorized(student):
    common.vectorized(student, "byol_loss")
