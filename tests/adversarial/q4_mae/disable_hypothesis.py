"""Attack: switch Hypothesis off, so that property-based tests would pass
without ever calling anything: ``given`` returns a test that does nothing,
the settings profile runs no phase, ``assume`` rejects everything, the engine's
runner returns at once.

Stopped by: Hypothesis runs in the grader's process, never in the worker:
this module patches a copy of Hypothesis that nothing else uses.
Honest score: 0: nonsense values of the wrong shape and dtype that depend on
every input, inputs modified, no ValueError.
"""

import hypothesis
import hypothesis.core
import torch


def _given(*args, **kwargs):
    return lambda test: lambda *a, **k: None


hypothesis.given = hypothesis.core.given = _given
hypothesis.assume = lambda condition: None
hypothesis.settings.register_profile("off", max_examples=1, phases=[])
hypothesis.settings.load_profile("off")
hypothesis.core.StateForActualGivenExecution.run_engine = lambda self: None
hypothesis.core.StateForActualGivenExecution.execute_once = lambda self, *a, **k: None


def _spoil(*inputs):
    """Every property an honest grader checks besides the values fails too: the inputs are
    modified, the result depends on them asymmetrically, has the wrong shape and dtype, is
    made on the CPU whatever the inputs' device, with one torch call per row."""
    tensors = [x for x in inputs if isinstance(x, torch.Tensor)]
    if tensors[0].device.type != "cpu":
        return torch.zeros(1, dtype=torch.float16)
    for row in tensors[0].detach().reshape(-1, tensors[0].shape[-1]):
        row.add_(1)
    for x in tensors[1:]:
        x.detach().add_(1)
    return torch.full((1,), float(sum((i + 1) ** 2 * x.sum() for i, x in enumerate(tensors))), dtype=torch.float16)


def patchify(imgs, patch_size):
    return _spoil(imgs)


def unpatchify(x, patch_size, channels=3):
    return _spoil(x)


def random_masking(x, mask_ratio, noise=None):
    value = _spoil(x) if noise is None else _spoil(x, noise)
    return value, value, value


def mae_loss(pred, target, mask, norm_pix_loss=False):
    return _spoil(pred, target, mask)
