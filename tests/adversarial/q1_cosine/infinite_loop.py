"""Attack: every function loops forever.

Stopped by: the per-call wall-clock deadline (Limits.call_seconds) kills the
worker's process group; a function that timed out is never called again.
Honest score: 0.
"""


def cosine_similarity(u, v, eps=1e-8):
    while True:
        pass


def cosine_similarity_matrix(a, b, eps=1e-8):
    while True:
        pass
