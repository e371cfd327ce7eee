"""Checks every question shares: dtype, device, unchanged inputs, vectorization, gradients."""

import math

import torch

from checker import expect
from checker.properties import PropertyFailed
from checker.student import CallOptions, Student, StudentRaised

DEVICE_MISMATCH = ("same device", "two devices", "device type", "found at least two", "expected device")


def outputs(value) -> tuple:
    """A function's results as a tuple: its tuple's or list's items, or the one value."""
    return tuple(value) if isinstance(value, tuple | list) else (value,)


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
    """No argument is modified in place, whether the call returns or raises (the error itself is
    judged by the properties about results, not here)."""
    try:
        mutated = student.call(function, *args, **kwargs).mutated
    except StudentRaised as raised:
        mutated = raised.mutated
    if mutated:
        raise PropertyFailed(
            f"{function} modified its input argument(s) number {', '.join(str(i + 1) for i in mutated)} in place (work on new tensors instead)"
        )


def same_device(student: Student, function: str, args, kwargs):
    """Outputs live on the inputs' device: CUDA when the grader has a GPU, else ``meta``.

    A device-mismatch error, or an output on another device, fails. On ``meta``, an
    error raised by an operation (not by the student's own ``raise``) is inconclusive:
    either the meta device cannot run it (``masked_select``, ``nonzero``, ``unique``,
    boolean-mask indexing and ``.item()`` have no meta kernel, and work on every real
    device), or it fails on the CPU too, which the properties about results judge.
    Laws like this one are scored only where the function computes something (its gate).
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
            return  # an operation the meta device cannot run (or one that fails on the CPU too: not a device matter)
        raise
    tensors = [o for o in outputs(reply.value) if isinstance(o, torch.Tensor)]
    expect.holds(
        reply.devices <= {device},
        f"{function} returned a tensor on another device than its inputs",
        device,
        ", ".join(sorted(reply.devices)),
    )
    expect.holds(bool(tensors), f"{function} should return tensors")


def pair_of_rows(n: int, generator: torch.Generator, d: int = 5) -> tuple:
    """Two random ``(n, d)`` float32 tensors: the inputs of most functions here."""
    return torch.randn(n, d, generator=generator), torch.randn(n, d, generator=generator)


def vectorized(student: Student, function: str, inputs=pair_of_rows, small: int = 4, large: int = 32, slack: int = 3):
    """The number of torch calls on ``inputs(n, generator)`` must not grow with n (no Python loop over rows)."""
    generator = torch.Generator().manual_seed(0)
    counts = {n: student.call(function, *inputs(n, generator)).op_count for n in (small, large)}
    if counts[large] > counts[small] + slack:
        raise PropertyFailed(
            f"{function} made {counts[small]} torch calls for a batch of {small} rows but {counts[large]} for {large}: "
            "a Python loop over rows; use whole-tensor operations",
            show_calls=False,
        )


def gradients_match(
    student: Student, function: str, reference, args, kwargs, grad_args, grad_output_index=None, rtol=1e-5, atol=1e-6, detached=()
):
    """Autograd gradients of <output, g> for a random g: the reference's where the student's function is
    the reference's around the inputs (equal at them and at two nearby points); elsewhere the derivative
    of the student's own function (central finite differences along a random direction, float64). A
    wrong forward is the other properties' to name; a detached output, ``.item()``, numpy or a wrong
    custom gradient fails here. ``detached``: arguments (among ``grad_args``) the definition stops the
    gradient at; they must get none (None or zeros), whatever the forward, and are left out of the rest.
    """
    ref_inputs = [a.detach().clone().requires_grad_(i in grad_args) if isinstance(a, torch.Tensor) else a for i, a in enumerate(args)]
    ref_out = reference(*ref_inputs, **kwargs)
    if grad_output_index is not None:
        ref_out = ref_out[grad_output_index]
    generator = torch.Generator().manual_seed(0)
    grad_output = torch.randn(ref_out.shape, generator=generator, dtype=torch.float64)
    grads = torch.autograd.grad(ref_out, [ref_inputs[i] for i in grad_args], grad_output, allow_unused=True, materialize_grads=True)
    expected = dict(zip(grad_args, grads))
    stopped = [i for i in grad_args if i in detached]
    options = CallOptions(grad_args=tuple(grad_args), grad_output=grad_output, grad_output_index=grad_output_index)
    try:
        reply = student.call_with(options, function, *args, **kwargs)
    except StudentRaised as raised:
        try:
            student.call(function, *args, **kwargs)
        except StudentRaised:
            return  # it raises without gradients too: a forward defect, judged by the properties about results
        raise PropertyFailed(f"{function} raises only when its inputs require gradients: {raised}") from None
    got_out = _output(reply.value, grad_output_index)
    if got_out is None or got_out.shape != ref_out.shape:
        return  # no comparable output: the shape and result properties say why
    if isinstance(reply.grads, str):
        raise PropertyFailed(f"no gradient could be computed through {function}: {reply.grads}")
    got = dict(zip(grad_args, reply.grads))
    for i in stopped:
        if got[i] is not None and not bool(torch.isclose(got[i].to(torch.float64), torch.zeros_like(expected[i]), atol=atol).all()):
            raise PropertyFailed(
                f"a gradient flows into argument {i + 1} of {function}, which the definition detaches (stop-gradient)",
                "no gradient (None or zeros)",
                got[i],
                cause=f"call .detach() on argument {i + 1} before using it",
            )
    flowing = [i for i in grad_args if i not in stopped]
    directions = _directions(args, flowing)
    nearby = [_moved(args, directions, step) for step in (PROBE_STEP, -PROBE_STEP)]
    same_here = _agrees(got_out, ref_out) and all(
        _agrees(
            _output(student.call(function, *moved, **kwargs).value, grad_output_index),
            _output(reference(*moved, **kwargs), grad_output_index),
        )
        for moved in nearby
    )
    if not same_here:
        _matches_own_derivative(student, function, args, kwargs, grad_output, grad_output_index, directions, got)
        return
    for i in flowing:
        if got[i] is None:
            raise PropertyFailed(f"argument {i + 1} of {function} gets no gradient (detached, .item(), numpy or a new tensor?)")
        expect.close(got[i], expected[i], f"the gradient with respect to argument {i + 1} of {function}", rtol=rtol, atol=atol)


PROBE_STEP = 1e-3  # far enough that a different function shows (at unit vectors a squared norm equals the norm)
FINITE_STEPS = (1e-6, 1.25e-7)  # float64 central differences: roundoff about 1e-9, truncation far below


def _output(value, index):
    """The float tensor output to differentiate (``index``: its place in a tuple), or None."""
    if index is not None:
        values = outputs(value)
        value = values[index] if len(values) > index else None
    return value if isinstance(value, torch.Tensor) and value.is_floating_point() else None


def _agrees(got, want) -> bool:
    return (
        got is not None
        and want is not None
        and got.shape == want.shape
        and bool(torch.isclose(got.to(torch.float64), want.detach().to(torch.float64), rtol=1e-6, atol=1e-7).all())
    )


def _directions(args, moved_args) -> dict[int, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    return {i: torch.randn(args[i].shape, generator=generator, dtype=torch.float64) for i in moved_args}


def _moved(args, directions, step: float) -> list:
    return [a + step * directions[i] if i in directions else a for i, a in enumerate(args)]


def _matches_own_derivative(student, function, args, kwargs, grad_output, grad_output_index, directions, grads):
    """Autograd's directional derivative equals the finite difference of the student's own output,
    where that difference is the same at two step sizes (else the function is not smooth there: no verdict)."""
    finite = []
    for step in FINITE_STEPS:
        sides = []
        for moved in (_moved(args, directions, step), _moved(args, directions, -step)):
            out = _output(student.call(function, *moved, **kwargs).value, grad_output_index)
            if out is None or out.shape != grad_output.shape:
                return
            sides.append(float((out.to(torch.float64) * grad_output).sum()))
        finite.append((sides[0] - sides[1]) / (2 * step))
    if not math.isclose(finite[0], finite[1], rel_tol=1e-4, abs_tol=1e-6):
        return  # a kink or a jump between the two steps: no derivative to compare with
    autograd = sum(float((grads[i].to(torch.float64) * d).sum()) for i, d in directions.items() if grads[i] is not None)
    if not math.isclose(finite[0], autograd, rel_tol=1e-4, abs_tol=1e-5):
        raise PropertyFailed(
            f"the gradient of {function} is not the derivative of its own output (detached, .item(), numpy or a wrong custom gradient?)",
            f"{finite[0]:.6g} (finite difference of your output along a random direction)",
            f"{autograd:.6g} (your autograd gradient along it)",
        )


def matches_own_float64(student: Student, function: str, args, kwargs, what: str, cause: str):
    """In float32, ``function`` is finite and gives what it gives in float64 on the same inputs.

    Only precision is judged: a wrong formula gives the same wrong value in both dtypes,
    which the properties about values name. No verdict where the float64 result is not finite.
    """
    own = student.call(function, *float64(*args), **kwargs).value
    if not (isinstance(own, torch.Tensor) and own.is_floating_point() and bool(torch.isfinite(own).all())):
        return
    got = student.call(function, *args, **kwargs).value
    expect.finite(got, what, own, cause=cause)
    expect.close(got, own, f"{what}, compared with your float64 result", dtype=torch.float32, rtol=1e-3, atol=1e-3)


def float64(*tensors):
    return tuple(t.to(torch.float64) if isinstance(t, torch.Tensor) else t for t in tensors)


def computes_something(function: str, values: list, what: str):
    """The gate of ``function``: ``values`` (its outputs for inputs whose correct results all differ)
    are not all the same, neither every number in them nor, for several outputs, every output as a
    whole. Outputs that are not tensors are left to the other properties."""
    tensors = [v for v in values if isinstance(v, torch.Tensor) and v.device.type != "meta"]
    if len(tensors) < len(values) or not tensors:
        return
    flat = torch.cat([t.detach().to(torch.float64).reshape(-1) for t in tensors])
    same_numbers = flat.numel() > 1 and bool((flat == flat[0]).all())
    same_outputs = len(tensors) > 1 and all(t.shape == tensors[0].shape and torch.equal(t, tensors[0]) for t in tensors[1:])
    if same_numbers or same_outputs:
        raise PropertyFailed(
            f"{function} returns the same value for {what}, whose results all differ: it computes nothing yet",
            "different values",
            values[0],
            show_calls=False,
        )
