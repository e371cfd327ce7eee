"""Attack: rotate_batch never returns.

Stopped by: the per-call wall-clock deadline (Limits.call_seconds).
Honest score: 0.
"""


def rotate_batch(images):
    while True:
        pass
