"""What crosses the process boundary: plain data and tensors, no pickle.

A message is a JSON value (dicts with string keys, lists, strings, numbers,
booleans, None) in which a tensor stands as ``{"$tensor": i}``; tensor ``i`` is
described in a table (dtype, shape) and its bytes follow the JSON, in order::

    [8 bytes: JSON length][JSON {"tensors": [[dtype, shape], ...], "message": ...}][tensor bytes ...]

Decoding builds each tensor from exactly the bytes it occupies (contiguous, on
the CPU, of an allowed dtype), so a reply can make the grader hold no more than
its own size, and nothing in it is ever executed. Standard library and torch
only: the worker uses it too, with functions bound before student code runs.
"""

import json
import math

import torch

DTYPES = {
    str(d): d
    for d in (
        torch.float16,
        torch.bfloat16,
        torch.float32,
        torch.float64,
        torch.int8,
        torch.int16,
        torch.int32,
        torch.int64,
        torch.uint8,
        torch.bool,
    )
}
MAX_DIMS = 16
HEADER = 8

_Tensor, _Base = torch.Tensor, torch._C.TensorBase
_detach, _cpu, _reshape, _view = _Base.detach, _Base.cpu, _Base.reshape, _Base.view
_numpy, _dtype, _size, _clone = _Base.numpy, _Base.dtype.__get__, _Base.size, _Base.clone
_frombuffer, _empty = torch.frombuffer, torch.empty


class Malformed(ValueError):
    """The bytes are not a message of this format."""


def dumps(message) -> bytes:
    table, chunks = [], []

    def encode(value):
        if isinstance(value, _Tensor):
            plain = _clone(_cpu(_detach(value)), memory_format=torch.contiguous_format)  # unit strides, even for size-1 views
            table.append([str(_dtype(plain)), list(_size(plain))])
            chunks.append(_numpy(_view(_reshape(plain, (-1,)), torch.uint8)).tobytes())
            return {"$tensor": len(table) - 1}
        if isinstance(value, dict):
            return {str(k): encode(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [encode(v) for v in value]
        if value is None or isinstance(value, bool | int | float | str):
            return value
        raise TypeError(f"{type(value).__name__} cannot cross the process boundary")

    header = json.dumps({"tensors": table, "message": encode(message)}).encode()
    return len(header).to_bytes(HEADER, "little") + header + b"".join(chunks)


def loads(data: bytes):
    if len(data) < HEADER:
        raise Malformed("too short")
    size = int.from_bytes(data[:HEADER], "little")
    try:
        header = json.loads(data[HEADER : HEADER + size])
    except (ValueError, RecursionError):
        raise Malformed("the header is not JSON") from None
    if not isinstance(header, dict) or not isinstance(header.get("tensors"), list):
        raise Malformed("no tensor table")
    tensors, offset = [], HEADER + size
    for entry in header["tensors"]:
        tensor, offset = _tensor(entry, data, offset)
        tensors.append(tensor)
    if offset != len(data):
        raise Malformed("bytes left over after the last tensor")
    return _resolve(header.get("message"), tensors)


def _tensor(entry, data: bytes, offset: int):
    if not (isinstance(entry, list) and len(entry) == 2 and entry[0] in DTYPES and isinstance(entry[1], list)):
        raise Malformed("a tensor entry is not [dtype, shape]")
    dtype, shape = DTYPES[entry[0]], entry[1]
    if len(shape) > MAX_DIMS or not all(type(n) is int and n >= 0 for n in shape):
        raise Malformed("a tensor shape is not a list of sizes")
    nbytes = math.prod(shape) * _empty(0, dtype=dtype).element_size()
    if offset + nbytes > len(data):
        raise Malformed("a tensor claims more bytes than were sent")
    if nbytes == 0:
        return _empty(shape, dtype=dtype), offset
    flat = _frombuffer(bytearray(data[offset : offset + nbytes]), dtype=dtype)
    return _reshape(flat, shape), offset + nbytes


def _resolve(value, tensors):
    if isinstance(value, dict):
        if set(value) == {"$tensor"}:
            index = value["$tensor"]
            if type(index) is not int or not 0 <= index < len(tensors):
                raise Malformed("a reference to a tensor that was not sent")
            return tensors[index]
        return {k: _resolve(v, tensors) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, tensors) for v in value]
    return value
