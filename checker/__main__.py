"""Student self-check: ``python -m checker [FOLDER] [--question ID]``.

Runs the public properties on your files (default: the current folder) with
the same feedback text the autograder gives. Hidden properties run only on
Gradescope.
"""

import argparse
from pathlib import Path

from checker.grading import Session
from checker.registry import QUESTIONS


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m checker", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", type=Path, default=Path.cwd())
    parser.add_argument("--question", choices=[q.id for q in QUESTIONS], action="append", help="only this question (repeatable)")
    args = parser.parse_args(argv)
    session = Session(args.folder)
    results = [session.grade(q.id) for q in QUESTIONS if not args.question or q.id in args.question]
    for result in results:
        print(f"\n== {result.question}: {result.score:g} / {result.max_score:g} public points")
        print("\n".join("  " + line for line in result.feedback().splitlines()))
    print("\nquestion      public score")
    for result in results:
        print(f"{result.question:<13} {result.score:>5g} / {result.max_score:g}")
    print("Hidden properties (the rest of the points) run when you submit on Gradescope.")


if __name__ == "__main__":
    main()
