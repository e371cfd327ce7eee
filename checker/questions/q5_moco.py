"""q5_moco, public properties: the docstring examples, the positive's column, the ring buffer, conventions."""

import math

import torch
from hypothesis import given
from hypothesis import strategies as st

from checker import common, expect
from checker import strategies as s
from checker.properties import PropertyList

PROPERTIES = PropertyList("q5_moco", hidden=False)
WRAP = "a batch that runs past the last row wraps around to row 0: write rows (ptr + torch.arange(N)) % K"

# The moco_logits docstring example: unit rows after normalization, temperature 0.5.
Q = [[1.0, 0.0], [0.0, 1.0]]
K = [[3.0, 0.0], [0.0, 2.0]]
QUEUE = [[0.0, 1.0], [-1.0, 0.0]]
LOGITS = [[2.0, 0.0, -2.0], [2.0, 2.0, 0.0]]  # [q·k, q·queue_0, q·queue_1] / 0.5
LOSS = (math.log(math.e**2 + 1 + math.e**-2) - 2 + math.log(2 * math.e**2 + 1) - 2) / 2  # ≈ 0.4508

BAD_CALLS = [  # (q, k, queue) shapes and temperature that moco_logits and moco_loss refuse
    ((2, 3), (2, 3), (4, 3), 0.0),
    ((2, 3), (2, 3), (4, 3), -0.1),
    ((2, 3), (3, 3), (4, 3), 0.07),  # different N
    ((2, 3), (2, 4), (4, 3), 0.07),  # different D for k
    ((2, 3), (2, 3), (4, 2), 0.07),  # different D for the queue
    ((3,), (3,), (4, 3), 0.07),  # 1-D
]
BAD_ENQUEUES = [  # (queue shape, keys shape, ptr) that dequeue_and_enqueue refuses
    ((4, 2), (5, 2), 0),  # more keys than rows
    ((4, 2), (2, 3), 0),  # different D
    ((4, 2), (2, 2), 4),  # ptr past the end
    ((4, 2), (2, 2), -1),
]


@st.composite
def moco_inputs(draw, n_max=5, k_max=6, d_max=4):
    """``(q, k, queue)``: float64 ``(N, D)``, ``(N, D)`` and ``(K, D)`` with row norms at least 0.1."""
    n, size, d = draw(s.sizes(1, n_max)), draw(s.sizes(1, k_max)), draw(s.sizes(1, d_max))
    return tuple(draw(s.rows(rows, d, allow_zero=False)) for rows in (n, n, size))


@st.composite
def ring(draw):
    """``(queue, keys, ptr)``: a ``(K, D)`` queue of distinct values, ``(N, D)`` keys (N <= K), ``0 <= ptr < K``."""
    size, d = draw(s.sizes(1, 8)), draw(s.sizes(1, 3))
    n, ptr = draw(s.sizes(1, size)), draw(st.integers(0, size - 1))
    queue = torch.arange(size * d, dtype=torch.float64).reshape(size, d)
    return queue, -1.0 - torch.arange(n * d, dtype=torch.float64).reshape(n, d), ptr


def logits_and_labels(student, *args, **kwargs):
    got = common.outputs(student.call("moco_logits", *args, **kwargs).value)
    expect.holds(len(got) == 2, "moco_logits should return two values (logits, labels)", 2, len(got))
    return expect.tensor(got[0], "logits"), expect.tensor(got[1], "labels")


def enqueue(student, queue, keys, ptr):
    got = common.outputs(student.call("dequeue_and_enqueue", queue, keys, ptr).value)
    expect.holds(len(got) == 2, "dequeue_and_enqueue should return two values (new_queue, new_ptr)", 2, len(got))
    new_queue, new_ptr = got
    if isinstance(new_ptr, torch.Tensor) and new_ptr.dim() == 0 and not new_ptr.is_floating_point():
        new_ptr = int(new_ptr)  # a 0-d integer tensor holds the same pointer
    return expect.tensor(new_queue, "new_queue"), new_ptr


@PROPERTIES.add("moco_logits gives the docstring example: positive in column 0, labels all 0", points=2, about=("moco_logits",))
@given(dtype=s.float_dtypes())
def worked_example(student, dtype):
    q, k, queue = (torch.tensor(t, dtype=dtype) for t in (Q, K, QUEUE))
    logits, labels = logits_and_labels(student, q, k, queue, temperature=0.5)
    expect.close(logits, torch.tensor(LOGITS, dtype=torch.float64), "logits", dtype=dtype)
    expect.equal(labels, torch.zeros(2, dtype=torch.int64), "labels")


@PROPERTIES.add("moco_loss gives the docstring example (≈ 0.4508)", points=1, about=("moco_loss",))
@given(dtype=s.float_dtypes())
def loss_example(student, dtype):
    q, k, queue = (torch.tensor(t, dtype=dtype) for t in (Q, K, QUEUE))
    got = student.call("moco_loss", q, k, queue, temperature=0.5).value
    expect.close(got, torch.tensor(LOSS, dtype=torch.float64), "moco_loss of the example", dtype=dtype)


@PROPERTIES.add(
    "dequeue_and_enqueue gives the docstring example: keys written at ptr, wrapping past the end to row 0",
    points=1,
    about=("dequeue_and_enqueue",),
)
@given(dtype=s.float_dtypes())
def enqueue_example(student, dtype):
    new_queue, new_ptr = enqueue(student, torch.zeros(4, 1, dtype=dtype), torch.tensor([[1.0], [2.0]], dtype=dtype), 3)
    expect.equal(new_queue, torch.tensor([[2.0], [0.0], [0.0], [1.0]], dtype=dtype), "new_queue", cause=WRAP)
    expect.holds(new_ptr == 1, "new_ptr should be (ptr + N) % K = (3 + 2) % 4", 1, new_ptr)


@PROPERTIES.gate("moco_logits", "moco_logits computes something: the example's logits differ")
def moco_logits_computes(student):
    q, k, queue = (torch.tensor(t) for t in (Q, K, QUEUE))
    common.computes_something(
        "moco_logits", [common.outputs(student.call("moco_logits", q, k, queue, temperature=0.5).value)[0]], "its entries"
    )


@PROPERTIES.gate("moco_loss", "moco_loss computes something: different keys and temperatures give different losses")
def moco_loss_computes(student):
    q, k, queue = (torch.tensor(t) for t in (Q, K, QUEUE))
    values = [student.call("moco_loss", q, key, queue, temperature=t).value for key in (k, -k) for t in (0.5, 1.0)]
    common.computes_something("moco_loss", values, "the example with k and -k at two temperatures")


@PROPERTIES.gate("dequeue_and_enqueue", "dequeue_and_enqueue computes something: the queue takes in the keys")
def dequeue_and_enqueue_computes(student):
    queue = torch.zeros(4, 2)
    new_queue = common.outputs(student.call("dequeue_and_enqueue", queue, torch.ones(2, 2), 0).value)[0]
    unchanged = isinstance(new_queue, torch.Tensor) and new_queue.device.type != "meta" and torch.equal(new_queue.to(queue.dtype), queue)
    expect.holds(
        not unchanged, "dequeue_and_enqueue returns the queue unchanged: it computes nothing yet", "the keys in rows 0 and 1", new_queue
    )


@PROPERTIES.add(
    "the positive sits in column 0: with k equal to q, column 0 is 1 / temperature, the largest logit of its row",
    points=1,
    about=("moco_logits",),
    law=True,
)
@given(inputs=moco_inputs(), temperature=st.floats(0.05, 1.0))
def positive_in_column_0(student, inputs, temperature):
    q, _, queue = inputs
    logits, _ = logits_and_labels(student, q, q.clone(), queue, temperature=temperature)
    expect.shape(logits, (len(q), 1 + len(queue)), "logits")
    expect.close(logits[:, 0], torch.full((len(q),), 1 / temperature, dtype=torch.float64), "column 0 (the positives)")


@PROPERTIES.add(
    "labels are int64 zeros of shape (N,); logits and the loss keep the inputs' dtype",
    points=1,
    about=("moco_logits", "moco_loss"),
    law=True,
)
@given(inputs=moco_inputs(), dtype=s.float_dtypes())
def dtypes(student, inputs, dtype):
    q, k, queue = (t.to(dtype) for t in inputs)
    logits, labels = logits_and_labels(student, q, k, queue)
    expect.dtype(logits, dtype, "logits")
    expect.equal(labels, torch.zeros(len(q), dtype=torch.int64), "labels")
    expect.dtype(labels, torch.int64, "labels")
    loss = student.call("moco_loss", q, k, queue).value
    expect.shape(loss, (), "the loss")
    expect.dtype(loss, dtype, "the loss")


@PROPERTIES.add(
    "moco_logits, moco_loss and dequeue_and_enqueue raise ValueError on a bad temperature, shape or ptr",
    points=1,
    about=("moco_logits", "moco_loss", "dequeue_and_enqueue"),
    law=True,
)
@given(bad=st.sampled_from(BAD_CALLS), enqueue=st.sampled_from(BAD_ENQUEUES))
def value_errors(student, bad, enqueue):
    *shapes, temperature = bad
    args = tuple(torch.ones(shape) for shape in shapes)
    for function in ("moco_logits", "moco_loss"):
        why = f"for shapes {', '.join(map(str, shapes))} and temperature={temperature}"
        common.raises_value_error(student, function, args, why, {"temperature": temperature})
    queue, keys, ptr = enqueue
    why = f"for a queue {queue}, keys {keys} and ptr={ptr}"
    common.raises_value_error(student, "dequeue_and_enqueue", (torch.ones(queue), torch.ones(keys), ptr), why)


@PROPERTIES.add(
    "inputs are never modified in place (dequeue_and_enqueue returns a new queue)",
    points=1,
    about=("moco_logits", "moco_loss", "dequeue_and_enqueue"),
    law=True,
)
@given(inputs=moco_inputs(), buffer=ring())
def inputs_unchanged(student, inputs, buffer):
    common.inputs_unchanged(student, "moco_logits", inputs, {})
    common.inputs_unchanged(student, "moco_loss", inputs, {})
    common.inputs_unchanged(student, "dequeue_and_enqueue", buffer, {})


@PROPERTIES.add(
    "outputs are on the inputs' device, and no tensor is created on another one",
    points=1,
    about=("moco_logits", "moco_loss", "dequeue_and_enqueue"),
    law=True,
)
def same_device(student):
    q, k, queue = (torch.tensor(t) for t in (Q, K, QUEUE))
    common.same_device(student, "moco_logits", (q, k, queue), {})
    common.same_device(student, "moco_loss", (q, k, queue), {})
    common.same_device(student, "dequeue_and_enqueue", (torch.zeros(4, 2), torch.ones(2, 2), 3), {})
