"""q7_dino, public properties: worked examples, the uniform teacher, the center's moving average, conventions."""

import math

import torch
from hypothesis import given
from hypothesis import strategies as st

from checker import common, expect
from checker import strategies as s
from checker.properties import PropertyList

PROPERTIES = PropertyList("q7_dino", hidden=False)


def _log_softmax(row):
    top = math.log(sum(math.exp(v) for v in row))
    return [v - top for v in row]


# A pairing example by hand, at temperatures 1: n_crops = 2, B = 1, K = 2.
# Centered teacher crops [0.5, 0.5] and [-0.5, 1.5] give targets [1/2, 1/2] and softmax([-0.5, 1.5]);
# each teacher crop t is paired with the other student crop only: (t=0, v=1) and (t=1, v=0).
PAIR_STUDENT, PAIR_TEACHER, PAIR_CENTER = [[1.0, 0.0], [0.0, 2.0]], [[1.0, 0.0], [0.0, 1.0]], [0.5, -0.5]
_TARGETS = [[0.5, 0.5], [math.exp(v) for v in _log_softmax([-0.5, 1.5])]]
_LOG_PROBS = [_log_softmax(row) for row in PAIR_STUDENT]
PAIR_LOSS = sum(-sum(p * lp for p, lp in zip(_TARGETS[t], _LOG_PROBS[1 - t])) for t in (0, 1)) / 2  # ≈ 1.1605

BAD_CALLS = [  # (student rows, teacher rows, K's, center shape, n_crops, temperatures) dino_loss refuses
    ((2, 4), (4, 4), (4,), 1, (0.1, 0.04)),  # n_crops < 2 (one crop of the teacher's B = 2)
    ((5, 4), (4, 4), (4,), 3, (0.1, 0.04)),  # 5 rows are not 3 crops
    ((6, 4), (4, 4), (4,), 2, (0.1, 0.04)),  # 6 rows are not 2 crops of the teacher's B = 2
    ((6, 4), (4, 3), (3,), 3, (0.1, 0.04)),  # different K
    ((6, 4), (4, 4), (2, 4), 3, (0.1, 0.04)),  # a center of two rows
    ((6, 4), (4, 4), (4,), 3, (0.0, 0.04)),
    ((6, 4), (4, 4), (4,), 3, (0.1, -0.04)),
]


@st.composite
def dino_inputs(draw, low=-5.0, high=5.0):
    """``(student_out, teacher_out, center, n_crops)`` in float64; ``center`` is ``(K,)`` or ``(1, K)``."""
    n_crops, batch, k = draw(s.sizes(2, 4)), draw(s.sizes(1, 3)), draw(s.sizes(1, 5))
    student_out, teacher_out = draw(s.arrays((n_crops * batch, k), low, high)), draw(s.arrays((2 * batch, k), low, high))
    center = draw(s.arrays((k,), -1.0, 1.0))
    return student_out, teacher_out, center.reshape(1, k) if draw(st.booleans()) else center, n_crops


def as_row(center, k: int):
    """update_center's result as ``(1, K)`` for comparing values: a ``(K,)`` result is a shape slip,
    judged once, by ``keeps_dtype``."""
    return center.reshape(1, k) if isinstance(center, torch.Tensor) and tuple(center.shape) == (k,) else center


def temperatures():
    """``(student_temp, teacher_temp)``, sharper teachers included."""
    return st.tuples(st.floats(0.05, 1.0), st.floats(0.02, 1.0))


@PROPERTIES.add(
    "dino_loss gives the docstring example (log K for a uniform teacher and student) and a hand-computed pairing example",
    points=3,
    about=("dino_loss",),
)
@given(dtype=s.float_dtypes())
def worked_examples(student, dtype):
    uniform = student.call("dino_loss", torch.zeros(6, 4, dtype=dtype), torch.ones(4, 4, dtype=dtype), torch.ones(4, dtype=dtype), 3).value
    expect.close(uniform, torch.tensor(math.log(4), dtype=torch.float64), "the docstring example", dtype=dtype)
    args = (torch.tensor(PAIR_STUDENT, dtype=dtype), torch.tensor(PAIR_TEACHER, dtype=dtype), torch.tensor(PAIR_CENTER, dtype=dtype), 2)
    got = student.call("dino_loss", *args, student_temp=1.0, teacher_temp=1.0).value
    expect.close(
        got, torch.tensor(PAIR_LOSS, dtype=torch.float64), "the pairing example (teacher crop t with student crop 1 - t)", dtype=dtype
    )


@PROPERTIES.add("update_center gives the docstring example, of shape (1, K)", points=1, about=("update_center",))
@given(dtype=s.float_dtypes())
def center_example(student, dtype):
    got = student.call("update_center", torch.zeros(2, dtype=dtype), torch.tensor([[1.0, 3.0], [3.0, 5.0]], dtype=dtype), momentum=0.5)
    expect.close(as_row(got.value, 2), torch.tensor([[1.0, 2.0]], dtype=torch.float64), "update_center of the example", dtype=dtype)


@PROPERTIES.gate("dino_loss", "dino_loss computes something: different outputs give different losses")
def dino_loss_computes(student):
    args = (torch.tensor(PAIR_STUDENT), torch.tensor(PAIR_TEACHER), torch.tensor(PAIR_CENTER), 2)
    values = [student.call("dino_loss", *args, student_temp=1.0, teacher_temp=1.0).value]
    values.append(student.call("dino_loss", args[0].flip(1), *args[1:], student_temp=1.0, teacher_temp=1.0).value)
    common.computes_something("dino_loss", values, "the pairing example and its student outputs reversed")


@PROPERTIES.gate("update_center", "update_center computes something: two momenta give two different centers")
def update_center_computes(student):
    teacher = torch.tensor([[1.0, 3.0], [3.0, 5.0]])
    values = [student.call("update_center", torch.zeros(2), teacher, momentum=m).value for m in (0.5, 0.9)]
    common.computes_something("update_center", values, "momentum 0.5 and 0.9")


@PROPERTIES.add(
    "a teacher that is uniform after centering gives log K to a student whose outputs are uniform too",
    points=1,
    about=("dino_loss",),
    law=True,
)
@given(inputs=dino_inputs(), temps=temperatures(), dtype=s.float_dtypes(), data=st.data())
def uniform_teacher(student, inputs, temps, dtype, data):
    student_out, teacher_out, center, n_crops = inputs
    rows, k = teacher_out.shape
    teacher_out = center.reshape(1, k) + data.draw(s.arrays((rows, 1)))  # each centered row is constant
    student_out = data.draw(s.arrays((len(student_out), 1))).expand(-1, k).clone()
    args = tuple(t.to(dtype) for t in (student_out, teacher_out, center))
    got = student.call("dino_loss", *args, n_crops, student_temp=temps[0], teacher_temp=temps[1]).value
    expect.close(got, torch.tensor(math.log(k), dtype=torch.float64), f"the loss with K = {k}", dtype=dtype)


@PROPERTIES.add(
    "update_center at momentum 1 returns the center (as (1, K)), at momentum 0 the teacher's batch mean",
    points=1,
    about=("update_center",),
    law=True,
)
@given(inputs=dino_inputs())
def center_ends(student, inputs):
    _, teacher_out, center, _ = inputs
    k = teacher_out.shape[1]
    kept = student.call("update_center", center, teacher_out, momentum=1.0).value
    expect.close(as_row(kept, k), center.reshape(1, k), "update_center at momentum 1")
    mean = student.call("update_center", center, teacher_out, momentum=0.0).value
    expect.close(as_row(mean, k), teacher_out.sum(0, keepdim=True) / len(teacher_out), "update_center at momentum 0")


@PROPERTIES.add(
    "dino_loss raises ValueError for n_crops < 2, rows that do not split into crops, different K's, a bad center or temperature",
    points=1,
    about=("dino_loss",),
    law=True,
)
@given(bad=st.sampled_from(BAD_CALLS))
def value_errors(student, bad):
    student_rows, teacher_rows, center, n_crops, (student_temp, teacher_temp) = bad
    args = (torch.ones(student_rows), torch.ones(teacher_rows), torch.ones(center), n_crops)
    kwargs = {"student_temp": student_temp, "teacher_temp": teacher_temp}
    why = f"for student_out {student_rows}, teacher_out {teacher_rows}, center {center}, n_crops={n_crops}, temperatures {student_temp}, {teacher_temp}"
    common.raises_value_error(student, "dino_loss", args, why, kwargs)


@PROPERTIES.add(
    "the loss is a 0-d tensor and the center a (1, K) tensor of the inputs' dtype (float32 or float64)",
    points=1,
    about=("dino_loss", "update_center"),
    law=True,
)
@given(inputs=dino_inputs(), dtype=s.float_dtypes())
def keeps_dtype(student, inputs, dtype):
    student_out, teacher_out, center, n_crops = inputs
    student_out, teacher_out, center = (t.to(dtype) for t in (student_out, teacher_out, center))
    loss = student.call("dino_loss", student_out, teacher_out, center, n_crops).value
    expect.shape(loss, (), "the loss")
    expect.dtype(loss, dtype, "the loss")
    new_center = student.call("update_center", center, teacher_out).value
    expect.shape(new_center, (1, teacher_out.shape[1]), "the new center")
    expect.dtype(new_center, dtype, "the new center")


@PROPERTIES.add(
    "inputs are never modified in place (update_center returns a new center)", points=1, about=("dino_loss", "update_center"), law=True
)
@given(inputs=dino_inputs())
def inputs_unchanged(student, inputs):
    _, teacher_out, center, _ = inputs
    common.inputs_unchanged(student, "dino_loss", inputs, {})
    common.inputs_unchanged(student, "update_center", (center, teacher_out), {"momentum": 0.9})


@PROPERTIES.add(
    "outputs are on the inputs' device, and no tensor is created on another one", points=1, about=("dino_loss", "update_center"), law=True
)
def same_device(student):
    student_out, teacher_out, center = torch.tensor(PAIR_STUDENT), torch.tensor(PAIR_TEACHER), torch.tensor(PAIR_CENTER)
    common.same_device(student, "dino_loss", (student_out, teacher_out, center, 2), {})
    common.same_device(student, "update_center", (center, teacher_out), {})
