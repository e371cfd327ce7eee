"""Attack: megabytes of output at import and in every call, on stdout and stderr.

Stopped by: the worker's stdout and stderr go to a pipe drained by a thread in
the grader that keeps the first Limits.output_bytes and drops the rest, so the
flood neither fills memory nor blocks the worker; feedback messages are clipped.
Honest score: 0 (rotate_batch is never implemented).
"""

import sys

LINE = "spam " * 199 + "\n"  # 1000 bytes


def _flood(megabytes):
    for _ in range(megabytes * 1000):
        sys.stdout.write(LINE)
        sys.stderr.write(LINE)
    sys.stdout.flush()


_flood(20)


def rotate_batch(images):
    _flood(2)
    raise NotImplementedError(LINE * 1000)  # a 1 MB error message as well
