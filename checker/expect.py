"""Assertions used by properties; each raises ``PropertyFailed`` with expected and got."""

import torch

from checker.properties import PropertyFailed

# (rtol, atol) for comparing a result computed in ``dtype`` with a float64 reference.
TOLERANCE = {torch.float32: (1e-4, 1e-5), torch.float64: (1e-7, 1e-9)}


def tensor(got, what: str) -> torch.Tensor:
    """``got`` must be a plain tensor (not a float, list, subclass, ...)."""
    if not isinstance(got, torch.Tensor):
        raise PropertyFailed(f"{what} should be a torch.Tensor", "a torch.Tensor", got)
    return got


def shape(got, expected_shape, what: str) -> torch.Tensor:
    got = tensor(got, what)
    if tuple(got.shape) != tuple(expected_shape):
        raise PropertyFailed(f"{what} has the wrong shape", f"shape {tuple(expected_shape)}", f"shape {tuple(got.shape)}")
    return got


def close(got, expected: torch.Tensor, what: str, dtype=torch.float64, rtol=None, atol=None):
    """``got`` matches ``expected`` within the tolerance for results computed in ``dtype``."""
    default_rtol, default_atol = TOLERANCE[dtype]
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    got = shape(got, expected.shape, what)
    if got.is_floating_point() != expected.is_floating_point():
        raise PropertyFailed(f"{what} has the wrong kind of dtype", expected, got)
    ok = torch.isclose(got.to(torch.float64), expected.to(torch.float64), rtol=rtol, atol=atol, equal_nan=False)
    if not bool(ok.all()):
        raise PropertyFailed(f"{what} is not what the definition gives (tolerance rtol={rtol:g}, atol={atol:g})", expected, got)


def equal(got, expected: torch.Tensor, what: str, cause: str = ""):
    """Exact equality of values (dtype aside); ``cause``, the likely cause, goes into the feedback."""
    got = shape(got, expected.shape, what)
    if not torch.equal(got.to(expected.dtype), expected):
        raise PropertyFailed(f"{what} is not what the definition gives", expected, got, cause=cause)


def dtype(got, expected_dtype, what: str):
    got = tensor(got, what)
    if got.dtype != expected_dtype:
        raise PropertyFailed(f"{what} has the wrong dtype", str(expected_dtype), str(got.dtype))


def finite(got, what: str, expected="only finite numbers", cause: str = ""):
    """No NaN or inf in ``got``; ``expected`` (a reference value) and ``cause`` go into the feedback."""
    got = tensor(got, what)
    if got.is_floating_point() and not bool(torch.isfinite(got).all()):
        raise PropertyFailed(f"{what} {'is' if got.dim() == 0 else 'contains'} NaN or inf", expected, got, cause=cause)


def holds(condition: bool, what: str, expected=None, got=None):
    if not condition:
        raise PropertyFailed(what, expected, got)
