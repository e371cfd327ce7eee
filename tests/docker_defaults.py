"""Run a command with namespaces refused the way Docker's defaults refuse them.

    python tests/docker_defaults.py COMMAND [ARGS...]

Installs ``checker.seccomp.DOCKER_DEFAULTS`` (``unshare``, ``setns``, ``mount`` and
``clone`` with a ``CLONE_NEW*`` flag fail with EPERM, as in a container without
``CAP_SYS_ADMIN`` under Docker's seccomp profile), then execs the command: the
grader then takes the path it takes on Gradescope, without a container.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from checker import seccomp  # noqa: E402

if __name__ == "__main__":
    seccomp.install(seccomp.DOCKER_DEFAULTS)
    os.execvp(sys.argv[1], sys.argv[1:])
