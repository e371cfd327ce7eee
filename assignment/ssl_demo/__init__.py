"""Self-supervised pre-training on 8x8 digits with your own functions, then a linear probe.

Run from the folder that holds your ``cosine.py``, ``nt_xent.py``, ``rotation.py`` and
``mae.py`` (and ``moco.py``, ``byol.py``, ``dino.py`` in a release with the optional questions)::

    python -m ssl_demo            # the full demo: under 3 minutes on 2 CPU cores for the core three methods
    python -m ssl_demo --fast     # a quick smoke run
    python -m ssl_demo --help

From Python or a notebook: ``from ssl_demo import Config, run; result = run(Config(seed=0))``.

Modules: ``config`` (settings), ``data`` (digits and label fractions), ``augment``
(SimCLR's views), ``model`` (encoder and heads), ``student`` (finding your functions),
``pretrain`` (SimCLR, RotNet, MAE, MoCo, BYOL, DINO), ``probe`` (linear probe), ``report`` (table and
plot), ``demo`` (all of it in order).
"""

import os

# Idle OpenMP threads sleep instead of spinning: on a busy machine (a notebook, a browser,
# other jobs) spinning threads can make torch many times slower. It only takes effect
# when torch is first imported after this line, as with ``python -m ssl_demo``.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .config import METHODS, Config, fast  # noqa: E402
from .demo import DemoResult, run  # noqa: E402

__all__ = ["METHODS", "Config", "DemoResult", "fast", "run"]
