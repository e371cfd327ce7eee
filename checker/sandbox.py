"""Start a worker process for one student module and talk to it with deadlines.

The grader never imports student code. A ``Worker`` copies ``worker.py`` and one
student file into a private temporary directory, starts ``python -I worker.py``
in its own session, and exchanges length-prefixed ``torch.save`` payloads over
two pipes. Replies are read with ``torch.load(weights_only=True)``, which builds
only plain containers and tensors. The worker's own stdout and stderr are drained
by a thread that keeps the first ``Limits.output_bytes`` and drops the rest.

Any failure of the process itself (timeout, crash, oversized or malformed reply)
raises ``WorkerLost`` and kills the worker's whole process group.
"""

import io
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import torch

WORKER_SOURCE = Path(__file__).with_name("worker.py")
HEADER_SIZE = 8


@dataclass(frozen=True)
class Limits:
    """Deadlines (seconds) and sizes (bytes) for one worker."""

    boot_seconds: float = 120.0
    load_seconds: float = 10.0
    call_seconds: float = 10.0
    output_bytes: int = 4096
    reply_bytes: int = 64 * 2**20


class WorkerLost(BaseException):
    """The worker hung, crashed or broke the protocol; it has been killed.

    A ``BaseException`` on purpose: Hypothesis must not shrink by re-running a
    hanging or crashing submission, so this aborts the property at once.
    """


class OutputTail:
    """Drains a pipe on a thread, keeping only the first ``limit`` bytes."""

    def __init__(self, pipe, limit):
        self.kept = bytearray()
        self.dropped = 0
        self._thread = threading.Thread(target=self._drain, args=(pipe, limit), daemon=True)
        self._thread.start()

    def _drain(self, pipe, limit):
        for chunk in iter(lambda: pipe.read1(65536), b""):
            room = max(0, limit - len(self.kept))
            self.kept += chunk[:room]
            self.dropped += len(chunk) - min(room, len(chunk))

    def text(self):
        self._thread.join(timeout=1)
        note = f"\n[... {self.dropped} more bytes of output dropped]" if self.dropped else ""
        return self.kept.decode(errors="replace") + note


class Worker:
    """One running worker process serving one student module."""

    def __init__(self, student_file: Path, limits: Limits = Limits()):
        self.limits = limits
        self.directory = Path(tempfile.mkdtemp(prefix="student-"))
        shutil.copy(WORKER_SOURCE, self.directory / "worker.py")
        self.student_file = self.directory / Path(student_file).name
        shutil.copy(student_file, self.student_file)
        request_read, self._request_write = os.pipe()
        self._reply_read, reply_write = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-I", "worker.py", str(request_read), str(reply_write)],
            cwd=self.directory,
            pass_fds=(request_read, reply_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        os.close(request_read)
        os.close(reply_write)
        self.output = OutputTail(self.process.stdout, limits.output_bytes)
        hello = self._receive(limits.boot_seconds, "starting Python and torch")
        self.cuda = hello.get("cuda") is True

    def load(self) -> dict:
        """Import the student module; the reply says whether it raised."""
        return self.request({"op": "load", "path": str(self.student_file)}, self.limits.load_seconds, "importing your module")

    def request(self, message: dict, timeout: float, doing: str) -> dict:
        buffer = io.BytesIO()
        torch.save(message, buffer)
        data = buffer.getvalue()
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
            reply = torch.load(io.BytesIO(payload), weights_only=True)
        except Exception:
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
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return ""
        if code < 0:
            return f" (killed by signal {signal.Signals(-code).name})"
        return f" (exit code {code})"

    def _lose(self, reason: str):
        self.close()
        raise WorkerLost(reason)

    def close(self):
        try:  # the whole session: the worker and anything it forked
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        for fd in (self._request_write, self._reply_read):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.directory, ignore_errors=True)
