"""Hypothesis strategies for the assignment's inputs: small composable pieces.

Values are drawn in float64 and cast to the dtype under test, so the reference
always sees exactly the numbers the student's function saw.
"""

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

FLOAT_DTYPES = (torch.float32, torch.float64)


def float_dtypes():
    return st.sampled_from(FLOAT_DTYPES)


def sizes(low: int = 1, high: int = 6):
    return st.integers(low, high)


def values(low: float = -5.0, high: float = 5.0):
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def arrays(shape, low: float = -5.0, high: float = 5.0):
    """float64 tensors of a fixed shape."""
    return hnp.arrays(np.float64, tuple(shape), elements=values(low, high)).map(torch.from_numpy)


def rows(n: int, d: int, min_norm: float = 0.1, allow_zero: bool = True):
    """``(n, d)`` float64 rows whose norms are 0 or at least ``min_norm``.

    Small non-zero norms are where eps conventions legitimately differ, so they
    are replaced by a zero row (or, without ``allow_zero``, by the first basis vector).
    """

    def settle(x):
        small = torch.linalg.vector_norm(x, dim=-1) < min_norm
        x[small] = 0.0
        if not allow_zero:
            x[small, 0] = 1.0
        return x

    return arrays((n, d)).map(settle)


def distinct_noise(n: int, length: int):
    """``(n, length)`` noise without ties, so ``argsort`` has one right answer."""
    row = st.permutations(range(length)).map(lambda p: [(v + 0.5) / length for v in p])
    return st.lists(row, min_size=n, max_size=n).map(lambda r: torch.tensor(r, dtype=torch.float64))


def scales(n: int, low: float = 0.25, high: float = 4.0):
    """``(n, 1)`` positive factors."""
    return st.lists(st.floats(low, high), min_size=n, max_size=n).map(lambda s: torch.tensor(s, dtype=torch.float64)[:, None])
