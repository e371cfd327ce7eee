"""The student's module for one question, as the grader sees it: calls to a worker.

``Student.call`` sends copies of the inputs to the worker, validates the reply
(plain ``torch.Tensor`` of a consistent dtype and shape, or a described
non-tensor) and returns a ``Reply``. Everything the grader compares is computed
from its own copies of the inputs, never from what the worker sends back
about them.
"""

from dataclasses import dataclass, field
from pathlib import Path

import torch

from checker import feedback
from checker.sandbox import Limits, Worker, WorkerLost

CRASHES_BEFORE_GIVING_UP = 3


class StudentRaised(Exception):
    """The student's function raised an exception (an ordinary, shrinkable failure)."""

    def __init__(self, function, error_type, message, traceback):
        super().__init__(f"{function} raised {error_type}: {message}")
        self.function, self.error_type, self.message, self.traceback = function, error_type, message, traceback


class Unavailable(BaseException):
    """The function cannot be called: file missing, import failed, or it hung before."""


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


DTYPES = {
    str(d): d
    for d in (
        torch.float16,
        torch.bfloat16,
        torch.float32,
        torch.float64,
        torch.int32,
        torch.int64,
        torch.bool,
        torch.uint8,
        torch.int8,
        torch.int16,
    )
}


def _text(value, limit: int = 2000) -> str:
    """A string field of a reply, clipped; anything else (a nested structure, a number) is dropped."""
    return value[:limit] if type(value) is str else ""


def _plain_tensor(data) -> torch.Tensor | None:
    """``data`` as the grader's own ordinary CPU tensor, or None if it is anything else."""
    if type(data) is not torch.Tensor or data.layout != torch.strided or data.device.type != "cpu" or data.is_quantized:
        return None
    return data.detach().resolve_conj().resolve_neg().clone(memory_format=torch.contiguous_format)


def _decode(encoded, devices, nested: bool = False):
    """Rebuild a returned value from the worker's plain-data description.

    Only what a student function can return is accepted: a tensor, or a flat
    tuple of them; a tuple inside a tuple is described, not walked, so a reply
    built from shared references cannot make the grader do unbounded work.
    """
    kind = encoded.get("kind") if isinstance(encoded, dict) else None
    if kind == "tuple" and isinstance(encoded.get("items"), list):
        if nested:
            return Other("tuple", "a tuple inside a tuple")
        return tuple(_decode(item, devices, nested=True) for item in encoded["items"][:8])
    if kind == "tensor":
        if encoded.get("exact_type") is not True:
            return Other("tensor subclass", "subclasses of torch.Tensor are not accepted")
        devices.add(_text(encoded.get("device"), 20))
        data, dtype, shape = encoded.get("data"), DTYPES.get(_text(encoded.get("dtype"), 40)), encoded.get("shape")
        if data is None:
            return torch.empty(shape, dtype=dtype, device="meta") if dtype and _is_shape(shape) else Other("tensor", "unreadable")
        plain = _plain_tensor(data)
        if plain is None or plain.dtype != dtype or list(plain.shape) != shape:
            raise WorkerLost("the worker's reply did not describe its tensor consistently")
        return plain
    if kind == "other":
        return Other(_text(encoded.get("type"), 80) or "value", _text(encoded.get("repr"), 200))
    raise WorkerLost("the worker's reply was not in the expected format")


def _is_shape(shape):
    return isinstance(shape, list) and len(shape) <= 16 and all(type(s) is int and s >= 0 for s in shape)


def _grads(encoded, count):
    if not isinstance(encoded, dict):
        return None
    if encoded.get("ok") is not True:
        return _text(encoded.get("reason"), 500) or "no reason given"
    values = encoded.get("values")
    if not isinstance(values, list) or len(values) != count:
        raise WorkerLost("the worker's gradients were not in the expected format")
    plain = [None if v is None else _plain_tensor(v) for v in values]
    if any(p is None and v is not None for p, v in zip(plain, values)):
        raise WorkerLost("the worker's gradients were not plain tensors")
    return plain


def _list(value) -> list:
    return value if type(value) is list else []


class Student:
    """One question's module, served by a worker process started on first use."""

    def __init__(self, path: Path | None, device: str = "cpu", limits: Limits = Limits(), file_name: str | None = None):
        self.path, self.device, self.limits = path, device, limits
        self.file_name = file_name or _name(path)
        self._worker = None
        self._dead: dict[str, str] = {}
        self._crashes: dict[str, int] = {}
        self._broken = None if path is not None and path.is_file() else f"{self.file_name} was not found in your submission"
        self.log: list[str] = []  # calls of the current example, shown on failure
        self.examples_after_failure = 0
        self.output = ""

    def call(
        self, function, *args, device=None, grad_args=(), grad_output=None, grad_output_index=None, seed=None, watch=(), **kwargs
    ) -> Reply:
        """Call ``function(*args, **kwargs)`` in the worker; raises ``StudentRaised`` if it raised."""
        self._record(feedback.call(function, args, kwargs))
        request = {
            "op": "call",
            "function": function,
            "args": [_copy(a) for a in args],
            "kwargs": {k: _copy(v) for k, v in kwargs.items()},
            "device": device or self.device,
            "grad_args": list(grad_args),
            "grad_output": grad_output,
            "grad_output_index": grad_output_index,
            "seed": seed,
            "watch": list(watch),
        }
        reply = self._request(function, request)
        if reply.get("ok") is not True:
            raise StudentRaised(function, _text(reply.get("error_type"), 80), _text(reply.get("message")), _text(reply.get("traceback")))
        devices = set()
        return Reply(
            value=_decode(reply.get("result"), devices),
            devices=devices,
            op_count=_int(reply.get("op_count")),
            watched_calls=tuple(c[:80] for c in _list(reply.get("watched_calls"))[:100] if type(c) is str),
            mutated=tuple(i for i in _list(reply.get("mutated"))[:100] if type(i) is int),
            grads=_grads(reply.get("grads"), len(grad_args)) if grad_args else None,
        )

    def _request(self, function, request):
        if self._broken:
            raise Unavailable(self._broken)
        if function in self._dead:
            raise Unavailable(self._dead[function])
        worker = self._ensure_worker()
        try:
            return worker.request(request, self.limits.call_seconds, f"running {function}")
        except WorkerLost as lost:
            self._stop_worker()
            self._crashes[function] = self._crashes.get(function, 0) + 1
            if "timed out" in str(lost) or self._crashes[function] >= CRASHES_BEFORE_GIVING_UP:
                self._dead[function] = f"{function} was not called again after: {lost}"
            raise

    def _ensure_worker(self) -> Worker:
        if self._worker is None:
            try:
                self._worker = Worker(self.path, self.limits)
                loaded = self._worker.load()
            except WorkerLost as lost:
                self._stop_worker()
                self._broken = f"importing {_name(self.path)} failed: {lost}"
                raise Unavailable(self._broken) from None
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

    def _record(self, text):
        self.log.append(text)


def _copy(x):
    return x.detach().clone() if isinstance(x, torch.Tensor) else x


def _int(x):
    return x if type(x) is int else 0


def _name(path):
    return Path(path).name if path else "the file"
