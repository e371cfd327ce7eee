"""Finding the student's functions and telling, in one friendly line, which are still stubs.

The demo and the notebook import ``cosine``, ``nt_xent``, ``rotation`` and ``mae`` as
top-level modules, so run them from the folder that holds those four files.
"""

import importlib
import traceback
from pathlib import Path

import torch

FUNCTIONS = {
    "cosine": ("cosine_similarity", "cosine_similarity_matrix"),
    "nt_xent": ("nt_xent_loss",),
    "rotation": ("rotate_batch",),
    "mae": ("patchify", "unpatchify", "random_masking", "mae_loss"),
}

# A tiny valid call of every function: calling it tells a stub from an implementation.
_SAMPLES = {
    "cosine_similarity": lambda: (torch.tensor([1.0, 0.0]), torch.tensor([0.9, 0.4])),
    "cosine_similarity_matrix": lambda: (torch.eye(3, 4), torch.ones(2, 4)),
    "nt_xent_loss": lambda: (
        torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
        torch.tensor([[0.0, 8.0, 3.0], [10.0, 4.0, 9.0]]),
    ),
    "rotate_batch": lambda: (torch.arange(32.0).reshape(2, 1, 4, 4),),
    "patchify": lambda: (torch.arange(64.0).reshape(1, 1, 8, 8), 2),
    "unpatchify": lambda: (torch.arange(64.0).reshape(1, 16, 4), 2, 1),
    "random_masking": lambda: (torch.arange(64.0).reshape(1, 16, 4), 0.75, torch.linspace(0, 1, 16)[None]),
    "mae_loss": lambda: (torch.zeros(1, 2, 2), torch.tensor([[[1.0, 1.0], [3.0, 3.0]]]), torch.tensor([[0.0, 1.0]])),
}


class NotReady(Exception):
    """A student function is missing, still a stub, or fails on a tiny input; str() says which."""


def get(module: str, name: str):
    """``module.name`` from the student's files, after checking it runs on a tiny input.

    Raises ``NotReady`` with a one-line message instead of a traceback.
    """
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name != module:
            raise NotReady(f"importing {module}.py failed: {error}") from None
        raise NotReady(f"{module}.py not found: run from the folder that holds your solutions") from None
    except Exception as error:  # a syntax error or a crash at import time
        raise NotReady(f"importing {module}.py failed: {type(error).__name__}: {error}") from None
    fn = getattr(mod, name, None)
    if not callable(fn):
        raise NotReady(f"{module}.py has no function {name}()")
    try:
        fn(*_SAMPLES[name]())
    except NotImplementedError:
        raise NotReady(f"{module}.{name}() is still a stub: implement it in {module}.py") from None
    except Exception as error:
        raise NotReady(f"{module}.{name}() raised {type(error).__name__} on a tiny valid input ({error}): run its public tests") from None
    return fn


def status() -> dict[str, str]:
    """``{"module.function": "ready" | why not}`` for all eight functions."""
    result = {}
    for module, names in FUNCTIONS.items():
        for name in names:
            try:
                get(module, name)
                result[f"{module}.{name}"] = "ready"
            except NotReady as why:
                result[f"{module}.{name}"] = str(why)
    return result


def attempt(call, what: str):
    """Run ``call()``; if a student function in it is still a stub, print a note and return None.

    The note names the function that raised ``NotImplementedError`` when it is one of the
    student's, else ``what``.
    """
    try:
        return call()
    except NotImplementedError as error:
        frame = traceback.extract_tb(error.__traceback__)[-1]
        module = Path(frame.filename).stem
        if frame.name in FUNCTIONS.get(module, ()):
            what = f"{module}.{frame.name}"
        print(f"[stub] {what} is not implemented yet: this step is skipped until you write it.")
        return None
