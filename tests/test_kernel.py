"""Otter's Jupyter kernel with the fork server inside it, as ``driver.ipynb`` sets it up."""

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
