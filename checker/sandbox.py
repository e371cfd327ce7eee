"""The grader's side of a worker: start it from the zygote, talk to it with deadlines.

The grader never imports student code. A ``Worker`` copies one student file into
a private temporary home and asks the zygote (``checker.zygote``) to fork a
process that confines itself (``checker.isolation``) and serves that file
(``checker.worker``). The two exchange length-prefixed ``checker.wire`` messages
over two pipes: plain data and tensors, never a pickle. The worker's stdout and
stderr are drained by a thread that keeps the first ``Limits.output_bytes``.

Two kinds of failure, never confused:
- ``WorkerLost``: the student's process hung, crashed or broke the protocol; it
  has been killed. This costs the student the call.
- ``SandboxUnavailable``: a worker could not be started or confined as required
  (uid mapping, missing permissions, a dead zygote). Nothing of the student had
  run; grading is refused, and the student is not blamed.
"""

import atexit
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

from checker import isolation, wire, zygote

HEADER_SIZE = 8
CHECKER_PARENT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Limits:
    """Deadlines (seconds), sizes (bytes) and confinement of one worker; each knob with its reason."""

    boot_seconds: float = 120.0  # the zygote imports torch once: slow on half a CPU
    start_seconds: float = 30.0  # fork, confine, and on a GPU create the CUDA context
    load_seconds: float = 5.0  # importing the student's module
    call_seconds: float = 5.0  # one call; a function that timed out is not called again
    budget_seconds: float = 60.0  # all of one question's time in the worker: a slow module ends, gradable
    output_bytes: int = 4096  # what is kept of the student's prints
    reply_bytes: int = 8 * 2**20  # one reply, uncompressed
    memory_bytes: int = 128 * 2**20  # address space on top of what the zygote's fork maps (CPU only)
    cpu_seconds: int = 60  # RLIMIT_CPU of the worker (the wall-clock deadlines come first)
    threads: int = 16  # RLIMIT_NPROC: the worker can start threads, never processes (seccomp)
    file_bytes: int = 8 * 2**20  # RLIMIT_FSIZE
    open_files: int = 64  # RLIMIT_NOFILE
    home_bytes: int = 16 * 2**20  # the worker's writable tmpfs home (private view only)
    gpu_memory_fraction: float = 0.25  # of the device's memory, per worker: concurrent workers all fit
    isolate: bool = True  # False: limits and seccomp only (no user switch, no namespaces)
    require: str = "none"  # the weakest isolation level accepted (isolation.LEVELS); below it, no grading


class WorkerLost(BaseException):
    """The worker hung, crashed or broke the protocol; it has been killed.

    A ``BaseException`` on purpose: Hypothesis must not shrink by re-running a
    hanging or crashing submission, so this aborts the property at once.
    """


class SandboxUnavailable(BaseException):
    """No worker could be started with the required isolation; nothing of the student ran."""


class OutputTail:
    """Drains a pipe on a thread, keeping only the first ``limit`` bytes."""

    def __init__(self, fd: int, limit: int):
        self.kept = bytearray()
        self.dropped = 0
        self._thread = threading.Thread(target=self._drain, args=(fd, limit), daemon=True)
        self._thread.start()

    def _drain(self, fd, limit):
        with open(fd, "rb", buffering=0) as pipe:
            for chunk in iter(lambda: pipe.read(65536), b""):
                room = max(0, limit - len(self.kept))
                self.kept += chunk[:room]
                self.dropped += len(chunk) - min(room, len(chunk))

    def text(self):
        self._thread.join(timeout=1)
        note = f"\n[... {self.dropped} more bytes of output dropped]" if self.dropped else ""
        return self.kept.decode(errors="replace") + note


# -- the zygote ------------------------------------------------------------------------------


class Zygote:
    """The grader's handle on one fork server (see ``checker.zygote``)."""

    def __init__(self, fork_self: bool = False, boot_seconds: float = Limits.boot_seconds):
        self._lock = threading.Lock()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        if fork_self:
            import gc

            zygote.warm_up()  # here, not in the child: the kernel needs it too, and both share its pages
            gc.freeze()  # and stay frozen: a collection in this process would copy every page the zygote shares
            parent = os.getpid()
            self.pid = os.fork()
            if self.pid == 0:
                # Out of the kernel's process group: at shutdown ipykernel waits for the children
                # in its group to go, and this one waits for the kernel: 2.5 s until a SIGTERM.
                os.setpgid(0, 0)
                ours.close()
                zygote.serve(theirs, parent)  # never returns
            self.process = None
        else:
            code = f"import sys; sys.path.insert(0, {str(CHECKER_PARENT)!r}); from checker import zygote; zygote.main()"
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-c", code, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                env=isolation.environment("/"),
                cwd="/",
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            self.pid = self.process.pid
        theirs.close()
        self._socket = ours
        ours.settimeout(boot_seconds)
        try:
            ready, _ = zygote.receive(ours)
        except (OSError, EOFError, ValueError) as error:
            self.close()
            raise SandboxUnavailable(f"the fork server did not start ({type(error).__name__}: {error})") from None
        if ready.get("ready") is not True:
            self.close()
            raise SandboxUnavailable("the fork server did not start")

    def _ask(self, message: dict, fds=(), timeout: float = 30.0) -> dict:
        with self._lock:
            try:
                self._socket.settimeout(timeout)
                zygote.send(self._socket, message, fds)
                reply, extra = zygote.receive(self._socket)
            except (OSError, EOFError, ValueError) as error:
                raise SandboxUnavailable(f"the fork server stopped answering ({type(error).__name__}: {error})") from None
        for fd in extra:
            os.close(fd)
        return reply

    def spawn(self, config: dict, fds: tuple[int, int, int]) -> int:
        reply = self._ask({"op": "spawn", "config": config}, fds)
        if type(reply.get("pid")) is not int:
            raise SandboxUnavailable(f"the fork server could not fork: {reply}")
        return reply["pid"]

    def exit_code(self, pid: int, timeout: float) -> int | None:
        """A worker's exit code (negative: the signal that killed it), or None if still running."""
        try:
            status = self._ask({"op": "status", "pid": pid, "timeout": timeout}, timeout=timeout + 5).get("status")
        except SandboxUnavailable:
            return None
        return status if type(status) is int else None

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        try:
            return os.waitpid(self.pid, os.WNOHANG) == (0, 0)
        except ChildProcessError:
            return False

    def close(self):
        self._socket.close()  # the zygote exits on end of file
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        else:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass


_ZYGOTE: Zygote | None = None
_ZYGOTE_LOCK = threading.Lock()


def fork_zygote_here():
    """Make the fork server a fork of this process (Otter's kernel, before any secret is imported)."""
    global _ZYGOTE
    with _ZYGOTE_LOCK:
        if _ZYGOTE is None:
            _ZYGOTE = Zygote(fork_self=True)


def _zygote(boot_seconds: float) -> Zygote:
    global _ZYGOTE
    with _ZYGOTE_LOCK:
        if _ZYGOTE is not None and not _ZYGOTE.alive():
            _ZYGOTE.close()
            _ZYGOTE = None
        if _ZYGOTE is None:
            _ZYGOTE = Zygote(boot_seconds=boot_seconds)
        return _ZYGOTE


def _stop_zygote():
    global _ZYGOTE
    if _ZYGOTE is not None:
        _ZYGOTE.close()
        _ZYGOTE = None


# -- workers ---------------------------------------------------------------------------------

_LIVE: "weakref.WeakSet[Worker]" = weakref.WeakSet()


@atexit.register
def _close_all():
    """A grader that exits with a worker still open (Otter's kernel after the last test) cleans up."""
    for worker in list(_LIVE):
        worker.close()
    _stop_zygote()


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


class Worker:
    """One running worker process serving one student module."""

    def __init__(self, student_file: Path, limits: Limits = Limits(), secrets: tuple[str, ...] = ()):
        self.limits = limits
        self.pid = None
        self.directory = Path(tempfile.mkdtemp(prefix="student-"))
        self.directory.chmod(0o711)  # searchable, not listable: the worker reaches only its home
        home = self.directory / "home"
        home.mkdir(mode=0o700)
        self.student_file = home / Path(student_file).name
        shutil.copyfile(student_file, self.student_file)
        request_read, self._request_write = os.pipe()
        self._reply_read, reply_write = os.pipe()
        output_read, output_write = os.pipe()
        cuda = _cuda_available()
        config = isolation.config(str(home), isolation.python_paths(), list(secrets), limits, cuda)
        try:
            self.pid = _zygote(limits.boot_seconds).spawn(config, (request_read, reply_write, output_write))
        except SandboxUnavailable:
            self._cleanup_fds()
            shutil.rmtree(self.directory, ignore_errors=True)
            raise
        finally:
            for fd in (request_read, reply_write, output_write):
                os.close(fd)
        _LIVE.add(self)
        self.output = OutputTail(output_read, limits.output_bytes)
        try:
            hello = self._receive(limits.start_seconds, "starting")
        except WorkerLost as lost:  # before any student code: the sandbox's failure
            raise SandboxUnavailable(f"a worker did not start: {lost}") from None
        if hello.get("ok") is not True:
            self.close()
            raise SandboxUnavailable(f"a worker could not be confined: {str(hello.get('sandbox_error'))[:500]}")
        self.cuda = hello.get("cuda") is True
        facts = hello.get("isolation")  # sent before the student's module was imported
        self.isolation = {str(k): str(v)[:500] for k, v in facts.items()} if isinstance(facts, dict) else {}
        self.level = isolation.level(self.isolation)
        self.uid = isolation.worker_uid(self.pid) if self.isolation.get("user") == isolation.OWN_USER else None
        if isolation.LEVELS.index(self.level) < isolation.LEVELS.index(limits.require):
            self.close()
            raise SandboxUnavailable(
                f"student code would run with isolation '{self.level}' here, but '{limits.require}' is required ({self.describe()})"
            )

    def describe(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.isolation.items() if v)

    def load(self) -> dict:
        """Import the student module; the reply says whether it raised."""
        return self.request({"op": "load", "path": str(self.student_file)}, self.limits.load_seconds, "importing your module")

    def request(self, message: dict, timeout: float, doing: str) -> dict:
        data = wire.dumps(message)
        try:
            os.write(self._request_write, len(data).to_bytes(HEADER_SIZE, "little"))
            view = memoryview(data)
            while view:
                view = view[os.write(self._request_write, view) :]
        except OSError:
            self._lose(f"your code stopped the worker process while {doing}")
        return self._receive(timeout, doing)

    def _receive(self, timeout: float, doing: str) -> dict:
        self._timeout = timeout
        deadline = time.monotonic() + timeout
        size = int.from_bytes(self._read(HEADER_SIZE, deadline, doing), "little")
        if size > self.limits.reply_bytes:
            self._lose(f"your code sent a reply of {size} bytes while {doing}")
        payload = self._read(size, deadline, doing)
        try:
            reply = wire.loads(payload)
        except wire.Malformed:
            self._lose(f"the reply received while {doing} was not plain data")
        if not isinstance(reply, dict):
            self._lose(f"the reply received while {doing} was not plain data")
        return reply

    def _read(self, size: int, deadline: float, doing: str) -> bytes:
        chunks = bytearray()
        while len(chunks) < size:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self._reply_read], [], [], max(0.0, remaining))
            if not ready:
                self._lose(f"timed out after {self._timeout:g} s while {doing}")
            chunk = os.read(self._reply_read, size - len(chunks))
            if not chunk:
                self._lose(f"the process running your code died while {doing}{self._exit_reason()}")
            chunks += chunk
        return bytes(chunks)

    def _exit_reason(self) -> str:
        code = _ZYGOTE.exit_code(self.pid, 2.0) if _ZYGOTE is not None and self.pid else None
        if code is None:
            return ""
        if code < 0:
            return f" (killed by signal {signal.Signals(-code).name})"
        return f" (exit code {code})"

    def lose(self, reason: str):
        """Kill the worker and raise ``WorkerLost`` (a reply the grader rejected, for instance)."""
        self._lose(reason)

    def _lose(self, reason: str):
        self.close()
        raise WorkerLost(reason)

    def _cleanup_fds(self):
        for fd in (self._request_write, self._reply_read):
            try:
                os.close(fd)
            except OSError:
                pass

    def close(self):
        _LIVE.discard(self)
        if self.pid is not None:
            try:  # the whole session: the worker and anything it forked
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if self.uid is not None:  # and whatever left the session under the worker's own user id
                isolation.kill_user(self.uid)
        self._cleanup_fds()
        shutil.rmtree(self.directory, ignore_errors=True)
