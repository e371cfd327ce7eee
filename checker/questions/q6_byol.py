"""q6_byol, public properties: the docstring examples, the loss's range, the moving average's ends, conventions."""

import torch
from hypothesis import given
from hypothesis import strategies as st

from checker import common, expect
from checker import strategies as s
from checker.properties import PropertyList
from checker.student import CallOptions

PROPERTIES = PropertyList("q6_byol", hidden=False)

# The byol_loss docstring example: cosines 1 and 1/sqrt(2).
P = [[1.0, 0.0], [0.0, 1.0]]
Z = [[2.0, 0.0], [1.0, 1.0]]
LOSS = (2 - 2**0.5) / 2  # ≈ 0.2929
# The ema_update docstring example: 0.9 * [0, 2] + 0.1 * [1, 1].
ONLINE, TARGET, MOMENTUM, AVERAGE = [1.0, 1.0], [0.0, 2.0], 0.9, [0.1, 1.9]

BAD_SHAPES = [((2, 3), (3, 3)), ((2, 3), (2, 4)), ((3,), (3,)), ((2, 3, 4), (2, 3, 4))]
BAD_EMAS = [  # (online shapes, target shapes, momentum) that ema_update refuses
    ([(2,)], [(2,)], 1.5),
    ([(2,)], [(2,)], -0.1),
    ([(2,), (3,)], [(2,)], 0.9),  # different lengths
    ([(2,)], [(3,)], 0.9),  # different shapes
]


@st.composite
def pair(draw, n_max=6, d_max=5):
    """``(p, z)``: two ``(N, D)`` float64 tensors with row norms at least 0.1."""
    n, d = draw(s.sizes(1, n_max)), draw(s.sizes(1, d_max))
    return draw(s.rows(n, d, allow_zero=False)), draw(s.rows(n, d, allow_zero=False))


@st.composite
def networks(draw):
    """``(online, target)``: two lists of float64 tensors of matching shapes (0-d to 2-D)."""
    shapes = draw(st.lists(st.lists(s.sizes(1, 3), max_size=2).map(tuple), min_size=1, max_size=3))
    return tuple([draw(s.arrays(shape)) for shape in shapes] for _ in range(2))


def averaged(student, online, target, momentum, **options) -> list:
    got = student.call_with(CallOptions(**options), "ema_update", online, target, momentum)
    value = got.value
    expect.holds(isinstance(value, list | tuple), "ema_update should return a list of tensors", "a list", value)
    expect.holds(len(value) == len(target), "ema_update should return one tensor per parameter", len(target), len(value))
    return [expect.tensor(t, f"parameter {i} of the result") for i, t in enumerate(value)], got


@PROPERTIES.add("byol_loss gives the docstring example, (2 - sqrt(2)) / 2 ≈ 0.2929", points=1, about=("byol_loss",))
@given(dtype=s.float_dtypes())
def worked_example(student, dtype):
    got = student.call("byol_loss", torch.tensor(P, dtype=dtype), torch.tensor(Z, dtype=dtype)).value
    expect.close(got, torch.tensor(LOSS, dtype=torch.float64), "byol_loss of the example", dtype=dtype)


@PROPERTIES.add(
    "ema_update gives the docstring example: momentum weighs the old target (0.9 * t + 0.1 * o)", points=1, about=("ema_update",)
)
@given(dtype=s.float_dtypes())
def ema_example(student, dtype):
    got, _ = averaged(student, [torch.tensor(ONLINE, dtype=dtype)], [torch.tensor(TARGET, dtype=dtype)], MOMENTUM)
    expect.close(got[0], torch.tensor(AVERAGE, dtype=torch.float64), "the new target", dtype=dtype)


@PROPERTIES.gate("byol_loss", "byol_loss computes something: the example and its reversed predictions give different losses")
def byol_loss_computes(student):
    p, z = torch.tensor(P), torch.tensor(Z)
    common.computes_something("byol_loss", [student.call("byol_loss", p, z).value, student.call("byol_loss", -p, z).value], "p and -p")


@PROPERTIES.gate("ema_update", "ema_update computes something: two momenta give two different averages")
def ema_update_computes(student):
    online, target = [torch.tensor(ONLINE)], [torch.tensor(TARGET)]
    values = [common.outputs(student.call("ema_update", online, target, m).value)[0] for m in (0.5, 0.9)]
    common.computes_something("ema_update", values, "momentum 0.5 and 0.9")


@PROPERTIES.add(
    "the loss lies in [0, 4]: 0 when each p_i points the same way as z_i, 4 when opposite, whatever the lengths",
    points=1,
    about=("byol_loss",),
    law=True,
)
@given(views=pair(), scale=st.floats(0.25, 4.0), dtype=s.float_dtypes())
def range_and_ends(student, views, scale, dtype):
    p, z = (v.to(dtype) for v in views)
    got = expect.tensor(student.call("byol_loss", p, z).value, "byol_loss(p, z)")
    expect.holds(bool(((got >= -1e-6) & (got <= 4 + 1e-6)).all()), "the loss should lie in [0, 4]", "a value in [0, 4]", got)
    expect.close(
        student.call("byol_loss", p, p * scale).value, torch.tensor(0.0, dtype=torch.float64), "the loss for z = c * p", dtype=dtype
    )
    expect.close(
        student.call("byol_loss", p, -p * scale).value, torch.tensor(4.0, dtype=torch.float64), "the loss for z = -c * p", dtype=dtype
    )


@PROPERTIES.add(
    "ema_update at momentum 1 keeps the target, at momentum 0 copies the online parameters", points=1, about=("ema_update",), law=True
)
@given(nets=networks())
def ema_ends(student, nets):
    online, target = nets
    for momentum, expected, name in ((1.0, target, "the target"), (0.0, online, "the online parameters")):
        got, _ = averaged(student, online, target, momentum)
        for i, (g, e) in enumerate(zip(got, expected)):
            expect.close(g, e, f"parameter {i} at momentum {momentum:g} (should be {name})")


@PROPERTIES.add(
    "byol_loss and ema_update raise ValueError on bad shapes, mismatched lists or a momentum outside [0, 1]",
    points=1,
    about=("byol_loss", "ema_update"),
    law=True,
)
@given(shapes=st.sampled_from(BAD_SHAPES), ema=st.sampled_from(BAD_EMAS))
def value_errors(student, shapes, ema):
    common.raises_value_error(student, "byol_loss", tuple(torch.ones(sh) for sh in shapes), f"for shapes {shapes[0]} and {shapes[1]}")
    online, target, momentum = ema
    args = ([torch.ones(sh) for sh in online], [torch.ones(sh) for sh in target], momentum)
    common.raises_value_error(student, "ema_update", args, f"for shapes {online} and {target} and momentum={momentum}")


@PROPERTIES.add(
    "the loss is a 0-d tensor and the new parameters keep their dtype (float32 or float64)",
    points=1,
    about=("byol_loss", "ema_update"),
    law=True,
)
@given(views=pair(), nets=networks(), dtype=s.float_dtypes())
def keeps_dtype(student, views, nets, dtype):
    got = student.call("byol_loss", *(v.to(dtype) for v in views)).value
    expect.shape(got, (), "the loss")
    expect.dtype(got, dtype, "the loss")
    online, target = ([t.to(dtype) for t in net] for net in nets)
    for i, g in enumerate(averaged(student, online, target, 0.5)[0]):
        expect.dtype(g, dtype, f"parameter {i} of the result")


@PROPERTIES.add("inputs are never modified in place", points=1, about=("byol_loss", "ema_update"), law=True)
@given(views=pair(), nets=networks())
def inputs_unchanged(student, views, nets):
    common.inputs_unchanged(student, "byol_loss", views, {})
    common.inputs_unchanged(student, "ema_update", (*nets, 0.9), {})


@PROPERTIES.add(
    "outputs are on the inputs' device, and no tensor is created on another one", points=1, about=("byol_loss", "ema_update"), law=True
)
def same_device(student):
    common.same_device(student, "byol_loss", (torch.tensor(P), torch.tensor(Z)), {})
    common.same_device(student, "ema_update", ([torch.tensor(ONLINE)], [torch.tensor(TARGET)], MOMENTUM), {})
