"""Start a worker process for one student module and talk to it with deadlines.

The grader never imports student code. A ``Worker`` copies ``worker.py`` and one
student file into a private temporary directory and starts, in a new session,
the launcher ``checker/isolation.py``, which confines the process (its own user
id, a private filesystem view and no network when the grader is root; resource
limits always) and then execs ``python -I worker.py``. The two exchange
length-prefixed ``torch.save`` payloads over two pipes. Replies are read with
``torch.load(weights_only=True)``, which builds only plain containers and
tensors. The worker's own stdout and stderr are drained by a thread that keeps
the first ``Limits.output_bytes`` and drops the rest.

Any failure of the process itself (timeout, crash, oversized or malformed reply)
raises ``WorkerLost`` and kills the worker's whole process group, and, when it
ran under its own user id, every process left with that id.
"""

import atexit
import io
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
import zipfile
from dataclasses import dataclass
from pathlib import Path

import torch

from checker import isolation

WORKER_SOURCE = Path(__file__).with_name("worker.py")
ISOLATION_SOURCE = Path(__file__).with_name("isolation.py")
GRADER_LIB = Path(__file__).resolve().parents[1]  # holds checker/, autograder/ and, when grading, solutions/
HEADER_SIZE = 8


@dataclass(frozen=True)
class Limits:
    """Deadlines (seconds), sizes (bytes) and confinement of one worker."""

    boot_seconds: float = 120.0
    load_seconds: float = 5.0
    call_seconds: float = 5.0
    output_bytes: int = 4096
    reply_bytes: int = 8 * 2**20
    # RLIMIT_DATA: what student code may allocate on top of Python, torch and its warm-up (about
    # 250 MB, measured by the worker itself before the import); lifted where the grader has CUDA.
    memory_bytes: int = 64 * 2**20
    cpu_seconds: int = 60  # RLIMIT_CPU of each process (the wall-clock deadlines above come first)
    processes: int = 16  # RLIMIT_NPROC: threads and processes beyond what the user already runs
    file_bytes: int = 8 * 2**20  # RLIMIT_FSIZE
    open_files: int = 64  # RLIMIT_NOFILE
    home_bytes: int = 16 * 2**20  # the worker's writable tmpfs home (private view only)
    isolate: bool = True  # False: limits and a new session only (no user switch, no namespaces)
    namespaces: bool = True  # False: as root, switch user but rely on permissions, not namespaces


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


def _uncompressed_archive(payload: bytes) -> bool:
    """``torch.save``'s zip stores its records uncompressed; a deflated one could expand a
    few megabytes of reply into gigabytes inside the grader, so only stored records pass."""
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            records = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        return False
    return len(records) <= 1000 and all(r.compress_type == zipfile.ZIP_STORED and r.file_size <= len(payload) for r in records)


_warned: set[str] = set()


def _warn_once(facts: dict):
    """Tell the instructor (on the grader's stderr, never in feedback) what isolation was missing."""
    missing = [f"{k}: {v}" for k, v in facts.items() if k in ("namespaces", "exposed") and v not in ("", "[]")]
    for line in missing:
        if line not in _warned:
            _warned.add(line)
            print(f"[checker.sandbox] worker isolation: {line}", file=sys.stderr)


def grader_secrets() -> list[str]:
    """Directories of the grader that a worker must not read (closed when namespaces are refused)."""
    secrets = [GRADER_LIB, GRADER_LIB / "solutions", GRADER_LIB / "autograder" / "hidden", Path("/autograder")]
    for folder in (Path.cwd(), *Path.cwd().parents):  # Otter's own tree: source, submission, results
        if folder.name == "autograder" and (folder / "results").is_dir():
            secrets.append(folder)
    return [str(p) for p in secrets]


_LIVE: "weakref.WeakSet[Worker]" = weakref.WeakSet()


@atexit.register
def _close_all():
    """A grader that exits with a worker still open (Otter's kernel after the last test) cleans up."""
    for worker in list(_LIVE):
        worker.close()


class Worker:
    """One running worker process serving one student module."""

    def __init__(self, student_file: Path, limits: Limits = Limits()):
        self.limits = limits
        self.directory = Path(tempfile.mkdtemp(prefix="student-"))
        self.directory.chmod(0o711)  # searchable, not listable: the worker reaches only its home
        home = self.directory / "home"
        home.mkdir(mode=0o700)
        (self.directory / "view").mkdir(mode=0o700)
        shutil.copy(WORKER_SOURCE, home / "worker.py")
        self.student_file = home / Path(student_file).name
        shutil.copy(student_file, self.student_file)
        request_read, self._request_write = os.pipe()
        self._reply_read, reply_write = os.pipe()
        config = isolation.config(
            str(home), str(self.directory / "view"), isolation.python_paths(), grader_secrets(), limits, torch.cuda.is_available()
        )
        worker = [sys.executable, "-I", "worker.py", str(request_read), str(reply_write)]
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(ISOLATION_SOURCE), json.dumps(config), "--", *worker],
            cwd=home,
            env=isolation.environment(str(home)),
            pass_fds=(request_read, reply_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.uid = isolation.worker_uid(self.process.pid) if limits.isolate and os.geteuid() == 0 else None
        _LIVE.add(self)
        os.close(request_read)
        os.close(reply_write)
        self.output = OutputTail(self.process.stdout, limits.output_bytes)
        hello = self._receive(limits.boot_seconds, "starting Python and torch")
        self.cuda = hello.get("cuda") is True
        facts = hello.get("isolation")  # sent before the student's module was imported
        self.isolation = {str(k): str(v)[:500] for k, v in facts.items()} if isinstance(facts, dict) else {}
        _warn_once(self.isolation)

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
        if not _uncompressed_archive(payload):
            self._lose(f"the reply received while {doing} was not plain data")
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
        _LIVE.discard(self)
        try:  # the whole session: the worker and anything it forked
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.uid is not None:  # and whatever left the session under the worker's own user id
            isolation.kill_user(self.uid)
        self.process.wait()
        for fd in (self._request_write, self._reply_read):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.directory, ignore_errors=True)
