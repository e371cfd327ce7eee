"""The student's module for one question, as the grader sees it: calls to a worker.

``Student.call`` sends copies of the inputs to the worker, validates the reply
(plain ``torch.Tensor`` of a consistent dtype, shape and size, or a described
non-tensor) and returns a ``Reply``. Everything the grader compares is computed
from its own copies of the inputs, never from what the worker says about them.
Harness options (device, gradients, seed, watched functions) travel in a
``CallOptions``, apart from the student function's own arguments.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch

from checker import wire
from checker.sandbox import Limits, SandboxUnavailable, Worker, WorkerLost

CRASHES_BEFORE_GIVING_UP = 3
MAX_ITEMS = 64  # items of a returned tuple or list (ema_update returns one tensor per parameter)


class StudentRaised(Exception):
    """The student's function raised an exception (an ordinary, shrinkable failure).

    ``by_student`` is True when their own ``raise`` statement raised it, False when it
    came out of an operation (a torch kernel without support for a device, ``1 / 0``).
    """

    def __init__(self, function, error_type, message, traceback, by_student, mutated=()):
        super().__init__(f"{function} raised {error_type}: {message}")
        self.function, self.error_type, self.message, self.traceback = function, error_type, message, traceback
        self.by_student, self.mutated = by_student, mutated

    @property
    def not_implemented(self) -> bool:
        return self.error_type == "NotImplementedError" and self.by_student


class Unavailable(BaseException):
    """The function cannot be called: file missing, import failed, or it hung before."""


class BudgetSpent(BaseException):
    """This question's time in the worker is used up: nothing more is called."""


class BadReply(Exception):
    """The worker's reply is not what a student function can return."""


@dataclass(frozen=True)
class CallOptions:
    device: str | None = None  # default: the Student's device
    grad_args: tuple[int, ...] = ()  # arguments to differentiate with respect to
    grad_output: torch.Tensor | None = None
    grad_output_index: int | None = None  # which output, when the function returns a tuple
    requires_grad: tuple[int, ...] = ()  # arguments (tensors or lists of them) made to require gradients, none computed
    seed: int | None = None  # torch.manual_seed before the call
    watch: tuple[str, ...] = ()  # torch functions whose use is reported


@dataclass(frozen=True)
class Other:
    """A returned value that is not a tensor (described, never rebuilt)."""

    type: str
    repr: str

    def __repr__(self):
        return f"a {self.type} ({' '.join(self.repr.split())})"


@dataclass
class Reply:
    value: object
    devices: set = field(default_factory=set)
    op_count: int = 0
    watched_calls: tuple = ()
    mutated: tuple = ()
    grads: object = None
    history: bool = False  # some returned tensor requires gradients (carries autograd history)


def _text(value, limit: int = 2000) -> str:
    """A string field of a reply, clipped; anything else (a nested structure, a number) is dropped."""
    return value[:limit] if type(value) is str else ""


def _plain_tensor(data) -> torch.Tensor | None:
    """``data`` if it is the grader's own plain tensor (``checker.wire`` builds only those), else None."""
    return data if type(data) is torch.Tensor else None


class _Seen:
    """What decoding a reply noticed about its tensors."""

    def __init__(self):
        self.devices, self.history = set(), False


def _decode(encoded, seen: _Seen, nested: bool = False):
    """Rebuild a returned value from the worker's plain-data description.

    Only what a student function can return is accepted: a tensor, a Python int,
    or a flat tuple or list of those; a tuple inside a tuple is described, not
    walked, so a reply built from shared references cannot make the grader do
    unbounded work.
    """
    kind = encoded.get("kind") if isinstance(encoded, dict) else None
    if kind in ("tuple", "list") and isinstance(encoded.get("items"), list):
        if nested:
            return Other(kind, f"a {kind} inside a tuple or list")
        items = [_decode(item, seen, nested=True) for item in encoded["items"][:MAX_ITEMS]]
        return tuple(items) if kind == "tuple" else items
    if kind == "int" and type(encoded.get("value")) is int:
        return encoded["value"]
    if kind == "tensor":
        if encoded.get("exact_type") is not True:
            return Other("tensor subclass", "subclasses of torch.Tensor are not accepted")
        seen.devices.add(_text(encoded.get("device"), 20))
        seen.history |= encoded.get("requires_grad") is True
        data, dtype, shape = encoded.get("data"), wire.DTYPES.get(_text(encoded.get("dtype"), 40)), encoded.get("shape")
        if data is None:
            return torch.empty(shape, dtype=dtype, device="meta") if dtype and _is_shape(shape) else Other("tensor", "unreadable")
        plain = _plain_tensor(data)
        if plain is None or plain.dtype != dtype or list(plain.shape) != shape:
            raise BadReply("the worker's reply did not describe its tensor consistently")
        return plain
    if kind == "other":
        return Other(_text(encoded.get("type"), 80) or "value", _text(encoded.get("repr"), 200))
    raise BadReply("the worker's reply was not in the expected format")


def _is_shape(shape):
    return isinstance(shape, list) and len(shape) <= 16 and all(type(s) is int and s >= 0 for s in shape)


def _grads(encoded, count):
    if not isinstance(encoded, dict):
        return None
    if encoded.get("ok") is not True:
        return _text(encoded.get("reason"), 500) or "no reason given"
    values = encoded.get("values")
    if not isinstance(values, list) or len(values) != count:
        raise BadReply("the worker's gradients were not in the expected format")
    plain = [None if v is None else _plain_tensor(v) for v in values]
    if any(p is None and v is not None for p, v in zip(plain, values)):
        raise BadReply("the worker's gradients were not plain tensors")
    return plain


def _list(value) -> list:
    return value if type(value) is list else []


class Student:
    """One question's module, served by a worker process started on first use.

    ``observer``, when set, is told of every call (function, args, kwargs) before
    it is made: the property runner keeps the calls of the current example.
    """

    def __init__(
        self,
        path: Path | None,
        device: str = "cpu",
        limits: Limits = Limits(),
        file_name: str | None = None,
        secrets: tuple[str, ...] = (),
    ):
        self.path, self.device, self.limits, self.secrets = path, device, limits, secrets
        self.file_name = file_name or _name(path)
        self.observer: Callable[[str, tuple, dict], None] | None = None
        self.output = ""
        self.seconds = 0.0  # time spent waiting for the worker, against limits.budget_seconds
        self.isolation: dict[str, str] = {}
        self._worker = None
        self._dead: dict[str, str] = {}
        self._crashes: dict[str, int] = {}
        self._broken = None if path is not None and path.is_file() else f"{self.file_name} was not found in your submission"
        self._refused: str | None = None

    def call(self, function: str, *args, **kwargs) -> Reply:
        """``function(*args, **kwargs)`` in the worker; raises ``StudentRaised`` if it raised."""
        return self.call_with(CallOptions(), function, *args, **kwargs)

    def call_with(self, options: CallOptions, function: str, *args, **kwargs) -> Reply:
        if self.observer is not None:
            self.observer(function, args, kwargs)
        request = {
            "op": "call",
            "function": function,
            "args": [_copy(a) for a in args],
            "kwargs": {k: _copy(v) for k, v in kwargs.items()},
            "device": options.device or self.device,
            "grad_args": list(options.grad_args),
            "grad_output": options.grad_output,
            "grad_output_index": options.grad_output_index,
            "requires_grad": list(options.requires_grad),
            "seed": options.seed,
            "watch": list(options.watch),
        }
        reply = self._request(function, request)
        if reply.get("ok") is not True:
            raise StudentRaised(
                function,
                _text(reply.get("error_type"), 80),
                _text(reply.get("message")),
                _text(reply.get("traceback")),
                reply.get("raised_by_student") is True,
                tuple(i for i in _list(reply.get("mutated"))[:100] if type(i) is int),
            )
        seen = _Seen()
        try:
            value = _decode(reply.get("result"), seen)
            return Reply(
                value=value,
                devices=seen.devices,
                history=seen.history,
                op_count=_int(reply.get("op_count")),
                watched_calls=tuple(c[:80] for c in _list(reply.get("watched_calls"))[:100] if type(c) is str),
                mutated=tuple(i for i in _list(reply.get("mutated"))[:100] if type(i) is int),
                grads=_grads(reply.get("grads"), len(options.grad_args)) if options.grad_args else None,
            )
        except BadReply as bad:
            self._lost(function, str(bad))

    def _request(self, function, request):
        if self._refused:
            raise SandboxUnavailable(self._refused)
        if self._broken:
            raise Unavailable(self._broken)
        if function in self._dead:
            raise Unavailable(self._dead[function])
        worker = self._ensure_worker()
        remaining = self.limits.budget_seconds - self.seconds
        if remaining <= 0:
            raise BudgetSpent(self._budget_message())
        started = time.monotonic()
        try:
            return worker.request(request, min(self.limits.call_seconds, remaining), f"running {function}")
        except WorkerLost as lost:
            if self.limits.budget_seconds - self.seconds - (time.monotonic() - started) <= 0:
                self._stop_worker()
                raise BudgetSpent(self._budget_message()) from None
            self._lost(function, str(lost))
        finally:
            self.seconds += time.monotonic() - started

    def _lost(self, function: str, reason: str):
        """The worker is gone (or is stopped now): count the crash, raise ``WorkerLost``."""
        self._stop_worker()
        self._crashes[function] = self._crashes.get(function, 0) + 1
        if "timed out" in reason or self._crashes[function] >= CRASHES_BEFORE_GIVING_UP:
            self._dead[function] = f"{function} was not called again after: {reason}"
        raise WorkerLost(reason)

    def _budget_message(self) -> str:
        return (
            f"this question's time budget ({self.limits.budget_seconds:g} s of running your code) is used up: "
            "your functions are far slower than they need to be (each call should take milliseconds)"
        )

    def _ensure_worker(self) -> Worker:
        if self._worker is None:
            started = time.monotonic()
            try:
                self._worker = Worker(self.path, self.limits, self.secrets)
            except SandboxUnavailable as refused:
                self._refused = str(refused)
                raise
            self.isolation = self._worker.isolation
            try:
                loaded = self._worker.load()
            except WorkerLost as lost:
                self._stop_worker()
                self._broken = f"importing {_name(self.path)} failed: {lost}"
                raise Unavailable(self._broken) from None
            finally:
                self.seconds += time.monotonic() - started
            if loaded.get("ok") is not True:
                self._stop_worker()
                self._broken = (
                    f"importing {_name(self.path)} raised {_text(loaded.get('error_type'), 80)}: "
                    f"{_text(loaded.get('message'))}\n{_text(loaded.get('traceback'))}"
                )
                raise Unavailable(self._broken)
        return self._worker

    def _stop_worker(self):
        if self._worker is not None:
            self._worker.close()
            self.output += self._worker.output.text()
            self._worker = None

    def close(self):
        self._stop_worker()


def _copy(x):
    return x.detach().clone() if isinstance(x, torch.Tensor) else x


def _int(x):
    return x if type(x) is int else 0


def _name(path):
    return Path(path).name if path else "the file"
