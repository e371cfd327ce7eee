"""q7_dino, hidden properties: agreement with the reference, centering, stop-gradient, stability,
the center's moving average, vectorization."""

import torch
from hypothesis import given
from hypothesis import strategies as st

from checker import common, expect
from checker import strategies as s
from checker.properties import PropertyList
from checker.questions.q7_dino import as_row, dino_inputs, temperatures
from checker.student import CallOptions
from solutions import dino as reference

PROPERTIES = PropertyList("q7_dino", hidden=True)
UNSTABLE = "log(softmax(x)) underflows to log(0) = -inf in float32 for spread-out outputs: use F.log_softmax"


def loss(student, inputs, temps, what="the loss") -> torch.Tensor:
    *tensors, n_crops = inputs
    got = student.call("dino_loss", *tensors, n_crops, student_temp=temps[0], teacher_temp=temps[1]).value
    return expect.tensor(got, what)


@PROPERTIES.add("dino_loss agrees with the definition in float32 and float64", points=3, about=("dino_loss",))
@given(inputs=dino_inputs(), temps=temperatures(), dtype=s.float_dtypes())
def loss_agrees(student, inputs, temps, dtype):
    student_out, teacher_out, center, n_crops = inputs
    tensors = tuple(t.to(dtype) for t in (student_out, teacher_out, center))
    expected = reference.dino_loss(*common.float64(*tensors), n_crops, *temps)
    tolerance = {"rtol": 1e-4, "atol": 1e-4} if dtype == torch.float32 else {"rtol": 1e-6, "atol": 1e-6}
    got = loss(student, (*tensors, n_crops), temps, "dino_loss(student_out, teacher_out, center, n_crops)")
    expect.close(got, expected, "dino_loss(student_out, teacher_out, center, n_crops)", dtype=dtype, **tolerance)


@PROPERTIES.add(
    "centering: adding one vector to every teacher row and to the center does not change the loss",
    points=1,
    about=("dino_loss",),
    law=True,
)
@given(inputs=dino_inputs(), temps=temperatures(), data=st.data())
def centering(student, inputs, temps, data):
    student_out, teacher_out, center, n_crops = inputs
    shift = data.draw(s.arrays((teacher_out.shape[1],), -3.0, 3.0))
    base = loss(student, inputs, temps, "the loss")
    moved = loss(student, (student_out, teacher_out + shift, center + shift.reshape(center.shape), n_crops), temps)
    expect.close(moved, base, "the loss with teacher_out and center shifted alike, compared with the original", atol=1e-6)


@PROPERTIES.add(
    "stop-gradient: the gradient reaches student_out as the reference's does, and none flows into teacher_out or center",
    points=2,
    about=("dino_loss",),
    law=True,
)
@given(inputs=dino_inputs(-2.0, 2.0), temps=st.tuples(st.floats(0.2, 1.0), st.floats(0.1, 1.0)))
def stop_gradient(student, inputs, temps):
    *tensors, n_crops = inputs
    kwargs = {"student_temp": temps[0], "teacher_temp": temps[1]}
    common.gradients_match(student, "dino_loss", reference.dino_loss, (*tensors, n_crops), kwargs, (0, 1, 2), detached=(1, 2))


@PROPERTIES.add(
    "in float32 at the default temperatures, with outputs spread over [-20, 20], the loss is finite and equals its float64 value",
    points=1,
    about=("dino_loss",),
    law=True,
)
@given(inputs=dino_inputs(-20.0, 20.0))
def stable_in_float32(student, inputs):
    student_out, teacher_out, center, n_crops = inputs
    args = (*(t.to(torch.float32) for t in (student_out, teacher_out, center)), n_crops)
    common.matches_own_float64(student, "dino_loss", args, {}, "the float32 loss", UNSTABLE)


@PROPERTIES.add("update_center agrees with the definition for every momentum in [0, 1]", points=1, about=("update_center",))
@given(inputs=dino_inputs(), momentum=st.floats(0.0, 1.0), dtype=s.float_dtypes())
def center_agrees(student, inputs, momentum, dtype):
    _, teacher_out, center, _ = inputs
    center, teacher_out = center.to(dtype), teacher_out.to(dtype)
    expected = reference.update_center(*common.float64(center, teacher_out), momentum)
    got = student.call("update_center", center, teacher_out, momentum=momentum).value
    expect.close(as_row(got, teacher_out.shape[1]), expected, f"update_center at momentum {momentum:g}", dtype=dtype)


@PROPERTIES.add(
    "update_center's result carries no autograd history, even though teacher_out requires gradients",
    points=1,
    about=("update_center",),
    law=True,
)
@given(inputs=dino_inputs())
def center_no_history(student, inputs):
    _, teacher_out, center, _ = inputs
    reply = student.call_with(CallOptions(requires_grad=(1,)), "update_center", center, teacher_out)
    expect.holds(not reply.history, "the new center requires gradients: compute it under torch.no_grad() or detach it", False, True)


def growing_batch(n, generator):
    return torch.randn(3 * n, 5, generator=generator), torch.randn(2 * n, 5, generator=generator), torch.zeros(5), 3


@PROPERTIES.add(
    "dino_loss is vectorized: its number of torch calls does not grow with the batch B (a loop over crops is fine)",
    points=1,
    about=("dino_loss",),
    law=True,
)
def vectorized(student):
    common.vectorized(student, "dino_loss", growing_batch)
