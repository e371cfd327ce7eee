"""Otter's Jupyter kernel with the fork server inside it, as ``driver.ipynb`` sets it up."""

import subprocess
import sys

from jupyter_client.manager import start_new_kernel

from autograder.paths import ROOT

DRIVER = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from checker import sandbox; sandbox.fork_zygote_here()"


def test_the_kernel_ends_by_itself_when_asked_to_shut_down():
    """ipykernel waits at shutdown for the children in its process group; the fork server
    waits for the kernel. With the server in the kernel's group, the client gave up and
    sent SIGTERM (exit code -15), seconds later, after every grading."""
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        reply = client.execute_interactive(DRIVER, timeout=120)
        kernel = manager.provisioner.process
        manager.shutdown_kernel()
    finally:
        client.stop_channels()
    assert reply["content"]["status"] == "ok"
    assert kernel.returncode == 0


def test_the_deferred_dynamo_answers_introspection_without_importing_torch_dynamo():
    """The kernel shares the zygote's warm-up, so its stand-in for ``torch._dynamo`` too.
    Hypothesis reads every module's ``__file__``; that must not start the real import
    (started mid-scan, it failed on a circular import and broke the first property)."""
    code = (
        "import sys; from checker import zygote; zygote.warm_up(); "
        "stand_in = sys.modules['torch._dynamo']; hasattr(stand_in, '__file__'); "
        "print(type(sys.modules['torch._dynamo']).__name__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "_DeferredDynamo"
