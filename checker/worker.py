"""The worker: the only process that imports and runs student code.

A fork of the zygote (``checker.zygote``), confined by ``checker.isolation``, runs
``serve(REQ_FD, REPLY_FD, facts)``: it reports the confinement, loads one student
module by path, then serves call requests until its input closes.
Requests and replies are length-prefixed ``checker.wire`` messages of plain data
(dicts, lists, str, int, float, bool, None and plain tensors); the grader
re-validates every field of a reply, so nothing here is trusted by the grader. The file imports only the standard
library and torch.

The torch functions this file uses are bound (``T``) before the student's module
is imported: a module that patches ``torch.equal`` or ``torch.Tensor.clone``
changes its own view of torch, not what the worker measures and sends.
"""

import dis
import importlib.util
import os
import struct
import sys
import traceback

import torch
from torch.overrides import TorchFunctionMode

from checker import wire

MAX_TEXT = 2000
HEADER = struct.Struct("<Q")
_Base = torch._C.TensorBase  # a C type: its methods cannot be replaced from Python


class T:
    """The worker's own references to torch, taken before any student code runs."""

    Tensor = torch.Tensor
    dumps, loads, equal, manual_seed, grad = wire.dumps, wire.loads, torch.equal, torch.manual_seed, torch.autograd.grad
    detach, clone, cpu, to, nan_to_num = _Base.detach, _Base.clone, _Base.cpu, _Base.to, _Base.nan_to_num
    requires_grad_, size = _Base.requires_grad_, _Base.size
    device, dtype, requires_grad = _Base.device.__get__, _Base.dtype.__get__, _Base.requires_grad.__get__


def is_tensor(value):
    return isinstance(value, T.Tensor)


def read_exact(fd, n):
    chunks = []
    while n:
        chunk = os.read(fd, n)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def receive(fd):
    (size,) = HEADER.unpack(read_exact(fd, HEADER.size))
    return T.loads(read_exact(fd, size))


def send(fd, message):
    data = T.dumps(message)
    os.write(fd, HEADER.pack(len(data)))
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class CallRecorder(TorchFunctionMode):
    """Counts torch calls and remembers which watched functions were called."""

    def __init__(self, watched):
        super().__init__()
        self.count = 0
        self.watched = set(watched)
        self.seen = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.count += 1
        name = getattr(func, "__name__", "")
        if name in self.watched:
            self.seen.add(name)
        return func(*args, **(kwargs or {}))


def student_traceback(error, student_file):
    """The frames of ``error``'s traceback that lie in the student's file."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == student_file]
    lines = [f"  {os.path.basename(f.filename)}, line {f.lineno}, in {f.name}: {f.line}" for f in frames]
    return "\n".join(lines[-5:])


RAISING = {dis.opmap["RAISE_VARARGS"], dis.opmap["RERAISE"]}


def raised_by_student(error, student_file) -> bool:
    """True when the student's own ``raise`` statement raised ``error``; False when it came
    out of an operation (a torch kernel, a library function, ``1 / 0``)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None or tb.tb_frame.f_code.co_filename != student_file:
        return False
    return tb.tb_frame.f_code.co_code[tb.tb_lasti] in RAISING


def describe_error(error, student_file):
    return {
        "ok": False,
        "error_type": type(error).__name__[:80],
        "message": str(error)[:MAX_TEXT],
        "traceback": student_traceback(error, student_file)[:MAX_TEXT],
        "raised_by_student": raised_by_student(error, student_file),
    }


def to_device(value, device):
    if is_tensor(value):
        return T.to(value, device)
    if isinstance(value, (list, tuple)):
        return type(value)(to_device(v, device) for v in value)
    return value


def encode(value):
    """Plain-data description of a returned value."""
    if is_tensor(value):
        if type(value) is not T.Tensor:  # a subclass: rejected by the grader; not even asked about itself
            return {"kind": "tensor", "exact_type": False}
        plain = T.detach(value)
        on = T.device(plain).type
        return {
            "kind": "tensor",
            "exact_type": True,
            "dtype": str(T.dtype(plain)),
            "shape": list(T.size(plain)),
            "device": on,
            "requires_grad": T.requires_grad(value),
            "data": None if on == "meta" else T.clone(T.cpu(plain)),
        }
    if type(value) in (tuple, list):
        return {"kind": type(value).__name__, "items": [encode(v) for v in value]}
    if type(value) is int:
        return {"kind": "int", "value": value}
    return {"kind": "other", "type": type(value).__name__[:80], "repr": repr(value)[:200]}


def snapshot(value):
    """A copy of a tensor argument, or of each tensor in a list or tuple argument; None otherwise."""
    if is_tensor(value):
        return T.clone(T.detach(value))
    if isinstance(value, (list, tuple)) and value and all(is_tensor(v) for v in value):
        return [T.clone(T.detach(v)) for v in value]
    return None


def changed(before, after) -> bool:
    if isinstance(before, list):
        return not isinstance(after, (list, tuple)) or len(after) != len(before) or any(map(changed, before, after))
    return not is_tensor(after) or T.size(before) != T.size(after) or not T.equal(T.nan_to_num(before), T.nan_to_num(after))


def mutated_arguments(originals, args):
    return [i for i, (before, after) in enumerate(zip(originals, args)) if before is not None and changed(before, after)]


def tracked(value):
    """``value`` (a tensor, or a list or tuple of them) as leaves that require gradients."""
    if is_tensor(value):
        return T.requires_grad_(T.detach(value), True)
    return type(value)(tracked(v) for v in value)


def call(module, request, student_file):
    func = getattr(module, request["function"], None)
    if not callable(func):
        return {"ok": False, "error_type": "AttributeError", "message": f"no function named {request['function']}", "traceback": ""}
    device = request.get("device", "cpu")
    args = to_device(list(request["args"]), device)
    kwargs = to_device(dict(request.get("kwargs", {})), device)
    grad_args = request.get("grad_args", [])
    for i in {*grad_args, *request.get("requires_grad", [])}:
        args[i] = tracked(args[i])
    originals = [snapshot(a) for a in args]
    if request.get("seed") is not None:
        T.manual_seed(request["seed"])
    recorder = CallRecorder(request.get("watch", []))
    try:
        with recorder:
            result = func(*args, **kwargs)
    except Exception as error:  # the student's exception is the answer, with what it did to the inputs first
        return {**describe_error(error, student_file), "mutated": [] if device == "meta" else mutated_arguments(originals, args)}
    try:
        encoded = encode(result)
    except (RuntimeError, MemoryError) as error:  # a result too large to copy (an expanded view, say)
        return describe_error(error, student_file)
    reply = {
        "ok": True,
        "result": encoded,
        "op_count": recorder.count,
        "watched_calls": sorted(recorder.seen),
        "mutated": [] if device == "meta" else mutated_arguments(originals, args),
    }
    if grad_args:
        reply["grads"] = gradients(result, request, [args[i] for i in grad_args])
    return reply


def gradients(result, request, inputs):
    """Gradients of ``<output, grad_output>`` with respect to ``inputs``, or a reason."""
    output = result
    if request.get("grad_output_index") is not None and isinstance(result, tuple):
        output = result[request["grad_output_index"]]
    if not is_tensor(output) or not T.requires_grad(output):
        return {"ok": False, "reason": "the output is not connected to the inputs by autograd"}
    grad_output = T.to(request["grad_output"], T.device(output), T.dtype(output))
    try:
        grads = T.grad(output, inputs, grad_output, allow_unused=True)
    except Exception as error:
        return {"ok": False, "reason": f"{type(error).__name__}: {str(error)[:500]}"}
    return {"ok": True, "values": [None if g is None else T.clone(T.cpu(T.detach(g))) for g in grads]}


def load(path):
    spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def start_cuda(fraction: float):
    """Create the CUDA context now, under the start-up deadline, and cap this process's share
    of the device's memory, so that one worker cannot starve a concurrent one."""
    (torch.ones(2, device="cuda") + 1).sum().item()
    torch.cuda.set_per_process_memory_fraction(fraction)


def serve(request_fd, reply_fd, facts: dict, cuda: bool):
    """Say hello (what the launcher achieved, before any student code), then serve requests."""
    send(reply_fd, {"ok": True, "ready": True, "cuda": cuda, "isolation": facts})
    module, student_file = None, None
    while True:
        try:
            request = receive(request_fd)
        except EOFError:
            return
        if request["op"] == "load":
            student_file = request["path"]
            try:
                module = load(student_file)
                reply = {"ok": True}
            except BaseException as error:  # SystemExit at import is a broken module too
                reply = describe_error(error, student_file)
        else:
            reply = call(module, request, student_file)
        try:
            send(reply_fd, reply)
        except (RuntimeError, TypeError, ValueError, MemoryError) as error:  # a result that cannot be encoded
            send(
                reply_fd, {"ok": False, "error_type": type(error).__name__, "message": f"the result could not be sent: {error}"[:MAX_TEXT]}
            )
