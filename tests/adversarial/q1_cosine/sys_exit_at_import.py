"""Attack: sys.exit() while being imported.

Stopped by: the worker catches SystemExit around the import (a BaseException)
and reports a failed import; the question fails, the grader goes on.
Honest score: 0.
"""

import sys

sys.exit(0)


def cosine_similarity(u, v, eps=1e-8):
    raise NotImplementedError


def cosine_similarity_matrix(a, b, eps=1e-8):
    raise NotImplementedError
