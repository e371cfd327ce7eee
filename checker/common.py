"""Checks every question shares: dtype, device, unchanged inputs, vectorization, gradients."""

import torch

from checker import expect
from checker.properties import PropertyFailed
from checker.student import CallOptions, Student, StudentRaised

DEVICE_MISMATCH = ("same device", "two devices", "device type", "found at least two", "expected device")


def outputs(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def returns_dtypes(student: Student, function: str, args, kwargs, expected: tuple):
    """Each output has the expected dtype (``None``: any floating dtype)."""
    got = outputs(student.call(function, *args, **kwargs).value)
    expect.holds(len(got) == len(expected), f"{function} should return {len(expected)} value(s)", len(expected), len(got))
    for i, (out, dtype) in enumerate(zip(got, expected)):
        what = f"output {i} of {function}" if len(expected) > 1 else f"the result of {function}"
        if dtype is None:
            expect.holds(
                expect.tensor(out, what).is_floating_point(), f"{what} should be a floating tensor", "a float dtype", str(out.dtype)
            )
        else:
            expect.dtype(out, dtype, what)


def raises_value_error(student: Student, function: str, args, why: str, kwargs=None):
    """``function(*args, **kwargs)`` raises ``ValueError`` (not another exception, not a value)."""
    try:
        reply = student.call(function, *args, **(kwargs or {}))
    except StudentRaised as raised:
        got = f"{raised.error_type}: {raised.message}"
        expect.holds(raised.error_type == "ValueError", f"{function} should raise ValueError {why}", "ValueError", got)
        return
    raise PropertyFailed(f"{function} should raise ValueError {why}, but it returned a value", "ValueError", reply.value)


def inputs_unchanged(student: Student, function: str, args, kwargs):
    reply = student.call(function, *args, **kwargs)
    if reply.mutated:
        raise PropertyFailed(
            f"{function} modified its input argument(s) number {', '.join(str(i + 1) for i in reply.mutated)} in place (work on new tensors instead)"
        )


def same_device(student: Student, function: str, args, kwargs):
    """Outputs live on the inputs' device: CUDA when the grader has a GPU, else ``meta``.

    A device-mismatch error, or an output on another device, fails. On ``meta``, an
    error raised by an operation (not by the student's own ``raise``) is inconclusive
    when the same call succeeds on the CPU: ``masked_select``, ``nonzero``, ``unique``,
    boolean-mask indexing and ``.item()`` have no meta kernel, and work on every real
    device. An error the CPU call raises too is the function's own, and fails.
    """
    device = "cuda" if student.device == "cuda" else "meta"
    try:
        reply = student.call_with(CallOptions(device=device), function, *args, **kwargs)
    except StudentRaised as raised:
        if any(marker in raised.message for marker in DEVICE_MISMATCH):
            raise PropertyFailed(
                f"{function} mixed devices: some tensor was created on another device than the inputs ({raised.message})"
            ) from None
        if device == "meta" and not raised.by_student:
            student.call(function, *args, **kwargs)  # raises if the function fails on the CPU too
            return  # only the meta device cannot run it: inconclusive
        raise
    tensors = [o for o in outputs(reply.value) if isinstance(o, torch.Tensor)]
    expect.holds(
        reply.devices <= {device},
        f"{function} returned a tensor on another device than its inputs",
        device,
        ", ".join(sorted(reply.devices)),
    )
    expect.holds(bool(tensors), f"{function} should return tensors")


def vectorized(student: Student, function: str, small: int = 4, large: int = 32, d: int = 5, slack: int = 3):
    """The number of torch calls on two ``(N, D)`` inputs must not grow with N (no Python loop over rows)."""
    generator = torch.Generator().manual_seed(0)
    counts = {}
    for n in (small, large):
        pair = (torch.randn(n, d, generator=generator), torch.randn(n, d, generator=generator))
        counts[n] = student.call(function, *pair).op_count
    if counts[large] > counts[small] + slack:
        raise PropertyFailed(
            f"{function} made {counts[small]} torch calls for a batch of {small} rows but {counts[large]} for {large}: "
            "a Python loop over rows; use whole-tensor operations",
            show_calls=False,
        )


def gradients_match(student: Student, function: str, reference, args, kwargs, grad_args, grad_output_index=None, rtol=1e-5, atol=1e-6):
    """Autograd gradients of <output, g> for a random g equal the reference's (float64)."""
    ref_inputs = [a.detach().clone().requires_grad_(i in grad_args) if isinstance(a, torch.Tensor) else a for i, a in enumerate(args)]
    ref_out = reference(*ref_inputs, **kwargs)
    if grad_output_index is not None:
        ref_out = ref_out[grad_output_index]
    generator = torch.Generator().manual_seed(0)
    grad_output = torch.randn(ref_out.shape, generator=generator, dtype=torch.float64)
    expected = torch.autograd.grad(ref_out, [ref_inputs[i] for i in grad_args], grad_output)
    options = CallOptions(grad_args=tuple(grad_args), grad_output=grad_output, grad_output_index=grad_output_index)
    reply = student.call_with(options, function, *args, **kwargs)
    if isinstance(reply.grads, str):
        raise PropertyFailed(f"no gradient could be computed through {function}: {reply.grads}")
    for i, got, want in zip(grad_args, reply.grads, expected):
        if got is None:
            raise PropertyFailed(f"argument {i + 1} of {function} gets no gradient (detached, .item(), numpy or a new tensor?)")
        expect.close(got, want, f"the gradient with respect to argument {i + 1} of {function}", rtol=rtol, atol=atol)


def float64(*tensors):
    return tuple(t.to(torch.float64) if isinstance(t, torch.Tensor) else t for t in tensors)
