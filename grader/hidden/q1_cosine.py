"""q1_cosine, hidden properties: agreement with the reference and metamorphic laws."""

import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from checker import common, expect
from checker import strategies as s
from checker.properties import PropertyList
from solutions import cosine as reference

PROPERTIES = PropertyList("q1_cosine", hidden=True)


@st.composite
def broadcast_pair(draw, min_norm=0.1, allow_zero=True):
    """Two tensors ``(..., D)`` whose leading dimensions broadcast."""
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)).input_shapes
    d = draw(s.sizes(1, 5))
    u, v = (draw(s.rows(max(1, int(torch.Size(sh).numel())), d, min_norm, allow_zero)).reshape(*sh, d) for sh in shapes)
    return u, v


@PROPERTIES.add(
    "cosine_similarity agrees with the definition on broadcastable inputs (float32 and float64)", points=3, about=("cosine_similarity",)
)
@given(pair=broadcast_pair(), dtype=s.float_dtypes())
def agrees_with_definition(student, pair, dtype):
    u, v = (t.to(dtype) for t in pair)
    expected = reference.cosine_similarity(*common.float64(u, v))
    expect.close(
        student.call("cosine_similarity", u, v).value,
        expected,
        "cosine_similarity(u, v)",
        dtype=dtype,
        atol=1e-5 if dtype == torch.float32 else 1e-6,
    )


@PROPERTIES.add(
    "cosine_similarity_matrix(a, b)[i, j] == cosine_similarity(a[i], b[j]) for every pair", points=2, about=("cosine_similarity_matrix",)
)
@given(n=s.sizes(1, 5), m=s.sizes(1, 5), d=s.sizes(1, 5), dtype=s.float_dtypes(), data=st.data())
def matrix_agrees(student, n, m, d, dtype, data):
    a, b = data.draw(s.rows(n, d)).to(dtype), data.draw(s.rows(m, d)).to(dtype)
    expected = reference.cosine_similarity(*common.float64(a[:, None], b[None]))
    expect.close(
        student.call("cosine_similarity_matrix", a, b).value,
        expected,
        "cosine_similarity_matrix(a, b)",
        dtype=dtype,
        atol=1e-5 if dtype == torch.float32 else 1e-6,
    )


@PROPERTIES.add("cosine similarity is symmetric: cos(u, v) == cos(v, u)", points=1, about=("cosine_similarity",), law=True)
@given(pair=broadcast_pair(allow_zero=False))
def symmetric(student, pair):
    u, v = pair
    uv = student.call("cosine_similarity", u, v).value
    vu = student.call("cosine_similarity", v, u).value
    expect.close(vu, expect.tensor(uv, "cos(u, v)"), "cos(v, u) compared with cos(u, v)")


@PROPERTIES.add(
    "cosine similarity ignores length: cos(a*u, b*v) == cos(u, v) for positive a, b", points=1, about=("cosine_similarity",), law=True
)
@given(pair=broadcast_pair(allow_zero=False), a=st.floats(0.25, 4.0), b=st.floats(0.25, 4.0))
def scale_invariant(student, pair, a, b):
    u, v = pair
    base = expect.tensor(student.call("cosine_similarity", u, v).value, "cos(u, v)")
    scaled = student.call("cosine_similarity", u * a, v * b).value
    expect.close(scaled, base, "cos(a*u, b*v) compared with cos(u, v)", atol=1e-6)


@PROPERTIES.add(
    "gradients of both functions equal the reference's (autograd, float64)",
    points=2,
    about=("cosine_similarity", "cosine_similarity_matrix"),
    law=True,
)
@given(a=s.rows(3, 4, allow_zero=False), b=s.rows(2, 4, allow_zero=False))
def gradients(student, a, b):
    common.gradients_match(student, "cosine_similarity", reference.cosine_similarity, (a[0], b[0]), {}, (0, 1))  # two vectors
    common.gradients_match(student, "cosine_similarity", reference.cosine_similarity, (a[:, None], b[None]), {}, (0, 1))
    common.gradients_match(student, "cosine_similarity_matrix", reference.cosine_similarity_matrix, (a, b), {}, (0, 1))


@PROPERTIES.add(
    "cosine_similarity_matrix is vectorized: its number of torch calls does not grow with N and M",
    points=2,
    about=("cosine_similarity_matrix",),
    law=True,
)
def matrix_vectorized(student):
    common.vectorized(student, "cosine_similarity_matrix")
