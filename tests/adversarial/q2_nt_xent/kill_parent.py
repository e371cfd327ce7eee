"""Attack: kill the grader: its process, its process group, its session.

Stopped by: the worker runs under its own user id (Gradescope) or as PID 1 of
its own PID namespace (where namespaces exist), in its own session: every
signal to the grader fails with EPERM, or finds no grader to signal.
Honest score: 0 (the loss is never implemented).
"""

import os
import signal


def _attack():
    parent = os.getppid()
    for target in (
        lambda: os.kill(parent, signal.SIGKILL),
        lambda: os.killpg(os.getpgid(parent), signal.SIGKILL),
        lambda: os.kill(-os.getsid(parent), signal.SIGKILL),
        lambda: os.kill(parent, signal.SIGSTOP),
        lambda: os.kill(-1, signal.SIGKILL),  # everything this user id may signal
    ):
        try:
            target()
        except OSError:
            pass


_attack()


def nt_xent_loss(z1, z2, temperature=0.5):
    _attack()
    raise NotImplementedError
