"""``python -m autograder build | grade SUBMISSION [--results PATH] | stubs``."""

import argparse
from pathlib import Path

from autograder.build import build
from autograder.grade import grade, summary_table
from autograder.stubs import write_stubs


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help="write dist/autograder.zip and dist/student.zip")
    grade_parser = commands.add_parser("grade", help="grade one submission (folder or zip) through otter run")
    grade_parser.add_argument("submission", type=Path)
    grade_parser.add_argument("--results", type=Path, default=Path("results.json"), help="where to write results.json")
    commands.add_parser("stubs", help="rewrite assignment/*.py from solutions/*.py")
    args = parser.parse_args(argv)

    if args.command == "build":
        for path in build():
            print(f"wrote {path}")
    elif args.command == "grade":
        if not args.submission.exists():
            parser.error(f"{args.submission} does not exist")
        data = grade(args.submission, args.results)
        print(summary_table(data))
        print(f"results: {args.results}")
    elif args.command == "stubs":
        for path in write_stubs():
            print(f"wrote {path}")
