"""``python -m ssl_demo``: the command line."""

import argparse
import sys

from .config import METHODS, Config, fast
from .demo import available_methods, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ssl_demo",
        description="Pre-train a small encoder on unlabeled 8x8 digits with your SimCLR, RotNet "
        "and MAE functions (and MoCo, BYOL, DINO where you have them), then fit linear probes with "
        "1%, 5%, 10% and 100% of the labels.",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0); same seed, same numbers")
    parser.add_argument("--fast", action="store_true", help="few epochs: a smoke run in well under a minute")
    parser.add_argument("--out", default="ssl_demo_out", help="folder for the plot (default ssl_demo_out)")
    parser.add_argument(
        "--methods",
        nargs="+",
        choices=METHODS,
        default=list(available_methods()),
        metavar="METHOD",
        help=f"which pre-training methods to run, any of {', '.join(METHODS)} (default: simclr, rotnet, mae, and moco, byol, dino where moco.py, byol.py, dino.py are present)",
    )
    args = parser.parse_args(argv)
    config = Config(seed=args.seed, methods=tuple(m for m in METHODS if m in args.methods))
    if args.fast:
        config = fast(config)
    run(config, out=args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
