"""The fork server: torch imported once, a worker forked for each question.

A zygote is a process that has imported torch (and paid for its lazy start-up:
the ``meta`` kernels, sympy) but holds nothing of the student and nothing of
the grader's secrets. For each worker the grader sends it, over a Unix
``SOCK_SEQPACKET`` socket, a JSON config and the worker's three pipe ends; the
zygote forks, and the child closes everything else, confines itself
(``checker.isolation``), starts CUDA if asked, seals itself with the seccomp
filter and serves the student's module (``checker.worker``). A fork costs
milliseconds where a fresh interpreter importing torch costs seconds, and the
workers share the zygote's pages (copy-on-write) instead of each holding torch.

Fork-safety: the zygote never starts a thread pool (``OMP_NUM_THREADS=1`` and
``torch.set_num_threads(1)`` before any operation) and never initialises CUDA;
each worker creates its own CUDA context after the fork.

Two ways to get a zygote (``checker.sandbox`` does the grader's side):
- ``spawn``: a fresh ``python -I`` process (the self-check, tests, batch);
- ``fork``: a fork of the calling process, for Otter's kernel, which imports
  torch and needs its lazy start-up anyway (paid once, before the fork). The
  driver notebook forks it before any test file, reference solution or hidden
  property is imported, so the zygote shares the kernel's torch pages and
  nothing secret.
"""

import gc
import io
import json
import os
import signal
import socket
import sys
import types

from checker import isolation, worker

MAX_MESSAGE = 1 << 16


def send(sock: socket.socket, message: dict, fds=()):
    socket.send_fds(sock, [json.dumps(message).encode()], list(fds))


def receive(sock: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE, 3)
    if not data:
        raise EOFError
    return json.loads(data), fds


class _DeferredDynamo(types.ModuleType):
    """Stands for ``torch._dynamo`` until something really needs it.

    torch wraps many of its Python ``meta`` kernels in ``torch._dynamo.disable``,
    importing ``torch._dynamo`` (and ``torch.distributed``, ``torch.onnx``: 1.4 s of
    CPU and 36 MB per grading) on their first call, only to wrap them in a context
    that does nothing outside ``torch.compile``, which no student module may use
    (``checker.rules``). So ``disable`` returns the function itself; any other
    attribute imports the real module, which then replaces this one.
    """

    @staticmethod
    def disable(fn=None, recursive=True, **kwargs):
        if fn is None:
            return lambda f: f
        return fn

    def __getattr__(self, name):
        if name.startswith("__"):  # introspection (Hypothesis scans every module's constants) is not a need
            raise AttributeError(name)
        import importlib

        import torch

        sys.modules.pop("torch._dynamo", None)
        real = importlib.import_module("torch._dynamo")
        torch._dynamo = real
        return getattr(real, name)


def warm_up():
    """Pay for torch's lazy start-up once: the first ``meta`` operation imports several
    hundred modules (decompositions, sympy)."""
    import torch

    torch.set_num_threads(1)
    if "torch._dynamo" not in sys.modules:
        sys.modules["torch._dynamo"] = torch._dynamo = _DeferredDynamo("torch._dynamo")
    (torch.empty(2, device="meta") + 1).sum()


def serve(control: socket.socket, parent: int):
    """The zygote's loop: fork a worker per ``spawn`` request, report exit statuses."""
    isolation.die_with_parent(parent)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    for fd in range(3, 65536):  # nothing of the grader's open files, sockets or pipes stays open here
        if fd != control.fileno():
            try:
                os.close(fd)
            except OSError:
                pass
    sys.stdout = sys.stderr = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), line_buffering=True)
    os.environ.clear()
    os.environ.update(isolation.environment("/"))
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    warm_up()
    gc.freeze()  # the workers' garbage collector leaves the zygote's objects alone: fewer copied pages
    send(control, {"ready": True})
    exited: dict[int, int] = {}
    while True:
        try:
            request, fds = receive(control)
        except (EOFError, OSError):  # the grader is gone
            os._exit(0)
        if request.get("op") == "spawn" and len(fds) == 3:
            zygote_pid = os.getpid()
            pid = os.fork()
            if pid == 0:
                _become_worker(request["config"], zygote_pid, *fds)
            for fd in fds:
                os.close(fd)
            send(control, {"pid": pid})
        elif request.get("op") == "status":
            send(control, {"status": _wait(int(request["pid"]), float(request["timeout"]), exited)})
        else:
            for fd in fds:
                os.close(fd)
            send(control, {"error": "unknown request"})
        _reap(exited)


def _reap(exited: dict[int, int]):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        exited[pid] = os.waitstatus_to_exitcode(status)
        if len(exited) > 1000:
            exited.pop(next(iter(exited)))


def _wait(pid: int, timeout: float, exited: dict[int, int]) -> int | None:
    """The exit code of child ``pid`` (negative: killed by that signal), or None if still running."""
    import time

    deadline = time.monotonic() + timeout
    while pid not in exited:
        _reap(exited)
        if pid in exited or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    return exited.pop(pid, None)


def _become_worker(cfg: dict, zygote_pid: int, request_fd: int, reply_fd: int, output_fd: int):
    """In the forked child: keep only the three pipes, confine, then serve. Never returns."""
    try:
        isolation.die_with_parent(zygote_pid)
        os.setsid()
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd in range(3, 65536):  # the control socket above all: it could fork root processes
            if fd not in (request_fd, reply_fd):
                try:
                    os.close(fd)
                except OSError:
                    pass
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), line_buffering=True, errors="replace")
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), line_buffering=True, errors="replace")
        sys.stdin = None
        os.environ.clear()
        os.environ.update(isolation.environment(cfg["home"]))
        sys.path[:] = [p for p in sys.path if any(p.startswith(root) for root in cfg["readable"])]
        facts = isolation.confine(cfg)
        if cfg["cuda"]:
            worker.start_cuda(cfg["gpu_memory_fraction"])
        isolation.seal(facts)
    except BaseException as error:  # the sandbox, not the student: nothing of theirs has run
        try:
            worker.send(reply_fd, {"ok": False, "sandbox_error": f"{type(error).__name__}: {error}"[:2000]})
        finally:
            os._exit(70)
    try:
        worker.serve(request_fd, reply_fd, facts, cfg["cuda"])
    finally:
        os._exit(0)


def main():
    """``python -I zygote.py FD``: the spawned zygote serves the socket inherited as FD."""
    serve(socket.socket(fileno=int(sys.argv[1])), os.getppid())


if __name__ == "__main__":
    main()
