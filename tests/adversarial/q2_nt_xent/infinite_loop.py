"""Attack: the loss never returns.

Stopped by: the per-call wall-clock deadline (Limits.call_seconds) kills the
worker's process group; a function that timed out is never called again.
Honest score: 0.
"""


def nt_xent_loss(z1, z2, temperature=0.5):
    while True:
        pass
