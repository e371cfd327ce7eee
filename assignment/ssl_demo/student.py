"""Finding the student's functions and telling, in one friendly line, which are still stubs.

The demo and the notebook import ``cosine``, ``nt_xent``, ``rotation`` and ``mae`` (and
``moco``, ``byol``, ``dino`` where the release has them) as top-level modules, so run them
from the folder that holds those files.
"""

import importlib
import importlib.util
import traceback
from pathlib import Path

import torch

from .config import EXTENSION_METHODS

FUNCTIONS = {
    "cosine": ("cosine_similarity", "cosine_similarity_matrix"),
    "nt_xent": ("nt_xent_loss",),
    "rotation": ("rotate_batch",),
    "mae": ("patchify", "unpatchify", "random_masking", "mae_loss"),
    "moco": ("moco_logits", "moco_loss", "dequeue_and_enqueue"),
    "byol": ("byol_loss", "ema_update"),
    "dino": ("dino_loss", "update_center"),
}

OPTIONAL = EXTENSION_METHODS  # the extension questions' modules (named as their methods), in releases that have them

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
    "moco_logits": lambda: (torch.eye(2), torch.eye(2), torch.ones(3, 2)),
    "moco_loss": lambda: (torch.eye(2), torch.eye(2), torch.ones(3, 2)),
    "dequeue_and_enqueue": lambda: (torch.zeros(4, 2), torch.ones(2, 2), 3),
    "byol_loss": lambda: (torch.eye(2), torch.ones(2, 2)),
    "ema_update": lambda: ([torch.ones(2)], [torch.zeros(2)], 0.9),
    "dino_loss": lambda: (torch.zeros(6, 4), torch.ones(4, 4), torch.ones(4), 3),
    "update_center": lambda: (torch.zeros(2), torch.ones(2, 2)),
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


def present(module: str) -> bool:
    """Whether ``module.py`` can be found (a release without the extension questions has no ``moco.py``)."""
    return importlib.util.find_spec(module) is not None


def status() -> dict[str, str]:
    """``{"module.function": "ready" | why not}`` for every function of the modules present."""
    result = {}
    for module, names in FUNCTIONS.items():
        if module in OPTIONAL and not present(module):
            continue
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
