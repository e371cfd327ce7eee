"""q1_cosine, public properties: the lesson's examples, shapes, conventions."""

import torch
from hypothesis import given

from checker import common, expect
from checker import strategies as s
from checker.properties import PropertyList
from checker.student import CallOptions

PROPERTIES = PropertyList("q1_cosine", hidden=False)
BUILTINS = ("cosine_similarity",)

# The lesson's worked examples, computed by hand: u·v / (|u| |v|).
LESSON = [
    ([1.0, 0.0], [0.9, 0.4], 0.9 / (0.97**0.5)),  # ≈ 0.914
    ([1.0, 0.0], [-0.5, 0.8], -0.5 / (0.89**0.5)),  # ≈ -0.530
    ([2.0, 1.0], [3.0, 2.0], 8.0 / (5**0.5 * 13**0.5)),  # ≈ 0.992
    ([2.0, 1.0], [-2.0, 1.0], -3.0 / 5.0),  # = -0.600
]


@PROPERTIES.add(
    "cosine_similarity gives the lesson's worked examples (0.914, -0.530, 0.992, -0.600)", points=2, about=("cosine_similarity",)
)
@given(dtype=s.float_dtypes())
def lesson_examples(student, dtype):
    for u, v, cos in LESSON:
        got = student.call("cosine_similarity", torch.tensor(u, dtype=dtype), torch.tensor(v, dtype=dtype)).value
        expect.close(got, torch.tensor(cos, dtype=torch.float64), "cos(u, v)", dtype=dtype)


@PROPERTIES.gate("cosine_similarity", "cosine_similarity computes something: the lesson's three pairs give three different values")
def cosine_similarity_computes(student):
    values = [student.call("cosine_similarity", torch.tensor(u), torch.tensor(v)).value for u, v, _ in LESSON[:3]]
    common.computes_something("cosine_similarity", values, "the lesson's three pairs")


@PROPERTIES.gate("cosine_similarity_matrix", "cosine_similarity_matrix computes something: the docstring example's entries differ")
def cosine_similarity_matrix_computes(student):
    a, b = torch.tensor([[1.0, 0.0], [0.0, 2.0]]), torch.tensor([[3.0, 0.0], [1.0, 1.0], [0.0, -1.0]])
    common.computes_something(
        "cosine_similarity_matrix", [student.call("cosine_similarity_matrix", a, b).value], "the entries of its example"
    )


@PROPERTIES.add(
    "cosine_similarity broadcasts leading dimensions: (5,1,8) with (1,7,8) gives (5,7); two vectors give a 0-d tensor",
    points=1,
    about=("cosine_similarity",),
    law=True,
)
def broadcast_shapes(student):
    expect.shape(
        student.call("cosine_similarity", torch.ones(5, 1, 8), torch.ones(1, 7, 8)).value, (5, 7), "cosine_similarity((5,1,8), (1,7,8))"
    )
    expect.shape(student.call("cosine_similarity", torch.ones(8), torch.ones(8)).value, (), "cosine_similarity of two vectors")


@PROPERTIES.add("cosine_similarity_matrix gives the docstring example, of shape (N, M)", points=1, about=("cosine_similarity_matrix",))
def matrix_example(student):
    a = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    b = torch.tensor([[3.0, 0.0], [1.0, 1.0], [0.0, -1.0]])
    half = 0.5**0.5
    expected = torch.tensor([[1.0, half, 0.0], [0.0, half, -1.0]], dtype=torch.float64)
    expect.close(student.call("cosine_similarity_matrix", a, b).value, expected, "cosine_similarity_matrix(a, b)", dtype=torch.float32)


@PROPERTIES.add(
    "a zero vector has cosine 0 with everything (never NaN), in both functions",
    points=1,
    about=("cosine_similarity", "cosine_similarity_matrix"),
    law=True,
)
@given(d=s.sizes(1, 5), dtype=s.float_dtypes())
def zero_vector(student, d, dtype):
    zero, other = torch.zeros(d, dtype=dtype), torch.ones(d, dtype=dtype)
    expect.equal(student.call("cosine_similarity", zero, other).value, torch.tensor(0.0, dtype=dtype), "cos(0, v)")
    expect.equal(
        student.call("cosine_similarity_matrix", zero[None], other[None]).value,
        torch.zeros(1, 1, dtype=dtype),
        "cosine_similarity_matrix with a zero row",
    )


@PROPERTIES.add(
    "both functions return the inputs' dtype (float32 or float64)",
    points=1,
    about=("cosine_similarity", "cosine_similarity_matrix"),
    law=True,
)
@given(dtype=s.float_dtypes(), n=s.sizes(1, 4), d=s.sizes(1, 4))
def keeps_dtype(student, dtype, n, d):
    a, b = torch.ones(n, d, dtype=dtype), torch.ones(n + 1, d, dtype=dtype)
    common.returns_dtypes(student, "cosine_similarity", (a[:, None], b[None]), {}, (dtype,))
    common.returns_dtypes(student, "cosine_similarity_matrix", (a, b), {}, (dtype,))


@PROPERTIES.add(
    "the built-in cosine similarity (F.cosine_similarity, torch.cosine_similarity, nn.CosineSimilarity) is not used",
    points=1,
    about=("cosine_similarity", "cosine_similarity_matrix"),
    law=True,
)
def no_builtin(student):
    for function, args in [
        ("cosine_similarity", (torch.ones(3, 4), torch.ones(3, 4))),
        ("cosine_similarity_matrix", (torch.ones(3, 4), torch.ones(2, 4))),
    ]:
        used = student.call_with(CallOptions(watch=BUILTINS), function, *args).watched_calls
        expect.holds(not used, f"{function} calls the built-in {', '.join(used)}: write the formula yourself")


@PROPERTIES.add("inputs are never modified in place", points=1, about=("cosine_similarity", "cosine_similarity_matrix"), law=True)
@given(a=s.rows(3, 4), b=s.rows(2, 4))
def inputs_unchanged(student, a, b):
    common.inputs_unchanged(student, "cosine_similarity", (a[:, None], b[None]), {})
    common.inputs_unchanged(student, "cosine_similarity_matrix", (a, b), {})


@PROPERTIES.add(
    "outputs are on the inputs' device, and no tensor is created on another one",
    points=1,
    about=("cosine_similarity", "cosine_similarity_matrix"),
    law=True,
)
def same_device(student):
    a, b = torch.randn(3, 4, generator=torch.Generator().manual_seed(0)), torch.ones(2, 4)
    common.same_device(student, "cosine_similarity", (a[:, None], b[None]), {})
    common.same_device(student, "cosine_similarity_matrix", (a, b), {})
