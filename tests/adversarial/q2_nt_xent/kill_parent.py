"""Attack: kill the grader: its process, its process group, its session.

Stopped by: the worker runs under its own user id in its own session, so
every signal to the grader fails with EPERM. (Without root the grader shares
the worker's user id and this is out of scope; see README "Security".)
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
    ):
        try:
            target()
        except OSError:
            pass


_attack()


def nt_xent_loss(z1, z2, temperature=0.5):
    _attack()
    raise NotImplementedError
