"""Short, readable text for values, calls and failures shown to students."""

import torch

MAX_ELEMENTS = 24


def value(x) -> str:
    """A compact description: small tensors in full, large ones by shape and a few values."""
    if isinstance(x, torch.Tensor):
        meta = f"{str(x.dtype).removeprefix('torch.')}, shape {tuple(x.shape)}"
        if x.device.type == "meta":
            return f"tensor on meta ({meta})"
        if x.numel() <= MAX_ELEMENTS:
            body = _numbers(x)
        else:
            head = ", ".join(_number(v) for v in x.flatten()[:6].tolist())
            body = f"[{head}, ...]"
        return f"tensor({body}) ({meta})"
    if isinstance(x, tuple):
        return "(" + ", ".join(value(v) for v in x) + ")"
    if isinstance(x, list):
        return "[" + ", ".join(value(v) for v in x) + "]"
    if isinstance(x, float):
        return _number(x)
    if isinstance(x, str):
        return x
    return repr(x)


def _number(v) -> str:
    if not isinstance(v, float):
        return str(v)
    text = f"{v:.6g}"
    return text if any(c in text for c in ".enai") else text + "."


def _numbers(x: torch.Tensor) -> str:
    if x.dim() == 0:
        return _number(x.item())
    return "[" + ", ".join(_numbers(row) for row in x) + "]"


def call(function: str, args, kwargs) -> str:
    parts = [value(a) for a in args] + [f"{k}={value(v)}" for k, v in kwargs.items()]
    return f"{function}(" + ", ".join(parts) + ")"
