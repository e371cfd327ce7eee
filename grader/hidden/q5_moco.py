"""q5_moco, hidden properties: agreement with the reference, the ring buffer over many batches,
invariances, stop-gradient, stability, vectorization."""

import torch
from hypothesis import given
from hypothesis import strategies as st

from checker import common, expect
from checker import strategies as s
from checker.properties import PropertyList
from checker.questions.q5_moco import WRAP, enqueue, logits_and_labels, moco_inputs, ring
from solutions import moco as reference

PROPERTIES = PropertyList("q5_moco", hidden=True)
OVERFLOW = "exp() of logits up to 1 / 0.01 = 100 overflows in float32 (exp(100) > 3.4e38): use F.cross_entropy or torch.logsumexp"


def temperatures(low=0.05, high=1.0):
    return st.floats(low, high)


def tolerance(dtype):
    return {"rtol": 1e-4, "atol": 1e-4} if dtype == torch.float32 else {"rtol": 1e-6, "atol": 1e-6}


@PROPERTIES.add("moco_logits agrees with the definition in float32 and float64", points=2, about=("moco_logits",))
@given(inputs=moco_inputs(), temperature=temperatures(), dtype=s.float_dtypes())
def logits_agree(student, inputs, temperature, dtype):
    q, k, queue = (t.to(dtype) for t in inputs)
    expected, _ = reference.moco_logits(*common.float64(q, k, queue), temperature=temperature)
    logits, _ = logits_and_labels(student, q, k, queue, temperature=temperature)
    expect.close(logits, expected, "logits", dtype=dtype, **tolerance(dtype))


@PROPERTIES.add("moco_loss agrees with the definition in float32 and float64", points=2, about=("moco_loss",))
@given(inputs=moco_inputs(), temperature=temperatures(), dtype=s.float_dtypes())
def loss_agrees(student, inputs, temperature, dtype):
    q, k, queue = (t.to(dtype) for t in inputs)
    expected = reference.moco_loss(*common.float64(q, k, queue), temperature=temperature)
    got = student.call("moco_loss", q, k, queue, temperature=temperature).value
    expect.close(got, expected, "moco_loss(q, k, queue)", dtype=dtype, **tolerance(dtype))


@PROPERTIES.add(
    "dequeue_and_enqueue agrees with the definition for every K, N <= K and ptr (wrapping included)",
    points=2,
    about=("dequeue_and_enqueue",),
)
@given(buffer=ring(), dtype=s.float_dtypes())
def enqueue_agrees(student, buffer, dtype):
    queue, keys, ptr = buffer[0].to(dtype), buffer[1].to(dtype), buffer[2]
    expected_queue, expected_ptr = reference.dequeue_and_enqueue(queue, keys, ptr)
    new_queue, new_ptr = enqueue(student, queue, keys, ptr)
    wraps = ptr + len(keys) > len(queue)
    expect.equal(new_queue, expected_queue, f"new_queue after enqueuing {len(keys)} keys at ptr={ptr}", cause=WRAP if wraps else "")
    expect.holds(new_ptr == expected_ptr, f"new_ptr should be (ptr + N) % K = ({ptr} + {len(keys)}) % {len(queue)}", expected_ptr, new_ptr)


@PROPERTIES.add(
    "a ring buffer: after K / N enqueues of N keys, the queue holds exactly the last K keys, in ring order from ptr",
    points=1,
    about=("dequeue_and_enqueue",),
    law=True,
)
@given(n=s.sizes(2, 3), rounds=s.sizes(1, 4), d=s.sizes(1, 2), data=st.data())
def ring_order(student, n, rounds, d, data):
    size = n * rounds
    start = ptr = n * data.draw(st.integers(0, rounds - 1)) + data.draw(st.integers(1, n - 1))  # not a multiple of N: batches wrap
    queue = torch.zeros(size, d, dtype=torch.float64)
    keys = 1.0 + torch.arange(size * d, dtype=torch.float64).reshape(size, d)  # every key distinct, none 0
    for batch in keys.split(n):
        queue, ptr = enqueue(student, queue, batch, ptr)
    expected = keys.roll(start, dims=0)  # key j sits in row (start + j) % K
    expect.equal(queue, expected, f"the queue after {rounds} enqueues of {n} keys into {size} rows from ptr={start}")
    expect.holds(ptr == start, f"after K / N enqueues the pointer is back at {start}", start, ptr)


@PROPERTIES.add(
    "logits use cosine similarity: scaling rows of q, k or the queue by positive factors does not change them",
    points=1,
    about=("moco_logits",),
    law=True,
)
@given(inputs=moco_inputs(), data=st.data())
def scale_invariant(student, inputs, data):
    base, _ = logits_and_labels(student, *inputs, temperature=0.5)
    scaled = [t * data.draw(s.scales(len(t))) for t in inputs]
    got, _ = logits_and_labels(student, *scaled, temperature=0.5)
    expect.close(got, expect.tensor(base, "logits"), "logits of rescaled rows compared with the original", atol=1e-7)


@PROPERTIES.add(
    "stop-gradient: the gradient reaches q as the reference's does, and none flows into k or the queue",
    points=1,
    about=("moco_logits", "moco_loss"),
    law=True,
)
@given(inputs=moco_inputs(), temperature=temperatures(0.1, 1.0))
def stop_gradient(student, inputs, temperature):
    kwargs = {"temperature": temperature}
    common.gradients_match(student, "moco_loss", reference.moco_loss, inputs, kwargs, (0, 1, 2), detached=(1, 2))
    common.gradients_match(student, "moco_logits", reference.moco_logits, inputs, kwargs, (0, 1, 2), grad_output_index=0, detached=(1, 2))


@PROPERTIES.add(
    "in float32 at temperature 0.01, with keys close to their queries, the loss is finite and equals its float64 value",
    points=1,
    about=("moco_loss",),
    law=True,
)
@given(inputs=moco_inputs(), data=st.data())
def stable_in_float32(student, inputs, data):
    q, _, queue = inputs
    k = q + data.draw(s.arrays(tuple(q.shape), -1e-3, 1e-3))
    args = tuple(t.to(torch.float32) for t in (q, k, queue))
    common.matches_own_float64(student, "moco_loss", args, {"temperature": 0.01}, "the float32 loss at temperature 0.01", OVERFLOW)


def growing_queue(n, generator):
    return torch.randn(4, 5, generator=generator), torch.randn(4, 5, generator=generator), torch.randn(n, 5, generator=generator)


def growing_batch(n, generator):
    return torch.randn(64, 5, generator=generator), torch.randn(n, 5, generator=generator), 60


@PROPERTIES.add(
    "vectorized: the number of torch calls does not grow with the batch N nor the queue length K",
    points=1,
    about=("moco_logits", "moco_loss", "dequeue_and_enqueue"),
    law=True,
)
def vectorized(student):
    for function in ("moco_logits", "moco_loss"):
        common.vectorized(student, function, lambda n, g: (*common.pair_of_rows(n, g), torch.randn(8, 5, generator=g)))
        common.vectorized(student, function, growing_queue)
    common.vectorized(student, "dequeue_and_enqueue", growing_batch)
